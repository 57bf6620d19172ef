"""Writes pytorch_mlp8.safetensors: a checkpoint as Python's safetensors package writes it.

The tensors follow the module layout of torch_vae.py's MLP (fc1, fc21, fc22, fc3, fc4) with a
hidden width of 8 and a 2-D latent, and carry no latent metadata, as a PyTorch user's
`save_file(model.state_dict(), ...)` would. Values are a fixed formula the Swift test
recomputes. Run once; the output is committed:

    pip install safetensors numpy && python3 make_pytorch_checkpoint.py
"""
import numpy as np
from safetensors.numpy import save_file

def values(name, shape):
    n = int(np.prod(shape))
    seed = sum(ord(c) for c in name)
    return (np.sin(np.arange(n, dtype=np.float64) * 0.37 + seed) * 0.1).astype(np.float32).reshape(shape)

layers = {"fc1": (8, 784), "fc21": (2, 8), "fc22": (2, 8), "fc3": (8, 2), "fc4": (784, 8)}
tensors = {}
for name, (out_features, in_features) in layers.items():
    tensors[f"{name}.weight"] = values(f"{name}.weight", (out_features, in_features))
    tensors[f"{name}.bias"] = values(f"{name}.bias", (out_features,))
save_file(tensors, "pytorch_mlp8.safetensors", metadata={"format": "pt"})

"""latent-torch: train latent's VAEs in PyTorch (DistributedDataParallel on CPUs, GPUs and
clusters) and hand the checkpoints to latent.

Modules: `models` (latent's architectures as PyTorch modules, latent's tensor names),
`checkpoint` (latent's .safetensors checkpoints with their metadata), `data` (IDX directories
and the files of ``latent export-data``), `objective` (the loss), `runlog` (the JSON-lines
log latent watch follows) and `train` (``python -m latent_torch.train``).
"""
__version__ = "0.1.0"

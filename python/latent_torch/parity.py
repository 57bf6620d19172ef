"""Numerical parity with latent, as llm.c checks itself against PyTorch: from the same weights,
batch and noise, the loss terms, the gradient of every tensor, and the weights after a few
Adam steps.

    python -m latent_torch.parity CASE.safetensors RESULT.safetensors

CASE (written by latent's tests) holds a model's tensors under latent's names with a
checkpoint's metadata, ``parity.x`` (the batch, [n, D] intensities), ``parity.noise``
([steps, n, L] standard normal draws, one batch of them per step) and the metadata
``parity.beta`` and ``parity.steps``. RESULT holds, for the first step, ``recon`` and ``kl``
(per image) and ``grad.NAME`` (the gradient of the batch's summed loss, as latent and
PyTorch's example take it) in float32, the same in float64 under ``recon64``, ``kl64`` and
``grad64.NAME``; ``after.NAME`` and ``after64.NAME``, the weights after ``parity.steps`` Adam
steps (PyTorch's defaults), step k on noise k, in float32 and float64, and ``losses`` and
``losses64`` ([steps, 2]: each step's mean reconstruction and KL before its update).
"""
import sys

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from . import models, objective


def _model(metadata, tensors, dtype):
    arch = models.parse(metadata["latent.architecture"])
    c, h, w = (int(v) for v in metadata["latent.image"].split("x"))
    model = models.VAE(arch.with_image((c, h, w)), metadata.get("latent.kind", "vae"))
    model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("parity.")})
    return model.to(dtype)


def main(argv):
    if len(argv) != 2:
        print("usage: python -m latent_torch.parity CASE.safetensors RESULT.safetensors", file=sys.stderr)
        return 2
    with safe_open(argv[0], framework="pt") as f:
        metadata = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    recon, beta, steps = metadata["latent.reconstruction"], float(metadata["parity.beta"]), int(metadata["parity.steps"])
    x, noise = tensors["parity.x"], tensors["parity.noise"]
    result = {}
    for dtype, suffix in ((torch.float32, ""), (torch.float64, "64")):
        model = _model(metadata, tensors, dtype)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        losses = []
        for k in range(steps):
            optimizer.zero_grad()
            rec, kl = objective.terms(model, x.to(dtype), recon, noise[k].to(dtype))
            losses.append([float(rec.mean()), float(kl.mean())])
            (rec + beta * kl).sum().backward()
            if k == 0:
                # The first step's per-image terms and every tensor's gradient of the summed loss.
                result["recon" + suffix], result["kl" + suffix] = rec.detach().contiguous(), kl.detach().contiguous()
                for name, p in model.named_parameters():
                    result["grad%s.%s" % (suffix, name)] = p.grad.detach().clone().contiguous()
            optimizer.step()
        result["losses" + suffix] = torch.tensor(losses, dtype=dtype)
        for name, value in model.state_dict().items():
            result["after%s.%s" % (suffix, name)] = value.detach().contiguous()
    save_file(result, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""latent's training objective in PyTorch: per image, the reconstruction term (BCE on the
logits, or the sum of squared errors of their sigmoid) plus beta times the KL divergence of
the posterior N(mean, exp(logvar)) from N(0, I), in nats; a plain autoencoder has no sampling
and no KL. A step follows the gradient of the sum over the batch, as latent and PyTorch's
VAE example do (Adam makes the scale all but irrelevant); losses are reported per image."""
import torch
from torch.nn import functional as F


def reconstruction(logits, x, kind):
    """Per-image reconstruction term [n] of logits and targets [n, D]."""
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    if kind == "mse":
        return (torch.sigmoid(logits) - x).pow(2).sum(1)
    raise ValueError("reconstruction must be bce or mse, got %r" % kind)


def kl_divergence(mean, logvar):
    """Per-image KL(N(mean, exp(logvar)) || N(0, I)) [n]."""
    return -0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).sum(1)


def terms(model, x, recon="bce", noise=None):
    """Per-image (reconstruction, KL) of a batch [n, D]. `noise` [n, L] is the standard normal
    draw of z = mean + exp(logvar / 2) * noise (drawn here when None); an autoencoder decodes
    its mean and has no KL."""
    mean, logvar = model.encode(x)
    if model.kind == "ae":
        return reconstruction(model.decode(mean), x, recon), torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
    if noise is None:
        noise = torch.randn_like(mean)
    z = mean + torch.exp(0.5 * logvar) * noise
    return reconstruction(model.decode(z), x, recon), kl_divergence(mean, logvar)

"""latent's checkpoints: a .safetensors file of the model's tensors (float32, latent's names)
with latent's metadata, read and written through the safetensors library.

Metadata (strings; JSON where structured), as ``latent train`` writes it: ``format`` ("pt"),
``latent.version`` ("1"), ``latent.architecture`` (a name such as ``conv2``),
``latent.image`` (``CxHxW``), ``latent.kind`` (``vae``/``ae``), ``latent.reconstruction``
(``bce``/``mse``), ``latent.training`` (``{"adam": {"beta1", "beta2", "epsilon",
"learningRate"}, "batchSize", "beta", "epochs", "importanceSamples", "seed"}``),
``latent.history`` (one record per epoch: ``{"epoch", "step", "beta", "trainSeconds",
"imagesPerSecond", "train": {"reconstruction", "kl", "total"}, "test": {"count",
"reconstruction", "kl"}}``), and optionally ``latent.data`` and ``latent.fit``.
Non-finite numbers are the strings "nan", "inf" and "-inf", as latent writes them.
"""
import json
import math
import os
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from . import models

FORMAT_VERSION = "1"


class CheckpointError(ValueError):
    """A file that is not a checkpoint this package can open; the message names the file."""


class Checkpoint:
    """What a checkpoint says besides its weights."""

    def __init__(self, architecture, kind="vae", reconstruction="bce", training=None, history=None, data=None, fit=None):
        self.architecture, self.kind, self.reconstruction = architecture, kind, reconstruction
        self.training = training
        self.history = list(history or [])
        self.data, self.fit = data, fit


def training_settings(epochs, batch_size=128, beta=1.0, seed=1, learning_rate=1e-3, importance_samples=0):
    """`latent.training` as latent writes it (Adam with PyTorch's defaults)."""
    return {"adam": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "learningRate": learning_rate},
            "batchSize": batch_size, "beta": beta, "epochs": epochs, "importanceSamples": importance_samples, "seed": seed}


def _finite(value):
    """JSON that latent reads: non-finite floats as latent's strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _numbers(value):
    """The inverse of `_finite`."""
    if value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def save(path, model, checkpoint):
    """Writes `model` with `checkpoint`'s description to `path` atomically: a temporary file in
    the same folder, renamed over `path`, so a reader sees the old file or the new one whole.
    Refuses weights holding NaN or infinities, as latent does."""
    tensors = {}
    for name, value in model.state_dict().items():
        value = value.detach().to("cpu", torch.float32).contiguous()
        if not torch.isfinite(value).all():
            raise CheckpointError("%s: not saved: tensor '%s' holds NaN or infinite values" % (path, name))
        tensors[name] = value
    c, h, w = model.architecture.image
    metadata = {
        "format": "pt",
        "latent.version": FORMAT_VERSION,
        "latent.architecture": model.architecture.name,
        "latent.image": "%dx%dx%d" % (c, h, w),
        "latent.kind": model.kind,
        "latent.reconstruction": checkpoint.reconstruction,
        "latent.history": json.dumps(_finite(checkpoint.history), separators=(",", ":")),
    }
    if checkpoint.training is not None:
        metadata["latent.training"] = json.dumps(_finite(checkpoint.training), separators=(",", ":"))
    if checkpoint.data is not None:
        metadata["latent.data"] = checkpoint.data
    if checkpoint.fit is not None:
        metadata["latent.fit"] = checkpoint.fit
    # A link is followed: its target is what gets replaced, and keeps its permissions.
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    prefix = ".%s." % os.path.basename(target)
    for name in os.listdir(folder):  # what a killed save left behind
        if name.startswith(prefix) and name.endswith(".partial"):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass
    if os.path.exists(target):
        mode = os.stat(target).st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".partial", dir=folder)
    os.close(handle)
    try:
        save_file(tensors, temporary, metadata=metadata)
        os.chmod(temporary, mode)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _check_training(training):
    """latent's bounds on `latent.training`, or the reason it breaks them."""
    if not isinstance(training, dict):
        return "is not a JSON object"
    adam = training.get("adam")
    if not isinstance(adam, dict):
        return "has no adam settings"
    number = (int, float)
    for key in ("beta1", "beta2", "epsilon", "learningRate"):
        if not isinstance(adam.get(key), number) or isinstance(adam.get(key), bool):
            return "adam.%s is not a number" % key
    if not 0 < adam["learningRate"] < math.inf:
        return "learningRate must be positive"
    checks = [("epochs", 1, 1_000_000), ("batchSize", 1, 65536), ("importanceSamples", 0, 5000), ("seed", 0, 2 ** 64 - 1)]
    for key, low, high in checks:
        value = training.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return "%s must be an integer from %d to %d" % (key, low, high)
    beta = training.get("beta")
    if not isinstance(beta, number) or isinstance(beta, bool) or not 0 <= beta < math.inf:
        return "beta must be a non-negative number"
    return None


def _check_history(history):
    """latent's rules for `latent.history`, or the reason it breaks them."""
    if not isinstance(history, list):
        return "is not a list"
    previous = 0
    for index, record in enumerate(history):
        if not isinstance(record, dict) or record.get("epoch") != index + 1:
            return "record %d is not epoch %d" % (index + 1, index + 1)
        step = record.get("step")
        if not isinstance(step, int) or isinstance(step, bool) or step < previous:
            return "epoch %d has no step count after the previous one's" % (index + 1)
        previous = step
        for part, keys in (("train", ("reconstruction", "kl", "total")), ("test", ("count", "reconstruction", "kl"))):
            terms = record.get(part)
            if not isinstance(terms, dict) or any(not isinstance(terms.get(k), (int, float)) for k in keys):
                return "epoch %d has no %s scores" % (index + 1, part)
        for key in ("beta", "trainSeconds", "imagesPerSecond"):
            if not isinstance(record.get(key), (int, float)):
                return "epoch %d has no %s" % (index + 1, key)
    return None


def load(path, device="cpu"):
    """The model and description in the latent checkpoint at `path`; a CheckpointError that
    names the file and the problem for anything else."""
    def fail(problem):
        return CheckpointError("%s: %s" % (path, problem))

    if not os.path.exists(path):
        raise fail("no such file")
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except CheckpointError:
        raise
    except Exception as error:  # the library's own errors: not a safetensors file, truncated, ...
        raise fail("not a safetensors file latent can read (%s)" % str(error).splitlines()[0][:200])
    name = metadata.get("latent.architecture")
    if name is None:
        raise fail("no latent metadata (latent.architecture); save it with latent_torch.checkpoint.save or latent train")
    try:
        architecture = models.parse(name)
    except models.ArchitectureError as error:
        raise fail("bad metadata: %s" % error)
    image = metadata.get("latent.image")
    if image is not None:
        parts = image.split("x")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise fail("bad metadata: latent.image '%s' is not CxHxW" % image[:40])
        architecture = architecture.with_image(tuple(int(p) for p in parts))
        problem = architecture.problem()
        if problem:
            raise fail("bad metadata: latent.image %s: %s" % (image, problem))
    kind = metadata.get("latent.kind", "vae")
    if kind not in ("vae", "ae"):
        raise fail("bad metadata: latent.kind '%s' is not vae or ae" % kind[:40])
    reconstruction = metadata.get("latent.reconstruction", "bce")
    if reconstruction not in ("bce", "mse"):
        raise fail("bad metadata: latent.reconstruction '%s' is not bce or mse" % reconstruction[:40])

    def structured(key, default):
        if key not in metadata:
            return default
        try:
            return _numbers(json.loads(metadata[key]))
        except ValueError:
            raise fail("bad metadata: %s is not valid JSON" % key)

    training = structured("latent.training", None)
    history = structured("latent.history", [])
    if training is not None and _check_training(training):
        raise fail("bad metadata: latent.training %s" % _check_training(training))
    if _check_history(history):
        raise fail("bad metadata: latent.history: %s" % _check_history(history))
    model = models.VAE(architecture, kind)
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in tensors.items()}
    for key in sorted(set(expected) | set(found)):
        if key not in found:
            raise fail("no tensor '%s', which %s needs" % (key, architecture.name))
        if key not in expected:
            raise fail("tensor '%s' is not part of %s" % (key, architecture.name))
        if found[key] != expected[key]:
            raise fail("tensor '%s' is %s, but %s needs %s" % (key, list(found[key]), architecture.name, list(expected[key])))
        if tensors[key].dtype != torch.float32:
            raise fail("tensor '%s' is %s, not float32" % (key, tensors[key].dtype))
    model.load_state_dict(tensors)
    description = Checkpoint(architecture, kind, reconstruction, training, history,
                             metadata.get("latent.data"), metadata.get("latent.fit"))
    return model.to(device), description

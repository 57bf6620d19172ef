"""The data latent reads, for PyTorch: IDX directories (Debian's Fashion-MNIST among them) read
directly, and every other data spec of latent (synthetic digits, sprites, folders of photos)
through the file ``latent export-data --data SPEC --out data.safetensors`` writes.

A data file holds ``train.images`` and ``test.images`` (uint8 [N, C, H, W], 0 black, 255 white),
``train.labels`` and ``test.labels`` (int64 [N], when the set is labelled) and, in its metadata,
``latent.data`` (the spec it was made from), ``latent.image`` (``CxHxW``) and
``latent.classes`` (a JSON list of class names). Images stay bytes in memory and become
intensities in [0, 1] a batch at a time (:meth:`Split.batch`).
"""
import gzip
import json
import os
import struct
import zlib

import numpy as np
import torch
from safetensors import safe_open

DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# The bounds latent's IDX reader keeps: no file may ask for more.
MAX_IDX_VALUES, MAX_IDX_SIDE = 1 << 30, 512


class DataError(ValueError):
    """Data that cannot be read; the message names the file and the problem."""


class Set:
    """Images (uint8 [N, C, H, W]) and labels (int64 [N] or None) with their class names."""

    def __init__(self, name, images, labels, classes):
        self.name, self.images, self.labels, self.classes = name, images, labels, list(classes)

    def __len__(self):
        return self.images.shape[0]

    @property
    def shape(self):
        return tuple(self.images.shape[1:])

    def batch(self, indices, device="cpu"):
        """The images at `indices` as float intensities [n, C*H*W] on `device`."""
        return self.images[indices].to(device).reshape(len(indices), -1).float().div_(255)


class Split:
    """A training set and the held-out test set, as latent splits them."""

    def __init__(self, train, test, spec):
        if train.shape != test.shape:
            raise DataError("%s: train images are %s but test images %s" % (spec, train.shape, test.shape))
        self.train, self.test, self.spec = train, test, spec

    @property
    def shape(self):
        return self.train.shape


def _read_idx(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
        data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error) as error:
        raise DataError("%s: cannot read (%s)" % (path, str(error).splitlines()[0] if str(error) else type(error).__name__))
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise DataError("%s: not an IDX file of unsigned bytes" % path)
    dims = data[3]
    if not 1 <= dims <= 3 or len(data) < 4 + 4 * dims:
        raise DataError("%s: bad IDX header" % path)
    shape = struct.unpack(">%dI" % dims, data[4:4 + 4 * dims])
    count = int(np.prod(shape, dtype=np.int64))
    if count > MAX_IDX_VALUES or (dims == 3 and max(shape[1:]) > MAX_IDX_SIDE):
        raise DataError("%s: declares %s values, more than latent reads" % (path, "x".join(map(str, shape))))
    body = data[4 + 4 * dims:]
    if len(body) < count:
        raise DataError("%s: truncated IDX: %d values expected, %d found" % (path, count, len(body)))
    return np.frombuffer(body, np.uint8, count).reshape(shape)


def _find(directory, splits, kinds):
    for name in sorted(os.listdir(directory)):
        lower = name.lower()
        if any(s in lower for s in splits) and any(k in lower for k in kinds):
            return os.path.join(directory, name)
    return None


def load_idx(directory, name=None):
    """Train and test sets from a directory of IDX files named as MNIST's are."""
    name = name or directory
    train_images = _find(directory, ["train"], ["images", "idx3"])
    test_images = _find(directory, ["t10k", "test"], ["images", "idx3"])
    if not (train_images and test_images):
        raise DataError("%s: no IDX files named like train-images-idx3-ubyte.gz and t10k-images-idx3-ubyte.gz" % directory)
    fashion = "fashion" in directory.lower()

    def read(images_path, labels_path, split):
        images = _read_idx(images_path)
        if images.ndim != 3:
            raise DataError("%s: expected images (count, rows, columns)" % images_path)
        labels = None
        if labels_path:
            labels = _read_idx(labels_path)
            if labels.ndim != 1 or len(labels) != len(images):
                raise DataError("%s: %d labels for %d images" % (labels_path, len(labels), len(images)))
        if len(images) == 0:
            raise DataError("%s: holds no images" % images_path)
        count = int(labels.max()) + 1 if labels is not None and len(labels) else 0
        classes = FASHION_CLASSES if fashion and count <= 10 else [str(i) for i in range(count)]
        return Set("%s/%s" % (name, split), torch.from_numpy(images.copy()).unsqueeze(1),
                   None if labels is None else torch.from_numpy(labels.astype(np.int64)), classes)

    return Split(read(train_images, _find(directory, ["train"], ["labels", "idx1"]), "train"),
                 read(test_images, _find(directory, ["t10k", "test"], ["labels", "idx1"]), "test"), name)


def load_file(path):
    """The split in a data file written by ``latent export-data``."""
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except Exception as error:
        raise DataError("%s: not a data file from latent export-data (%s)" % (path, str(error).splitlines()[0][:200]))
    try:
        classes = json.loads(metadata.get("latent.classes", "[]"))
    except ValueError:
        classes = None
    if not isinstance(classes, list) or not all(isinstance(name, str) for name in classes):
        raise DataError("%s: bad metadata: latent.classes is not a JSON list of names" % path)
    spec = metadata.get("latent.data", path)

    def split(part):
        images = tensors.get(part + ".images")
        if images is None or images.dtype != torch.uint8 or images.dim() != 4:
            raise DataError("%s: no %s.images tensor of uint8 [N, C, H, W]" % (path, part))
        labels = tensors.get(part + ".labels")
        if labels is not None and (labels.dim() != 1 or len(labels) != len(images)):
            raise DataError("%s: %s.labels does not give one label per image" % (path, part))
        if labels is not None and len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= len(classes)):
            raise DataError("%s: %s.labels holds a label with no class name" % (path, part))
        return Set("%s/%s" % (spec, part), images, None if labels is None else labels.long(), classes)

    return Split(split("train"), split("test"), spec)


def load(spec):
    """``fashion-mnist``, a directory of IDX files, or a data file from ``latent export-data``."""
    if spec in ("fashion-mnist", "fashion_mnist", "fashionmnist"):
        directory = os.environ.get("LATENT_FASHION_MNIST") or DEBIAN_FASHION_MNIST
        if not os.path.isdir(directory):
            raise DataError("fashion-mnist: not installed (no %s): sudo apt-get install dataset-fashion-mnist" % directory)
        return load_idx(directory, "fashion-mnist")
    if os.path.isdir(spec):
        return load_idx(spec)
    if os.path.isfile(spec):
        return load_file(spec)
    raise DataError("%s: no such file or directory; give fashion-mnist, a directory of IDX files, or a file from "
                    "`latent export-data --data SPEC --out data.safetensors` (which reads every other data spec)" % spec)

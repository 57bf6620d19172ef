"""The VAEs `latent` knows, as PyTorch modules with exactly latent's tensor names and layouts.

An architecture string is what `latent train --arch` takes:

* presets: ``mlp20``, ``mlp2``, ``conv2``, ``rgb32``, ``rgb64``;
* ``mlp(hidden:[400,200],latent:2)`` and ``conv(filters:[32,64],dense:16,latent:2)``, either
  with ``,image:CxHxW`` (or ``HxW``); without it the image is 1x28x28, or what ``image=``
  passed to :func:`build` says.

Tensor names, as latent's checkpoints hold them:

* MLP: ``fc1``, ``fc1_2``, ... (encoder), ``fc21`` (mean), ``fc22`` (log-variance), ``fc3``,
  ``fc3_2``, ... (decoder, hidden sizes reversed), ``fc4`` (to pixels).
* conv: 3x3 stride-2 padding-1 convolutions ``enc.K`` (``c1``, ``c2`` for gray models of two
  convolutions), ``fc`` (dense), ``mu``, ``lv``; ``d`` (latent to the last feature map),
  3x3 stride-2 transposed convolutions (padding 1, output padding 1) to the filters in reverse
  order without the last and then the first again (``conv2``, gray 28x28 with 32 and 64
  filters, keeps the Keras example's 64 then 32), and a stride-1 one to the image's channels:
  ``dec.K`` (``t1``, ``t2``, ``t3`` for gray models of two convolutions).

Every layer but the heads and the last is followed by a ReLU. Images are flattened in
(channel, row, column) order. A plain autoencoder (``kind="ae"``) has no log-variance head.
"""
import re

import torch
from torch import nn
from torch.nn import functional as F

PRESETS = {
    "mlp20": "mlp(hidden:[400],latent:20)",
    "mlp2": "mlp(hidden:[400],latent:2)",
    "conv2": "conv(filters:[32,64],dense:16,latent:2)",
    "rgb32": "conv(filters:[32,64,128],dense:256,latent:32,image:3x32x32)",
    "rgb64": "conv(filters:[32,64,128,256],dense:256,latent:64,image:3x64x64)",
}

# The bounds latent's Architecture checks, so both sides refuse the same strings.
MAX_LATENT, MAX_DEPTH, MAX_WIDTH, MAX_SIDE, MAX_CHANNELS = 4096, 8, 65536, 512, 4
MAX_PARAMETERS, MAX_ACTIVATION = 1 << 27, 1 << 21


class ArchitectureError(ValueError):
    """An architecture string neither latent nor this package builds."""


class Architecture:
    """A parsed architecture: ``body`` ("mlp" or "conv"), ``hidden`` or ``filters`` and
    ``dense``, ``latent``, ``image`` (channels, height, width) and whether the string fixed it."""

    def __init__(self, body, latent, image, hidden=(), filters=(), dense=0, image_given=False):
        self.body, self.latent, self.image = body, latent, tuple(image)
        self.hidden, self.filters, self.dense = tuple(hidden), tuple(filters), dense
        self.image_given = image_given

    @property
    def name(self):
        """latent's name for it: a preset's name, else the general form."""
        for preset, text in PRESETS.items():
            if parse(text) == self:
                return preset
        image = "" if self.image == (1, 28, 28) else ",image:%dx%dx%d" % self.image
        if self.body == "mlp":
            return "mlp(hidden:[%s],latent:%d%s)" % (",".join(map(str, self.hidden)), self.latent, image)
        return "conv(filters:[%s],dense:%d,latent:%d%s)" % (",".join(map(str, self.filters)), self.dense, self.latent, image)

    def __eq__(self, other):
        return isinstance(other, Architecture) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def key(self):
        return (self.body, self.latent, self.image, self.hidden, self.filters, self.dense)

    def with_image(self, image):
        return Architecture(self.body, self.latent, image, self.hidden, self.filters, self.dense, True)

    def problem(self):
        """What latent would refuse about it, or None."""
        c, h, w = self.image
        if not 1 <= self.latent <= MAX_LATENT:
            return "latent size must be 1 to %d, got %d" % (MAX_LATENT, self.latent)
        if not 1 <= c <= MAX_CHANNELS:
            return "images must have 1 to %d channels, got %d" % (MAX_CHANNELS, c)
        if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
            return "image sides must be 1 to %d pixels, got %dx%d" % (MAX_SIDE, h, w)
        sizes = self.hidden if self.body == "mlp" else self.filters
        what = "hidden layers" if self.body == "mlp" else "convolutions"
        if len(sizes) > MAX_DEPTH:
            return "at most %d %s, got %d" % (MAX_DEPTH, what, len(sizes))
        if any(not 1 <= s <= MAX_WIDTH for s in sizes):
            return "%s must be 1 to %d wide" % (what, MAX_WIDTH)
        if self.body == "conv":
            if not self.filters:
                return "a conv model needs at least one convolution: filters:[...] is empty"
            if not 1 <= self.dense <= MAX_WIDTH:
                return "the dense layer must be 1 to %d wide, got %d" % (MAX_WIDTH, self.dense)
            factor = 2 ** len(self.filters)
            if h % factor or w % factor:
                return "%d stride-2 convolutions need image sides divisible by %d, got %dx%dx%d" % (
                    len(self.filters), factor, c, h, w)
        parameters, layer, values = self.sizes()
        if parameters > MAX_PARAMETERS:
            return "the model would have %d parameters, more than the %d (2^27) latent builds; use fewer or narrower layers" % (
                parameters, MAX_PARAMETERS)
        if values > MAX_ACTIVATION:
            return "layer %s would output %d values per image, more than the %d (2^21) latent allows; use fewer filters " \
                   "or a smaller image" % (layer, values, MAX_ACTIVATION)
        return None

    def sizes(self):
        """The parameter count, and the layer that outputs the most values per image and how
        many: what latent's LayerPlan measures, without building anything."""
        c, h, w = self.image
        parameters, largest = 0, ("", 0)

        def layer(name, weights, biases, outputs):
            nonlocal parameters, largest
            parameters += weights + biases
            if outputs > largest[1]:
                largest = (name, outputs)
        if self.body == "mlp":
            width = c * h * w
            for i, size in enumerate(self.hidden):
                layer("fc1" if i == 0 else "fc1_%d" % (i + 1), width * size, size, size)
                width = size
            for head in ("fc21", "fc22"):
                layer(head, width * self.latent, self.latent, self.latent)
            width = self.latent
            for i, size in enumerate(reversed(self.hidden)):
                layer("fc3" if i == 0 else "fc3_%d" % (i + 1), width * size, size, size)
                width = size
            layer("fc4", width * c * h * w, c * h * w, c * h * w)
            return parameters, largest[0], largest[1]
        keras = len(self.filters) == 2 and c == 1
        channels = c
        for i, count in enumerate(self.filters):
            h, w = (h - 1) // 2 + 1, (w - 1) // 2 + 1
            layer("c%d" % (i + 1) if keras else "enc.%d" % i, channels * count * 9, count, count * h * w)
            channels = count
        flat = channels * h * w
        layer("fc", flat * self.dense, self.dense, self.dense)
        for head in ("mu", "lv"):
            layer(head, self.dense * self.latent, self.latent, self.latent)
        layer("d", self.latent * flat, flat, flat)
        keras_decoder = keras and self.image[1:] == (28, 28) and self.filters == (32, 64)
        outputs = [64, 32] if keras_decoder else list(reversed(self.filters))[1:] + [self.filters[0]]
        for i, count in enumerate(outputs):
            h, w = 2 * h, 2 * w
            layer("t%d" % (i + 1) if keras else "dec.%d" % i, channels * count * 9, count, count * h * w)
            channels = count
        last = "t%d" % (len(self.filters) + 1) if keras else "dec.%d" % len(self.filters)
        layer(last, channels * c * 9, c, c * h * w)
        return parameters, largest[0], largest[1]


def _integers(text, key, whole):
    if not re.fullmatch(r"\[\d+(,\d+)*\]|\[\]", text):
        raise ArchitectureError("architecture '%s': %s must be a list of integers like [400]" % (whole, key))
    return [int(v) for v in text[1:-1].split(",") if v]


def parse(text):
    """Parses an architecture string, raising ArchitectureError with latent's wording."""
    compact = "".join(text.split())
    if compact in PRESETS:
        return parse(PRESETS[compact])
    match = re.fullmatch(r"(mlp|conv)\((.*)\)", compact)
    if not match:
        raise ArchitectureError("architecture '%s': unknown name; use one of %s, mlp(hidden:[...],latent:N) or "
                                "conv(filters:[...],dense:N,latent:N)" % (text, ", ".join(PRESETS)))
    body, inside = match.groups()
    fields = {}
    for part in re.findall(r"[^,\[]+(?:\[[^\]]*\])?", inside):
        part = part.strip(",")
        if not part:
            continue
        key, sep, value = part.partition(":")
        if not sep:
            raise ArchitectureError("architecture '%s': expected key:value, got '%s'" % (text, part))
        if key in fields:
            raise ArchitectureError("architecture '%s': '%s' is given twice" % (text, key))
        fields[key] = value

    def integer(key):
        if key not in fields:
            raise ArchitectureError("architecture '%s': missing %s:" % (text, key))
        value = fields.pop(key)
        if not value.isdigit():
            raise ArchitectureError("architecture '%s': %s must be an integer, got '%s'" % (text, key, value))
        return int(value)

    image, image_given = (1, 28, 28), "image" in fields
    if image_given:
        sides = fields.pop("image").split("x")
        if not all(s.isdigit() for s in sides) or len(sides) not in (2, 3):
            raise ArchitectureError("architecture '%s': image must be HxW or CxHxW" % text)
        image = tuple(int(s) for s in ([1] + sides if len(sides) == 2 else sides))
    latent = integer("latent")
    if body == "mlp":
        if "hidden" not in fields:
            raise ArchitectureError("architecture '%s': missing hidden:[...]" % text)
        arch = Architecture("mlp", latent, image, hidden=_integers(fields.pop("hidden"), "hidden", text), image_given=image_given)
    else:
        if "filters" not in fields:
            raise ArchitectureError("architecture '%s': missing filters:[...]" % text)
        filters = _integers(fields.pop("filters"), "filters", text)
        arch = Architecture("conv", latent, image, filters=filters, dense=integer("dense"), image_given=image_given)
    if fields:
        raise ArchitectureError("architecture '%s': unknown field '%s'" % (text, sorted(fields)[0]))
    problem = arch.problem()
    if problem:
        raise ArchitectureError("architecture '%s': %s" % (text, problem))
    return arch


class VAE(nn.Module):
    """A VAE (or, with ``kind="ae"``, a plain autoencoder) of `architecture`, built layer for
    layer as latent builds it. ``encode`` gives the posterior's mean and log-variance (zeros
    for an autoencoder), ``decode`` the logits of every pixel, flattened."""

    def __init__(self, architecture, kind="vae"):
        super().__init__()
        if kind not in ("vae", "ae"):
            raise ValueError("kind must be vae or ae, got %r" % kind)
        self.architecture, self.kind = architecture, kind
        a = architecture
        c, h, w = a.image
        self.pixels = c * h * w
        self._encoder, self._decoder = [], []
        if a.body == "mlp":
            width = self.pixels
            for i, size in enumerate(a.hidden):
                self._add("fc1" if i == 0 else "fc1_%d" % (i + 1), nn.Linear(width, size), self._encoder)
                width = size
            heads, features = ("fc21", "fc22"), width
            width = a.latent
            for i, size in enumerate(reversed(a.hidden)):
                self._add("fc3" if i == 0 else "fc3_%d" % (i + 1), nn.Linear(width, size), self._decoder)
                width = size
            self._add("fc4", nn.Linear(width, self.pixels), self._decoder)
            self._inner = None
        else:
            keras = len(a.filters) == 2 and c == 1
            keras_decoder = keras and (h, w) == (28, 28) and a.filters == (32, 64)
            channels = c
            for i, count in enumerate(a.filters):
                self._add("c%d" % (i + 1) if keras else "enc.%d" % i, nn.Conv2d(channels, count, 3, 2, 1), self._encoder)
                channels, h, w = count, (h - 1) // 2 + 1, (w - 1) // 2 + 1
            self._inner = (channels, h, w)
            flat = channels * h * w
            self._add("fc", nn.Linear(flat, a.dense), self._encoder)
            heads, features = ("mu", "lv"), a.dense
            self._add("d", nn.Linear(a.latent, flat), self._decoder)
            outputs = [64, 32] if keras_decoder else list(reversed(a.filters))[1:] + [a.filters[0]]
            for i, count in enumerate(outputs):
                self._add("t%d" % (i + 1) if keras else "dec.%d" % i,
                          nn.ConvTranspose2d(channels, count, 3, 2, 1, output_padding=1), self._decoder)
                channels = count
            last = "t%d" % (len(a.filters) + 1) if keras else "dec.%d" % len(a.filters)
            self._add(last, nn.ConvTranspose2d(channels, c, 3, 1, 1), self._decoder)
        self._heads = [heads[0]] + ([heads[1]] if kind == "vae" else [])
        self._add(heads[0], nn.Linear(features, a.latent), None)
        if kind == "vae":
            self._add(heads[1], nn.Linear(features, a.latent), None)

    def _add(self, name, module, group):
        """Registers `module` under `name`, dotted names ("enc.0") as nested modules so that
        the state_dict holds exactly latent's names."""
        parent = self
        parts = name.split(".")
        for part in parts[:-1]:
            if not hasattr(parent, part):
                parent.add_module(part, nn.Module())
            parent = getattr(parent, part)
        parent.add_module(parts[-1], module)
        if group is not None:
            group.append(module)

    def _head(self, index):
        return getattr(self, self._heads[index])

    def encode(self, x):
        h = x.reshape(x.shape[0], -1)
        if self._inner is not None:
            h = h.view(-1, *self.architecture.image)
        for layer in self._encoder:
            if isinstance(layer, nn.Linear) and h.dim() > 2:
                h = h.flatten(1)
            h = F.relu(layer(h))
        mean = self._head(0)(h)
        logvar = self._head(1)(h) if self.kind == "vae" else torch.zeros_like(mean)
        return mean, logvar

    def forward(self, x, recon="bce", noise=None):
        """The training objective's per-image terms (reconstruction, KL) of a batch [n, D]:
        what DistributedDataParallel wraps (see `objective.terms`)."""
        from . import objective
        return objective.terms(self, x, recon, noise)

    def decode(self, z):
        h = z
        last = len(self._decoder) - 1
        for i, layer in enumerate(self._decoder):
            if i == 1 and self._inner is not None:
                h = h.view(-1, *self._inner)
            h = layer(h)
            if i < last:
                h = F.relu(h)
        return h.flatten(1)


def build(text, kind="vae", image=None):
    """A fresh model of the architecture string `text`; `image` (channels, height, width)
    sizes a general form that does not fix its own."""
    arch = parse(text)
    if image is not None and not arch.image_given:
        arch = arch.with_image(image)
        problem = arch.problem()
        if problem:
            raise ArchitectureError("architecture '%s': %s" % (text, problem))
    return VAE(arch, kind)

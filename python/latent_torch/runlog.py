"""The run log: one JSON object per line, appended beside a checkpoint while it trains
(``run.jsonl`` beside ``run.safetensors``), by ``latent train`` and by this package's
trainer alike, so that ``latent watch`` can follow either.

Step lines, every few steps, average the steps since the previous line::

    {"step": 120, "epoch": 2, "images": 15360, "recon": 261.4, "kl": 6.2, "total": 267.6,
     "beta": 1.0, "images_per_s": 4123.5, "time": 1764400000.12}

(`images` counts the epoch's images so far; `recon`, `kl` and `total` are per image.) After
each epoch's test, one epoch line::

    {"epoch_end": 2, "step": 940, "train_loss": 266.9, "test_loss": 262.1, "time": ...}

A reader skips a torn last line: the writer may be in the middle of it.
"""
import json
import math
import os
import time


def path_for(checkpoint):
    """The run log of a checkpoint path: its name with .jsonl for .safetensors."""
    root, ext = os.path.splitext(checkpoint)
    return (root if ext == ".safetensors" else checkpoint) + ".jsonl"


def _number(value):
    return value if math.isfinite(value) else None


class RunLog:
    """Appends lines to the log at `path` (created when missing); `fresh` empties it first (a
    new run; a resumed one goes on with its log). A log that cannot be written is given up
    quietly, as latent's is: the checkpoint is what counts."""

    def __init__(self, path, fresh=True):
        self.path = path
        self.broken = False
        if fresh:
            try:
                open(path, "w").close()
            except OSError:
                self.broken = True

    def _append(self, fields):
        if self.broken:
            return
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(fields, separators=(", ", ": ")) + "\n")
        except OSError:
            self.broken = True

    def step(self, step, epoch, images, count, recon, kl, beta, seconds):
        """A step line for `count` images seen since the previous one, whose summed terms are
        `recon` and `kl`, over `seconds`."""
        n = max(count, 1)
        self._append({"step": step, "epoch": epoch, "images": images, "recon": _number(recon / n), "kl": _number(kl / n),
                      "total": _number((recon + beta * kl) / n), "beta": beta,
                      "images_per_s": round(count / max(seconds, 1e-9), 1), "time": round(time.time(), 3)})

    def epoch(self, record):
        """The epoch line of a history record."""
        test = record["test"]
        self._append({"epoch_end": record["epoch"], "step": record["step"], "train_loss": _number(record["train"]["total"]),
                      "test_loss": _number(test["reconstruction"] + test["kl"]), "time": round(time.time(), 3)})


def read(path):
    """The log's complete lines as dicts, a torn or garbled line left out."""
    lines = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for text in f:
                if not text.endswith("\n"):
                    break
                try:
                    value = json.loads(text)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    lines.append(value)
    except FileNotFoundError:
        pass
    return lines

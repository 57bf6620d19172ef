"""Trains latent's models in PyTorch with DistributedDataParallel, writing latent checkpoints.

    python -m latent_torch.train --data D --arch A --epochs N --out run.safetensors
        [--nproc K] [--device cpu|cuda] [--resume FILE] [--batch 128] [--lr 1e-3] [--beta 1]
        [--recon bce|mse] [--kind vae|ae] [--seed 1] [--log-every 10]

The objective is latent's (see `objective`): the reconstruction term plus beta times the KL,
summed over a batch, Adam with PyTorch's defaults, and after every epoch the test set's
negative ELBO with z sampled. `--batch` is the global batch: each of the world's ranks takes
an equal share of it, and DDP averages their gradients of K times their share's sum, so K
ranks of B/K images step exactly as one rank of B does. Data are sharded by a DistributedSampler reshuffled every epoch.

`--nproc K` starts K local processes (torch.multiprocessing; gloo on CPU, NCCL on CUDA). Under
torchrun or any launcher that sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, the process
joins that group instead, so multi-node runs need no change. Rank 0 rewrites the checkpoint
atomically after every epoch with the history record latent writes, and appends a JSON line
per `--log-every` steps to the run log beside it (`run.jsonl` for `run.safetensors`; see
`runlog`). `--resume` continues any latent checkpoint, one from `latent train` included.
Ctrl-C saves the last finished epoch's model and exits 130.
"""
import argparse
import datetime
import json
import os
import signal
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from . import checkpoint as ckpt
from . import data as datasets
from . import models, objective, runlog


class UsageError(Exception):
    """Bad input: one line on stderr and exit status 2."""


def arguments(argv=None):
    parser = argparse.ArgumentParser(prog="python -m latent_torch.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="fashion-mnist, a directory of IDX files, or a file from latent export-data "
                                       "(default: the checkpoint's with --resume, else fashion-mnist)")
    parser.add_argument("--arch", help="an architecture latent knows (default: conv2)")
    parser.add_argument("--epochs", type=int, required=True, help="passes over the training set, in all")
    parser.add_argument("--out", help="checkpoint to write (default: the --resume file)")
    parser.add_argument("--resume", help="a latent checkpoint to continue")
    parser.add_argument("--nproc", type=int, default=1, help="local processes to start (default 1)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--batch", type=int, help="global batch: images per step over all ranks (default 128)")
    parser.add_argument("--lr", type=float, help="Adam's learning rate (default 0.001)")
    parser.add_argument("--beta", type=float, help="weight of the KL term (default 1)")
    parser.add_argument("--recon", choices=["bce", "mse"])
    parser.add_argument("--kind", choices=["vae", "ae"])
    parser.add_argument("--seed", type=int, help="seed of the weights, the shuffling and the noise (default 1)")
    parser.add_argument("--log-every", type=int, default=10, help="steps between lines of the run log (default 10)")
    parser.add_argument("--threads", type=int, help="CPU threads per process (default: the cores over the processes)")
    parser.add_argument("--force", action="store_true", help="replace an existing --out with a new model")
    return parser.parse_args(argv)


FLOAT32_TINY, FLOAT32_MAX = 1.1754944e-38, 3.4028235e38


def _check(a, world):
    """The flags alone, before any file is read: latent's own bounds, so that every checkpoint
    written opens in latent."""
    if a.nproc < 1:
        raise UsageError("--nproc must be at least 1, got %d" % a.nproc)
    if not 1 <= a.epochs <= 1_000_000:
        raise UsageError("--epochs must be from 1 to 1000000, got %d" % a.epochs)
    if a.batch is not None and not 1 <= a.batch <= 65536:
        raise UsageError("--batch must be from 1 to 65536, got %d" % a.batch)
    if a.lr is not None and not FLOAT32_TINY <= a.lr <= FLOAT32_MAX:
        raise UsageError("--lr must be a positive float32 number, got %g" % a.lr)
    if a.beta is not None and not (a.beta == 0 or FLOAT32_TINY <= a.beta <= FLOAT32_MAX):
        raise UsageError("--beta must be a non-negative float32 number, got %g" % a.beta)
    if a.seed is not None and not 0 <= a.seed < 2 ** 64:
        raise UsageError("--seed must be from 0 to 2^64-1, got %d" % a.seed)
    if a.log_every < 1:
        raise UsageError("--log-every must be at least 1, got %d" % a.log_every)
    if a.threads is not None and a.threads < 1:
        raise UsageError("--threads must be at least 1, got %d" % a.threads)
    if a.device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: this PyTorch sees no CUDA device")
    if a.out is None and a.resume is None:
        raise UsageError("--out is required: the checkpoint to write")
    out = a.out or a.resume
    if not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        raise UsageError("%s: its folder does not exist" % out)
    if os.path.exists(out) and not os.path.isfile(out):
        raise UsageError("%s: not a regular file; name a .safetensors file to write" % out)
    replaces = a.resume is None or not os.path.exists(a.resume) or not os.path.samefile(out, a.resume)
    if replaces and os.path.exists(out) and not a.force:
        raise UsageError("%s: already exists; continue it with --resume, replace it with --force, or choose another --out" % out)


def _same_layers(a, b):
    """Whether two architectures have the same layers, the image aside."""
    return (a.body, a.latent, a.hidden, a.filters, a.dense) == (b.body, b.latent, b.hidden, b.filters, b.dense)


def prepare(a, world):
    """Everything a rank needs, checked before any process starts: the model's starting
    state, its description, the data."""
    _check(a, world)
    if a.arch:
        try:
            models.parse(a.arch)
        except models.ArchitectureError as error:
            raise UsageError(str(error))
    if a.resume:
        model, described = ckpt.load(a.resume)
        if a.arch:
            named = models.parse(a.arch)
            if not _same_layers(named, model.architecture) or (named.image_given and named.image != model.architecture.image):
                raise UsageError("%s: the checkpoint is %s, not %s; drop --arch or start a new file" % (
                    a.resume, model.architecture.name, a.arch))
        for flag, value, found in (("--kind", a.kind, model.kind), ("--recon", a.recon, described.reconstruction)):
            if value is not None and value != found:
                raise UsageError("%s: the checkpoint uses %s, not %s; drop %s" % (a.resume, found, value, flag))
        spec = a.data or described.data or "fashion-mnist"
    else:
        model, described, spec = None, None, a.data or "fashion-mnist"
    try:
        split = datasets.load(spec)
    except datasets.DataError as error:
        raise UsageError(str(error))
    for part in (split.train, split.test):
        if len(part) == 0:
            raise UsageError("%s: no images" % part.name)
    if model is None:
        try:
            model = models.build(a.arch or "conv2", kind=a.kind or "vae", image=split.shape)
        except models.ArchitectureError as error:
            raise UsageError(str(error))
        previous = {}
    else:
        previous = described.training or {}
    if tuple(model.architecture.image) != tuple(split.shape):
        raise UsageError("data %s has %s images; architecture %s takes %s" % (
            split.train.name, "x".join(map(str, split.shape)), model.architecture.name, "x".join(map(str, model.architecture.image))))
    # A resumed run goes on with its settings unless flags change them (checked by ckpt.load).
    adam = previous.get("adam", {})
    settings = ckpt.training_settings(
        epochs=a.epochs, batch_size=a.batch or previous.get("batchSize", 128),
        beta=a.beta if a.beta is not None else previous.get("beta", 1.0),
        seed=a.seed if a.seed is not None else previous.get("seed", 1),
        learning_rate=a.lr or adam.get("learningRate", 1e-3),
        importance_samples=previous.get("importanceSamples", 0))
    for key in ("beta1", "beta2", "epsilon"):
        settings["adam"][key] = adam.get(key, settings["adam"][key])
    if settings["batchSize"] % world:
        raise UsageError("--batch %d does not split evenly over %d ranks; use a multiple of %d" % (
            settings["batchSize"], world, world))
    history = described.history if described else []
    if history and len(history) >= a.epochs:
        raise UsageError("%s: already trained for %d epochs; ask for more with --epochs" % (a.resume, len(history)))
    recon = a.recon or (described.reconstruction if described else "bce")
    state = {k: v.clone() for k, v in model.state_dict().items()}
    # The checkpoint names the data as latent does: a data file's own spec (the folder or
    # generated set it was exported from), so that latent's commands read the same images.
    return dict(architecture=model.architecture.name, image=model.architecture.image, kind=model.kind, recon=recon,
                state=state if a.resume else None, settings=settings, history=history, spec=split.spec, split=split,
                resumed_here=bool(a.resume) and (a.out is None or os.path.abspath(a.out) == os.path.abspath(a.resume)),
                fit=described.fit if described else None, out=a.out or a.resume, log_every=a.log_every,
                device=a.device, threads=a.threads)


def evaluate(model, test, recon, seed, device, chunk=1000):
    """The test set's mean reconstruction, KL and negative ELBO, z sampled once per image."""
    generator = torch.Generator(device="cpu").manual_seed(seed % 2 ** 63)
    sums = [0.0, 0.0]
    with torch.no_grad():
        for start in range(0, len(test), chunk):
            x = test.batch(torch.arange(start, min(start + chunk, len(test))), device)
            noise = torch.randn(x.shape[0], model.architecture.latent, generator=generator).to(device)
            rec, kl = objective.terms(model, x, recon, noise)
            sums[0] += float(rec.double().sum())
            sums[1] += float(kl.double().sum())
    n = max(len(test), 1)
    return {"count": len(test), "reconstruction": sums[0] / n, "kl": sums[1] / n}


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _catch_signals(interrupted, ignored):
    """Notes SIGINT, SIGTERM and SIGHUP in `interrupted`, but for those in `ignored` (ignored
    when the run started, as under nohup), which stay ignored."""
    for number in STOP_SIGNALS:
        if number not in ignored:
            signal.signal(number, lambda received, _: interrupted.append(received))


def _ignored_at_start():
    return {number for number in STOP_SIGNALS if signal.getsignal(number) == signal.SIG_IGN}


def run_rank(rank, world, job, local_rank=None, stop=None, interrupted=None):
    """One rank's training; rank 0 also tests, saves and logs. `stop`, an event the launching
    process sets when it is told to stop, is looked at every step as a signal would be."""
    local_rank = rank if local_rank is None else local_rank
    if interrupted is None:
        interrupted = []
        _catch_signals(interrupted, job["ignored"])
    cuda = job["device"] == "cuda"
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    torch.set_num_threads(job["threads"] or max(1, (os.cpu_count() or 1) // max(1, world if not cuda else 1)))
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=world,
                                timeout=datetime.timedelta(minutes=30))
    settings, history = job["settings"], list(job["history"])
    batch = settings["batchSize"]
    torch.manual_seed(settings["seed"] % 2 ** 63)
    model = models.build(job["architecture"], kind=job["kind"], image=job["image"])
    if job["state"] is not None:
        model.load_state_dict(job["state"])
    model.to(device)
    trained = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None) if world > 1 else model
    adam = settings["adam"]
    optimizer = torch.optim.Adam(model.parameters(), lr=adam["learningRate"], betas=(adam["beta1"], adam["beta2"]),
                                 eps=adam["epsilon"])
    split, recon, beta = job["split"], job["recon"], float(settings["beta"])
    # Every rank an equal share of a shuffled order; with drop_last no image is repeated to
    # even the shares out (fewer than `world` images, a different few each epoch, wait).
    sampler = DistributedSampler(range(len(split.train)), num_replicas=world, rank=rank, shuffle=True,
                                 seed=settings["seed"] % 2 ** 63, drop_last=world > 1)
    noise = torch.Generator(device="cpu").manual_seed((settings["seed"] * 1000 + rank) % 2 ** 63)
    step = history[-1]["step"] if history else 0
    log = runlog.RunLog(runlog.path_for(job["out"]), fresh=not job["resumed_here"]) if rank == 0 else None
    # Ctrl-C (or SIGTERM, SIGHUP) reaches every rank, or the launching process, which sets
    # `stop`: the ranks stop together after the step under way, agreed through its all-reduce.
    described = ckpt.Checkpoint(model.architecture, model.kind, recon, settings, history, job["spec"], job["fit"])
    for epoch in range(len(history) + 1, settings["epochs"] + 1):
        sampler.set_epoch(epoch)
        order = torch.tensor(list(iter(sampler)), dtype=torch.long)
        share = batch // world
        sums, images, seconds = [0.0, 0.0], 0, 0.0
        window = [0.0, 0.0, 0, time.perf_counter()]
        stopped = False
        for start in range(0, len(order), share):
            began = time.perf_counter()
            indices = order[start:start + share]
            x = split.train.batch(indices, device)
            mean_shape = (x.shape[0], model.architecture.latent)
            eps = torch.randn(mean_shape, generator=noise).to(device)
            optimizer.zero_grad()
            # DDP averages the ranks' gradients: K times each share's sum averages to the
            # gradient of the global batch's sum (the sampler gives every rank as many images).
            rec, kl = trained(x, recon, eps)
            loss = (rec + beta * kl).sum() * world
            loss.backward()
            optimizer.step()
            step += 1
            n = x.shape[0]
            asked = bool(interrupted) or (stop is not None and stop.is_set())
            totals = torch.tensor([float(rec.detach().double().sum()), float(kl.detach().double().sum()), float(n),
                                   1.0 if asked else 0.0], dtype=torch.float64)
            if world > 1:
                dist.all_reduce(totals)
            stopped = float(totals[3]) > 0
            seconds += time.perf_counter() - began
            sums[0] += float(totals[0]); sums[1] += float(totals[1]); images += int(totals[2])
            window[0] += float(totals[0]); window[1] += float(totals[1]); window[2] += int(totals[2])
            if log and step % job["log_every"] == 0:
                elapsed = time.perf_counter() - window[3]
                log.step(step=step, epoch=epoch, images=images, count=window[2], recon=window[0], kl=window[1], beta=beta,
                         seconds=elapsed)
                window = [0.0, 0.0, 0, time.perf_counter()]
            if stopped:
                break
        if stopped:
            break
        if rank == 0:
            test = evaluate(model, split.test, recon, settings["seed"] + 1000 + epoch, device)
            record = {"epoch": epoch, "step": step, "beta": beta, "trainSeconds": seconds,
                      "imagesPerSecond": images / max(seconds, 1e-9),
                      "train": {"reconstruction": sums[0] / max(images, 1), "kl": sums[1] / max(images, 1),
                                "total": (sums[0] + beta * sums[1]) / max(images, 1)},
                      "test": test}
            history.append(record)
            described.history = history
            ckpt.save(job["out"], model, described)
            log.epoch(record)
            line = "epoch %d/%d  train %.2f (recon %.2f + KL %.2f)  test %.2f  %d img/s  saved %s" % (
                epoch, settings["epochs"], record["train"]["total"], record["train"]["reconstruction"], record["train"]["kl"],
                test["reconstruction"] + test["kl"], record["imagesPerSecond"], job["out"])
            print(line, flush=True)
        if world > 1:
            dist.barrier()
    if world > 1:
        dist.destroy_process_group()
    if stopped:
        if rank == 0:
            print("interrupted at step %d (%d full epochs): %s keeps the last one" % (step, len(history), job["out"]),
                  flush=True)
        return 128 + int(interrupted[0]) if interrupted else 130
    return 0


def _spawned(rank, world, job, port, stop):
    # Signals are noted from the first moment (they arrive ignored, from the parent).
    interrupted = []
    _catch_signals(interrupted, job["ignored"])
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    sys.exit(run_rank(rank, world, job, stop=stop, interrupted=interrupted))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    a = arguments(argv)
    ignored = _ignored_at_start()
    try:
        launched = "RANK" in os.environ and "WORLD_SIZE" in os.environ
        world = int(os.environ["WORLD_SIZE"]) if launched else a.nproc
        job = prepare(a, world)
        job["ignored"] = ignored
        if launched:
            return run_rank(int(os.environ["RANK"]), world, job, int(os.environ.get("LOCAL_RANK", os.environ["RANK"])))
        if a.nproc == 1:
            return run_rank(0, 1, job)
        # Fresh interpreters (CUDA cannot be forked), started with the stop signals ignored so
        # that none is lost before they catch it; then this process passes any stop signal on
        # through `stop`, waits for the ranks and exits with the worst status.
        context = mp.get_context("spawn")
        stop = context.Event()
        port = _free_port()
        ranks = [context.Process(target=_spawned, args=(rank, a.nproc, job, port, stop)) for rank in range(a.nproc)]
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        for process in ranks:
            process.start()
        received = []

        def passed_on(number, _):
            received.append(number)
            stop.set()
        for number in STOP_SIGNALS:
            if number not in ignored:
                signal.signal(number, passed_on)
        for process in ranks:
            process.join()
        status = max(process.exitcode if process.exitcode >= 0 else 128 - process.exitcode for process in ranks)
        return 128 + int(received[0]) if received and status in (0, 130) else status
    except (UsageError, ckpt.CheckpointError) as error:
        print("latent_torch.train: %s" % error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

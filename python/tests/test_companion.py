"""The companion's own behaviour: checkpoints, the run log, data files, DDP's arithmetic and
the trainer's refusals. Run with the interpreter `make deps` prepares:
``.build/python/bin/python -m unittest discover -s python/tests``."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from safetensors.torch import save_file
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from latent_torch import checkpoint, data, models, objective, runlog  # noqa: E402


def run_module(*args):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    return subprocess.run([sys.executable, "-m"] + list(args), capture_output=True, text=True, env=env, timeout=600)


class ModelTests(unittest.TestCase):
    def test_presets_have_latents_names_and_sizes(self):
        self.assertEqual(sum(p.numel() for p in models.build("rgb32").parameters()), 804195)
        names = list(models.build("conv2").state_dict())
        self.assertEqual(sorted(names), sorted(["c1.weight", "c1.bias", "c2.weight", "c2.bias", "fc.weight", "fc.bias",
                                                "mu.weight", "mu.bias", "lv.weight", "lv.bias", "d.weight", "d.bias",
                                                "t1.weight", "t1.bias", "t2.weight", "t2.bias", "t3.weight", "t3.bias"]))
        self.assertNotIn("fc22.weight", models.build("mlp2", kind="ae").state_dict())
        self.assertEqual(models.parse("conv(filters:[32,64],dense:16,latent:2)").name, "conv2")

    def test_unknown_or_impossible_architectures_are_refused_in_latents_words(self):
        for text, words in [("resnet50", "unknown name"), ("conv(filters:[8,8,8],dense:4,latent:2)", "divisible by 8"),
                            ("mlp(hidden:[0],latent:2)", "1 to 65536 wide"), ("mlp(hidden:[4],latent:2,depth:3)", "unknown field")]:
            with self.assertRaises(models.ArchitectureError) as caught:
                models.parse(text)
            self.assertIn(words, str(caught.exception))

    def test_a_general_form_takes_the_datas_image(self):
        model = models.build("conv(filters:[8],dense:4,latent:2)", image=(3, 16, 16))
        self.assertEqual(model.architecture.image, (3, 16, 16))
        self.assertEqual(model.decode(torch.zeros(1, 2)).shape, (1, 3 * 16 * 16))


class CheckpointTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_round_trip_keeps_weights_and_metadata(self):
        model = models.build("mlp(hidden:[16],latent:2)")
        history = [{"epoch": 1, "step": 3, "beta": 1.0, "trainSeconds": 0.5, "imagesPerSecond": 100.0,
                    "train": {"reconstruction": 1.0, "kl": float("nan"), "total": 2.0},
                    "test": {"count": 4, "reconstruction": 1.5, "kl": 0.5}}]
        path = os.path.join(self.dir, "m.safetensors")
        checkpoint.save(path, model, checkpoint.Checkpoint(model.architecture, "vae", "mse",
                                                           checkpoint.training_settings(epochs=3), history, "synthetic"))
        self.assertEqual([f for f in os.listdir(self.dir) if f != "m.safetensors"], [], "no temporary left")
        loaded, described = checkpoint.load(path)
        for name, value in model.state_dict().items():
            self.assertTrue(torch.equal(value, loaded.state_dict()[name]), name)
        self.assertEqual(described.reconstruction, "mse")
        self.assertEqual(described.training["epochs"], 3)
        self.assertTrue(described.history[0]["train"]["kl"] != described.history[0]["train"]["kl"], "NaN comes back")
        self.assertEqual(described.data, "synthetic")

    def _write(self, tensors, metadata):
        path = os.path.join(self.dir, "bad.safetensors")
        save_file(tensors, path, metadata=metadata)
        return path

    def test_bad_files_are_one_line_naming_the_file(self):
        model = models.build("mlp(hidden:[4],latent:2)")
        good = {k: v.contiguous() for k, v in model.state_dict().items()}
        meta = {"latent.architecture": "mlp(hidden:[4],latent:2)", "latent.image": "1x28x28"}
        cases = [
            (good, {}, "no latent metadata"),
            (good, dict(meta, **{"latent.kind": "gan"}), "latent.kind 'gan' is not vae or ae"),
            (good, dict(meta, **{"latent.architecture": "transformer"}), "unknown name"),
            (good, dict(meta, **{"latent.history": "[{"}), "latent.history is not valid JSON"),
            ({k: v for k, v in good.items() if k != "fc4.bias"}, meta, "no tensor 'fc4.bias'"),
            (dict(good, **{"fc4.bias": torch.zeros(3)}), meta, "tensor 'fc4.bias' is [3]"),
        ]
        for tensors, metadata, words in cases:
            with self.assertRaises(checkpoint.CheckpointError) as caught:
                checkpoint.load(self._write(tensors, metadata))
            self.assertIn(words, str(caught.exception))
            self.assertNotIn("\n", str(caught.exception))
        truncated = os.path.join(self.dir, "cut.safetensors")
        with open(self._write(good, meta), "rb") as f:
            raw = f.read()
        with open(truncated, "wb") as f:
            f.write(raw[: len(raw) // 2])
        with self.assertRaises(checkpoint.CheckpointError) as caught:
            checkpoint.load(truncated)
        self.assertTrue(str(caught.exception).startswith(truncated + ": "))


class RunLogTests(unittest.TestCase):
    def test_a_torn_last_line_is_left_out(self):
        path = os.path.join(tempfile.mkdtemp(), "run.jsonl")
        log = runlog.RunLog(path)
        log.step(step=10, epoch=1, images=640, count=640, recon=640 * 200.0, kl=640 * 5.0, beta=1.0, seconds=0.5)
        with open(path, "a") as f:
            f.write('{"step": 20, "epo')
        lines = runlog.read(path)
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["total"], 205.0)
        self.assertEqual(lines[0]["images_per_s"], 1280.0)
        self.assertEqual(runlog.path_for("/a/run.safetensors"), "/a/run.jsonl")


def _ddp_rank(rank, world, port, x, noise, state, out):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(1)
    model = models.build("conv(filters:[8,16],dense:8,latent:2)")
    model.load_state_dict(state)
    wrapped = DistributedDataParallel(model)
    share = x.shape[0] // world
    part = slice(rank * share, (rank + 1) * share)
    rec, kl = wrapped(x[part], "bce", noise[part])
    ((rec + kl).sum() * world).backward()  # as latent_torch.train takes each rank's loss
    if rank == 0:
        torch.save({n: p.grad for n, p in model.named_parameters()}, out)
    dist.destroy_process_group()


class DistributedTests(unittest.TestCase):
    def test_two_ranks_of_64_give_the_gradient_of_one_rank_of_128(self):
        torch.manual_seed(3)
        model = models.build("conv(filters:[8,16],dense:8,latent:2)")
        x, noise = torch.rand(128, 784), torch.randn(128, 2)
        rec, kl = objective.terms(model, x, "bce", noise)
        (rec + kl).sum().backward()
        single = {n: p.grad.clone() for n, p in model.named_parameters()}
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        out = os.path.join(tempfile.mkdtemp(), "grads.pt")
        state = {k: v.clone() for k, v in model.state_dict().items()}
        mp.spawn(_ddp_rank, args=(2, port, x, noise, state, out), nprocs=2, join=True)
        distributed = torch.load(out)
        worst = max(float((distributed[n] - g).abs().max() / g.abs().max().clamp_min(1e-30)) for n, g in single.items())
        print("DDP 2x64 against 1x128: largest relative difference %.2e" % worst)
        self.assertLess(worst, 1e-5)


class LauncherTests(unittest.TestCase):
    def test_processes_started_as_torchrun_starts_them_join_one_group(self):
        """RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set by hand, as torchrun (whose Debian
        build fails on Python 3.11) or a cluster's launcher sets them: the ranks form one group."""
        folder = tempfile.mkdtemp()
        images = torch.randint(0, 256, (96, 1, 28, 28), dtype=torch.uint8)
        save_file({"train.images": images[:80].contiguous(), "test.images": images[80:].contiguous()},
                  os.path.join(folder, "d.safetensors"), metadata={"latent.data": "synthetic:80", "latent.classes": "[]"})
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        out = os.path.join(folder, "run.safetensors")
        ranks = [subprocess.Popen([sys.executable, "-m", "latent_torch.train", "--data", os.path.join(folder, "d.safetensors"),
                                   "--arch", "mlp(hidden:[16],latent:2)", "--epochs", "1", "--batch", "16", "--out", out],
                                  env=dict(env, RANK=str(r), LOCAL_RANK=str(r)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for r in range(2)]
        outputs = [rank.communicate(timeout=300) for rank in ranks]
        self.assertEqual([rank.returncode for rank in ranks], [0, 0], outputs)
        self.assertIn("epoch 1/1", outputs[0][0])
        self.assertEqual(outputs[1][0], "", "rank 1 neither prints nor saves")
        model, described = checkpoint.load(out)
        self.assertEqual(described.history[0]["step"], 5, "80 images in global batches of 16")


class InterruptTests(unittest.TestCase):
    def test_ctrl_c_stops_every_rank_and_keeps_the_last_epoch(self):
        folder = tempfile.mkdtemp()
        images = torch.randint(0, 256, (6000, 1, 28, 28), dtype=torch.uint8)
        save_file({"train.images": images[:5000].contiguous(), "test.images": images[5000:].contiguous()},
                  os.path.join(folder, "d.safetensors"), metadata={"latent.data": "synthetic:5000", "latent.classes": "[]"})
        out = os.path.join(folder, "run.safetensors")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
        process = subprocess.Popen([sys.executable, "-m", "latent_torch.train", "--data", os.path.join(folder, "d.safetensors"),
                                    "--arch", "mlp(hidden:[64],latent:2)", "--epochs", "100000", "--nproc", "2",
                                    "--out", out], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        first = process.stdout.readline()
        self.assertTrue(first.startswith("epoch 1/100000"), first + process.stderr.read() if not first else first)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C reaches the whole group
        rest, errors = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 130, errors)
        self.assertIn("interrupted at step", rest)
        _, described = checkpoint.load(out)
        self.assertGreaterEqual(len(described.history), 1)


def small_data(folder, count=96):
    """A data file of `count` random 28x28 images, 16 held out, as latent export-data writes."""
    images = torch.randint(0, 256, (count, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    path = os.path.join(folder, "d.safetensors")
    save_file({"train.images": images[:-16].contiguous(), "test.images": images[-16:].contiguous()}, path,
              metadata={"latent.data": "synthetic:%d" % (count - 16), "latent.classes": "[]"})
    return path


class ResumeAndBoundsTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.data = small_data(self.folder)
        self.first = os.path.join(self.folder, "a.safetensors")
        done = run_module("latent_torch.train", "--data", self.data, "--arch", "mlp(hidden:[16],latent:2)", "--epochs", "1",
                          "--batch", "16", "--out", self.first)
        self.assertEqual(done.returncode, 0, done.stderr)

    def refused(self, words, *args):
        result = run_module("latent_torch.train", *args)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        self.assertIn(words, result.stderr)

    def test_resume_keeps_the_run_and_refuses_what_contradicts_it(self):
        self.refused("the checkpoint is mlp(hidden:[16],latent:2), not conv2", "--resume", self.first, "--arch", "conv2",
                     "--epochs", "2")
        other = os.path.join(self.folder, "b.safetensors")
        with open(other, "wb") as f:
            f.write(b"precious")
        self.refused("already exists", "--resume", self.first, "--out", other, "--epochs", "2")
        with open(other, "rb") as f:
            self.assertEqual(f.read(), b"precious")
        self.refused("--batch 15 does not split evenly over 2 ranks", "--resume", self.first, "--data", self.data,
                     "--epochs", "2", "--batch", "15", "--nproc", "2")
        # A setting latent wrote that the companion does not use itself is carried on.
        model, described = checkpoint.load(self.first)
        described.training["importanceSamples"] = 7
        checkpoint.save(self.first, model, described)
        done = run_module("latent_torch.train", "--resume", self.first, "--data", self.data, "--epochs", "2")
        self.assertEqual(done.returncode, 0, done.stderr)
        _, described = checkpoint.load(self.first)
        self.assertEqual(described.training["importanceSamples"], 7)
        self.assertEqual([r["epoch"] for r in described.history], [1, 2])
        lines = runlog.read(runlog.path_for(self.first))
        self.assertEqual([line["epoch_end"] for line in lines if "epoch_end" in line], [1, 2], "a resumed run's log goes on")

    def test_values_latent_could_not_open_are_refused_before_training(self):
        out = os.path.join(self.folder, "c.safetensors")
        self.refused("--seed must be from 0 to 2^64-1", "--data", self.data, "--seed", "-5", "--epochs", "1", "--out", out)
        self.refused("--lr must be a positive float32 number", "--data", self.data, "--lr", "1e-50", "--epochs", "1", "--out", out)
        self.refused("more than the 2097152 (2^21) latent allows", "--data", self.data, "--arch",
                     "conv(filters:[33],dense:1,latent:1,image:1x512x512)", "--epochs", "1", "--out", out)
        os.mkdir(os.path.join(self.folder, "dir.safetensors"))
        self.refused("not a regular file", "--data", self.data, "--epochs", "1", "--force", "--out",
                     os.path.join(self.folder, "dir.safetensors"))
        big = run_module("latent_torch.train", "--data", self.data, "--arch", "mlp(hidden:[8],latent:2)", "--epochs", "1",
                         "--seed", str(2 ** 64 - 1), "--out", out)
        self.assertEqual(big.returncode, 0, big.stderr)

    def test_saves_keep_permissions_and_follow_links(self):
        model, described = checkpoint.load(self.first)
        os.chmod(self.first, 0o640)
        link = os.path.join(self.folder, "link.safetensors")
        os.symlink(self.first, link)
        checkpoint.save(link, model, described)
        self.assertTrue(os.path.islink(link), "the link stays a link")
        self.assertEqual(os.stat(self.first).st_mode & 0o777, 0o640)
        self.assertEqual([n for n in os.listdir(self.folder) if n.endswith(".partial")], [])


class SignalTests(unittest.TestCase):
    def test_sigterm_to_the_launcher_alone_stops_every_rank(self):
        folder = tempfile.mkdtemp()
        data = small_data(folder, count=4000)
        out = os.path.join(folder, "run.safetensors")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
        process = subprocess.Popen([sys.executable, "-m", "latent_torch.train", "--data", data, "--arch", "mlp(hidden:[32],latent:2)",
                                    "--epochs", "100000", "--nproc", "2", "--out", out], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.assertTrue(process.stdout.readline().startswith("epoch 1/100000"))
        process.send_signal(signal.SIGTERM)  # the launcher only, as `kill PID` or a scheduler does
        _, errors = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 143, errors)
        listed = subprocess.run(["pgrep", "-a", "-s", str(process.pid)], capture_output=True, text=True).stdout
        self.assertEqual([line for line in listed.splitlines() if "spawn_main" in line], [], "no rank trains on")


class TrainerRefusalTests(unittest.TestCase):
    def test_bad_arguments_are_one_line_and_exit_2(self):
        folder = tempfile.mkdtemp()
        out = os.path.join(folder, "m.safetensors")
        for args, words in [(["--nproc", "0"], "--nproc must be at least 1"),
                            (["--arch", "transformer"], "architecture 'transformer': unknown name"),
                            (["--data", "/nonexistent"], "no such file or directory"),
                            (["--data", folder], "no IDX files")]:
            result = run_module("latent_torch.train", "--epochs", "1", "--out", out, *args)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
            self.assertIn(words, result.stderr)


if __name__ == "__main__":
    unittest.main()

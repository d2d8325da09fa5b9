"""What camera images cost a pixel policy in RLinf's PPO: rollout buffers on the host, the actor's device.

Two measurements, one view (main_images) against two (+ extra_view_images), through RLinf's real code:

* ``host``: one epoch's rollout buffers as RLinf builds them, each case in a fresh process. The rollout
  worker keeps every step's ``ChunkStepResult`` (its ``forward_inputs`` hold the uint8 images, on CPU),
  stacks them into a ``Trajectory`` it sends (``EmbodiedRolloutResult.to_trajectory``); the actor
  concatenates what it receives (``convert_trajectories_to_batch``) and shuffles it into minibatches
  (``process_nested_dict_for_train``). Reported: exact tensor bytes of each stage (images and the rest)
  and the process's resident memory after each stage (peak included). Images are synthetic uint8
  tensors of the configured shape, filled (every page touched): memory depends on shapes, not pixels.
  All stages run in one process here; in RLinf the rollout worker and the actor are two processes, each
  holding its own copies.
* ``device``: the actor's micro-batch (the only part of the batch on the GPU at a time:
  ``put_tensor_device(micro_batch)``) through RLinf's ``CNNPolicy`` built by our builder, forward +
  backward of PPO's inputs, with the encoder trainable and frozen: seconds per micro-batch and peak
  device memory (CUDA); and the rollout's ``predict_action_batch`` for all envs at once.

Usage:
  python benchmarks/bench_cnn_images.py                       # CPU-sized: 64 envs, micro-batch 64
  python benchmarks/bench_cnn_images.py --num_envs 256 --steps 128 --micro_batch 2048 --device cuda:0 \
      --json $OUT/bench_cnn_images.json                        # the packaged config's sizes, one GPU
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

STATE_DIM, ACTION_DIM = 21, 7  # the packaged Franka Reach pixel config


def _bytes(tree) -> dict[str, int]:
    """Tensor bytes in a nested dict/list/dataclass: images (uint8, 4+ dims) and everything else."""
    import dataclasses

    import torch

    out = {"images": 0, "other": 0}

    def walk(x):
        if isinstance(x, torch.Tensor):
            out["images" if x.dtype == torch.uint8 and x.dim() >= 4 else "other"] += x.nbytes
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        elif dataclasses.is_dataclass(x):
            for f in dataclasses.fields(x):
                walk(getattr(x, f.name))

    walk(tree)
    return out


def host_child(args: argparse.Namespace) -> dict:
    """One epoch's buffers through RLinf's rollout -> actor data path; bytes and RSS per stage."""
    import psutil
    import torch
    from rlinf.data.embodied_io_struct import (
        ChunkStepResult,
        EmbodiedRolloutResult,
        convert_trajectories_to_batch,
    )
    from rlinf.workers.actor.fsdp_actor_worker import process_nested_dict_for_train

    proc = psutil.Process()
    rss = lambda: proc.memory_info().rss  # noqa: E731
    n, t, r, views = args.num_envs, args.steps, args.resolution, args.views
    stages, base = {}, rss()

    def stage(name: str, tree) -> None:
        stages[name] = {**_bytes(tree), "rss_delta": rss() - base}

    result = EmbodiedRolloutResult(max_episode_length=t)
    for _ in range(t):
        inputs = {
            "main_images": torch.full((n, r, r, 3), 7, dtype=torch.uint8),
            "states": torch.randn(n, STATE_DIM),
            "action": torch.randn(n, ACTION_DIM),
        }
        if views > 1:
            inputs["extra_view_images"] = torch.full((n, views - 1, r, r, 3), 7, dtype=torch.uint8)
        result.append_step_result(
            ChunkStepResult(
                actions=torch.randn(n, ACTION_DIM),
                prev_logprobs=torch.randn(n, ACTION_DIM),
                prev_values=torch.randn(n, 1),
                dones=torch.zeros(n, 1, dtype=torch.bool),
                terminations=torch.zeros(n, 1, dtype=torch.bool),
                truncations=torch.zeros(n, 1, dtype=torch.bool),
                rewards=torch.randn(n, 1),
                forward_inputs=inputs,
            )
        )
    stage("rollout_steps", result)  # the rollout worker's per-step buffers
    trajectory = result.to_trajectory()
    stage("trajectory", trajectory)  # stacked for sending (steps still held: both alive here)
    del result
    batch = convert_trajectories_to_batch([trajectory])
    stage("actor_batch", batch)  # the actor's copy ([T, N, ...])
    del trajectory
    flat = {k: v for k, v in batch.items() if k in ("forward_inputs", "prev_logprobs", "rewards")}
    shuffled = process_nested_dict_for_train(flat, torch.randperm(n * t))
    stage("actor_shuffled", shuffled)  # [T*N, ...] in minibatch order
    return {"views": views, "stages": stages, "peak_rss": _peak_rss(), "base_rss": base}


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def device_child(args: argparse.Namespace) -> dict:
    """Actor micro-batch forward + backward and rollout predict, CNN policy with 1 or 2 views."""
    from omegaconf import OmegaConf

    from isaaclab_rlinf.models.cnn_policy import DEFAULT_CKPT_NAME, build_cnn_policy, write_random_encoder

    r, views = args.resolution, args.views
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        write_random_encoder(Path(tmp) / DEFAULT_CKPT_NAME)
        for trainable in (True, False):
            cfg = OmegaConf.create(
                {
                    "model_type": "cnn_policy", "model_path": tmp, "precision": "32",
                    "image_size": [3, r, r], "image_num": views, "state_dim": STATE_DIM,
                    "action_dim": ACTION_DIM, "num_action_chunks": 1, "backbone": "resnet",
                    "encoder_config": {"ckpt_name": DEFAULT_CKPT_NAME, "trainable": trainable},
                    "add_value_head": True, "is_lora": False,
                }
            )  # fmt: skip
            rows["trainable" if trainable else "frozen"] = _measure(build_cnn_policy(cfg), args)
    return {"views": views, "micro_batch": args.micro_batch, "num_envs": args.num_envs, "models": rows}


def _inputs(batch: int, args: argparse.Namespace, train: bool) -> dict:
    """Host tensors as RLinf hands them over: the actor's micro-batch (``train``) or the env's observation."""
    import torch

    r = args.resolution
    out = {
        "main_images": torch.randint(0, 255, (batch, r, r, 3), dtype=torch.uint8),
        "states": torch.randn(batch, STATE_DIM),
    }
    if args.views > 1:
        out["extra_view_images"] = torch.randint(0, 255, (batch, args.views - 1, r, r, 3), dtype=torch.uint8)
    if train:
        out["action"] = torch.randn(batch, ACTION_DIM)
    return out


def _measure(model, args: argparse.Namespace) -> dict:
    import torch

    device = torch.device(args.device)
    cuda = device.type == "cuda"
    model = model.to(device)

    micro_batch = _inputs(args.micro_batch, args, train=True)  # made once: its generation is not timed

    def train_step() -> None:  # what train_micro_batch does: inputs to the device, forward, backward
        inputs = {k: v.to(device) for k, v in micro_batch.items()}
        out = model(forward_inputs=inputs, compute_logprobs=True, compute_entropy=False, compute_values=True)
        (out["logprobs"].mean() + out["values"].mean()).backward()
        model.zero_grad(set_to_none=True)

    env_obs = _inputs(args.num_envs, args, train=False)
    train_s, train_peak = _timed(train_step, cuda, device, args.repeats)
    predict_s, predict_peak = _timed(lambda: model.predict_action_batch(env_obs), cuda, device, args.repeats)
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "micro_batch_input_bytes": _bytes(micro_batch),
        "train_micro_batch_s": train_s,
        "train_peak_device_bytes": train_peak,
        "predict_s": predict_s,
        "predict_peak_device_bytes": predict_peak,
    }


def _timed(fn, cuda: bool, device, repeats: int) -> tuple[float, int | None]:
    """Median seconds of ``fn`` after one warm-up call, and peak device bytes over the timed calls."""
    import statistics

    import torch

    fn()
    if cuda:
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times), (torch.cuda.max_memory_allocated(device) if cuda else None)


def _run_child(kind: str, views: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--_child", kind, "--views", str(views)]
    for key in ("num_envs", "steps", "resolution", "micro_batch", "device", "repeats"):
        cmd += [f"--{key}", str(getattr(args, key))]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{kind} case with {views} view(s) failed (rc={proc.returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


def _gb(x: int | None) -> str:
    return "-" if x is None else f"{x / 1e9:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--num_envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=128, help="steps per rollout epoch")
    parser.add_argument("--resolution", type=int, default=96, help="camera images are R x R")
    parser.add_argument("--micro_batch", type=int, default=64, help="actor micro-batch (2048 in the config)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--views", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--only", choices=["host", "device"], default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("--_child", choices=["host", "device"], default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        args.views = args.views[0]
        fn = host_child if args._child == "host" else device_child
        print("RESULT " + json.dumps(fn(args)))
        return

    from run_meta import run_meta

    result = {"meta": run_meta(sys.argv), "config": {k: v for k, v in vars(args).items() if k != "_child"}}
    r, n, t = args.resolution, args.num_envs, args.steps
    print(f"{n} envs x {t} steps, {r}x{r} RGB uint8; GB = 1e9 bytes")
    if args.only != "device":
        result["host"] = [_run_child("host", v, args) for v in args.views]
        print("\nhost: one epoch's rollout buffers (RLinf's data path), images / other tensors / RSS growth")
        print(f"{'views':>5}  {'stage':<16} {'images GB':>9} {'other GB':>8} {'RSS+ GB':>8}")
        for row in result["host"]:
            v = row["views"]
            for name, st in row["stages"].items():
                sizes = f"{_gb(st['images']):>9} {_gb(st['other']):>8} {_gb(st['rss_delta']):>8}"
                print(f"{v:>5}  {name:<16} {sizes}")
            print(f"{v:>5}  {'peak RSS':<16} {'':>9} {'':>8} {_gb(row['peak_rss'] - row['base_rss']):>8}")
    if args.only != "host":
        result["device"] = [_run_child("device", v, args) for v in args.views]
        m = args.micro_batch
        print(f"\ndevice ({args.device}): actor micro-batch of {m} (fwd+bwd), rollout predict of {n} envs")
        print(f"{'views':>5}  {'encoder':<9} {'params M':>8} {'train M':>7} {'train s':>8} {'peak GB':>7} "
              f"{'predict s':>9} {'peak GB':>7}")  # fmt: skip
        for row in result["device"]:
            v = row["views"]
            for name, st in row["models"].items():
                print(
                    f"{v:>5}  {name:<9} {st['params'] / 1e6:>8.2f} {st['trainable_params'] / 1e6:>7.2f} "
                    f"{st['train_micro_batch_s']:>8.3f} {_gb(st['train_peak_device_bytes']):>7} "
                    f"{st['predict_s']:>9.3f} {_gb(st['predict_peak_device_bytes']):>7}"
                )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()

"""Benchmark the converters against what the prior integration did, and against a plain copy.

Workload (the assemble-trocar shape): 3 RGB cameras 224x224 uint8 (main + 2 wrist views), a 43-dim state
taken from two terms (29 of 87 body columns + 14 hand columns), 5 GR00T state keys, and a GR00T action
chunk of 4 keys x 7 dims x 16 steps padded with 15 leading zeros to the env's 43-dim action.

Paths timed (median of repeats after warmups, ``torch.cuda.synchronize`` around each call on CUDA):

* ``ours``: ``to_rlinf_obs`` + ``to_gr00t_obs`` (one fresh copy of the image bytes, on the sim device);
* ``numpy``: the prior integration: per-key ``.cpu().numpy()``, ``np.stack``/``np.concatenate``,
  GR00T arrays sliced from those;
* ``copy``: ``torch.empty_like(x).copy_(x)`` of the same input bytes (all mapped terms), the floor for
  anything that must not alias the sim's buffers;
* actions: ``to_isaaclab_action`` on the GR00T dict vs ``np.concatenate`` + ``np.pad`` + ``torch.from_numpy``
  moved to the device, and on an already-concatenated tensor.

Run: ``python benchmarks/bench_converters.py [--device cuda] [--batch 64 1024] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from run_meta import run_meta

from isaaclab_rlinf.converters import to_gr00t_obs, to_isaaclab_action, to_rlinf_obs
from isaaclab_rlinf.spec import MappingSpec

BLOCK = {
    "task_description": "assemble trocar from tray",
    "main_images": "front_camera",
    "extra_view_images": ["left_wrist_camera", "right_wrist_camera"],
    "states": [{"key": "robot_joint_state", "slice": [0, 29]}, {"key": "robot_dex3_joint_state"}],
    "gr00t_mapping": {
        "video": {
            "main_images": "video.room_view",
            "extra_view_images": ["video.left_wrist_view", "video.right_wrist_view"],
        },
        "state": [
            {"gr00t_key": "state.body", "slice": [0, 15]},
            {"gr00t_key": "state.left_arm", "slice": [15, 22]},
            {"gr00t_key": "state.right_arm", "slice": [22, 29]},
            {"gr00t_key": "state.left_hand", "slice": [29, 36]},
            {"gr00t_key": "state.right_hand", "slice": [36, 43]},
        ],
        "action": ["action.left_arm", "action.right_arm", "action.left_hand", "action.right_hand"],
    },
    "action_mapping": {"prefix_pad": 15, "suffix_pad": 0},
}
CAMERAS = ("front_camera", "left_wrist_camera", "right_wrist_camera")
HW = 224
CHUNK = 16


def make_obs(batch: int, device: torch.device) -> dict:
    g = torch.Generator(device="cpu").manual_seed(0)
    cams = {
        k: torch.randint(0, 256, (batch, HW, HW, 3), dtype=torch.uint8, generator=g).to(device)
        for k in CAMERAS
    }
    policy = {
        "robot_joint_state": torch.randn(batch, 87, generator=g).to(device),
        "robot_dex3_joint_state": torch.randn(batch, 14, generator=g).to(device),
        "last_action": torch.randn(batch, 43, generator=g).to(device),
    }
    return {"policy": policy, "camera_images": cams}


def numpy_reference(obs: dict, spec: MappingSpec) -> dict:
    """What the prior integration did: host copies per key, numpy assembly, GR00T arrays from those."""
    cams = obs["camera_images"]
    main = cams["front_camera"].cpu().numpy()
    extra = np.stack(
        [cams["left_wrist_camera"].cpu().numpy(), cams["right_wrist_camera"].cpu().numpy()], axis=1
    )
    states = np.concatenate(
        [
            obs["policy"]["robot_joint_state"].cpu().numpy()[:, 0:29],
            obs["policy"]["robot_dex3_joint_state"].cpu().numpy(),
        ],
        axis=1,
    ).astype(np.float32)
    batch = states.shape[0]
    gm = spec.gr00t_mapping
    out = {gm.main_images: main[:, None]}
    for i, k in enumerate(gm.extra_view_images):
        out[k] = extra[:, i : i + 1]
    for k in gm.state:
        out[k.gr00t_key] = states[:, None, k.slice[0] : k.slice[1]]
    out[gm.language_key] = [spec.task_description] * batch
    return out


def numpy_action_reference(action: dict, spec: MappingSpec, device: torch.device) -> torch.Tensor:
    a = np.concatenate([action[k] for k in spec.gr00t_mapping.action], axis=-1)
    pads = (spec.action_mapping.prefix_pad, spec.action_mapping.suffix_pad)
    return torch.from_numpy(np.pad(a, ((0, 0), (0, 0), pads)).astype(np.float32)).to(device)


def timeit(fn: Callable[[], object], device: torch.device, warmup: int, repeats: int) -> float:
    """Median wall time in ms, synchronizing the device around each call."""
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def bench(batch: int, device: torch.device, warmup: int, repeats: int) -> dict:
    spec = MappingSpec.from_config(BLOCK)
    obs = make_obs(batch, device)
    spec.validate(obs, env_action_dim=43, policy_action_dim=28)
    used = [obs["camera_images"][k] for k in CAMERAS] + [
        obs["policy"]["robot_joint_state"],
        obs["policy"]["robot_dex3_joint_state"],
    ]

    def ours():
        return to_gr00t_obs(to_rlinf_obs(obs, spec), spec)

    def copy():
        return [torch.empty_like(x).copy_(x) for x in used]

    # correctness guard: both paths agree before timing
    a, b = ours(), numpy_reference(obs, spec)
    for k in b:
        if isinstance(b[k], np.ndarray):
            assert np.array_equal(a[k].cpu().numpy(), b[k]), k

    rng = np.random.default_rng(0)
    action_np = {
        k: rng.standard_normal((batch, CHUNK, 7)).astype(np.float32) for k in spec.gr00t_mapping.action
    }
    action_dev = torch.from_numpy(np.concatenate(list(action_np.values()), axis=-1)).to(device)
    assert torch.equal(
        to_isaaclab_action(action_np, spec, device), numpy_action_reference(action_np, spec, device)
    )

    row = {
        "batch": batch,
        "device": str(device),
        "image_mb": sum(x.numel() * x.element_size() for x in used) / 2**20,
        "ours_ms": timeit(ours, device, warmup, repeats),
        "ours_rlinf_only_ms": timeit(lambda: to_rlinf_obs(obs, spec), device, warmup, repeats),
        "numpy_ms": timeit(lambda: numpy_reference(obs, spec), device, warmup, repeats),
        "copy_ms": timeit(copy, device, warmup, repeats),
        "action_ours_dict_ms": timeit(
            lambda: to_isaaclab_action(action_np, spec, device), device, warmup, repeats
        ),
        "action_ours_tensor_ms": timeit(
            lambda: to_isaaclab_action(action_dev, spec), device, warmup, repeats
        ),
        "action_numpy_ms": timeit(
            lambda: numpy_action_reference(action_np, spec, device), device, warmup, repeats
        ),
    }
    row["speedup_vs_numpy"] = row["numpy_ms"] / row["ours_ms"]
    row["ours_over_copy"] = row["ours_ms"] / row["copy_ms"]
    row["action_speedup_vs_numpy"] = row["action_numpy_ms"] / row["action_ours_dict_ms"]
    return row


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    parser.add_argument("--batch", type=int, nargs="+", default=[64, 1024])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (CPU)")
    parser.add_argument("--json", default=None, help="write the rows to this file")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)

    rows = [bench(b, device, args.warmup, args.repeats) for b in args.batch]
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "cpu"
    print(f"device: {device} ({name}), torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"obs: 3 cameras {HW}x{HW} uint8 + 43-dim state; action: 4x7 dims x {CHUNK} steps + 15 pad")
    cols = ["B", "MiB", "ours ms", "numpy ms", "copy ms", "numpy/ours", "ours/copy"]
    cols += ["| act ours", "act tensor", "act numpy", "np/ours"]
    widths = [5, 7, 9, 9, 9, 10, 9, 10, 10, 9, 7]
    header = " ".join(f"{c:>{w}}" for c, w in zip(cols, widths, strict=True))
    print(header)
    print("-" * len(header))
    for r in rows:
        cells = [
            f"{r['batch']}",
            f"{r['image_mb']:.1f}",
            f"{r['ours_ms']:.3f}",
            f"{r['numpy_ms']:.3f}",
            f"{r['copy_ms']:.3f}",
            f"{r['speedup_vs_numpy']:.2f}x",
            f"{r['ours_over_copy']:.2f}x",
            f"| {r['action_ours_dict_ms']:.3f}",
            f"{r['action_ours_tensor_ms']:.3f}",
            f"{r['action_numpy_ms']:.3f}",
            f"{r['action_speedup_vs_numpy']:.2f}x",
        ]
        print(" ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": run_meta(), "rows": rows}, f, indent=2)
    return rows


if __name__ == "__main__":
    main()

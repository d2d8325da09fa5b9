"""Where an env step's time goes: raw IsaacLab vs ``IsaacLabGenericEnv.chunk_step`` on the same simulator.

One process, one simulation (in process, states-only mapping): timed windows alternate between stepping
IsaacLab directly and stepping it through our env class, so machine drift hits both alike (separate
processes varied +-12% on one H100). Then ``torch.profiler`` lists the ops of a few chunk steps.
Usage: python benchmarks/profile_env_step.py [--num_envs 1024] [--steps 400] [--chunk 8] [--device cuda:0]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from bench_env import STATES_ONLY, TASK
from run_meta import run_meta

from isaaclab_rlinf.rollout import build_env, env_config


def _timed(fn, calls: int, device: str) -> float:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--num_envs", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--chunk", type=int, default=8)
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument(
        "--no_auto_reset", action="store_true",
        help="RLinf's auto-reset off (IsaacLab still resets finished envs inside its step)",
    )  # fmt: skip
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    n, chunk, calls = args.num_envs, args.chunk, args.steps // args.chunk

    cfg = env_config(
        STATES_ONLY, TASK, device=args.device, in_process=True, auto_reset=not args.no_auto_reset
    )
    env = build_env(cfg, n)
    env.reset()
    sim = env.env  # InProcessTaskEnv: the same IsaacLab env, stepped without our class
    cpu_actions = torch.zeros(n, chunk, 1)  # what RLinf hands the env
    raw_action = torch.zeros(n, 2, device=args.device)

    def raw_chunk():
        for _ in range(chunk):
            sim.step(raw_action)

    def class_chunk():
        env.chunk_step(cpu_actions)

    for fn in (raw_chunk, class_chunk):  # warm-up: kernel compiles, CUDA graph capture
        _timed(fn, max(1, 20 // chunk), args.device)
    raw_s, class_s = [], []
    for _ in range(args.windows):
        raw_s.append(_timed(raw_chunk, calls, args.device))
        class_s.append(_timed(class_chunk, calls, args.device))
    steps = n * calls * chunk
    raw_rate, class_rate = steps / statistics.median(raw_s), steps / statistics.median(class_s)
    per_step_ms = {
        "raw": statistics.median(raw_s) / (calls * chunk) * 1e3,
        "class": statistics.median(class_s) / (calls * chunk) * 1e3,
    }
    print(f"{n} envs, chunk {chunk}: raw {raw_rate:.0f} env-steps/s, class {class_rate:.0f} "
          f"({class_rate / raw_rate:.3f}x); ms per step {per_step_ms}")  # fmt: skip

    activities = [torch.profiler.ProfilerActivity.CPU]
    if args.device.startswith("cuda"):
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    with torch.profiler.profile(activities=activities) as prof:
        for _ in range(4):
            class_chunk()
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25)
    print(table)
    env.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"meta": run_meta(), "num_envs": n, "chunk": chunk, "auto_reset": not args.no_auto_reset,
                 "raw_env_steps_per_s": raw_rate,
                 "class_env_steps_per_s": class_rate, "class_vs_raw": class_rate / raw_rate,
                 "ms_per_step": per_step_ms, "raw_windows_s": raw_s, "class_windows_s": class_s,
                 "profile_top_ops": table},
                f, indent=1,
            )  # fmt: skip


if __name__ == "__main__":
    main()

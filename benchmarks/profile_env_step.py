"""What our env class adds to a simulator step, variant by variant, in one process.

Alternating timed windows on one in-process simulator (states-only mapping, so no camera is rendered:
raw and class step the very same simulator) for: raw IsaacLab (action
on the device), raw IsaacLab plus the one host sync RLinf's env worker does after every chunk anyway
(``chunk_dones.any()``), ``chunk_step`` with CPU actions (what RLinf hands over), with actions already
on the device, and with RLinf's auto-reset off; per variant, CUDA syncs / copies / launches per chunk.
Ratios are taken window by window (variant order rotating), then the median: the host drifts.
Usage: python benchmarks/profile_env_step.py [--num_envs 1024] [--chunks 1 8] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics

import torch
from bench_env import STATES_ONLY, TASK, timed
from run_meta import run_meta

from isaaclab_rlinf.rollout import build_env, env_config

API = ("cudaStreamSynchronize", "cudaMemcpyAsync", "cudaLaunchKernel", "cuLaunchKernel", "cudaGraphLaunch")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--num_envs", type=int, default=1024)
    parser.add_argument("--chunks", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--steps", type=int, default=96)
    parser.add_argument("--windows", type=int, default=15)
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    n, dev = args.num_envs, args.device
    env = build_env(env_config(STATES_ONLY, TASK, device=dev, in_process=True), n)
    env.reset()
    sim = env.env
    raw_action = torch.zeros(n, 2, device=dev)
    result = {"meta": run_meta(), "num_envs": n, "rows": []}
    for chunk in args.chunks:
        cpu_a, dev_a = torch.zeros(n, chunk, 1), torch.zeros(n, chunk, 1, device=dev)

        def raw(chunk=chunk):
            for _ in range(chunk):
                out = sim.step(raw_action)
            return out

        def raw_synced():  # + the host sync RLinf's env worker does after every chunk (chunk_dones.any())
            _, _, terminated, truncated, _ = raw()
            bool((terminated | truncated).any())

        def no_reset(a):
            env.auto_reset = False
            try:
                env.chunk_step(a)
            finally:
                env.auto_reset = True

        variants = {
            "raw": raw,
            "raw_synced": raw_synced,
            "class": lambda a=cpu_a: env.chunk_step(a),
            "class_dev_actions": lambda a=dev_a: env.chunk_step(a),
            "class_no_auto_reset": lambda a=cpu_a: no_reset(a),
        }
        calls = max(1, args.steps // chunk)
        times = {k: [] for k in variants}
        for fn in variants.values():
            for _ in range(3):
                fn()
        names = list(variants)
        for w in range(args.windows):  # order rotates per window; ratios are taken within a window
            for k in names[w % len(names) :] + names[: w % len(names)]:
                times[k].append(timed(variants[k], calls, dev) / (calls * chunk) * 1e3)
        row = {"chunk": chunk, "ms_per_step": {k: statistics.median(v) for k, v in times.items()}}
        ratios = {k: sorted(r / t for r, t in zip(times["raw"], v, strict=True)) for k, v in times.items()}
        row["vs_raw"] = {k: statistics.median(v) for k, v in ratios.items()}
        row["vs_raw_quartiles"] = {k: statistics.quantiles(v, n=4)[::2] for k, v in ratios.items()}
        row["ms_per_step_windows"] = times
        row["api_calls_per_chunk"] = {}
        for k, fn in variants.items():
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                for _ in range(4):
                    fn()
            c = {e.key: e.count / 4 for e in prof.key_averages() if e.key in API}
            row["api_calls_per_chunk"][k] = c
        summary = ", ".join(f"{k} {v:.3f}" for k, v in row["vs_raw"].items())
        print(f"chunk {chunk}: vs raw {summary}", flush=True)
        result["rows"].append(row)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1)
    env.close()


if __name__ == "__main__":
    main()

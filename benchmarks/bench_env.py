"""Env steps/s of the embedded task: raw IsaacLab vs the same task through ``IsaacLabGenericEnv``.

Side by side in one run, each variant in a fresh process (one IsaacLab simulation per process):
  raw      IsaacLab's env stepped directly (zero actions on the sim device), observations computed;
  subproc  our env class as RLinf builds it, simulator in RLinf's spawned subprocess (queue hand-offs);
  inproc   our env class with ``init_params.in_process: true`` (simulator in the caller's process);
  inproc_states  the same with a states-only mapping (no camera views converted or handed on).
The simulator renders both cameras in every variant (the task's observation groups ask for them).
``--before DIR`` also runs the env-class variants with an older checkout's package first on the path
(``v@before``), so a change is measured before and after in one run on one machine.
Prints env-steps/s and the ratio to raw; ``--json`` is rewritten after every row with the run's meta
(device, package versions, command). Usage:
  python benchmarks/bench_env.py [--num_envs 64 1024] [--steps 200] [--device cuda:0] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from run_meta import run_meta

TASK = "Isaac-RLinf-Cartpole-Camera-v0"
BLOCK = {
    "task_description": "balance the pole",
    "main_images": "front_camera",
    "extra_view_images": ["side_camera"],
    "states": [{"key": "joint_pos"}, {"key": "joint_vel"}],
    "action_mapping": {"prefix_pad": 0, "suffix_pad": 1},
    "success_term": "success",
}
STATES_ONLY = {k: v for k, v in BLOCK.items() if k not in ("main_images", "extra_view_images")}


def _sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def run_raw(num_envs: int, steps: int, device: str) -> float:
    import torch

    from isaaclab_rlinf.env import make_task_env

    env, app = make_task_env(TASK, num_envs, 0, device)
    action = torch.zeros(num_envs, 2, device=device)
    env.reset(seed=0)
    for _ in range(20):  # warm-up: kernel compiles, CUDA graph capture
        env.step(action)
    _sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        env.step(action)
    _sync(device)
    elapsed = time.perf_counter() - start
    env.close()
    app.close()
    return num_envs * steps / elapsed


def run_env_class(
    num_envs: int, steps: int, device: str, in_process: bool, block: dict, chunk: int = 8
) -> float:
    import torch

    from isaaclab_rlinf.rollout import build_env, env_config

    cfg = env_config(block, TASK, device=device, in_process=in_process)
    env = build_env(cfg, num_envs)
    actions = torch.zeros(num_envs, chunk, 1)  # RLinf hands the env CPU actions
    env.reset()
    for _ in range(max(1, 20 // chunk)):
        env.chunk_step(actions)
    _sync(device)
    start = time.perf_counter()
    for _ in range(steps // chunk):
        env.chunk_step(actions)
    _sync(device)
    elapsed = time.perf_counter() - start
    env.close()
    return num_envs * (steps // chunk) * chunk / elapsed


def _child(variant: str, num_envs: int, steps: int, device: str) -> float:
    if variant == "raw":
        return run_raw(num_envs, steps, device)
    block = STATES_ONLY if variant.endswith("_states") else BLOCK
    return run_env_class(num_envs, steps, device, in_process=variant.startswith("inproc"), block=block)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--num_envs", type=int, nargs="+", default=[64, 1024])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument(
        "--variants", nargs="+", default=["raw", "subproc", "inproc", "inproc_states"],
        choices=["raw", "subproc", "inproc", "inproc_states"],
    )  # fmt: skip
    parser.add_argument("--json", default=None)
    parser.add_argument("--before", default=None, help="directory holding an older isaaclab_rlinf/")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    variants = list(args.variants)
    if args.before:
        variants += [f"{v}@before" for v in args.variants if v != "raw"]

    if args.child:
        rate = _child(args.child, args.num_envs[0], args.steps, args.device)
        print(f"RESULT {rate}")
        return

    meta = run_meta()
    rows = []
    for n in args.num_envs:
        rates = {}
        for variant in variants:
            name, _, code = variant.partition("@")
            env = os.environ.copy()
            if code:
                env["PYTHONPATH"] = os.pathsep.join([os.path.abspath(args.before), env.get("PYTHONPATH", "")])
            cmd = [
                sys.executable,
                __file__,
                "--child",
                name,
                "--num_envs",
                str(n),
                "--steps",
                str(args.steps),
            ]
            proc = subprocess.run([*cmd, "--device", args.device], capture_output=True, text=True, env=env)
            lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
            if proc.returncode != 0 or not lines:
                print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"variant {variant} at {n} envs failed (rc={proc.returncode})")
            rates[variant] = float(lines[-1].split()[1])
        row = {"num_envs": n, **{f"{v}_env_steps_per_s": r for v, r in rates.items()}}
        for v in rates:
            if v != "raw" and "raw" in rates:
                row[f"{v}_vs_raw"] = rates[v] / rates["raw"]
        rows.append(row)
        print(json.dumps(row), flush=True)
        if args.json:  # after every row: a later size that runs out of time keeps the earlier ones
            with open(args.json, "w") as f:
                json.dump({"meta": meta, "steps": args.steps, "rows": rows}, f, indent=2)

    print(f"\n{'envs':>6} " + " ".join(f"{v:>14}" for v in variants))
    for row in rows:
        print(f"{row['num_envs']:>6} " + " ".join(f"{row[f'{v}_env_steps_per_s']:14.0f}" for v in variants))
        ratios = ", ".join(f"{v} {row[f'{v}_vs_raw']:.3f}x" for v in variants if f"{v}_vs_raw" in row)
        print(f"{'':>6} ratios to raw: {ratios}")


if __name__ == "__main__":
    main()

"""Env steps/s of an embedded task: raw IsaacLab vs the same task through ``IsaacLabGenericEnv``.

Side by side in one run, each variant in a fresh process (one IsaacLab simulation per process):
  raw      IsaacLab's env stepped directly (zero actions on the sim device), observations computed;
  raw_states     the same, the task built without its camera group (nothing rendered);
  subproc  our env class as RLinf builds it, simulator in RLinf's spawned subprocess (queue hand-offs);
  inproc   our env class with ``init_params.in_process: true`` (simulator in the caller's process);
  inproc_states  the same with a states-only mapping: no camera views converted or handed on, and
                 (since 25ee333) the task built without its unread camera group, so nothing is rendered.
The other variants render every camera (raw: the task as registered; inproc/subproc: the mapping reads
them). A ``*_states`` variant's ratio is to ``raw_states`` when that ran, else to ``raw``.
``--task``: ``cartpole`` (two cameras, default), ``franka_reach`` / ``franka_lift`` (three cameras, one on
the wrist, mapped as their packaged config's eval split; ``--camera_resolution`` sets
``init_params.env_cfg.camera_resolution``, default the task's 64).
``benchmarks/profile_env_step.py`` compares raw and class on one and the same simulator instead.
``--before DIR`` also runs the env-class variants with an older checkout's package first on the path
(``v@before``), so a change is measured before and after in one run on one machine.
Each variant runs ``--rounds`` times (order alternating), each run reporting the median of 3 timed
windows of ``--steps`` steps; prints the median env-steps/s per variant and its ratio to raw.
``--json`` is rewritten after every row, with the run's meta (device, package versions, command). Usage:
  python benchmarks/bench_env.py [--task cartpole] [--num_envs 64 1024] [--steps 200] [--rounds 2]
      [--device cuda:0] [--variants raw inproc ...] [--camera_resolution N] [--before DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from child import run_child
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


def _states_only(block: dict) -> dict:
    """``block`` without its camera views (the env then builds the task without its camera group)."""
    return {k: v for k, v in block.items() if k not in ("main_images", "extra_view_images")}


STATES_ONLY = _states_only(BLOCK)

# --task -> task id
TASKS = {
    "cartpole": TASK,
    "franka_reach": "Isaac-RLinf-Franka-Reach-Camera-v0",
    "franka_lift": "Isaac-RLinf-Franka-Lift-Cube-Camera-v0",
}


def _mapping(name: str) -> tuple[dict, int]:
    """A task's mapping with every camera and its policy's action width: ``BLOCK`` for the cartpole, else
    the eval mapping (the states of training plus the cameras) and the actor of the task's packaged config."""
    if name == "cartpole":
        return BLOCK, 1
    from omegaconf import OmegaConf

    from isaaclab_rlinf.registry import resolve_config_path

    cfg = OmegaConf.load(resolve_config_path(TASKS[name]))
    return OmegaConf.to_container(cfg.env.eval.isaaclab, resolve=True), cfg.actor.model.action_dim


def timed(step, calls: int, device: str) -> float:
    """Seconds for ``calls`` calls of ``step``, with the device's queued work finished at both ends."""
    import torch

    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    sync()
    start = time.perf_counter()
    for _ in range(calls):
        step()
    sync()
    return time.perf_counter() - start


def _rate(step, env_steps_per_call: int, calls: int, warmup: int, device: str, windows: int = 3) -> float:
    """Median env-steps/s over ``windows`` timed windows of ``calls`` calls, after ``warmup`` calls
    (kernel compiles, CUDA graph capture)."""
    for _ in range(warmup):
        step()
    return statistics.median(env_steps_per_call * calls / timed(step, calls, device) for _ in range(windows))


def run_raw(
    num_envs: int,
    steps: int,
    device: str,
    task: str = TASK,
    states_only: dict | None = None,
    env_cfg: dict | None = None,
) -> float:
    """IsaacLab's env stepped directly; with ``states_only`` (a mapping) its unread groups are left out."""
    import torch

    from isaaclab_rlinf.env import make_task_env
    from isaaclab_rlinf.registry import register
    from isaaclab_rlinf.spec import MappingSpec

    register()  # the embedded tasks into gymnasium (make_task_env builds registered tasks only)
    spec = MappingSpec.from_config(states_only) if states_only else None
    env, app = make_task_env(task, num_envs, 0, device, spec=spec, env_cfg_overrides=env_cfg)
    _, info = env.reset(seed=0)
    action = torch.zeros(num_envs, info["action_dim"], device=device)
    try:
        return _rate(lambda: env.step(action), num_envs, steps, 20, device)
    finally:
        env.close()
        app.close()


def run_env_class(
    num_envs: int,
    steps: int,
    device: str,
    in_process: bool,
    block: dict,
    chunk: int = 8,
    task: str = TASK,
    policy_dim: int = 1,
    env_cfg: dict | None = None,
) -> float:
    import torch

    from isaaclab_rlinf.rollout import build_env, env_config

    cfg = env_config(block, task, device=device, in_process=in_process)
    if env_cfg:
        cfg.init_params.env_cfg = env_cfg
    env = build_env(cfg, num_envs)
    actions = torch.zeros(num_envs, chunk, policy_dim)  # RLinf hands the env CPU actions
    env.reset()
    try:
        return _rate(lambda: env.chunk_step(actions), num_envs * chunk, steps // chunk, 20 // chunk, device)
    finally:
        env.close()


def _child(variant: str, num_envs: int, args: argparse.Namespace) -> float:
    task, (block, policy_dim) = TASKS[args.task], _mapping(args.task)
    env_cfg = {"camera_resolution": args.camera_resolution} if args.camera_resolution else None
    states = _states_only(block) if variant.endswith("_states") else None
    if variant.startswith("raw"):
        return run_raw(num_envs, args.steps, args.device, task, states, env_cfg)
    in_process = variant.startswith("inproc")
    return run_env_class(
        num_envs,
        args.steps,
        args.device,
        in_process,
        states or block,
        task=task,
        policy_dim=policy_dim,
        env_cfg=env_cfg,
    )


def _run_child(variant: str, num_envs: int, args: argparse.Namespace) -> float:
    """One variant in a fresh process; ``v@before`` runs the package found in ``--before``."""
    name, _, code = variant.partition("@")
    cmd = ["--child", name, "--num_envs", str(num_envs), "--steps", str(args.steps), "--device", args.device]
    cmd += ["--task", args.task] + (
        ["--camera_resolution", str(args.camera_resolution)] * bool(args.camera_resolution)
    )
    return run_child(__file__, cmd, args.before if code else None)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--num_envs", type=int, nargs="+", default=[64, 1024])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--task", default="cartpole", choices=sorted(TASKS))
    parser.add_argument("--camera_resolution", type=int, default=None, help="Franka tasks: camera size [px]")
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["raw", "subproc", "inproc", "inproc_states"],
        choices=["raw", "raw_states", "subproc", "inproc", "inproc_states"],
    )
    parser.add_argument("--json", default=None)
    parser.add_argument("--rounds", type=int, default=2, help="runs of every variant, order alternating")
    parser.add_argument("--before", default=None, help="directory holding an older isaaclab_rlinf/")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    variants = list(args.variants)
    if args.before:
        variants += [f"{v}@before" for v in args.variants if v != "raw"]

    if args.child:
        rate = _child(args.child, args.num_envs[0], args)
        print(f"RESULT {rate}")
        return

    meta = run_meta()
    rows = []
    for n in args.num_envs:
        samples: dict[str, list[float]] = {v: [] for v in variants}
        for r in range(args.rounds):  # alternate the order: drifts of the machine hit every variant
            for variant in variants if r % 2 == 0 else variants[::-1]:
                samples[variant].append(_run_child(variant, n, args))
        rates = {v: statistics.median(s) for v, s in samples.items()}
        row = {"num_envs": n, **{f"{v}_env_steps_per_s": r for v, r in rates.items()}, "samples": samples}
        for v in rates:
            base = "raw_states" if "_states" in v and "raw_states" in rates else "raw"
            if not v.startswith("raw") and base in rates:
                row[f"{v}_vs_raw"] = rates[v] / rates[base]
        rows.append(row)
        print(json.dumps(row), flush=True)
        if args.json:  # after every row: a later size that runs out of time keeps the earlier ones
            with open(args.json, "w") as f:
                json.dump(
                    {
                        "meta": meta,
                        "task": TASKS[args.task],
                        "camera_resolution": args.camera_resolution,
                        "steps": args.steps,
                        "rounds": args.rounds,
                        "rows": rows,
                    },
                    f,
                    indent=2,
                )

    print(f"\n{'envs':>6} " + " ".join(f"{v:>14}" for v in variants))
    for row in rows:
        print(f"{row['num_envs']:>6} " + " ".join(f"{row[f'{v}_env_steps_per_s']:14.0f}" for v in variants))
        ratios = ", ".join(f"{v} {row[f'{v}_vs_raw']:.3f}x" for v in variants if f"{v}_vs_raw" in row)
        print(f"{'':>6} ratios to raw: {ratios}")


if __name__ == "__main__":
    main()

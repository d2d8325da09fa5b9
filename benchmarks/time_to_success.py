"""Time to success: IsaacLab's own rsl_rl against our ``isaaclab-rlinf train``, same task, back to back.

A user with a small policy compares us with what IsaacLab already ships. Both runs start a fresh process
and are timed from that start (imports, simulator build, kernel compiles and Ray start-up included), to
the first iteration (rsl_rl) or epoch (RLinf) from which the mean episode return stays at or above
``--return_threshold`` (or the success rate at or above ``--success_threshold``) for ``--hold``
consecutive rows; each side is stopped once it has. Rows before every env could finish one episode
(``--episode_steps``) never count.

  rsl_rl   IsaacLab's ``RslRlVecEnvWrapper`` + rsl_rl's ``OnPolicyRunner`` with IsaacLab's stock agent
           config for the task (``--agent MODULE:CLASS``; the cartpole's by default). It sees the same
           state terms as our packaged MLP mapping (the task's ``policy`` group, concatenated, cameras
           left out); at most ``--rsl_max_iterations``.
  rlinf    ``python -m isaaclab_rlinf train --task ... --max_epochs N [overrides]`` as a user runs it,
           stdout timestamped line by line; RLinf's per-epoch split (env, predict, hand-off, actor) kept.

Usage (one GPU; the packaged configs' sizes, as committed in benchmarks/results/):
  python benchmarks/time_to_success.py --task Isaac-RLinf-Cartpole-Camera-v0 --episode_steps 300 \
      --rlinf_num_envs 512 --rlinf_steps 64 --rlinf_epochs 40 --log rlinf.log --json out.json
  python benchmarks/time_to_success.py --task Isaac-RLinf-Franka-Reach-Camera-v0 --agent franka_reach \
      --drop_terms gripper_pos actions --success_threshold 0.9 --episode_steps 120 \
      --rlinf_num_envs 4096 --rlinf_steps 24 --rlinf_epochs 60 --json out.json
``--only rsl_rl|rlinf`` runs one side. Returns are IsaacLab's (reward terms scale by the step dt), so the
two sides' numbers are the same quantity: the cartpole's best is 5.0.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "gpu")]

from parse_train_log import parse  # noqa: E402
from run_meta import run_meta  # noqa: E402

# IsaacLab's stock rsl_rl runner configs for the tasks ours are built like (``--agent NAME`` or MODULE:CLASS)
AGENTS = {
    "cartpole": "isaaclab_tasks.core.cartpole.agents.rsl_rl_ppo_cfg:CartpolePPORunnerCfg",
    "franka_reach": "isaaclab_tasks.core.reach.config.franka.agents.rsl_rl_ppo_cfg:FrankaReachPPORunnerCfg",
}


def reached(row: dict, args: argparse.Namespace, steps_per_env: int) -> bool:
    """Whether an iteration's row meets the run's criterion (success rate if given, else return).

    Rows before every env can have finished one full episode (``--episode_steps``) never count: their
    episode statistics hold only the episodes that ended early, i.e. by success (RLinf's first epochs
    read success 1.0 on a policy that has learned nothing).
    """
    if row["iteration"] * steps_per_env < args.episode_steps:
        return False
    if args.success_threshold is not None:
        value = row.get("success_terminations", row.get("success_once"))
        return value is not None and value >= args.success_threshold
    return row.get("return") is not None and row["return"] >= args.return_threshold


def first_held(rows: list[dict], args: argparse.Namespace, steps_per_env: int) -> dict | None:
    """The first row from which the criterion holds for ``--hold`` consecutive rows (None if never)."""
    ok = [reached(r, args, steps_per_env) for r in rows]
    for i in range(len(rows) - args.hold + 1):
        if all(ok[i : i + args.hold]):
            return rows[i]
    return None


def rsl_rl_child(args: argparse.Namespace) -> None:
    """Train with rsl_rl in this process; print one ``ROW {json}`` line per iteration."""
    start = float(os.environ["TTS_START"])
    import importlib

    from isaaclab.app import launch_simulation
    from isaaclab.managers import ObservationTermCfg
    from isaaclab_rl.rsl_rl import (
        RslRlVecEnvWrapper,
        check_rsl_rl_version,
        create_rsl_rl_runner,
        handle_deprecated_rsl_rl_cfg,
    )
    from isaaclab_tasks.utils import parse_env_cfg
    from isaaclab_tasks.utils.hydra import resolve_presets

    import isaaclab_rlinf
    from isaaclab_rlinf.env import _disable_cuda_graphs

    isaaclab_rlinf.register()
    env_cfg = parse_env_cfg(args.task, device=args.device, num_envs=args.num_envs)
    env_cfg.seed = args.seed
    obs = env_cfg.observations
    for name, group in list(vars(obs).items()):  # only the state group the MLP mapping reads
        if name != "policy" and hasattr(group, "concatenate_terms"):
            setattr(obs, name, None)
    for term in args.drop_terms:
        if isinstance(getattr(obs.policy, term, None), ObservationTermCfg):
            setattr(obs.policy, term, None)
    obs.policy.concatenate_terms = True
    if not args.device.startswith("cuda"):
        _disable_cuda_graphs(env_cfg)
    module, cls = AGENTS.get(args.agent, args.agent).split(":")
    agent_cfg = resolve_presets(getattr(importlib.import_module(module), cls)())  # presets -> defaults
    agent_cfg.device, agent_cfg.seed = args.device, args.seed
    agent_cfg.obs_groups = {"actor": ["policy"], "critic": ["policy"]}
    agent_cfg.logger = "tensorboard"
    agent_cfg = handle_deprecated_rsl_rl_cfg(agent_cfg, check_rsl_rl_version())
    with launch_simulation(env_cfg, {"headless": True, "device": args.device}):
        import gymnasium as gym

        env = RslRlVecEnvWrapper(gym.make(args.task, cfg=env_cfg), clip_actions=agent_cfg.clip_actions)
        runner = create_rsl_rl_runner(env, agent_cfg, log_dir=args.log_dir)
        log = runner.logger.log
        steps_per_it = args.num_envs * agent_cfg.num_steps_per_env

        def log_and_report(it: int, **kw) -> None:
            buf = runner.logger.rewbuffer
            success = [
                e["Episode_Termination/success"]
                for e in runner.logger.ep_extras
                if "Episode_Termination/success" in e
            ]
            now = time.time() - start
            row = {
                "iteration": it + 1,
                "t": now,
                "iteration_s": kw["collect_time"] + kw["learn_time"],
                "env_steps": (it + 1) * steps_per_it,
                "env_steps_per_s": steps_per_it / (kw["collect_time"] + kw["learn_time"]),
                "return": statistics.mean(buf) if buf else None,
                "success_terminations": float(sum(float(s) for s in success) / len(success))
                if success
                else None,
            }
            print("ROW " + json.dumps(row), flush=True)
            log(it=it, **kw)
            rows.append(row)
            if first_held(rows, args, agent_cfg.num_steps_per_env) is not None:
                raise StopIteration

        rows: list[dict] = []
        runner.logger.log = log_and_report
        try:
            runner.learn(num_learning_iterations=args.rsl_max_iterations)
        except StopIteration:
            pass
        env.close()


def run_rsl_rl(args: argparse.Namespace) -> dict:
    env = dict(os.environ, TTS_START=str(time.time()))
    cmd = [sys.executable, __file__, "--_child", *sys.argv[1:]]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    rows = [json.loads(line[4:]) for line in proc.stdout.splitlines() if line.startswith("ROW ")]
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
    steps_per_env = rows[0]["env_steps"] // args.num_envs if rows else 1
    result = {"framework": "rsl_rl", "agent": args.agent, "rc": proc.returncode, "rows": rows}
    return summarise(result, args, steps_per_env)


def run_rlinf(args: argparse.Namespace) -> dict:
    """``isaaclab-rlinf train`` as a user runs it; epoch rows get the wall-clock time their line appeared."""
    cmd = [
        sys.executable,
        "-m",
        "isaaclab_rlinf",
        "train",
        "--task",
        args.task,
        "--max_epochs",
        str(args.rlinf_epochs),
        *args.rlinf_overrides,
    ]
    start = time.time()
    # own process group: stopped as a whole (driver and Ray) once the criterion has held
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, start_new_session=True
    )
    text, stamped, stamps = [], [], []
    stopped = False
    for line in proc.stdout:  # type: ignore[union-attr]
        now = time.time() - start
        text.append(line)
        stamped.append(f"[{now:8.2f}] {line}")  # where start-up goes: Ray, workers, env build, compiles
        if "Global Step:" in line:
            stamps.append(now)
            # the rows before this line are complete (a row's metrics follow its "Global Step" line)
            if not stopped and first_held(_rlinf_rows(text, stamps, args)[:-1], args, args.rlinf_steps):
                os.killpg(proc.pid, signal.SIGTERM)
                stopped = True
    proc.wait()
    if stopped:
        subprocess.run([sys.executable, "-m", "ray.scripts.scripts", "stop", "--force"], capture_output=True)
    if args.log:
        Path(args.log).write_text("".join(stamped))
    rows = _rlinf_rows(text, stamps, args)
    if proc.returncode != 0 and not stopped:
        print("".join(text)[-4000:], file=sys.stderr)
    result = {"framework": "rlinf", "command": cmd, "rc": 0 if stopped else proc.returncode, "rows": rows}
    result["stopped_at_criterion"] = stopped
    return summarise(result, args, args.rlinf_steps)


def _rlinf_rows(text: list[str], stamps: list[float], args: argparse.Namespace) -> list[dict]:
    """RLinf's epoch rows from its log so far, each with the time its "Global Step" line appeared."""
    rows = parse("".join(text), 1, 1)  # env-steps/s recomputed below from the config's sizes
    n_envs, n_steps = args.rlinf_num_envs, args.rlinf_steps
    for row, t in zip(rows, stamps, strict=False):
        row["t"] = t
        row["iteration_s"] = row.get("step")
        row["env_steps"] = row["epoch"] * n_envs * n_steps
        if row.get("step"):
            row["env_steps_per_s"] = n_envs * n_steps / row["step"]
        row["iteration"] = row.pop("epoch")
    return rows


def summarise(result: dict, args: argparse.Namespace, steps_per_env: int) -> dict:
    """First row of the criterion held: its time from process start, env steps and iteration; start-up."""
    rows = result["rows"]
    hit = first_held(rows, args, steps_per_env)
    result["to_threshold"] = {k: hit.get(k) for k in ("t", "env_steps", "iteration")} if hit else None
    # process start to the first iteration's start (imports, simulator build, Ray and workers, compiles)
    first = rows[0] if rows else {}
    result["startup_s"] = first["t"] - first["iteration_s"] if first.get("iteration_s") else None
    rates = [r["env_steps_per_s"] for r in result["rows"][1:] if r.get("env_steps_per_s")]
    result["median_env_steps_per_s"] = statistics.median(rates) if rates else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--task", default="Isaac-RLinf-Cartpole-Camera-v0")
    parser.add_argument(
        "--agent", default="cartpole", help=f"rsl_rl runner cfg: {', '.join(AGENTS)} or MODULE:CLASS"
    )
    parser.add_argument("--num_envs", type=int, default=4096, help="rsl_rl's envs")
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--drop_terms",
        nargs="*",
        default=["actions"],
        help="policy-group terms our MLP mapping does not read (left out for rsl_rl too)",
    )
    parser.add_argument("--return_threshold", type=float, default=4.85)
    parser.add_argument("--success_threshold", type=float, default=None, help="criterion: success rate")
    parser.add_argument("--hold", type=int, default=3, help="consecutive rows the criterion must hold")
    parser.add_argument(
        "--episode_steps",
        type=int,
        default=0,
        help="the task's episode length in policy steps: earlier rows never count (120: Franka Reach)",
    )
    parser.add_argument("--rsl_max_iterations", type=int, default=300)
    parser.add_argument("--rlinf_epochs", type=int, default=30)
    parser.add_argument("--rlinf_num_envs", type=int, default=512, help="what the config trains with")
    parser.add_argument("--rlinf_steps", type=int, default=64, help="the config's steps per epoch")
    parser.add_argument("--rlinf_overrides", nargs="*", default=[])
    parser.add_argument("--only", choices=["rsl_rl", "rlinf"], default=None)
    parser.add_argument("--log", default=None, help="write the RLinf train log here, lines timestamped")
    parser.add_argument("--log_dir", default="/tmp/tts_rsl_rl")
    parser.add_argument("--json", default=None)
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        return rsl_rl_child(args)
    out = {
        "meta": run_meta(),
        "task": args.task,
        "return_threshold": args.return_threshold,
        "success_threshold": args.success_threshold,
        "hold": args.hold,
        "episode_steps": args.episode_steps,
        "runs": [],
    }
    for side, fn in (("rsl_rl", run_rsl_rl), ("rlinf", run_rlinf)):
        if args.only in (None, side):
            out["runs"].append(fn(args))
            r = out["runs"][-1]
            print(
                f"{side}: rc={r['rc']} to threshold: {r['to_threshold']} start-up {r['startup_s']} s, "
                f"median env-steps/s {r['median_env_steps_per_s']}",
                flush=True,
            )
            if args.json:
                Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""How many full predicts RLinf's rollout spends on bootstrap values, with a policy that succeeds.

Why: RLinf's rollout worker predicts on a chunk step's final observations whenever any episode ended in
it, and uses those values only for time-limit truncations at the chunk's last step
(``isaaclab_rlinf/workers/bootstrap.py`` sends them only then). How much that saves depends on how often
episodes end, which is the policy's: this runs a task's scripted expert (a policy that succeeds) on the
real task and counts, per chunk step of ``--chunk`` env steps, whether any episode ended (RLinf's extra
predict) and whether one was truncated at its last step (still predicted).

    python benchmarks/bootstrap_predicts.py --config_name isaaclab_ppo_mlp_franka_reach \
        [--num_envs 64] [--chunks 48] [--chunk 5] [--device cpu] [--json out.json]

A rollout epoch of ``n`` chunk steps makes ``n + 1`` predicts for its actions and last value (RLinf's),
plus one per chunk step counted here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_meta import run_meta  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config_name", required=True)
    p.add_argument("--num_envs", type=int, default=64)
    p.add_argument("--chunks", type=int, default=48, help="chunk steps to run")
    p.add_argument("--chunk", type=int, default=5, help="env steps a chunk step (num_action_chunks)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    from isaaclab_rlinf.cli.config import build_config
    from isaaclab_rlinf.converters import to_isaaclab_action
    from isaaclab_rlinf.env import make_task_env
    from isaaclab_rlinf.registry import load_expert, register
    from isaaclab_rlinf.spec import MappingSpec

    cfg = build_config(argparse.Namespace(command="train", config_name=args.config_name, overrides=[]))
    train = cfg.env.train
    spec = MappingSpec.from_config(train.isaaclab, path="env.train.isaaclab")
    register()
    overrides = dict(train.init_params.get("env_cfg") or {})
    penv, app = make_task_env(
        train.init_params.id, args.num_envs, args.seed, args.device, spec.success_term, spec,
        env_cfg_overrides=overrides,
    )  # fmt: skip
    try:
        env = penv.env
        expert = load_expert(train.init_params.id)(env)
        am = spec.action_mapping
        cols = slice(am.prefix_pad, env.action_manager.total_action_dim - am.suffix_pad)
        env.reset(seed=args.seed)
        any_end = truncated_last = ends = successes = 0
        for _chunk in range(args.chunks):
            ended = torch.zeros(args.num_envs, dtype=torch.bool, device=env.device)
            for _ in range(args.chunk):
                action = to_isaaclab_action(expert()[:, cols], spec)
                _, _, terminated, truncated, _ = env.step(action)
                ended |= terminated | truncated
                ends += int((terminated | truncated).sum())
                if spec.success_term:
                    successes += int(env.termination_manager.get_term(spec.success_term).sum())
            any_end += bool(ended.any())
            truncated_last += bool(truncated.any())  # the chunk's last step
    finally:
        penv.close()
        app.close()
    n = args.chunks
    result = {
        "config": args.config_name,
        "task": str(train.init_params.id),
        "num_envs": args.num_envs,
        "chunk": args.chunk,
        "chunk_steps": n,
        "episodes_ended": ends,
        "episodes_succeeded": successes,
        "mean_episode_steps": round(args.num_envs * n * args.chunk / max(ends, 1), 2),
        "chunk_steps_with_an_end": any_end,
        "chunk_steps_truncated_at_last_step": truncated_last,
        # predicts per n chunk steps: actions + the last value (n + 1), plus the bootstrap ones
        "predicts_rlinf": n + 1 + any_end,
        "predicts_ours": n + 1 + truncated_last,
    }
    result["rollout_predicts_ratio"] = round(result["predicts_ours"] / result["predicts_rlinf"], 3)
    print(json.dumps(result))
    if args.json:  # with the run's device, packages, command and commit
        Path(args.json).write_text(json.dumps({"meta": run_meta(), **result}, indent=2))
    return result


if __name__ == "__main__":
    main()

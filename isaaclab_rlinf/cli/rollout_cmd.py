"""``isaaclab-rlinf rollout``: step a config's task through the RLinf env class on CPU; frames + metrics.

Builds ``env.<split>`` exactly as RLinf's env worker does (our ``IsaacLabGenericEnv``, RLinf's spawned
simulator subprocess), drives it with ``chunk_step`` and writes, under ``<log dir>/rollout/``, one
contact sheet per camera view (rows: time, columns: envs) and ``metrics.json`` (every finished episode:
return, length, success). No Ray, no GPU, no policy.
"""

from __future__ import annotations

import argparse
import json

from omegaconf import open_dict

from .args import add_sim_args, sim_out_dir, subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "rollout",
        help="step a config's task through the RLinf env class on CPU, write frames and episode metrics",
        description=__doc__.split("\n\n")[1],
        handler=run,
    )
    p.set_defaults(num_envs=4)
    g = p.add_argument_group("rollout")
    g.add_argument("--steps", type=int, default=120, help="policy steps (chunk_step calls), default 120")
    g.add_argument("--zero", action="store_true", help="zero actions (default: uniform random in [-1, 1])")
    g.add_argument(
        "--model_path",
        default=None,
        help="act with this policy instead (a full_weights.pt, `bc` output or training run: RLinf's model "
        "in eval mode, on CPU); the summary's first_episode_success_rate is its success over --num_envs",
    )
    add_sim_args(g, split="eval", out_name="rollout")
    g.add_argument("--frame_every", type=int, default=10, help="keep a frame every N steps (default 10)")
    return p


def run(args: argparse.Namespace) -> int:
    from ..models.weights import check_weights_fit
    from ..preflight import ConfigError, prepare_run, select
    from ..rollout import rlinf_policy, run_rollout
    from .config import build_config

    if args.steps <= 0 or args.num_envs <= 0:
        raise ConfigError(
            f"--steps / --num_envs: {args.steps} / {args.num_envs}; both must be > 0. "
            "Fix: e.g. --steps 120 --num_envs 4."
        )
    cfg = build_config(args)
    env_cfg = cfg.env[args.split]
    with open_dict(env_cfg):
        env_cfg.init_params.device = args.device
    out_dir = sim_out_dir(args, cfg)
    policy = None
    if args.model_path:
        check_weights_fit(cfg)  # another config's weights: one line before the task is built
        prepare_run(cfg, out_dir)  # as a run: e.g. the random encoder a cnn_policy is built with
        policy = rlinf_policy(cfg.actor.model, select(cfg, "runner.ckpt_path"))
    chunk = select(cfg, "actor.model.num_action_chunks", 1) or 1
    result = run_rollout(
        env_cfg,
        out_dir,
        num_envs=args.num_envs,
        chunk_steps=args.steps,
        action_chunk=chunk,
        random_actions=not args.zero,
        policy=policy,
        frame_every=args.frame_every,
        seed=args.seed or 0,
    )
    print(
        f"task {select(cfg, f'env.{args.split}.init_params.id')} (env.{args.split}), {args.num_envs} envs, "
        f"{result.env_steps} env steps on {args.device}"
    )
    for name, path in result.frames.items():
        print(f"frames {name:>20}: {path}")
    print(f"episodes: {json.dumps(result.summary)}")
    print(f"metrics: {out_dir / 'metrics.json'}")
    return 0

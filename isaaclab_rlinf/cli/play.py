"""``isaaclab-rlinf play``: evaluate a policy with RLinf's EmbodiedEvalRunner; needs a GPU."""

from __future__ import annotations

import argparse

from .args import add_launch_args, subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "play",
        help="evaluate a policy with RLinf (GPU)",
        description="Evaluate with RLinf's EmbodiedEvalRunner (rollout and env workers on Ray) on env.eval.",
        handler=run,
    )
    add_launch_args(p)
    g = p.add_argument_group("evaluation")
    g.add_argument(
        "--num_episodes",
        type=int,
        default=None,
        help="at least this many episodes: env.eval.rollout_epoch = ceil(N / eval envs), one episode each",
    )
    g.add_argument(
        "--video", action="store_true", help="-> env.eval.video_cfg.save_video=True (<log dir>/video/eval)"
    )
    return p


def run(args: argparse.Namespace) -> int:
    from ..launcher import run as launch
    from ..preflight import notice, select
    from .config import build_config, resolve_config_source

    cfg = build_config(args)
    if select(cfg, "rollout.model.model_type") == "mlp_policy" and not select(cfg, "runner.ckpt_path"):
        notice("play: no --model_path; evaluating an untrained (randomly initialised) policy")
    config_dir, _ = resolve_config_source(args)
    launch(cfg, config_dir, command="play", task_check=not args.no_task_check)
    return 0

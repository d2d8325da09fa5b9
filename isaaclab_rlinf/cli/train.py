"""``isaaclab-rlinf train``: RLinf embodied training (Ray + FSDP) on an IsaacLab task; needs a GPU."""

from __future__ import annotations

import argparse

from .args import add_launch_args, subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "train",
        help="train a policy with RLinf (GPU)",
        description="Train with RLinf's EmbodiedRunner (actor, rollout and env workers on Ray).",
        handler=run,
    )
    add_launch_args(p)
    g = p.add_argument_group("training")
    g.add_argument("--max_epochs", type=int, default=None, help="-> runner.max_epochs")
    g.add_argument(
        "--resume_dir",
        default=None,
        help="run directory (or checkpoints/global_step_N) to resume from: the newest checkpoint's step "
        "continues the epoch count up to runner.max_epochs",
    )
    g.add_argument(
        "--only_eval", action="store_true", help="-> runner.only_eval=True (evaluate, no training)"
    )
    g.add_argument("--list_tasks", action="store_true", help="print the available tasks and exit")
    return p


def run(args: argparse.Namespace) -> int:
    if args.list_tasks:
        from .tasks import run as list_tasks

        return list_tasks(args)
    from ..launcher import run as launch
    from .config import build_config, resolve_config_source

    cfg = build_config(args)
    config_dir, _ = resolve_config_source(args)
    launch(cfg, config_dir, command="train", task_check=not args.no_task_check)
    return 0

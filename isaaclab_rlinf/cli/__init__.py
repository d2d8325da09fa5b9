"""``isaaclab-rlinf``: train | play | tasks | inspect | rollout | record | bc | init | *-init | *-finetune.

    isaaclab-rlinf train   [--config_path DIR] [--config_name NAME] [--task ID] [--num_envs N] [--seed S]
                           [--model_path P] [--no_task_check] [--max_epochs N] [--resume_dir D] [--only_eval]
                           [--list_tasks] [--logger {tensorboard,wandb,swanlab}] [--experiment_name E]
                           [--run_name R] [key=value ...]
    isaaclab-rlinf play    [config, model, check, logging options] [--num_episodes N] [--video] [key=value]
    isaaclab-rlinf tasks
    isaaclab-rlinf inspect [config options] [--steps N] [--random] [--split train|eval] [--json PATH|-]
                           [--out_dir DIR] [key=value ...]
    isaaclab-rlinf rollout [config options] [--steps N] [--zero] [--split train|eval] [--out_dir DIR]
                           [key=value ...]
    isaaclab-rlinf record  [config options] --out DIR [--num_episodes N] [--only_success] [--replay]
                           [--split train|eval] [--device D] [key=value ...]
    isaaclab-rlinf bc      [config options] --dataset DIR --out DIR [--epochs N] [--logstd S] [--device D]
    isaaclab-rlinf init    [config options] --out DIR [--tiny] (the config's model family writes it)
    isaaclab-rlinf gr00t-init [config options] --out DIR [--tiny] [--resolution WxH]
    isaaclab-rlinf openpi-init [config options] --out DIR [--tiny]
    isaaclab-rlinf gr00t-finetune [config options] --dataset DIR --model_path DIR --out DIR [--max_steps N]
                           [--batch_size B] [--lr LR] [--device cpu|cuda] [--tune_llm] [--tune_visual]

Exit codes: 0 success; 2 bad input (config, mapping, option, path; nothing was started); 3 no GPU for
train/play (nothing was started; use ``inspect``); 1 anything else. ``train`` and ``play`` make every check
before the GPU one, including the mapping against the live task built with one env (``--no_task_check``
skips that), so a GPU config can be validated on a laptop. Notes (what was filled in or skipped) and errors
go to stderr, one line each. See :mod:`isaaclab_rlinf.cli.config`
for what each option sets, and :mod:`isaaclab_rlinf.launcher` for the launch sequence and environment.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import (
    bc_cmd,
    gr00t_finetune,
    gr00t_init,
    init_cmd,
    inspect_cmd,
    openpi_init,
    play,
    record_cmd,
    rollout_cmd,
    tasks,
    train,
)

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="isaaclab-rlinf",
        allow_abbrev=False,
        description="RL fine-tuning on IsaacLab tasks with RLinf's distributed runner.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(
        dest="command",
        metavar="{train,play,tasks,inspect,rollout,record,bc,init,gr00t-init,gr00t-finetune,openpi-init}",
        required=True,
    )
    for module in (
        train,
        play,
        tasks,
        inspect_cmd,
        rollout_cmd,
        record_cmd,
        bc_cmd,
        init_cmd,
        gr00t_init,
        gr00t_finetune,
        openpi_init,
    ):
        module.add_parser(sub).set_defaults(_parser=None)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("isaaclab-rlinf")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options, then ``key=value`` Hydra overrides (anywhere after the subcommand) in ``args.overrides``."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    unknown = [r for r in rest if r.startswith("-")]
    if unknown:
        sub = parser._subparsers._group_actions[0].choices[args.command]  # the subcommand's own usage
        sub.error(f"unrecognized arguments: {' '.join(unknown)}")
    bad = [r for r in rest if "=" not in r and not r.startswith("~")]
    if bad:
        sub = parser._subparsers._group_actions[0].choices[args.command]
        sub.error(f"unrecognized arguments: {' '.join(bad)} (Hydra overrides are written key=value)")
    args.overrides = rest
    return args


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code."""
    from ..launcher import apply_rlinf_root
    from ..preflight import ConfigError, LaunchError
    from ..spec import MappingError

    args = parse_args(argv)
    try:
        apply_rlinf_root()  # before anything imports rlinf
        return int(args.handler(args) or 0)
    except LaunchError as exc:
        _report(args.command, exc)
        return exc.exit_code
    except MappingError as exc:
        _report(args.command, exc)
        return ConfigError.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `isaaclab-rlinf tasks | head`: the reader left; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _report(command: str, exc: BaseException) -> None:
    print(f"isaaclab-rlinf {command}: error: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

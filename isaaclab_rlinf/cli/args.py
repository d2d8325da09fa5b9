"""Arguments shared by the subcommands (same names as the prior integration's ``train.py`` / ``play.py``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .config import DEFAULT_CONFIG_NAME, LOGGER_BACKENDS, PACKAGE_CONFIG_DIR

OVERRIDES_HELP = (
    "Hydra overrides after the options, e.g. runner.save_interval=5 algorithm.update_epoch=8 "
    "(+key=value adds a key). Options win over overrides of the same key."
)


def subcommand(
    subparsers, name: str, help: str, description: str, handler, config: bool = True
) -> argparse.ArgumentParser:
    """A subcommand's parser: no abbreviated options, and (``config``) the config options + overrides."""
    p = subparsers.add_parser(
        name,
        allow_abbrev=False,
        help=help,
        description=description,
        epilog=OVERRIDES_HELP if config else None,
    )
    if config:
        add_config_args(p)
    p.set_defaults(handler=handler)
    return p


def add_sim_args(g: argparse._ArgumentGroup, split: str, out_name: str) -> None:
    """Options of the subcommands that build a config's task without Ray (``inspect``, ``rollout``)."""
    g.add_argument(
        "--split", choices=("train", "eval"), default=split, help=f"which env.* config (default {split})"
    )
    g.add_argument("--device", default="cpu", help="simulation device (default cpu)")
    g.add_argument("--out_dir", default=None, help=f"output directory (default: <log dir>/{out_name})")
    g.set_defaults(out_name=out_name)


def sim_out_dir(args: argparse.Namespace, cfg) -> Path:
    """``--out_dir``, else ``<runner.logger.log_path>/<subcommand>`` (the default named in the help)."""
    from ..preflight import select

    return Path(args.out_dir) if args.out_dir else Path(select(cfg, "runner.logger.log_path")) / args.out_name


def add_config_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("config")
    g.add_argument(
        "--config_path",
        default=None,
        help=f"directory of the Hydra YAML (default: the packaged configs, {PACKAGE_CONFIG_DIR})",
    )
    g.add_argument(
        "--config_name",
        default=None,
        help=f"YAML name in --config_path, or a path to a YAML file (default: {DEFAULT_CONFIG_NAME}, or the "
        "packaged config of --task)",
    )
    g.add_argument("--task", default=None, help="task id -> env.train/env.eval init_params.id")
    g.add_argument(
        "--num_envs",
        type=int,
        default=None,
        help="-> env.train/env.eval total_num_envs (training rescales actor batch sizes to match)",
    )
    g.add_argument("--seed", type=int, default=None, help="-> env.train/env.eval seed and actor.seed")


def add_launch_args(p: argparse.ArgumentParser) -> None:
    """Options of the subcommands that launch RLinf (``train``, ``play``): model, task check, logging."""
    add_model_arg(p)
    g = p.add_argument_group("checks before launch")
    g.add_argument(
        "--no_task_check",
        action="store_true",
        help="skip building the task with one env in this process to check the mapping before Ray "
        "(the check `inspect` makes; seconds for a kitless task, skipped for tasks that need Isaac Sim)",
    )
    add_logging_args(p)


def add_model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model_path",
        default=None,
        help="a training run dir / checkpoints/global_step_N / full_weights.pt (-> runner.ckpt_path), or a "
        "model directory (-> actor.model.model_path and rollout.model.model_path)",
    )


def add_logging_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("logging (logs/rlinf/<timestamp>-<task>[-<run_name>]/)")
    g.add_argument("--logger", choices=LOGGER_BACKENDS, default=None, help="-> runner.logger.logger_backends")
    g.add_argument("--experiment_name", default=None, help="-> runner.logger.experiment_name")
    g.add_argument("--run_name", default=None, help="suffix of the log directory name")


@contextlib.contextmanager
def stdout_for_data(enabled: bool) -> Iterator[TextIO]:
    """While ``enabled`` (``--json -``), everything written to stdout, by Python or by IsaacLab's, RLinf's and
    warp's native code (file descriptor 1), goes to stderr; yields the real stdout for the data alone."""
    if not enabled:
        yield sys.stdout
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    real, sys.stdout = sys.stdout, sys.stderr
    out = os.fdopen(os.dup(saved), "w")
    try:
        yield out
    finally:
        out.flush()
        out.close()
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        sys.stdout = real

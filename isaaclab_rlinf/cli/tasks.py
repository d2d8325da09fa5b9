"""``isaaclab-rlinf tasks``: the tasks offered through the ``isaaclab_rlinf.tasks`` entry points."""

from __future__ import annotations

import argparse

from .args import subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    return subcommand(
        subparsers,
        "tasks",
        help="list the available tasks",
        description="List the tasks offered through the `isaaclab_rlinf.tasks` entry points, with "
        "their configs.",
        handler=run,
        config=False,
    )


def run(args: argparse.Namespace) -> int:
    from ..registry import format_task_table, list_tasks

    rows = list_tasks()
    print(format_task_table(rows))
    return 1 if any(r.broken for r in rows) else 0

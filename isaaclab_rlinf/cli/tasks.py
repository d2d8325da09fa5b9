"""``isaaclab-rlinf tasks``: the tasks offered through the ``isaaclab_rlinf.tasks`` entry points, and every
packaged config of each (its ``--config_name``, the model family it trains, the file).

The task table comes from the registry; the configs are composed here (Hydra, from their own folders) so
that what is listed is what ``train --config_name NAME`` would run: a warm-start config that only extends
another one shows the task and model family it inherits.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..rlinf_cfg import LaunchError, model_key, select
from .args import subcommand
from .packaged import PackagedConfig, packaged_configs


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "tasks",
        help="list the available tasks and their packaged configs",
        description="List the tasks offered through the `isaaclab_rlinf.tasks` entry points, then every "
        "packaged config of each task with its model family (actor.model.model_type): the NAME that "
        "`--config_name NAME` takes, wherever in the package the file lives.",
        handler=run,
        config=False,
    )
    p.add_argument("--no_configs", action="store_true", help="the task table only (skips composing configs)")
    return p


def run(args: argparse.Namespace) -> int:
    from ..registry import format_task_table, list_tasks, resolve_config_path

    rows = list_tasks()
    print(format_task_table(rows))
    if not getattr(args, "no_configs", False):
        defaults = {}
        for row in rows:
            if not row.broken and row.config is not None:
                try:
                    defaults[row.id] = resolve_config_path(row)
                except (LookupError, FileNotFoundError):
                    pass
        print()
        print(format_configs(describe_configs(), defaults))
    return 1 if any(r.broken for r in rows) else 0


@dataclass(frozen=True)
class ConfigSummary:
    """What ``isaaclab-rlinf tasks`` says about one config: the tasks it runs and its model family."""

    config: PackagedConfig
    task_ids: tuple[str, ...]
    model_type: str | None
    error: str | None = None  # the config does not compose: listed anyway, with the reason


def describe_configs(configs: Iterable[PackagedConfig] | None = None) -> list[ConfigSummary]:
    """Each config composed (Hydra, from its own folder): the task ids its ``env.train`` / ``env.eval``
    run and the model family RLinf builds (``actor.model.model_type``; ``rollout.model`` for eval-only)."""
    from .config import compose

    summaries = []
    for config in packaged_configs() if configs is None else configs:
        try:
            cfg = compose(config.path.parent, config.name)
        except LaunchError as exc:  # a plugin's broken YAML must not hide the others
            summaries.append(ConfigSummary(config, (), None, str(exc)))
            continue
        ids = [select(cfg, f"env.{split}.init_params.id") for split in ("train", "eval")]
        task_ids = tuple(dict.fromkeys(str(i) for i in ids if i))
        model_type = select(cfg, f"{model_key(cfg)}.model_type")
        summaries.append(ConfigSummary(config, task_ids, None if model_type is None else str(model_type)))
    return summaries


def format_configs(summaries: Iterable[ConfigSummary], defaults: dict[str, Path] | None = None) -> str:
    """The per-task listing ``isaaclab-rlinf tasks`` prints under its task table.

    One block per task id (sorted), one line per config naming the task in ``env.train`` / ``env.eval``,
    and the task's declared default (``defaults``: task id -> its path; ``*`` marks it): the config's
    ``--config_name``, the model family, the file.
    """
    defaults = defaults or {}
    summaries = list(summaries)
    by_task: dict[str, list[ConfigSummary]] = {}
    for s in summaries:
        for task_id in s.task_ids or ("(no task)",):
            by_task.setdefault(task_id, []).append(s)
    for task_id, path in defaults.items():  # a task's declared default runs it (`--task` sets the ids)
        declared = [s for s in summaries if s.config.path == path]
        if declared and declared[0] not in by_task.get(task_id, []):
            by_task.setdefault(task_id, []).append(declared[0])
    if not by_task:
        return "No packaged configs."
    rows = [s for group in by_task.values() for s in group]
    name_w = max(len(s.config.name) for s in rows)
    model_w = max(len(s.model_type or "-") for s in rows)
    lines = ["CONFIGS per task (--config_name NAME; * the task's default):"]
    for task_id in sorted(by_task):
        lines.append(f"  {task_id}")
        default = defaults.get(task_id)
        for s in sorted(by_task[task_id], key=lambda s: (s.config.path != default, s.config.name)):
            mark = "*" if s.config.path == default else " "
            model = (s.model_type or "-").ljust(model_w)
            note = f"  (does not compose: {s.error})" if s.error else ""
            lines.append(f"    {mark} {s.config.name.ljust(name_w)}  {model}  {s.config.where}{note}")
    return "\n".join(lines)

"""Task registry: entry points → task table → RLinf's ``REGISTER_ISAACLAB_ENVS`` (+ gymnasium ids).

Any installed distribution offers tasks by declaring an entry point in the group ``isaaclab_rlinf.tasks``
(this package declares its own embedded tasks the same way)::

    [project.entry-points."isaaclab_rlinf.tasks"]
    my_tasks = "my_pkg.tasks:TASKS"

The target is a :class:`TaskSpec`, an iterable of them, or a zero-argument callable returning either.

:func:`register` is what RLinf calls in every Ray worker (``RLINF_EXT_MODULE=isaaclab_rlinf``) and what
our launcher calls in the driver before Ray starts. It needs only strings: it imports neither
``isaaclab`` nor ``isaaclab_tasks`` (slow), and is idempotent.

A broken plugin never hides the others: discovery collects ``(tasks, broken)``; :func:`register`
registers every good task, then raises one :class:`RegistryError` naming each broken plugin's
distribution and entry point, so the driver fails early and clearly. :func:`list_tasks` never raises.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "isaaclab_rlinf.tasks"
"""Entry-point group that task plugins declare."""

CONFIG_FILE_ENV_VAR = "RLINF_CONFIG_FILE"
"""Env var naming the run's YAML; its ``env.{train,eval}.init_params.id`` tasks are registered too."""

_OWN_DISTRIBUTION = "isaaclab-rlinf"
# The config keys naming the task ids RLinf's env workers will look up.
_CONFIG_ID_KEYS = ("env.train.init_params.id", "env.eval.init_params.id")

# Same shape gymnasium accepts (envs/registration.py: ENV_ID_RE), checked here so a bad id fails at
# declaration, naming the spec, not later inside gymnasium.
_ID_RE = re.compile(r"(?:[\w:.-]+/)?[\w:.-]+")
_OBJECT_REF_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class TaskSpec:
    """One IsaacLab task offered to RLinf.

    Attributes:
        id: gymnasium id of the task (what ``env.train.init_params.id`` names).
        env_cfg_entry_point: ``"module:Class"`` of the IsaacLab env config.
        entry_point: gymnasium entry point of the env class (IsaacLab's manager-based RL env by default).
        config: default RLinf YAML for this task; a path relative to the providing package is allowed.
        description: one line shown by ``isaaclab-rlinf tasks``.
        expert: ``"module:factory"`` of a scripted expert (``isaaclab-rlinf record`` runs it), or None.
            ``factory(env)`` takes the raw IsaacLab env (``gym.make(...).unwrapped``) and returns a
            callable that, called once per step with no arguments, returns the task's action
            [num_envs, action_dim] on the env's device from the env's current state (it may read
            privileged state: the policy is what learns from pixels and states).
    """

    id: str
    env_cfg_entry_point: str
    entry_point: str = "isaaclab.envs:ManagerBasedRLEnv"
    config: str | None = None
    description: str = ""
    expert: str | None = None

    def __post_init__(self) -> None:
        # Validate at declaration so the error points at the plugin that wrote the spec.
        if not isinstance(self.id, str) or not _ID_RE.fullmatch(self.id):
            raise ValueError(
                f"TaskSpec id {self.id!r} is not a valid gymnasium id: use letters, digits and '_-.:', "
                "optionally 'namespace/' first and '-vN' last (e.g. 'Isaac-My-Task-v0')"
            )
        for name in ("env_cfg_entry_point", "entry_point"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _OBJECT_REF_RE.fullmatch(value):
                raise ValueError(
                    f"TaskSpec {self.id!r}: {name}={value!r} must be a 'package.module:Attribute' string "
                    "(strings keep registration free of isaaclab imports)"
                )
        if self.expert is not None and (
            not isinstance(self.expert, str) or not _OBJECT_REF_RE.fullmatch(self.expert)
        ):
            raise ValueError(
                f"TaskSpec {self.id!r}: expert={self.expert!r} must be a 'package.module:factory' string "
                "or None"
            )
        if isinstance(self.config, os.PathLike):
            object.__setattr__(self, "config", os.fspath(self.config))
        if self.config is not None and (not isinstance(self.config, str) or not self.config):
            raise ValueError(f"TaskSpec {self.id!r}: config must be a non-empty path string or None")
        if not isinstance(self.description, str):
            raise ValueError(f"TaskSpec {self.id!r}: description must be a string")

    def differences(self, other: TaskSpec) -> list[str]:
        """``"field: mine != theirs"`` for every field that differs (used in conflict messages)."""
        return [
            f"{f.name}: {getattr(self, f.name)!r} != {getattr(other, f.name)!r}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(other, f.name)
        ]


class RegistryError(RuntimeError):
    """One or more task plugins (or the ``RLINF_CONFIG_FILE``) are broken; every good task is registered."""

    def __init__(self, message: str, broken: list[BrokenPlugin] | None = None):
        super().__init__(message)
        self.broken = broken or []


@dataclass(frozen=True)
class BrokenPlugin:
    """An entry point (or one task of it) that could not be used, with why and how to fix it."""

    distribution: str
    entry_point: str  # "name = module:attr", as declared
    reason: str
    fix: str
    task_id: str | None = None  # set when only this task of the entry point is unusable

    def __str__(self) -> str:
        what = f"task {self.task_id!r} of " if self.task_id else ""
        return (
            f"{what}distribution {self.distribution!r}, entry point {self.entry_point!r} "
            f"(group {ENTRY_POINT_GROUP!r}): {self.reason}\n    fix: {self.fix}"
        )


@dataclass(frozen=True)
class TaskRow:
    """One line of the task table: a usable task, or a broken plugin (``error`` set, ``spec`` None).

    ``module`` is the module the entry point loads from; package-relative configs resolve against it.
    """

    id: str
    distribution: str
    config: str | None
    description: str
    entry_point: str
    module: str = ""
    error: str | None = None
    spec: TaskSpec | None = field(default=None, repr=False, compare=False)

    @property
    def broken(self) -> bool:
        return self.error is not None


# --------------------------------------------------------------------------------------------------
# Discovery


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    """Our group's entry points; this package's own first, then by distribution and name (deterministic
    precedence when two plugins claim one id)."""

    def key(ep: importlib.metadata.EntryPoint) -> tuple[bool, str, str]:
        dist = _dist_name(ep)
        return (dist != _OWN_DISTRIBUTION, dist.lower(), ep.name)

    return sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=key)


def _dist_name(ep: importlib.metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else "<unknown distribution>"


def _describe_exception(exc: BaseException) -> str:
    """``Type: message (at file:line)``: the innermost frame is usually the plugin's offending line."""
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        text += f" (at {frames[-1].filename}:{frames[-1].lineno})"
    return text


_FIX_TYPE = (
    "point the entry point at a TaskSpec, an iterable of TaskSpec, or a zero-argument callable "
    "returning either"
)


def _load_specs(ep: importlib.metadata.EntryPoint) -> list[TaskSpec]:
    """The TaskSpecs an entry point provides; raises ``_PluginError`` with a reason and a fix."""
    dist = _dist_name(ep)
    try:
        obj = ep.load()
    except Exception as exc:
        raise _PluginError(
            f"loading {ep.value!r} failed: {_describe_exception(exc)}",
            f"fix the import (is a dependency of {dist!r} missing?), correct the entry point in its "
            f"package metadata, or uninstall {dist!r}",
        ) from exc
    if callable(obj) and not isinstance(obj, TaskSpec):
        try:
            obj = obj()
        except Exception as exc:
            raise _PluginError(f"calling {ep.value}() failed: {_describe_exception(exc)}", _FIX_TYPE) from exc
    if isinstance(obj, TaskSpec):
        return [obj]
    if isinstance(obj, (str, bytes, dict)) or not isinstance(obj, Iterable):
        raise _PluginError(f"{ep.value!r} is a {type(obj).__name__}, not a TaskSpec", _FIX_TYPE)
    specs = list(obj)
    wrong = [f"item {i} is a {type(s).__name__}" for i, s in enumerate(specs) if not isinstance(s, TaskSpec)]
    if wrong:
        raise _PluginError(f"{ep.value!r} holds non-TaskSpec items ({'; '.join(wrong)})", _FIX_TYPE)
    return specs


class _PluginError(Exception):
    def __init__(self, reason: str, fix: str):
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def discover_tasks() -> tuple[list[TaskRow], list[BrokenPlugin]]:
    """Load every entry point of :data:`ENTRY_POINT_GROUP`; never raises for a plugin's fault.

    Returns the usable tasks (one row each, ``spec`` set) and the broken plugins. An id claimed twice
    with different specs keeps its first claimant (this package, then distributions by name); the
    later one is reported broken. Identical duplicates are merged silently.
    """
    tasks: dict[str, TaskRow] = {}
    broken: list[BrokenPlugin] = []
    for ep in _entry_points():
        dist, declared = _dist_name(ep), f"{ep.name} = {ep.value}"
        try:
            specs = _load_specs(ep)
        except _PluginError as err:
            broken.append(BrokenPlugin(dist, declared, err.reason, err.fix))
            continue
        for spec in specs:
            first = tasks.get(spec.id)
            if first is not None:
                if first.spec != spec:
                    broken.append(
                        BrokenPlugin(
                            dist,
                            declared,
                            f"task id {spec.id!r} is already provided by distribution {first.distribution!r}"
                            f" (entry point {first.entry_point!r}) with a different spec ("
                            + "; ".join(spec.differences(first.spec))
                            + ")",
                            f"give one of the two tasks another id, or uninstall one of {dist!r} and "
                            f"{first.distribution!r}",
                            task_id=spec.id,
                        )
                    )
                continue
            tasks[spec.id] = TaskRow(
                id=spec.id,
                distribution=dist,
                config=spec.config,
                description=spec.description,
                entry_point=declared,
                module=ep.module,
                spec=spec,
            )
    return list(tasks.values()), broken


def list_tasks() -> list[TaskRow]:
    """Every task offered through entry points (by id), then one row per broken plugin; never raises.

    Cheap: imports only the plugins' task modules, not rlinf, gymnasium or isaaclab.
    """
    tasks, broken = discover_tasks()
    rows = sorted(tasks, key=lambda row: row.id)
    for b in broken:
        rows.append(
            TaskRow(
                id=b.task_id or "",
                distribution=b.distribution,
                config=None,
                description="",
                entry_point=b.entry_point,
                error=f"{b.reason}; fix: {b.fix}",
            )
        )
    return rows


def format_task_table(rows: Iterable[TaskRow]) -> str:
    """The text ``isaaclab-rlinf tasks`` prints: a table of usable tasks, then broken plugins."""
    rows = list(rows)
    good = [r for r in rows if not r.broken]
    bad = [r for r in rows if r.broken]
    lines: list[str] = []
    if good:
        header = ("ID", "DISTRIBUTION", "CONFIG", "DESCRIPTION")
        table = [header] + [(r.id, r.distribution, r.config or "-", r.description) for r in good]
        widths = [max(len(row[i]) for row in table) for i in range(3)]
        for row in table:
            cells = [cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)] + [row[3]]
            lines.append("  ".join(cells))
        lines = [line.rstrip() for line in lines]
    else:
        lines.append(f"No tasks found in entry-point group {ENTRY_POINT_GROUP!r}.")
    if bad:
        lines += ["", f"BROKEN PLUGINS ({len(bad)}; their tasks are not available):"]
        for r in bad:
            what = f"task {r.id!r} of " if r.id else ""
            lines.append(f"  {what}{r.distribution} [{r.entry_point}]: {r.error}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Config paths and the run's YAML


def resolve_config_path(task: TaskRow | TaskSpec | str) -> Path:
    """Absolute path of a task's default RLinf YAML.

    ``task`` is a row from :func:`list_tasks`, a TaskSpec, or a task id (both looked up among the
    entry-point tasks). A relative ``config`` is searched in the providing module's package, then in
    each parent package up to the top level (so ``my_pkg.tasks:TASKS`` may name ``configs/x.yaml``
    living in ``my_pkg/configs/`` or ``my_pkg/tasks/configs/``); the nearest existing file wins.

    Raises:
        LookupError: the task is not offered by any entry point, or has no default config.
        FileNotFoundError: no candidate exists (all tried paths listed).
    """
    row = task if isinstance(task, TaskRow) else _find_row(task)
    if row.config is None:
        raise LookupError(f"task {row.id!r} (distribution {row.distribution!r}) declares no default config")
    path = Path(row.config).expanduser()
    if path.is_absolute():
        if not path.is_file():
            raise FileNotFoundError(f"config {str(path)!r} of task {row.id!r} does not exist")
        return path
    tried = []
    for package_dir in _package_dirs(row.module):
        candidate = package_dir / path
        tried.append(str(candidate))
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        f"config {row.config!r} of task {row.id!r} (distribution {row.distribution!r}) not found; tried: "
        + ", ".join(tried)
    )


def _find_row(task: TaskSpec | str) -> TaskRow:
    task_id = task.id if isinstance(task, TaskSpec) else task
    tasks, _ = discover_tasks()
    for row in tasks:
        if row.id == task_id and (not isinstance(task, TaskSpec) or row.spec == task):
            return row
    known = ", ".join(sorted(r.id for r in tasks)) or "none"
    raise LookupError(
        f"task {task_id!r} is not offered through entry-point group {ENTRY_POINT_GROUP!r} "
        f"(or its spec differs); known tasks: {known}"
    )


def load_expert(task_id: str) -> Any:
    """The expert factory a task declares (``TaskSpec.expert``), imported.

    Raises:
        LookupError: the task is not offered, or declares no expert (the message says so and lists the
            tasks that do).
    """
    row = _find_row(task_id)
    expert = row.spec.expert if row.spec is not None else None
    if expert is None:
        tasks, _ = discover_tasks()
        have = ", ".join(sorted(r.id for r in tasks if r.spec is not None and r.spec.expert)) or "none"
        raise LookupError(
            f"task {task_id!r} declares no scripted expert (TaskSpec.expert); tasks with one: {have}. "
            "Fix: record one of those, or give the task's TaskSpec an expert='module:factory'"
        )
    module, _, attr = expert.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _package_dirs(module: str) -> list[Path]:
    """Directories of ``module``'s package and of each parent package, nearest first."""
    mod = importlib.import_module(module)  # already imported by the entry point's load
    names = module.split(".")
    if not hasattr(mod, "__path__"):  # a plain module: start at its package
        names = names[:-1]
    dirs: list[Path] = []
    while names:
        pkg = importlib.import_module(".".join(names))
        dirs += [Path(p) for p in getattr(pkg, "__path__", [])]
        names = names[:-1]
    return dirs


def config_task_ids(config_file: str | os.PathLike) -> list[str]:
    """Task ids named by ``env.train.init_params.id`` / ``env.eval.init_params.id`` of a YAML.

    Reads the file as plain YAML (Hydra defaults are not composed); missing keys and interpolations
    that do not resolve on their own are skipped.
    """
    from omegaconf import OmegaConf

    cfg = OmegaConf.load(config_file)
    ids: list[str] = []
    for key in _CONFIG_ID_KEYS:
        try:
            value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
        except Exception:  # an interpolation needing Hydra's resolvers or composed keys
            value = None
        if isinstance(value, str) and value and value not in ids:
            ids.append(value)
    return ids


# --------------------------------------------------------------------------------------------------
# Registration


def _object_ref(obj: Any) -> Any:
    """``"module:Qualname"`` for a class or function, else ``obj`` (gymnasium stores either)."""
    if isinstance(obj, str) or not hasattr(obj, "__qualname__"):
        return obj
    return f"{obj.__module__}:{obj.__qualname__}"


def _register_gym(row: TaskRow) -> BrokenPlugin | None:
    """Register ``row``'s spec with gymnasium unless its id exists; a different existing one is a conflict."""
    import gymnasium

    spec = row.spec
    assert spec is not None
    existing = gymnasium.registry.get(spec.id)
    if existing is None:
        try:
            gymnasium.register(
                spec.id,
                entry_point=spec.entry_point,
                disable_env_checker=True,
                kwargs={"env_cfg_entry_point": spec.env_cfg_entry_point},
            )
        except gymnasium.error.Error as exc:  # e.g. "X-v0" beside an unversioned "X"
            return BrokenPlugin(
                row.distribution,
                row.entry_point,
                f"gymnasium refused task id {spec.id!r}: {type(exc).__name__}: {exc}",
                "give the task an id gymnasium accepts (see its message)",
                task_id=spec.id,
            )
        return None
    theirs = (_object_ref(existing.entry_point), _object_ref(existing.kwargs.get("env_cfg_entry_point")))
    if theirs == (spec.entry_point, spec.env_cfg_entry_point):
        return None  # registered by us earlier, or by IsaacLab with the same cfg
    return BrokenPlugin(
        row.distribution,
        row.entry_point,
        f"task id {spec.id!r} is already registered with gymnasium as entry_point={theirs[0]!r}, "
        f"env_cfg_entry_point={theirs[1]!r} (this spec: {spec.entry_point!r}, {spec.env_cfg_entry_point!r})",
        "give the task another id, or make its spec match the existing gymnasium registration",
        task_id=spec.id,
    )


def rlinf_env_class(task_id: str) -> type | None:
    """The env class of RLinf's own serving ``task_id`` in ``REGISTER_ISAACLAB_ENVS``, else None.

    RLinf ships env classes for some IsaacLab tasks (e.g. its Franka stack-cube GR00T example). Its
    example configs for them have no ``isaaclab`` mapping block: the class converts observations itself.
    :func:`register` never replaces those entries, so a config naming such a task runs on RLinf's class
    and the checks of our mapping block do not apply to it.
    """
    from rlinf.envs.isaaclab import REGISTER_ISAACLAB_ENVS

    from .env import IsaacLabGenericEnv

    cls = REGISTER_ISAACLAB_ENVS.get(task_id)
    if cls is None or (isinstance(cls, type) and issubclass(cls, IsaacLabGenericEnv)):
        return None
    return cls


def register(config_file: str | os.PathLike | None = None) -> list[str]:
    """Make every entry-point task (and the run's YAML's task ids) available to RLinf's env workers.

    For each usable entry-point task: ``gymnasium.register`` unless the id exists, and
    ``REGISTER_ISAACLAB_ENVS[id] = IsaacLabGenericEnv`` unless the id is mapped already (RLinf's own
    classes and earlier registrations are kept). The ids named in ``config_file`` (default: the file
    in ``$RLINF_CONFIG_FILE``) get ``REGISTER_ISAACLAB_ENVS`` entries only: IsaacLab registers its own
    tasks with gymnasium when ``isaaclab_tasks`` is imported, which this function avoids (slow).

    Idempotent and safe to call in the driver and in every Ray worker.

    Returns:
        The ids registered or confirmed by this call, sorted.

    Raises:
        RegistryError: after registering everything usable, if any plugin or the config file is broken;
            the message names every broken distribution and entry point and lists the registered ids.
    """
    from rlinf.envs.isaaclab import REGISTER_ISAACLAB_ENVS

    from .env import IsaacLabGenericEnv

    tasks, broken = discover_tasks()
    ids: list[str] = []
    for row in tasks:
        conflict = _register_gym(row)
        if conflict is not None:
            broken.append(conflict)
            continue
        REGISTER_ISAACLAB_ENVS.setdefault(row.id, IsaacLabGenericEnv)
        ids.append(row.id)

    problems = [str(b) for b in broken]
    if config_file is None:
        config_file = os.environ.get(CONFIG_FILE_ENV_VAR) or None
    if config_file is not None:
        try:
            config_ids = config_task_ids(config_file)
        except Exception as exc:
            problems.append(
                f"{CONFIG_FILE_ENV_VAR}={os.fspath(config_file)!r}: cannot read task ids: "
                f"{type(exc).__name__}: {exc}\n"
                f"    fix: point {CONFIG_FILE_ENV_VAR} at the run's YAML, or unset it"
            )
        else:
            for task_id in config_ids:
                REGISTER_ISAACLAB_ENVS.setdefault(task_id, IsaacLabGenericEnv)
                ids.append(task_id)

    ids = sorted(set(ids))
    logger.debug("isaaclab_rlinf registered tasks: %s", ids)
    if problems:
        raise RegistryError(
            f"{len(problems)} problem(s) with isaaclab_rlinf task plugins; "
            "every other task is registered.\n  - "
            + "\n  - ".join(problems)
            + f"\nRegistered tasks: {', '.join(ids) or 'none'}",
            broken,
        )
    return ids

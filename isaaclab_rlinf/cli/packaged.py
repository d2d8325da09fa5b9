"""The packaged run configs: every YAML this package ships, found by name wherever it lives.

A task's configs sit next to the task (``tasks/franka/*.yaml``, ``tasks/cartpole_camera/*.yaml``), the
package-wide ones in ``configs/``, and a task plugin's default config in its own package. ``--config_name
NAME`` takes the file name without ``.yaml`` and finds it in any of them (:func:`find_config`), so a user
never needs to know the folder; ``isaaclab-rlinf tasks`` lists them per task with the model family each
trains. Hydra composes a config from its own folder, so the defaults list of a
warm-start config still finds the config it extends beside it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..rlinf_cfg import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Folders of the package that hold run configs (searched recursively; task assets are not configs).
CONFIG_FOLDERS = ("configs", "tasks")
_SKIP_FOLDERS = frozenset({"assets", "__pycache__"})
_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PackagedConfig:
    """One packaged YAML: ``name`` is what ``--config_name`` takes, ``path`` the file."""

    name: str
    path: Path

    @property
    def where(self) -> str:
        """The file relative to this package (``tasks/franka/x.yaml``), else its absolute path."""
        try:
            return str(self.path.relative_to(PACKAGE_DIR))
        except ValueError:
            return str(self.path)


def _yaml_files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.iterdir()):
        if path.is_dir() and path.name not in _SKIP_FOLDERS:
            yield from _yaml_files(path)
        elif path.is_file() and path.suffix in _SUFFIXES:
            yield path


def _plugin_configs() -> list[Path]:
    """The default configs entry-point tasks declare (plugins' included); broken plugins are skipped."""
    from ..registry import list_tasks, resolve_config_path

    paths = []
    for row in list_tasks():
        if row.broken or row.config is None:
            continue
        try:
            paths.append(resolve_config_path(row))
        except (LookupError, FileNotFoundError):  # `isaaclab-rlinf tasks` reports these itself
            continue
    return paths


def packaged_configs() -> list[PackagedConfig]:
    """Every packaged config, this package's first (``configs/``, then ``tasks/`` recursively), then each
    entry-point task's declared config from other distributions; one entry per file."""
    paths = [p for folder in CONFIG_FOLDERS for p in _yaml_files(PACKAGE_DIR / folder)]
    seen = {p.resolve() for p in paths}
    for path in _plugin_configs():
        if path.resolve() not in seen:
            seen.add(path.resolve())
            paths.append(path)
    return [PackagedConfig(p.stem, p.resolve()) for p in paths]


def find_config(name: str) -> PackagedConfig:
    """The packaged config called ``name`` (``.yaml`` optional).

    Raises:
        ConfigError: (one line, exit 2) no config has that name (the close matches, else all names, are
            listed), or two packaged files share it (both paths listed).
    """
    stem = name
    for suffix in _SUFFIXES:
        stem = stem.removesuffix(suffix)
    configs = packaged_configs()
    matches = [c for c in configs if c.name == stem]
    # this package's own config wins over a plugin's of the same name; within one side, a tie is an error
    matches = [c for c in matches if c.path.is_relative_to(PACKAGE_DIR)] or matches
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ConfigError(
            f"--config_name: {stem!r} names {len(matches)} packaged configs "
            f"({', '.join(c.where for c in matches)}). Fix: pass the path of the one you mean."
        )
    names = sorted({c.name for c in configs})
    close = difflib.get_close_matches(stem, names, n=3, cutoff=0.6)
    options = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"packaged: {names}."
    raise ConfigError(
        f"--config_name: no {stem}.yaml among the packaged configs; {options} Fix: pick one "
        "(`isaaclab-rlinf tasks` lists them per task), pass a YAML path, or --config_path DIR for your own."
    )

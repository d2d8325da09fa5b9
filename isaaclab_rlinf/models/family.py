"""One face per model family: what the launcher asks of a policy family (GR00T, openpi, cnn, ...).

Why: the checks before Ray, the workers' hook and the ``*-init`` commands each used to name every family
by hand; a new family (ours or a third party's) meant edits in four places. A :class:`ModelFamily` says,
for the ``actor.model.model_type`` values it serves, how to

* ``require(cfg)`` -- is its package installed here? Else raise :class:`~isaaclab_rlinf.rlinf_cfg.
  LaunchError` with one line naming the install command (``make install-openpi``). Run after the GPU check;
* ``install(cfg, config_dir)`` -- put its builders and converters into RLinf's tables
  (``rlinf.models.register_model``, ...). Run in the driver before RLinf's model checks, and in every Ray
  worker (``isaaclab_rlinf.register``); idempotent;
* ``check(cfg, config_dir)`` -- the config and ``model_path`` against the mapping, before Ray; raise
  :class:`~isaaclab_rlinf.rlinf_cfg.ConfigError` (one line: key, value, fix; exit 2);
* ``check_live(cfg, split, obs)`` -- the same against a live task's first observation (the launcher's task
  check and ``inspect``); raise :class:`~isaaclab_rlinf.spec.MappingError` or ``ConfigError``;
* ``prepare_run(cfg, run_dir)`` -- files the run needs that the user need not give (cnn's random encoder);
* ``init(cfg, config_dir, out, **options)`` -- write a random ``model_path`` for a smoke test; returns one
  line saying what was written. The caller has registered the tasks (``isaaclab_rlinf.register``).

Every hook but ``name`` and ``model_types`` may be None (nothing to do). Hooks are called only for configs
whose ``actor.model`` or ``rollout.model`` type is one of ``model_types``. Families are found by
:mod:`isaaclab_rlinf.models.families`: ours, then entry-point group ``isaaclab_rlinf.model_families``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ENTRY_POINT_GROUP", "ModelFamily"]

ENTRY_POINT_GROUP = "isaaclab_rlinf.model_families"
"""Entry-point group a third-party package declares its :class:`ModelFamily` (or a list of them) in."""

ConfigDir = str | os.PathLike | None


@dataclass(frozen=True)
class ModelFamily:
    """A policy family's hooks (module docstring); hooks left None are skipped."""

    name: str
    model_types: tuple[str, ...]
    require: Callable[[Any], None] | None = None
    install: Callable[[Any, ConfigDir], Any] | None = None
    check: Callable[[Any, ConfigDir], None] | None = None
    check_live: Callable[[Any, str, dict], None] | None = None
    prepare_run: Callable[[Any, str | Path], Any] | None = None
    init: Callable[..., str] | None = None

    def __post_init__(self) -> None:
        # a bare string would serve its letters: "gr00t" -> ("g", "r", ...)
        types = self.model_types
        object.__setattr__(self, "model_types", (types,) if isinstance(types, str) else tuple(types))

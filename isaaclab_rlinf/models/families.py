"""Finding the model families (:class:`~isaaclab_rlinf.models.family.ModelFamily`) and the ones a config uses.

Ours (GR00T, openpi, cnn_policy, mlp_policy) always come first, so a bare checkout and a stale install work
alike; then every entry point of group ``isaaclab_rlinf.model_families`` of other distributions, in
distribution and name order. An entry point names a ``ModelFamily``, a list of them, or a zero-argument
callable returning either. The first family to claim a model type serves it. A plugin that fails to load
is a warning naming its distribution and entry point: the other families still work, and a config of its
model type then fails RLinf's model check with the type named.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..rlinf_cfg import select
from .family import ENTRY_POINT_GROUP, ModelFamily

logger = logging.getLogger(__name__)

__all__ = ["active_families", "families", "family_for", "install", "install_from_env"]

_OWN_DISTRIBUTION = "isaaclab-rlinf"
_MODEL_KEYS = ("actor.model.model_type", "rollout.model.model_type")


def builtin_families() -> list[ModelFamily]:
    """Ours (also declared in our own entry-point group, which discovery therefore skips)."""
    from .cnn_policy import FAMILY as CNN
    from .gr00t.family import FAMILY as GR00T
    from .openpi.family import FAMILY as OPENPI
    from .weights import MLP_FAMILY as MLP

    return [GR00T, OPENPI, CNN, MLP]


def _flatten(obj: Any, where: str) -> list[ModelFamily]:
    if callable(obj) and not isinstance(obj, ModelFamily):
        obj = obj()
    items = [obj] if isinstance(obj, ModelFamily) else list(obj) if isinstance(obj, Iterable) else [obj]
    wrong = [type(x).__name__ for x in items if not isinstance(x, ModelFamily)]
    if wrong:
        raise TypeError(f"{where} gives {', '.join(wrong)}, not isaaclab_rlinf.models.family.ModelFamily")
    return items


def _plugin_families() -> list[ModelFamily]:
    def dist(ep: importlib.metadata.EntryPoint) -> str:
        return ep.dist.name if getattr(ep, "dist", None) is not None else "<unknown distribution>"

    found: list[ModelFamily] = []
    eps = sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (dist(e), e.name))
    for ep in eps:
        if dist(ep) == _OWN_DISTRIBUTION:
            continue  # ours are the built-ins
        try:
            found += _flatten(ep.load(), ep.value)
        except Exception as exc:  # a broken plugin must not stop the other families
            logger.warning(
                "model family plugin %s (%s = %s, group %s) skipped: %s: %s",
                dist(ep),
                ep.name,
                ep.value,
                ENTRY_POINT_GROUP,
                type(exc).__name__,
                exc,
            )
    return found


def families() -> list[ModelFamily]:
    """Every family: ours, then the plugins'. Not cached: a distribution installed meanwhile is seen."""
    return builtin_families() + _plugin_families()


def family_for(model_type: str | None) -> ModelFamily | None:
    """The family serving ``model_type`` (the first that claims it), or None."""
    return next((f for f in families() if model_type in f.model_types), None)


def active_families(cfg: Any) -> list[ModelFamily]:
    """The families serving the config's ``actor.model`` or ``rollout.model`` type, each once."""
    types = {str(t) for key in _MODEL_KEYS if (t := select(cfg, key)) is not None}
    seen: set[str] = set()
    active: list[ModelFamily] = []
    for family in families():
        mine = types.intersection(family.model_types) - seen
        if mine:
            active.append(family)
            seen |= mine
    return active


def install(cfg: Any, config_dir: str | os.PathLike | None = None) -> list[str]:
    """Put the config's families' builders into RLinf's tables (each ``install`` hook); their names."""
    done = []
    for family in active_families(cfg):
        if family.install is not None:
            family.install(cfg, config_dir)
            done.append(family.name)
    return done


def install_from_env() -> list[str]:
    """Worker hook: install the families of the config ``RLINF_CONFIG_FILE`` names; returns their names.

    RLinf builds the policy in its Ray workers, which import only ``isaaclab_rlinf`` (``register()``); the
    launcher saved the resolved config there first. Unset (a run of RLinf's own tasks): nothing to do.
    """
    path = os.environ.get("RLINF_CONFIG_FILE")
    if not path:
        return []
    from ..rlinf_cfg import load_config_file

    return install(load_config_file(path), Path(path).resolve().parent)

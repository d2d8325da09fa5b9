"""``actor.model.openpi`` keys: each must be a field of RLinf's openpi model config.

Why: RLinf's openpi builder writes every ``actor.model.openpi`` key into ``OpenPi0Config.__dict__``
unchecked, so a misspelled key (``noise_levle``) trains with the default silently. Checked before Ray,
where openpi is installed (its venv), against the dataclass RLinf builds.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any

from ...rlinf_cfg import ConfigError, model_key, select

CONFIG_NAMES = {"pi0": "pi0_isaaclab_rlinf", "pi05": "pi05_isaaclab_rlinf"}
"""Our openpi train configs (``actor.model.openpi.config_name``); ``.transforms`` adds them to RLinf."""
ASSET_ID = "isaaclab_rlinf"
"""Their asset id: norm stats in ``<model_path>/isaaclab_rlinf/norm_stats.json``."""


def check_openpi_keys(cfg: Any) -> None:
    """Raise :class:`ConfigError` naming the first ``<model>.openpi`` key ``OpenPi0Config`` does not have.

    Only for ``model_type: openpi`` and where openpi is installed (elsewhere the launcher says how to
    install it)."""
    from .requirement import OpenpiNotInstalledError, require_openpi

    if select(cfg, f"{model_key(cfg)}.model_type") != "openpi":
        return
    try:
        require_openpi()
    except OpenpiNotInstalledError:
        return
    from rlinf.models.embodiment.openpi.openpi_action_model import OpenPi0Config

    fields = {f.name for f in dataclasses.fields(OpenPi0Config)}
    for key in (model_key(cfg), "rollout.model"):
        block = select(cfg, f"{key}.openpi")
        if not block:
            continue
        for name in block:
            if name not in fields:
                close = difflib.get_close_matches(str(name), sorted(fields), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ConfigError(
                    f"{key}.openpi.{name}: not a field of RLinf's OpenPi0Config, so RLinf would ignore it. "
                    f"Fix: {hint}the fields are {', '.join(sorted(fields))}."
                )

"""openpi's face to the launcher (:class:`~isaaclab_rlinf.models.family.ModelFamily`): pi0 and pi0.5.

* require: openpi and its transformers in this venv (:mod:`.requirement`; else ``make install-openpi``);
* install: our builder for ``model_type: openpi`` in RLinf's table (:mod:`.loader`);
* check: every ``actor.model.openpi`` key a field of RLinf's config (:mod:`.keys`);
* init: a random ``model_path`` (``isaaclab-rlinf openpi-init``, :mod:`.init`).
"""

from __future__ import annotations

import os
from typing import Any

from ...rlinf_cfg import LaunchError
from ..family import ModelFamily

__all__ = ["FAMILY"]


def _require(cfg: Any) -> None:
    from .requirement import OpenpiNotInstalledError, require_openpi

    try:
        require_openpi()
    except OpenpiNotInstalledError as exc:
        raise LaunchError(str(exc)) from exc


def _install(cfg: Any, config_dir: str | os.PathLike | None) -> None:
    from .loader import install

    install(None)  # cheap: registers the builder; openpi is imported when a model is built


def _check(cfg: Any, config_dir: str | os.PathLike | None) -> None:
    from .keys import check_openpi_keys

    check_openpi_keys(cfg)


def _init(cfg: Any, config_dir: str | os.PathLike | None, out: str | os.PathLike, **options: Any) -> str:
    from .init import init_model_path

    return init_model_path(cfg, config_dir, out, **options)


FAMILY = ModelFamily(
    name="openpi",
    model_types=("openpi",),
    require=_require,
    install=_install,
    check=_check,
    init=_init,
)

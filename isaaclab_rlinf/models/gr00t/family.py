"""GR00T's face to the launcher (:class:`~isaaclab_rlinf.models.family.ModelFamily`): N1.5, N1.6, N1.7.

* require: the ``gr00t`` package of the configured generation (not on PyPI: the message says how);
* install: our converters, embodiment tag and N1.5 builder in RLinf's GR00T tables (:func:`.bridge.install`),
  for configs with an ``isaaclab`` mapping: a config of RLinf's own tasks uses RLinf's own GR00T
  converters and loader;
* check: a GR00T checkpoint's ``metadata.json`` against the mapping (:func:`.bridge.check_model_path`),
  and against the live task's camera resolution in ``check_live``;
* init: a random N1.5 ``model_path`` (``isaaclab-rlinf gr00t-init``, :mod:`.init`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from ...rlinf_cfg import ConfigError, LaunchError, model_key, select
from ..family import ModelFamily
from .bridge import GR00T_MODEL_TYPES

logger = logging.getLogger(__name__)

__all__ = ["FAMILY"]


def _mapped(cfg: Any) -> bool:
    return any(select(cfg, f"env.{split}.isaaclab") is not None for split in ("train", "eval"))


def _ours(cfg: Any) -> bool:
    """The model RLinf builds is GR00T and the task is mapped by us (not one of RLinf's own)."""
    return select(cfg, f"{model_key(cfg)}.model_type") in GR00T_MODEL_TYPES and _mapped(cfg)


def _require(cfg: Any) -> None:
    from .requirement import Gr00tNotInstalledError, require_gr00t

    model_type = str(select(cfg, f"{model_key(cfg)}.model_type"))
    if model_type not in GR00T_MODEL_TYPES:
        return
    try:
        require_gr00t(model_type)
    except (Gr00tNotInstalledError, KeyError) as exc:
        raise LaunchError(str(exc)) from exc


def _bridge_errors(cfg: Any, call: Any) -> None:
    """Run ``call`` (install or the checkpoint check); its errors as the one line the CLI prints."""
    from ...spec import MappingError
    from .requirement import Gr00tNotInstalledError

    try:
        call()
    except MappingError as exc:
        raise ConfigError(str(exc)) from exc
    except Gr00tNotInstalledError as exc:  # e.g. a data config importing gr00t at module top
        raise LaunchError(str(exc)) from exc
    except ImportError as exc:  # another module the data config (or gr00t itself) imports is missing
        where = select(cfg, "env.train.isaaclab.data_config_class") or select(
            cfg, "env.eval.isaaclab.data_config_class"
        )
        what = f"data_config_class {where!r}" if where else "gr00t (no data_config_class in the mapping)"
        raise LaunchError(
            f"{what}: importing it failed: {type(exc).__name__}: {exc}. Fix: install "
            f"{exc.name or 'the missing module'} in this environment (docs/gr00t.md: GR00T's dependencies)."
        ) from exc


def _install(cfg: Any, config_dir: str | os.PathLike | None) -> None:
    if _ours(cfg):
        from .. import gr00t  # through the package: what it exports is what runs

        _bridge_errors(cfg, lambda: gr00t.install(cfg, config_dir=config_dir))


def _check(cfg: Any, config_dir: str | os.PathLike | None) -> None:
    if _ours(cfg):
        from .. import gr00t

        _bridge_errors(cfg, lambda: gr00t.check_model_path(cfg, config_dir))


def _check_live(cfg: Any, split: str, obs: dict) -> None:
    from .bridge import check_model_path

    if select(cfg, f"env.{split}.isaaclab.gr00t_mapping") is None:
        return  # not a GR00T mapping (inspect of another model's config)

    check_model_path(cfg, isaaclab_obs=obs)  # a no-op for N1.6/N1.7 and for paths that are no GR00T dir


def _init(cfg: Any, config_dir: str | os.PathLike | None, out: str | os.PathLike, **options: Any) -> str:
    from .init import init_model_path

    return init_model_path(cfg, config_dir, out, **options)


FAMILY = ModelFamily(
    name="gr00t",
    model_types=tuple(GR00T_MODEL_TYPES),
    require=_require,
    install=_install,
    check=_check,
    check_live=_check_live,
    init=_init,
)

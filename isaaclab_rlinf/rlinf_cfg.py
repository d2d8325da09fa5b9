"""Reading RLinf's composed run config: the few questions every layer asks of it.

Which model block RLinf builds the policy from (:func:`model_key`), whether the run only evaluates
(:func:`only_eval`), and an ``OmegaConf.select`` that turns a broken ``${...}`` into bad input
(:func:`select`, :class:`ConfigError`), and how a Ray worker reads the config the launcher saved
(:func:`load_config_file`). They live here, below the pre-flight checks and the model bridges
alike, so that the checks can call the bridges without the bridges importing the checks back: the
package's imports go one way (``.importlinter``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf


class LaunchError(Exception):
    """A launch stopped before any worker started; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class ConfigError(LaunchError, ValueError):
    """Bad input (config, CLI value, path): the message names the key, the value and the fix."""

    exit_code = 2


def select(cfg: Any, key: str, default: Any = None) -> Any:
    """``OmegaConf.select`` that reports an unresolvable interpolation as a :class:`ConfigError`."""
    try:
        return OmegaConf.select(cfg, key, default=default, throw_on_missing=False)
    except Exception as exc:  # InterpolationResolutionError and friends
        raise ConfigError(f"{key}: cannot be resolved ({exc}). Fix: correct the ${{...}} reference.") from exc


def only_eval(cfg: DictConfig) -> bool:
    """True for eval-only runs: RLinf reads ``runner.only_eval`` and ``runner.task_type: embodied_eval``."""
    return bool(select(cfg, "runner.only_eval", False)) or select(cfg, "runner.task_type") == "embodied_eval"


def model_key(cfg: DictConfig) -> str:
    """The model block RLinf builds the policy from: ``rollout.model`` for eval-only runs, else
    ``actor.model``."""
    return "rollout.model" if only_eval(cfg) else "actor.model"


def _is_plain_default(entry: Any) -> bool:
    """``_self_`` and ``override hydra/...`` entries, which change nothing under our keys."""
    if isinstance(entry, str):
        return entry == "_self_"
    if isinstance(entry, Mapping) and len(entry) == 1:
        key = str(next(iter(entry)))
        return key.startswith(("override hydra/", "hydra/"))
    return False


def load_config_file(path: str | os.PathLike) -> Any:
    """Load a RLinf YAML as the launcher composed it.

    A file whose ``defaults`` list holds only ``_self_`` and ``override hydra/...`` entries (like the
    packaged configs, or a composed config the launcher saved) is read with a plain ``OmegaConf.load``.
    Otherwise it is composed with Hydra from its directory (config groups are found there; command-line
    overrides are not known here, so the launcher should point ``RLINF_CONFIG_FILE`` at a saved
    composed config when it applies overrides that matter to the model bridges).
    """
    from omegaconf import OmegaConf

    path = Path(path).resolve()
    cfg = OmegaConf.load(path)
    defaults = cfg.get("defaults") or []
    if all(_is_plain_default(d) for d in defaults):
        for key in ("defaults", "hydra"):
            if key in cfg:
                del cfg[key]
        return cfg
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        return compose(config_name=path.stem)
    with initialize_config_dir(config_dir=str(path.parent), version_base=None):
        return compose(config_name=path.stem)


def env_cfg_overrides(cfg: DictConfig, split: str) -> dict | None:
    """``env.<split>.init_params.env_cfg`` as a plain dict (what the env worker sets on the task's config).

    Here, at the bottom, so that the model families' ``init`` (below the inspection) read it too."""
    node = OmegaConf.select(cfg, f"env.{split}.init_params.env_cfg")
    return OmegaConf.to_container(node, resolve=True) if node else None

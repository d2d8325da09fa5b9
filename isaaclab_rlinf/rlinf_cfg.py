"""Reading RLinf's composed run config: the few questions every layer asks of it.

Which model block RLinf builds the policy from (:func:`model_key`), whether the run only evaluates
(:func:`only_eval`), and an ``OmegaConf.select`` that turns a broken ``${...}`` into bad input
(:func:`select`, :class:`ConfigError`). They live here, below the pre-flight checks and the model bridges
alike, so that the checks can call the bridges without the bridges importing the checks back: the
package's imports go one way (``.importlinter``).
"""

from __future__ import annotations

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

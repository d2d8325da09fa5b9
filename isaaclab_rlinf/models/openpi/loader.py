"""The ``model_type: openpi`` builder: RLinf's own ``get_model``, plus what our tasks and models need.

Registered with ``rlinf.models.register_model("openpi", ..., force=True)`` (as the GR00T N1.5 loader is)
in the driver and in every Ray worker (the openpi family's install; ``isaaclab_rlinf.register`` in
workers). Around RLinf's builder it

- adds our train configs (``pi0_isaaclab_rlinf`` / ``pi05_isaaclab_rlinf``: our data transform);
- rebuilds a tiny model's shapes from ``isaaclab_rlinf.json`` (``openpi-init --tiny``);
- points ``OPENPI_DATA_HOME`` at the model's stand-in tokenizer when it was written with one;
- lets env observations without ``wrist_images`` through: RLinf's ``obs_processor`` indexes that key,
  our env maps extra cameras to ``extra_view_images`` instead;
- skips the random init that the checkpoint overwrites, where it holds every tensor
  (:mod:`isaaclab_rlinf.models.init_skip`: 93 -> 20.5 s a full-width pi0.5 build in one CPU thread).
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from .requirement import require_openpi
from .tiny import read_marker, shrunk
from .tokenizer import stand_in_home

__all__ = ["build_openpi", "install", "is_openpi_config"]

log = logging.getLogger(__name__)


def build_openpi(cfg: Any, torch_dtype: Any = None) -> Any:
    """RLinf's openpi model for ``cfg`` (``actor.model``), with our configs, tiny sizes and tokenizer."""
    require_openpi()
    from rlinf.models.embodiment.openpi import get_model

    from .transforms import register_train_configs

    register_train_configs()
    tiny, tokenizer = read_marker(str(cfg.model_path))
    if tokenizer == "stand-in":
        os.environ["OPENPI_DATA_HOME"] = str(stand_in_home(str(cfg.model_path)))
    with _init_skipped_if_covered(cfg, tiny), shrunk(tiny):
        model = get_model(cfg, torch_dtype)
    _accept_missing_views(model)
    return model


def _init_skipped_if_covered(cfg: Any, tiny: Any) -> contextlib.AbstractContextManager:
    """:func:`~isaaclab_rlinf.models.init_skip.init_skipped` where the checkpoint holds every tensor of
    the model RLinf will build, else nothing (RLinf's ``strict=False`` load keeps the init for the rest)."""
    from ..init_skip import init_skipped
    from .weights import checkpoint_comparison, safetensors_loaded

    files = safetensors_loaded(str(cfg.model_path))
    if files is None:
        return contextlib.nullcontext()
    try:
        missing = checkpoint_comparison(cfg, files, tiny).uncovered
    except Exception as exc:  # only a speed-up: a model or file it cannot read is built as RLinf builds it
        log.info("openpi: random init kept, the checkpoint's coverage was not measurable: %s", exc)
        return contextlib.nullcontext()
    if missing:
        n = len(missing)
        log.info("openpi: random init kept, the checkpoint lacks %d tensors (%s, ...)", n, missing[0])
        return contextlib.nullcontext()
    log.info("openpi: built without the random init its checkpoint overwrites (it holds every tensor)")
    return init_skipped()


def _accept_missing_views(model: Any) -> None:
    rlinf_obs_processor = model.obs_processor

    def obs_processor(env_obs: dict) -> dict:
        return rlinf_obs_processor({"wrist_images": None, "extra_view_images": None, **env_obs})

    model.obs_processor = obs_processor


def is_openpi_config(cfg: Any) -> bool:
    from omegaconf import OmegaConf

    return OmegaConf.select(cfg, "actor.model.model_type") == "openpi"


def install(cfg: Any = None) -> bool:
    """Register :func:`build_openpi` for ``model_type: openpi`` (when ``cfg`` is one, or unconditionally
    for ``None``); returns whether it did. Cheap: nothing of openpi is imported until a model is built."""
    if cfg is not None and not is_openpi_config(cfg):
        return False
    from rlinf.models import register_model

    register_model("openpi", build_openpi, category="embodied", force=True)
    return True

"""The ``model_type: openpi`` builder: RLinf's own ``get_model``, plus what our tasks and models need.

Registered with ``rlinf.models.register_model("openpi", ..., force=True)`` (as the GR00T N1.5 loader is)
in the driver and in every Ray worker (the openpi family's install; ``isaaclab_rlinf.register`` in
workers). Around RLinf's builder it

- adds our train configs (``pi0_isaaclab_rlinf`` / ``pi05_isaaclab_rlinf``: our data transform);
- rebuilds a tiny model's shapes from ``isaaclab_rlinf.json`` (``openpi-init --tiny``);
- points ``OPENPI_DATA_HOME`` at the model's stand-in tokenizer when it was written with one;
- lets env observations without ``wrist_images`` through: RLinf's ``obs_processor`` indexes that key,
  our env maps extra cameras to ``extra_view_images`` instead.
"""

from __future__ import annotations

import os
from typing import Any

from .requirement import require_openpi
from .tiny import read_marker, shrunk
from .tokenizer import stand_in_home

__all__ = ["build_openpi", "install", "is_openpi_config"]


def build_openpi(cfg: Any, torch_dtype: Any = None) -> Any:
    """RLinf's openpi model for ``cfg`` (``actor.model``), with our configs, tiny sizes and tokenizer."""
    require_openpi()
    from rlinf.models.embodiment.openpi import get_model

    from .transforms import register_train_configs

    register_train_configs()
    tiny, tokenizer = read_marker(str(cfg.model_path))
    if tokenizer == "stand-in":
        os.environ["OPENPI_DATA_HOME"] = str(stand_in_home(str(cfg.model_path)))
    with shrunk(tiny):
        model = get_model(cfg, torch_dtype)
    _accept_missing_views(model)
    return model


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

"""Write a random-weight pi0 / pi0.5 ``model_path`` that RLinf's openpi ``get_model`` loads unchanged.

What RLinf reads (``rlinf/models/embodiment/openpi/__init__.py``): ``*.safetensors`` under ``model_path``
(loaded with ``strict=False``: a missing key would stay random silently, so the weights are written from
the very model class RLinf builds), ``<model_path>/<asset_id>/norm_stats.json`` and the PaliGemma
tokenizer from openpi's cache. We add ``isaaclab_rlinf.json`` (tiny sizes, which tokenizer) for our loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .norm_stats import Stats, write_norm_stats
from .requirement import require_openpi
from .tiny import TinySpec, shrunk, write_marker
from .tokenizer import real_tokenizer_path, write_stand_in

__all__ = ["build_model", "write_random_checkpoint"]


def build_model(
    config_name: str, overrides: Mapping[str, Any], tiny: TinySpec | None, seed: int | None = None
) -> Any:
    """RLinf's ``OpenPi0ForRLActionPrediction`` for openpi config ``config_name``, random weights, with the
    YAML's ``actor.model.openpi`` keys applied as RLinf's ``get_model`` does (shapes follow them).
    ``seed``: the global torch seed to draw the weights from (None: leave the global generator alone)."""
    import torch
    from rlinf.models.embodiment.openpi.dataconfig import get_openpi_config
    from rlinf.models.embodiment.openpi.openpi_action_model import OpenPi0Config, OpenPi0ForRLActionPrediction

    from .transforms import register_train_configs

    require_openpi()
    register_train_configs()
    config = OpenPi0Config(**get_openpi_config(config_name).model.__dict__)
    for key, value in overrides.items():
        config.__dict__[key] = value
    if seed is not None:
        torch.manual_seed(seed)
    with shrunk(tiny):
        return OpenPi0ForRLActionPrediction(config)


def write_random_checkpoint(
    out: str | Path,
    config_name: str,
    overrides: Mapping[str, Any],
    state_stats: Stats,
    action_stats: Stats,
    *,
    tiny: TinySpec | None = None,
    seed: int = 0,
) -> tuple[Path, str]:
    """Write weights, norm stats, the marker and (when needed) the stand-in tokenizer to ``out``.

    Returns ``(out, tokenizer)`` with tokenizer ``"real"`` (the user's cache has it) or ``"stand-in"``
    (always for tiny models, whose vocabulary is the stand-in's).
    """
    from safetensors.torch import save_model

    from .transforms import ASSET_ID

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model = build_model(config_name, overrides, tiny, seed)
    save_model(model, str(out / "model.safetensors"))  # tied embeddings are stored once
    write_norm_stats(out, ASSET_ID, state_stats, action_stats)
    tokenizer = "real" if tiny is None and real_tokenizer_path() is not None else "stand-in"
    if tokenizer == "stand-in":
        write_stand_in(out)
    write_marker(out, tiny, tokenizer)
    return out, tokenizer

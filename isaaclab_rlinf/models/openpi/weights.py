"""A ``model_path``'s weights against the model its config builds, before Ray.

Why: RLinf's openpi ``get_model`` loads safetensors with ``strict=False``. A checkpoint of another model
(pi0 weights under a pi0.5 config, another ``openpi.config_name``, other widths) leaves every tensor it
lacks at its random init without a word, and a tensor stored with another shape fails only inside a Ray
worker, minutes into the start. The comparison reads the files' headers and builds the model on the meta
device (:func:`isaaclab_rlinf.models.init_skip.compare`: about a second at full width, no memory).

Lacking only RLinf's value head is fine: a base or SFT checkpoint has none, and PPO trains it from its init.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from ...rlinf_cfg import ConfigError, model_key, select

__all__ = ["check_weights", "checkpoint_comparison", "safetensors_loaded"]

_VALUE_HEAD = "value_head."


def safetensors_loaded(model_path: str) -> list[Path] | None:
    """The safetensors files RLinf's ``get_model`` loads from ``model_path``; None where it loads a
    ``full_weights.pt`` (an RLinf run's checkpoint) or the path is not a local directory."""
    root = Path(model_path).expanduser()
    if not root.is_dir() or any(
        (root / sub / "model_state_dict/full_weights.pt").exists() for sub in ("", "actor")
    ):
        return None
    return sorted(root.glob("*.safetensors")) or None


def checkpoint_comparison(model_cfg: Any, files: list[Path], tiny: Any) -> Any:
    """The safetensors ``files`` against the model ``model_cfg`` (an ``actor.model`` node) builds, with the
    ``tiny`` sizes of its marker: :class:`~isaaclab_rlinf.models.init_skip.Comparison`."""
    from ..init_skip import compare, safetensors_shapes
    from .checkpoint import build_model

    build = partial(build_model, model_cfg.openpi.config_name, model_cfg.openpi, tiny)
    return compare(build, safetensors_shapes(files))


def check_weights(cfg: Any) -> None:
    """Raise :class:`ConfigError` when the ``model_path``'s safetensors lack tensors of the model the config
    builds (beyond the value head) or store one with another shape. Nothing to check without openpi, for a
    path that is not a local directory of safetensors, or for an RLinf run's ``full_weights.pt``."""
    from .requirement import OpenpiNotInstalledError, require_openpi

    mpath = model_key(cfg)
    model_path = select(cfg, f"{mpath}.model_path")
    files = safetensors_loaded(str(model_path)) if model_path else None
    if files is None:
        return
    try:
        require_openpi()
    except OpenpiNotInstalledError:
        return  # the launcher stops on it with the install line
    from .tiny import read_marker
    from .transforms import register_train_configs

    register_train_configs()
    name = select(cfg, f"{mpath}.openpi.config_name")
    got = checkpoint_comparison(select(cfg, mpath), files, read_marker(str(model_path))[0])
    where = f"{mpath}.model_path: {str(model_path)!r}"
    fix = (
        f"Fix: the model_path of a {name!r} model (isaaclab-rlinf openpi-init --config_name <this config> "
        f"--out DIR writes one), or {mpath}.openpi.config_name of the checkpoint's model."
    )
    if got.reshaped:
        tensor, shape, wanted = got.reshaped[0]
        raise ConfigError(
            f"{where} stores {len(got.reshaped)} tensor(s) with another shape than the model {mpath}.openpi."
            f"config_name {name!r} builds (e.g. {tensor}: stored {list(shape)}, the model's {list(wanted)}); "
            f"RLinf's load would fail in a worker. {fix}"
        )
    lacking = [n for n in got.uncovered if not n.startswith(_VALUE_HEAD)]
    if lacking:
        raise ConfigError(
            f"{where} lacks {len(lacking)} tensor(s) of the model {mpath}.openpi.config_name {name!r} builds "
            f"(e.g. {lacking[0]}); RLinf loads with strict=False and would leave them at their random init. "
            f"{fix}"
        )

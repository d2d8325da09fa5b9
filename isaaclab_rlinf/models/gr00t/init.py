"""A random-initialised GR00T N1.5 ``model_path`` for a config's mapping (``isaaclab-rlinf gr00t-init``).

Smoke-test a new robot end to end before spending hours on a real checkpoint: ``config.json`` +
``model.safetensors`` (GR00T-N1.5-3B's architecture, random weights; ``tiny``: depth cut, widths kept) and
``experiment_cfg/metadata.json`` with the mapping's video/state/action keys and widths under its
embodiment tag. The camera resolution is read from the task (built once with one env, as ``inspect``
does) unless given. Needs ``gr00t`` (``make install-gr00t``); the caller has registered the tasks.
"""

from __future__ import annotations

import os
import time
from typing import Any

from omegaconf import OmegaConf

from ...rlinf_cfg import ConfigError, LaunchError

__all__ = ["init_model_path"]


def init_model_path(
    cfg: Any,
    config_dir: str | os.PathLike | None,
    out: str | os.PathLike,
    *,
    tiny: bool = False,
    seed: int = 0,
    device: str = "cpu",
    resolution: tuple[int, int] | None = None,
    dtype: str = "bfloat16",
) -> str:
    """Write the checkpoint to ``out``; returns one line saying what was written."""
    from . import checkpoint, install, load_data_config
    from .requirement import Gr00tNotInstalledError, require_gr00t

    if OmegaConf.select(cfg, "actor.model.model_type") != "gr00t":
        raise ConfigError(
            "actor.model.model_type: gr00t-init writes GR00T N1.5 checkpoints "
            f"(got {OmegaConf.select(cfg, 'actor.model.model_type')!r}). Fix: pick a gr00t config."
        )
    # validates the block, the model fields and the data config
    spec = install(cfg, config_dir=config_dir).spec
    try:
        require_gr00t("gr00t")
    except Gr00tNotInstalledError as exc:
        raise LaunchError(str(exc)) from exc
    gm = spec.gr00t_mapping
    data_config = (
        load_data_config(spec.data_config_class, config_dir, f"{spec.path}.data_config_class")
        if spec.data_config_class
        else None
    )
    action_keys = list(gm.action or getattr(data_config, "action_keys", None) or [])
    action_dim = int(OmegaConf.select(cfg, "actor.model.action_dim"))
    widths = dict(getattr(data_config, "action_dims", None) or {})
    if len(action_keys) == 1:
        widths = {action_keys[0]: action_dim}
    if sorted(widths) != sorted(action_keys) or sum(widths.values()) != action_dim:
        raise ConfigError(
            f"env.train.isaaclab.gr00t_mapping.action: the widths of several action keys are not known "
            f"(got keys {action_keys}, action_dim {action_dim}). Fix: give the data config "
            "action_dims = {'action.x': width, ...} summing to actor.model.action_dim."
        )
    views = list(gm.video_keys)
    res = dict.fromkeys(views, resolution) if resolution else _read_resolution(cfg, spec, views, device)
    t0 = time.perf_counter()
    out = checkpoint.write_random_checkpoint(out, spec, widths, res, tiny=tiny, dtype=dtype, seed=seed)
    return (
        f"wrote a random GR00T N1.5 ({'tiny' if tiny else 'full size'}) for {spec.embodiment_tag!r} "
        f"to {out} in {time.perf_counter() - t0:.0f} s: views {res}, actions {widths}"
    )


def _read_resolution(cfg, spec, views: list[str], device: str) -> dict[str, tuple[int, int]]:
    """(width, height) of every mapped GR00T view in ``views``, from the task built once with one env."""
    from ...converters import to_gr00t_obs, to_rlinf_obs
    from ...env import config_task_env

    with config_task_env(cfg, "train", spec, 1, device) as env:
        obs, _ = env.reset(seed=0)
        gr = to_gr00t_obs(to_rlinf_obs(obs, spec), spec)
    return {k: (int(gr[k].shape[-2]), int(gr[k].shape[-3])) for k in views}

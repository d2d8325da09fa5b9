"""A random-weight pi0 / pi0.5 ``model_path`` for an openpi config (``isaaclab-rlinf openpi-init``).

Smoke-test a task end to end before fetching a 7 GB checkpoint: ``model.safetensors`` (the model RLinf
builds for ``actor.model.openpi``; ``tiny``: every width and depth cut, <1M parameters),
``isaaclab_rlinf/norm_stats.json`` from the task itself (states observed over a few random steps of the
task built with a few envs, actions from its action space) or, with ``dataset``, from demonstrations
recorded for the config's mapping (``isaaclab-rlinf record``: the states and actions a model fine-tuned
on them is normalised with, as openpi's ``compute_norm_stats`` takes them from its training data) and,
unless the real PaliGemma tokenizer is in openpi's cache, a local stand-in tokenizer (:mod:`.checkpoint`).
Needs openpi (``make install-openpi``); the caller has registered the tasks.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from omegaconf import OmegaConf

from ...rlinf_cfg import ConfigError, LaunchError

__all__ = ["init_model_path"]

_STEPS, _ENVS = 20, 4  # random steps and envs the state statistics are taken over


def init_model_path(
    cfg: Any,
    config_dir: str | os.PathLike | None,
    out: str | os.PathLike,
    *,
    tiny: bool = False,
    seed: int = 0,
    device: str = "cpu",
    dataset: str | os.PathLike | None = None,
) -> str:
    """Write the checkpoint to ``out``; returns one line saying what was written. The weights are the
    model ``actor.model.openpi`` names, as RLinf builds it for ``train`` with the same config; ``dataset``
    (a recording of the config's mapping) gives the norm stats instead of the task's random steps."""
    from ...spec import MappingSpec
    from .requirement import OpenpiNotInstalledError, require_openpi

    if OmegaConf.select(cfg, "actor.model.model_type") != "openpi":
        raise ConfigError(
            "actor.model.model_type: openpi-init writes pi0 / pi0.5 checkpoints "
            f"(got {OmegaConf.select(cfg, 'actor.model.model_type')!r}). Fix: pick an openpi config."
        )
    try:
        require_openpi()
    except OpenpiNotInstalledError as exc:
        raise LaunchError(str(exc)) from exc
    from .checkpoint import write_random_checkpoint
    from .tiny import TinySpec

    overrides = OmegaConf.to_container(OmegaConf.select(cfg, "actor.model.openpi") or {}, resolve=True)
    config_name = overrides.get("config_name")
    if not config_name:
        raise ConfigError(
            "actor.model.openpi.config_name: missing. Fix: pi05_isaaclab_rlinf or pi0_isaaclab_rlinf."
        )
    spec = MappingSpec.from_config(cfg.env.train.isaaclab, path="env.train.isaaclab")
    action_dim = int(OmegaConf.select(cfg, "actor.model.action_dim"))
    state_stats, action_stats = _task_stats(cfg, spec, action_dim, device, dataset)
    t0 = time.perf_counter()
    out, tokenizer = write_random_checkpoint(
        out,
        config_name,
        overrides,
        state_stats,
        action_stats,
        tiny=TinySpec() if tiny else None,
        seed=seed,
    )
    if tokenizer == "stand-in":
        print(
            "NOTE: this model_path uses a STAND-IN tokenizer (trained locally, "
            f"{out}/openpi_data_home/big_vision/paligemma_tokenizer.model), fine for random weights only. "
            "A REAL pi0/pi0.5 checkpoint needs the REAL PaliGemma tokenizer in "
            "~/.cache/openpi/big_vision/paligemma_tokenizer.model ($OPENPI_DATA_HOME; openpi downloads it "
            "from gs://big_vision/paligemma_tokenizer.model).",
            file=sys.stderr,
        )
    source = f"norm stats from {dataset}" if dataset else "norm stats from the task's random steps"
    return (
        f"wrote a random {config_name} ({'tiny' if tiny else 'full size'}) to {out} in "
        f"{time.perf_counter() - t0:.0f} s: state {len(state_stats['mean'])} dims, actions {action_dim}, "
        f"{source}"
    )


def _task_stats(cfg, spec, action_dim: int, device: str, dataset=None) -> tuple[dict, dict]:
    """(state stats, action stats): states over a few random steps of the task, actions from its space;
    with ``dataset``, both from the recorded frames, once the recording is checked against the mapping
    (its state width against the task's, observed at reset)."""
    from ...dataset import DatasetError, Layout, check_layout, load_arrays
    from .norm_stats import stats_from_bounds, stats_from_samples

    states, low, high = _observe(cfg, spec, device, steps=0 if dataset else _STEPS)
    if dataset:
        layout = Layout.from_spec(spec, states.shape[-1], action_dim)
        try:
            check_layout(dataset, layout, "the config's env.train.isaaclab and actor.model.action_dim")
        except DatasetError as exc:
            raise ConfigError(str(exc)) from None
        recorded_states, recorded_actions, _ = load_arrays(dataset)
        return stats_from_samples(recorded_states), stats_from_samples(recorded_actions)
    p = spec.action_mapping.prefix_pad
    return stats_from_samples(states), stats_from_bounds(low[p : p + action_dim], high[p : p + action_dim])


def _observe(cfg, spec, device: str, steps: int):
    """The mapped states at reset and over ``steps`` uniformly random actions of the task built with a few
    envs ([(steps + 1) * envs, D]), and one env's action bounds (low, high)."""
    import numpy as np
    import torch

    from ...converters import to_rlinf_obs
    from ...env import config_task_env

    with config_task_env(cfg, "train", spec, _ENVS, device) as env:
        obs, _ = env.reset(seed=0)
        space = env.env.unwrapped.single_action_space  # one env's Box
        low, high = (
            np.broadcast_to(np.asarray(b, dtype=np.float64), space.shape) for b in (space.low, space.high)
        )
        low, high = low.reshape(-1, low.shape[-1])[0], high.reshape(-1, high.shape[-1])[0]
        gen = torch.Generator().manual_seed(0)
        states = [to_rlinf_obs(obs, spec)["states"].cpu()]
        for _ in range(steps):
            u = torch.rand((_ENVS, low.shape[-1]), generator=gen) * 2 - 1  # unbounded dims: [-1, 1]
            lo, hi = torch.tensor(low, dtype=torch.float32), torch.tensor(high, dtype=torch.float32)
            action = torch.where(torch.isfinite(lo) & torch.isfinite(hi), lo + (u + 1) / 2 * (hi - lo), u)
            obs, *_ = env.step(action.to(env.device))
            states.append(to_rlinf_obs(obs, spec)["states"].cpu())
    return torch.cat(states).numpy(), low, high

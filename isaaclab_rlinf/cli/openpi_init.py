"""``isaaclab-rlinf openpi-init``: write a random-weight pi0 / pi0.5 ``model_path`` for an openpi config.

Smoke-test a task end to end (``train``/``play`` with ``--model_path OUT``) before fetching a 7 GB
checkpoint: ``model.safetensors`` (the model RLinf builds for ``actor.model.openpi``; ``--tiny``: every
width and depth cut, <1M parameters), ``isaaclab_rlinf/norm_stats.json`` from the task itself (states
observed over a few random steps of the task built with a few envs, actions from its action space) and,
unless the real PaliGemma tokenizer is in openpi's cache, a local stand-in tokenizer. Needs openpi
(``make install-openpi``; run it as ``.venv-openpi/bin/isaaclab-rlinf``). See
``isaaclab_rlinf.models.openpi.checkpoint``.
"""

from __future__ import annotations

import argparse
import sys
import time

from .args import subcommand

_STEPS, _ENVS = 20, 4  # random steps and envs the state statistics are taken over


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "openpi-init",
        help="write a random pi0 / pi0.5 checkpoint with the task's norm stats (smoke tests)",
        description="Write an openpi model_path with random weights, norm stats computed from the config's "
        "task and a tokenizer (the real one from openpi's cache, else a local stand-in).",
        handler=run,
    )
    g = p.add_argument_group("checkpoint")
    g.add_argument("--out", required=True, help="directory to write (created)")
    g.add_argument("--tiny", action="store_true", help="every width and depth cut (CPU tests: seconds)")
    g.add_argument(
        "--variant",
        choices=("pi0", "pi05"),
        default=None,
        help="pi0 or pi0.5: actor.model.openpi.config_name pi0_/pi05_isaaclab_rlinf (default: the config's)",
    )
    g.add_argument("--device", default="cpu", help="simulation device for reading the task (default cpu)")
    return p


def run(args: argparse.Namespace) -> int:
    from omegaconf import OmegaConf

    from ..models.openpi import require_openpi
    from ..preflight import ConfigError, LaunchError
    from ..spec import MappingSpec
    from .config import build_config

    cfg = build_config(args)
    if OmegaConf.select(cfg, "actor.model.model_type") != "openpi":
        raise ConfigError(
            "actor.model.model_type: openpi-init writes pi0 / pi0.5 checkpoints "
            f"(got {OmegaConf.select(cfg, 'actor.model.model_type')!r}). Fix: pick an openpi config."
        )
    try:
        require_openpi()
    except ImportError as exc:
        raise LaunchError(str(exc)) from exc
    from ..models.openpi.checkpoint import write_random_checkpoint
    from ..models.openpi.tiny import TinySpec
    from ..models.openpi.transforms import CONFIG_NAMES

    overrides = OmegaConf.to_container(OmegaConf.select(cfg, "actor.model.openpi") or {}, resolve=True)
    if args.variant:
        overrides["config_name"] = CONFIG_NAMES[args.variant]
    config_name = overrides.get("config_name")
    if not config_name:
        raise ConfigError(
            "actor.model.openpi.config_name: missing. Fix: pi05_isaaclab_rlinf or pi0_isaaclab_rlinf."
        )
    spec = MappingSpec.from_config(cfg.env.train.isaaclab, path="env.train.isaaclab")
    action_dim = int(OmegaConf.select(cfg, "actor.model.action_dim"))
    state_stats, action_stats = _task_stats(cfg, spec, action_dim, args.device)
    t0 = time.perf_counter()
    out, tokenizer = write_random_checkpoint(
        args.out,
        config_name,
        overrides,
        state_stats,
        action_stats,
        tiny=TinySpec() if args.tiny else None,
        seed=args.seed or 0,
    )
    print(
        f"wrote a random {config_name} ({'tiny' if args.tiny else 'full size'}) to {out} in "
        f"{time.perf_counter() - t0:.0f} s: state {len(state_stats['mean'])} dims, actions {action_dim}"
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
    print(f"next: isaaclab-rlinf train ... --model_path {out}")
    return 0


def _task_stats(cfg, spec, action_dim: int, device: str) -> tuple[dict, dict]:
    """(state stats, action stats): states over a few random steps of the task, actions from its space."""
    import numpy as np
    import torch
    from omegaconf import OmegaConf

    from .. import register
    from ..converters import to_rlinf_obs
    from ..env import make_task_env
    from ..inspection import env_cfg_overrides
    from ..models.openpi.norm_stats import stats_from_bounds, stats_from_samples

    register()
    task = str(OmegaConf.select(cfg, "env.train.init_params.id"))
    env, app = make_task_env(
        task, _ENVS, 0, device, spec.success_term, env_cfg_overrides=env_cfg_overrides(cfg, "train")
    )
    try:
        obs, _ = env.reset(seed=0)
        space = env.env.unwrapped.single_action_space  # one env's Box
        low, high = (
            np.broadcast_to(np.asarray(b, dtype=np.float64), space.shape) for b in (space.low, space.high)
        )
        low, high = low.reshape(-1, low.shape[-1])[0], high.reshape(-1, high.shape[-1])[0]
        gen = torch.Generator().manual_seed(0)
        states = [to_rlinf_obs(obs, spec)["states"].cpu()]
        for _ in range(_STEPS):
            u = torch.rand((_ENVS, low.shape[-1]), generator=gen) * 2 - 1  # unbounded dims: [-1, 1]
            lo, hi = torch.tensor(low, dtype=torch.float32), torch.tensor(high, dtype=torch.float32)
            action = torch.where(torch.isfinite(lo) & torch.isfinite(hi), lo + (u + 1) / 2 * (hi - lo), u)
            obs, *_ = env.step(action.to(env.device))
            states.append(to_rlinf_obs(obs, spec)["states"].cpu())
    finally:
        env.close()
        app.close()
    p = spec.action_mapping.prefix_pad
    return stats_from_samples(torch.cat(states).numpy()), stats_from_bounds(
        low[p : p + action_dim], high[p : p + action_dim]
    )

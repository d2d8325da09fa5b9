"""``isaaclab-rlinf gr00t-init``: write a random-initialised GR00T N1.5 ``model_path`` for a config's mapping.

Smoke-test a new robot end to end (``train``/``play`` with ``--model_path OUT``) before spending hours
on a real checkpoint: ``config.json`` + ``model.safetensors`` (GR00T-N1.5-3B's architecture, random
weights; ``--tiny``: depth cut, widths kept) and ``experiment_cfg/metadata.json`` with the mapping's
video/state/action keys and widths under its embodiment tag. The camera resolution is read from the task
(built once with one env, as ``inspect`` does) unless ``--resolution WxH`` is given. Needs ``gr00t``
(``make install-gr00t``). See ``isaaclab_rlinf.models.gr00t.checkpoint``.
"""

from __future__ import annotations

import argparse
import time

from .args import subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "gr00t-init",
        help="write a random GR00T N1.5 checkpoint for a config's mapping (smoke tests)",
        description="Write a GR00T N1.5 model_path with random weights whose metadata.json holds the "
        "config's GR00T keys, widths and camera resolution, under its embodiment tag.",
        handler=run,
    )
    g = p.add_argument_group("checkpoint")
    g.add_argument("--out", required=True, help="directory to write (created)")
    g.add_argument("--tiny", action="store_true", help="few layers, real widths (CPU tests: ~1 min)")
    g.add_argument("--resolution", default=None, help="camera WxH for every view; default: read the task")
    g.add_argument("--device", default="cpu", help="simulation device for reading the task (default cpu)")
    g.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float32"), help="weights dtype")
    return p


def _resolution(text: str) -> tuple[int, int]:
    from ..preflight import ConfigError

    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise ConfigError(f"--resolution: expected WxH, e.g. 224x224 (got {text!r}).") from None
    return w, h


def run(args: argparse.Namespace) -> int:
    from omegaconf import OmegaConf

    from ..models.gr00t import checkpoint, install, load_data_config, require_gr00t
    from ..preflight import ConfigError
    from .config import build_config, resolve_config_source

    cfg = build_config(args)
    config_dir, _ = resolve_config_source(args)
    if OmegaConf.select(cfg, "actor.model.model_type") != "gr00t":
        raise ConfigError(
            "actor.model.model_type: gr00t-init writes GR00T N1.5 checkpoints "
            f"(got {OmegaConf.select(cfg, 'actor.model.model_type')!r}). Fix: pick a gr00t config."
        )
    # validates the block, the model fields and the data config
    spec = install(cfg, config_dir=config_dir).spec
    require_gr00t("gr00t")
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
    if args.resolution:
        res = dict.fromkeys(views, _resolution(args.resolution))
    else:
        res = _read_resolution(cfg, spec, views, args.device)
    t0 = time.perf_counter()
    out = checkpoint.write_random_checkpoint(
        args.out, spec, widths, res, tiny=args.tiny, dtype=args.dtype, seed=args.seed or 0
    )
    print(
        f"wrote a random GR00T N1.5 ({'tiny' if args.tiny else 'full size'}) for {spec.embodiment_tag!r} "
        f"to {out} in {time.perf_counter() - t0:.0f} s: views {res}, actions {widths}"
    )
    print(f"next: isaaclab-rlinf train ... --model_path {out}")
    return 0


def _read_resolution(cfg, spec, views: list[str], device: str) -> dict[str, tuple[int, int]]:
    """(width, height) of every mapped GR00T view in ``views``, from the task built once with one env."""
    from omegaconf import OmegaConf

    from .. import register
    from ..converters import to_gr00t_obs, to_rlinf_obs
    from ..env import make_task_env
    from ..inspection import env_cfg_overrides

    register()
    task = str(OmegaConf.select(cfg, "env.train.init_params.id"))
    env, app = make_task_env(
        task, 1, 0, device, spec.success_term, env_cfg_overrides=env_cfg_overrides(cfg, "train")
    )
    try:
        obs, _ = env.reset(seed=0)
        gr = to_gr00t_obs(to_rlinf_obs(obs, spec), spec)
    finally:
        env.close()
        app.close()
    return {k: (int(gr[k].shape[-2]), int(gr[k].shape[-3])) for k in views}

"""``isaaclab-rlinf init``: write a random ``model_path`` for a config, by its model family.

The family is the one serving ``actor.model.model_type`` (:mod:`isaaclab_rlinf.models.families`); its
``init`` does the work (GR00T: ``gr00t-init``'s checkpoint, openpi: ``openpi-init``'s, cnn_policy: a
random encoder). ``gr00t-init`` and ``openpi-init`` are this command with their family fixed and their own
options (:func:`run_init`).
"""

from __future__ import annotations

import argparse
from typing import Any

from .args import subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "init",
        help="write a random model_path for a config, by its model family (smoke tests)",
        description="Write a model_path with random weights for the config's model (the family of "
        "actor.model.model_type: gr00t, openpi, cnn_policy or a plugin's), shaped by its mapping.",
        handler=run,
    )
    g = p.add_argument_group("checkpoint")
    g.add_argument("--out", required=True, help="directory to write (created)")
    g.add_argument("--tiny", action="store_true", help="a cut-down model, where the family has one")
    g.add_argument("--device", default="cpu", help="simulation device for reading the task (default cpu)")
    return p


def run(args: argparse.Namespace) -> int:
    from omegaconf import OmegaConf

    from ..models.families import families, family_for
    from ..preflight import ConfigError
    from .config import build_config

    cfg = build_config(args)
    model_type = OmegaConf.select(cfg, "actor.model.model_type")
    family = family_for(model_type)
    if family is None or family.init is None:
        writers = ", ".join(f"{f.name} ({', '.join(f.model_types)})" for f in families() if f.init)
        raise ConfigError(
            f"actor.model.model_type: no random model_path writer for {model_type!r}. Fix: a config of a "
            f"family that has one: {writers}."
        )
    return run_init(args, family, cfg=cfg)


def run_init(args: argparse.Namespace, family: Any, cfg: Any = None, **options: Any) -> int:
    """Compose the config (unless given), register the tasks, run ``family.init`` and say what came out."""
    from .. import register
    from ..registry import RegistryError
    from .config import build_config, resolve_config_source

    cfg = build_config(args) if cfg is None else cfg
    config_dir, _ = resolve_config_source(args)
    try:
        register()  # the family reads the task (camera resolution, state statistics)
    except RegistryError as exc:  # a broken plugin: its tasks are missing, the others registered
        print(f"isaaclab-rlinf: note: {str(exc).splitlines()[0]}")
    line = family.init(
        cfg, config_dir, args.out, tiny=args.tiny, seed=args.seed or 0, device=args.device, **options
    )
    print(line)
    print(f"next: isaaclab-rlinf train ... --model_path {args.out}")
    return 0

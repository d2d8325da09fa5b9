"""``isaaclab-rlinf gr00t-init``: write a random-initialised GR00T N1.5 ``model_path`` for a config's mapping.

Smoke-test a new robot end to end (``train``/``play`` with ``--model_path OUT``) before spending hours
on a real checkpoint: ``config.json`` + ``model.safetensors`` (GR00T-N1.5-3B's architecture, random
weights; ``--tiny``: depth cut, widths kept) and ``experiment_cfg/metadata.json`` with the mapping's
video/state/action keys and widths under its embodiment tag. The camera resolution is read from the task
(built once with one env, as ``inspect`` does) unless ``--resolution WxH`` is given. Needs ``gr00t``
(``make install-gr00t``). The work is GR00T's family's ``init`` (``isaaclab_rlinf.models.gr00t.init``).
"""

from __future__ import annotations

import argparse

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
    from ..models.gr00t.family import FAMILY
    from .init_cmd import run_init

    return run_init(
        args,
        FAMILY,
        resolution=_resolution(args.resolution) if args.resolution else None,
        dtype=args.dtype,
    )

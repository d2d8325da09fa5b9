"""``isaaclab-rlinf openpi-init``: write a random-weight pi0 / pi0.5 ``model_path`` for an openpi config.

Smoke-test a task end to end (``train``/``play`` with ``--model_path OUT``) before fetching a 7 GB
checkpoint: ``model.safetensors`` (the model RLinf builds for ``actor.model.openpi``; ``--tiny``: every
width and depth cut, <1M parameters), ``isaaclab_rlinf/norm_stats.json`` from the task itself (states
observed over a few random steps of the task built with a few envs, actions from its action space; with
``--dataset``, from a recording of the config's mapping, as a fine-tuned model would have them) and,
unless the real PaliGemma tokenizer is in openpi's cache, a local stand-in tokenizer. Needs openpi
(``make install-openpi``; run it as ``.venv-openpi/bin/isaaclab-rlinf``). The work is openpi's family's
``init`` (``isaaclab_rlinf.models.openpi.init``). The config picks the model (pi0:
``isaaclab_ppo_openpi_pi0_franka_reach``, pi0.5: ``..._pi05_...``), so the weights are the model that
``train`` with the same config builds.
"""

from __future__ import annotations

import argparse

from .args import subcommand


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
        "--dataset",
        default=None,
        help="norm stats from this recording of the config's mapping (isaaclab-rlinf record) instead of "
        "the task's random steps",
    )
    g.add_argument("--device", default="cpu", help="simulation device for reading the task (default cpu)")
    return p


def run(args: argparse.Namespace) -> int:
    from ..models.openpi.family import FAMILY
    from .init_cmd import run_init

    return run_init(args, FAMILY, dataset=args.dataset)

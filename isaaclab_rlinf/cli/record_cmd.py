"""``isaaclab-rlinf record``: a task's scripted expert -> a LeRobot v2.0 dataset for the config's policy.

Runs the expert the task declares (``TaskSpec.expert``) in ``--num_envs`` envs at once, on CPU or CUDA,
through the config's ``env.<split>.isaaclab`` mapping, and writes ``--num_episodes`` episodes to ``--out``:
the mapped states, the policy's action, the instruction and one h264 video per mapped view
(``isaaclab_rlinf.dataset``). ``--only_success`` keeps the expert's successful episodes only;
``--replay`` re-runs each round with the recorded actions and reports how many outcomes it reproduced.
The dataset is what ``isaaclab-rlinf bc`` (small policies) and ``gr00t-finetune`` (GR00T N1.5) read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from omegaconf import open_dict

from .args import subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "record",
        help="record a task's scripted expert through a config's mapping into a LeRobot v2.0 dataset",
        description=__doc__.split("\n\n")[1],
        handler=run,
    )
    p.set_defaults(num_envs=16)
    g = p.add_argument_group("record")
    g.add_argument("--out", required=True, help="dataset directory to create (must not exist or be empty)")
    g.add_argument("--num_episodes", type=int, default=64, help="episodes to write (default 64)")
    g.add_argument("--only_success", action="store_true", help="write only the expert's successful episodes")
    g.add_argument(
        "--replay", action="store_true", help="replay each round's actions and count reproduced outcomes"
    )
    g.add_argument(
        "--split", choices=("train", "eval"), default="train", help="whose mapping to record (default train)"
    )
    g.add_argument(
        "--action_noise",
        type=float,
        default=None,
        help="std of Gaussian noise added to the actions the env is stepped with; the expert's own action is "
        "stored (DART: states off the expert's path, labelled with its correction). Default: the expert's "
        "action_noise (Franka Lift 0.05), else 0",
    )
    g.add_argument("--device", default="cpu", help="simulation device (default cpu; cuda:0 on a GPU)")
    g.add_argument("--no_progress", action="store_true", help="no progress bar")
    return p


def run(args: argparse.Namespace) -> int:
    from ..dataset import DatasetError, check_output_dir
    from ..preflight import ConfigError
    from ..record import record
    from ..registry import load_expert
    from .config import build_config

    if args.num_episodes <= 0 or args.num_envs <= 0:
        raise ConfigError(
            f"--num_episodes / --num_envs: {args.num_episodes} / {args.num_envs}; both must be > 0. "
            "Fix: e.g. --num_episodes 64 --num_envs 16."
        )
    if args.action_noise is not None and not args.action_noise >= 0:
        raise ConfigError(f"--action_noise: {args.action_noise}; must be >= 0. Fix: e.g. --action_noise 0.1.")
    try:
        check_output_dir(args.out)
    except DatasetError as exc:
        raise ConfigError(str(exc)) from None
    cfg = build_config(args)
    env_cfg = cfg.env[args.split]
    try:
        load_expert(env_cfg.init_params.id)
    except LookupError as exc:
        raise ConfigError(f"--task / env.{args.split}.init_params.id: {exc}") from None
    with open_dict(env_cfg):
        env_cfg.init_params.device = args.device
    result = record(
        env_cfg,
        args.out,
        num_episodes=args.num_episodes,
        num_envs=args.num_envs,
        device=args.device,
        seed=args.seed or 0,
        only_success=args.only_success,
        replay=args.replay,
        action_dims=_gr00t_action_dims(cfg, args.split),
        progress=not args.no_progress,
        action_noise=args.action_noise,
    )
    summary = result.summary()
    print(
        f"task {result.task} (env.{args.split}): {result.episodes} episodes, {result.frames} frames "
        f"-> {args.out}; "
        f"expert success {result.expert_successes}/{result.expert_episodes} in {result.seconds} s"
    )
    if args.replay:
        print(f"replay: {result.replay_agreed}/{result.replayed} episodes reproduced their outcome")
    print(json.dumps(summary))
    (Path(args.out) / "meta" / "record.json").write_text(json.dumps(summary, indent=2))
    return 0


def _gr00t_action_dims(cfg, split: str) -> dict[str, int] | None:
    """The GR00T data config's ``action_dims`` when the mapping names one (splits multi-key actions)."""
    from ..preflight import select

    name = select(cfg, f"env.{split}.isaaclab.data_config_class")
    if not name or "gr00t_mapping" not in (cfg.env[split].isaaclab or {}):
        return None
    from ..models.gr00t import load_data_config

    return dict(getattr(load_data_config(name), "action_dims", {}) or {})

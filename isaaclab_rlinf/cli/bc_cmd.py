"""``isaaclab-rlinf bc``: behaviour cloning of a config's small policy on a recorded dataset.

Trains the config's ``actor.model`` (RLinf's ``mlp_policy``, or ``cnn_policy`` on the mapped camera
views) on a dataset written by ``isaaclab-rlinf record`` with the same config, and writes
``--out/full_weights.pt``: ``train --model_path OUT`` starts PPO from it, ``play --model_path OUT``
evaluates it. The dataset is checked against the config's mapping first (state and action widths, views
and their size); ``bc.json`` beside the weights has the held-out action error.
"""

from __future__ import annotations

import argparse
import json

from .args import subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "bc",
        help="behaviour cloning of a config's MLP or CNN policy on a recorded dataset -> full_weights.pt",
        description=__doc__.split("\n\n")[1],
        handler=run,
    )
    g = p.add_argument_group("behaviour cloning")
    g.add_argument("--dataset", required=True, help="a dataset directory written by `isaaclab-rlinf record`")
    g.add_argument("--out", required=True, help="directory to create for full_weights.pt and bc.json")
    g.add_argument("--epochs", type=int, default=200, help="passes over the dataset (default 200)")
    g.add_argument("--batch_size", type=int, default=512, help="frames per step (default 512)")
    g.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    g.add_argument(
        "--logstd",
        type=float,
        default=-1.5,
        help="the policy's log std for PPO's first epochs (default -1.5)",
    )
    g.add_argument("--holdout", type=float, default=0.1, help="fraction of episodes held out (default 0.1)")
    g.add_argument("--device", default="cpu", help="training device (default cpu)")
    return p


def run(args: argparse.Namespace) -> int:
    from ..bc import PIXEL_MODELS, SUPPORTED_MODELS, behaviour_clone
    from ..dataset import DatasetError, Layout, check_layout, check_output_dir, load_arrays, load_videos
    from ..preflight import ConfigError, select
    from ..spec import MappingSpec
    from .config import build_config

    if args.epochs <= 0 or args.batch_size <= 0 or not 0 <= args.holdout < 1:
        raise ConfigError(
            f"--epochs / --batch_size / --holdout: {args.epochs} / {args.batch_size} / {args.holdout}; "
            "epochs and batch size must be > 0 and holdout in [0, 1). Fix: e.g. --epochs 200 --holdout 0.1."
        )
    cfg = build_config(args)
    model_type = select(cfg, "actor.model.model_type")
    if model_type not in SUPPORTED_MODELS:
        raise ConfigError(
            f"actor.model.model_type: {model_type!r}; `bc` trains {', '.join(SUPPORTED_MODELS)}. Fix: use a "
            "config with an MLP or CNN policy, or `isaaclab-rlinf gr00t-finetune` for GR00T."
        )
    pixels = model_type in PIXEL_MODELS
    if pixels:
        from ..models.cnn_policy import check_config

        try:
            check_config(cfg)  # image_size [3, H, W], image_num = the mapped views, ...; installs the builder
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    spec = MappingSpec.from_config(cfg.env.train.isaaclab, path="env.train.isaaclab")
    width_key = "actor.model.state_dim" if pixels else "actor.model.obs_dim"
    layout = Layout.from_spec(spec, int(select(cfg, width_key)), int(cfg.actor.model.action_dim))
    try:
        check_output_dir(args.out)
        info = check_layout(
            args.dataset, layout, f"the config's env.train.isaaclab and actor.model ({model_type})"
        )
        if pixels:
            _check_image_size(
                args.dataset, info, spec.camera_keys, list(select(cfg, "actor.model.image_size"))
            )
        states, actions, episodes = load_arrays(args.dataset)
        images = load_videos(args.dataset, spec.camera_keys, episodes) if pixels else None
    except DatasetError as exc:
        raise ConfigError(str(exc)) from None
    result = behaviour_clone(
        cfg.actor.model,
        states,
        actions,
        episodes,
        args.out,
        images=images,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        logstd=args.logstd,
        holdout=args.holdout,
        seed=args.seed or 0,
        device=args.device,
        dataset=str(args.dataset),
    )
    print(
        f"bc {model_type}: {result.episodes} episodes ({result.train_frames} train / {result.heldout_frames} "
        f"held-out frames), {result.steps} steps in {result.seconds} s; action MSE train {result.train_mse}, "
        f"held-out {result.heldout_mse} (before: train {result.initial_train_mse}) -> {result.weights}"
    )
    print(json.dumps({"weights": result.weights, "heldout_mse": result.heldout_mse}))
    return 0


def _check_image_size(dataset: str, info: dict, cameras: tuple[str, ...], image_size: list) -> None:
    """Every view the policy reads is ``actor.model.image_size`` ([3, H, W]) big; one line if not.

    Why before training: ``cnn_policy`` sizes its encoders' pooling from ``image_size``, so frames of
    another size either fail deep in the ResNet or (same pixel count) train a policy for a camera the
    config does not have.
    """
    from ..dataset import DatasetError, video_key

    for camera in cameras:
        h, w, _ = info["features"][video_key(camera)]["shape"]
        if [h, w] != list(image_size[1:]):
            raise DatasetError(
                f"--dataset {dataset!r}: {video_key(camera)} is {h}x{w} but actor.model.image_size is "
                f"{list(image_size)}; nothing was written. Fix: record the dataset with this config's "
                f"cameras, or clone at {h}x{w}: actor.model.image_size=[3,{h},{w}] with cameras of that size "
                f"(e.g. env.train.init_params.env_cfg.camera_resolution={h})."
            )

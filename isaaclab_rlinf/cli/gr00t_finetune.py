"""``isaaclab-rlinf gr00t-finetune``: GR00T's own fine-tuning of a GR00T N1.5 model on a recorded dataset.

Runs GR00T's ``TrainRunner`` (as its ``scripts/gr00t_finetune.py`` does) on a dataset written by
``isaaclab-rlinf record`` with the same config, from ``--model_path`` (``gr00t-init``'s random model or a
real checkpoint), with the config's data config and embodiment tag/id, and writes ``--out``: a
``model_path`` that ``train --model_path OUT`` warm-starts PPO from and ``play --model_path OUT``
evaluates, with the dataset's normalisation statistics in ``experiment_cfg/metadata.json`` and
``gr00t_finetune.json`` (steps, seconds, losses). Everything is checked first (exit 2, nothing written).
"""

from __future__ import annotations

import argparse
import json

from .args import subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "gr00t-finetune",
        help="fine-tune GR00T N1.5 on a recorded dataset with GR00T's trainer -> a model_path for train/play",
        description=__doc__.split("\n\n")[1],
        handler=run,
    )
    g = p.add_argument_group("fine-tuning (defaults: GR00T's scripts/gr00t_finetune.py)")
    g.add_argument("--dataset", required=True, help="a dataset directory written by `isaaclab-rlinf record`")
    g.add_argument(
        "--model_path",
        dest="base_model_path",  # not build_config's model_path: the base is read here, not by RLinf
        required=True,
        help="base GR00T N1.5 model directory (gr00t-init's, or a checkpoint)",
    )
    g.add_argument(
        "--eval_dataset",
        default=None,
        help="held-out demonstrations (another `record` with another --seed): the open-loop action error "
        "of the fine-tuned model on them (and on as many training episodes) goes into gr00t_finetune.json",
    )
    g.add_argument("--out", required=True, help="model directory to create (must not exist or be empty)")
    g.add_argument("--max_steps", type=int, default=1000, help="optimiser steps (default 1000)")
    g.add_argument("--batch_size", type=int, default=32, help="samples per step (default 32)")
    g.add_argument(
        "--lr", type=float, default=1e-4, help="peak learning rate, cosine schedule (default 1e-4)"
    )
    g.add_argument("--weight_decay", type=float, default=1e-5, help="AdamW weight decay (default 1e-5)")
    g.add_argument(
        "--warmup_ratio", type=float, default=0.05, help="share of steps warming up (default 0.05)"
    )
    g.add_argument(
        "--device",
        default=None,
        help="cpu or cuda (default: cuda when there is one; cuda:N: CUDA_VISIBLE_DEVICES)",
    )
    g.add_argument("--tune_llm", action="store_true", help="also train the backbone's LLM (default frozen)")
    g.add_argument("--tune_visual", action="store_true", help="also train the vision tower (default frozen)")
    g.add_argument(
        "--no_tune_projector",
        dest="tune_projector",
        action="store_false",
        help="freeze the action head's state/action projectors (default trained)",
    )
    g.add_argument(
        "--no_tune_diffusion_model",
        dest="tune_diffusion_model",
        action="store_false",
        help="freeze the action head's DiT (default trained)",
    )
    g.add_argument(
        "--dataloader_workers",
        type=int,
        default=None,
        help="data loader processes (default 0 on CPU, 8 on CUDA)",
    )
    g.add_argument("--dtype", choices=("bfloat16", "float32"), default="bfloat16", help="saved weights dtype")
    g.add_argument("--log_every", type=int, default=10, help="print the loss every N steps (default 10)")
    return p


def run(args: argparse.Namespace) -> int:
    from ..dataset import DatasetError, check_output_dir
    from ..models.gr00t import require_gr00t
    from ..models.gr00t.finetune import FinetuneInputError, FinetuneOptions, check_inputs, finetune
    from ..preflight import ConfigError
    from .config import build_config, resolve_config_source

    if args.max_steps <= 0 or args.batch_size <= 0 or args.lr <= 0 or args.log_every <= 0:
        raise ConfigError(
            f"--max_steps / --batch_size / --lr / --log_every: {args.max_steps} / {args.batch_size} / "
            f"{args.lr} / {args.log_every}; all must be > 0. Fix: e.g. --max_steps 1000 --batch_size 32."
        )
    device = _device(args.device)
    try:
        check_output_dir(args.out)  # first: the cheapest refusal
        cfg = build_config(args)
        config_dir, _ = resolve_config_source(args)
        plan = check_inputs(cfg, config_dir, args.dataset, args.base_model_path, args.out, args.eval_dataset)
    except (DatasetError, FinetuneInputError) as exc:
        raise ConfigError(str(exc)) from None
    require_gr00t("gr00t")
    options = FinetuneOptions(
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=args.weight_decay,
        warmup_ratio=args.warmup_ratio,
        device=device,
        tune_llm=args.tune_llm,
        tune_visual=args.tune_visual,
        tune_projector=args.tune_projector,
        tune_diffusion_model=args.tune_diffusion_model,
        dataloader_workers=args.dataloader_workers,
        seed=42 if args.seed is None else args.seed,
        dtype=args.dtype,
        log_every=args.log_every,
    )
    result = finetune(plan, options, report=lambda line: print(line, flush=True))
    print(
        f"gr00t-finetune: {result.steps} steps in {result.seconds} s, final loss {result.final_loss:.4f} "
        f"(first {result.first_loss:.4f}, mean of the last 10 {result.mean_loss_last_10:.4f}) -> {result.out}"
    )
    print(f"next: isaaclab-rlinf play|train --config_name ... --model_path {result.out}")
    summary = {k: v for k, v in result.summary().items() if k != "losses"}
    print(json.dumps(summary))
    return 0


def _device(device: str | None) -> str:
    """``cpu`` or ``cuda`` (GR00T's trainer runs on one device: ``cuda`` is its first visible GPU)."""
    from ..preflight import ConfigError

    if device is None:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    if device in ("cpu", "cuda", "cuda:0"):
        return "cuda" if device == "cuda:0" else device
    raise ConfigError(
        f"--device: {device!r}; the trainer runs on cpu or on the first visible GPU (cuda). "
        "Fix: --device cuda with CUDA_VISIBLE_DEVICES=N to pick GPU N."
    )

"""Supervised fine-tuning of GR00T N1.5 on a recorded dataset, with GR00T's own trainer.

Why GR00T's trainer and not ours: RLinf 0.3.0's SFT loader has no GR00T path, and GR00T's
``TrainRunner`` (``gr00t/experiment/runner.py``, what the release's ``scripts/gr00t_finetune.py`` runs) is
what GR00T checkpoints are post-trained with: its dataset class, transforms, flow-matching loss, optimiser
and, above all, the ``experiment_cfg/metadata.json`` it writes from the dataset. That file holds the
normalisation statistics the model was trained with, which our bridge de-normalises the actions with
during RL; a fine-tuned directory with any other statistics would act wrongly.

What is ours: the data config is the run's ``data_config_class`` (loaded before ``gr00t.data.dataset`` is
imported, since it patches GR00T's ``EmbodimentTag`` enum that GR00T's pydantic schema binds at import),
the embodiment id is the config's (``new_embodiment`` -> 31, the id RL then uses), the attention
implementation and a tiny checkpoint's depth are applied as for RL (``runtime.prepare``), and the result
is checked by :func:`.checkpoint.check_checkpoint` before we say it is done. The output directory is a
``model_path`` that ``train``/``play --model_path`` take unchanged: ``config.json``, the weights
(``--dtype``, bf16 by default like ``gr00t-init``), ``experiment_cfg/metadata.json`` and, for a tiny base,
its ``isaaclab_rlinf.json``; plus :data:`SUMMARY_FILE`, GR00T's ``trainer_state.json`` and ``runs/``.

Defaults are GR00T's script's: projector + diffusion head trained, LLM and vision tower frozen, AdamW
(0.95, 0.999), lr 1e-4, weight decay 1e-5, 5% warm-up, cosine schedule, bf16 autocast and tf32 on CUDA
(float32 on CPU, where bf16 autocast is slow and tf32 does not exist). ``gr00t`` is imported lazily.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ...dataset import Layout, check_layout, check_output_dir
from ...spec import MappingSpec

SUMMARY_FILE = "gr00t_finetune.json"
VIDEO_BACKEND = "decord"  # installed; GR00T's default torchcodec (and PyAV) are not
N1D5_MODEL_TYPE = "gr00t_n1_5"  # config.json's model_type of a GR00T N1.5 checkpoint
OPEN_LOOP_EPISODES = 64  # episodes of each dataset the open-loop error is measured on
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")


class FinetuneInputError(ValueError):
    """An input of the fine-tuning that cannot work (config, base model); one line naming key, value, fix."""


@dataclass(frozen=True)
class FinetuneOptions:
    """How to train; the defaults are those of GR00T's ``scripts/gr00t_finetune.py``."""

    max_steps: int = 1000
    batch_size: int = 32
    lr: float = 1e-4
    weight_decay: float = 1e-5
    warmup_ratio: float = 0.05
    device: str = "cuda"
    tune_llm: bool = False
    tune_visual: bool = False
    tune_projector: bool = True
    tune_diffusion_model: bool = True
    dataloader_workers: int | None = None  # None: 0 on CPU, min(8, cores) on CUDA
    seed: int = 42
    dtype: str = "bfloat16"
    log_every: int = 10


@dataclass(frozen=True)
class FinetunePlan:
    """Everything :func:`check_inputs` resolved and checked: nothing is written before it exists."""

    spec: MappingSpec
    data_config: Any
    dataset: Path
    base: Path
    out: Path
    action_dim: int
    embodiment_tag_id: int | None
    attn_implementation: str | None
    frames: int
    episodes: int
    eval_dataset: Path | None = None  # held-out demonstrations for the open-loop error (.open_loop)


@dataclass
class FinetuneResult:
    """What a run did; :meth:`summary` is the JSON written to ``out/`` :data:`SUMMARY_FILE`."""

    out: str
    steps: int
    seconds: float
    final_loss: float
    first_loss: float
    mean_loss_last_10: float
    trainable_parameters: int
    frames: int
    episodes: int
    options: dict[str, Any]
    dataset: str
    base_model: str
    total_seconds: float = 0.0
    losses: list[float] = field(default_factory=list)
    # open-loop action error (.open_loop.OpenLoopResult.summary) on held-out and on training episodes
    open_loop_heldout: dict[str, Any] | None = None
    open_loop_train: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        return asdict(self)


def check_inputs(
    cfg: Any,
    config_dir: str | os.PathLike | None,
    dataset: str | os.PathLike,
    base: str | os.PathLike,
    out: str,
    eval_dataset: str | os.PathLike | None = None,
) -> FinetunePlan:
    """Check every input before anything is loaded or written; one-line errors naming key, value and fix.

    Raises :class:`FinetuneInputError` (config, base model) or :class:`~isaaclab_rlinf.dataset.DatasetError`
    (``out`` not empty, a dataset that does not match the config's mapping). Installs the bridge for
    ``cfg`` (the checks of its ``isaaclab`` block and data config are the bridge's)."""
    from omegaconf import OmegaConf

    from . import install, load_data_config

    check_output_dir(out)
    model_type = OmegaConf.select(cfg, "actor.model.model_type")
    if model_type != "gr00t":
        raise FinetuneInputError(
            f"actor.model.model_type: {model_type!r}; gr00t-finetune trains GR00T N1.5 (model_type 'gr00t'). "
            "Fix: pick a GR00T config, or `isaaclab-rlinf bc` for a small policy."
        )
    spec = install(cfg, config_dir=config_dir).spec
    if not spec.data_config_class:
        raise FinetuneInputError(
            f"{spec.path}.data_config_class: None; GR00T's trainer needs the data config (keys, transforms). "
            "Fix: set data_config_class: 'module:Class' (see isaaclab_rlinf/models/gr00t/data_config.py)."
        )
    data_config = load_data_config(spec.data_config_class, config_dir, f"{spec.path}.data_config_class")
    action_dim = int(OmegaConf.select(cfg, "actor.model.action_dim"))
    state_dim = max((k.slice[1] for k in spec.gr00t_mapping.state), default=0)
    layout = Layout.from_spec(
        spec, state_dim, action_dim, dict(getattr(data_config, "action_dims", {}) or {})
    )
    info = check_layout(dataset, layout, f"the config's {spec.path} (GR00T keys and widths)")
    if eval_dataset is not None:
        check_layout(eval_dataset, layout, f"the config's {spec.path} (GR00T keys and widths)")
    base_config = check_base_model(base)
    horizon = len(data_config.action_indices)
    head = base_config.get("action_head_cfg", {})
    if head.get("action_horizon") != horizon:
        raise FinetuneInputError(
            f"--model_path: {str(base)!r} predicts {head.get('action_horizon')} action steps, the data "
            f"config {spec.data_config_class} trains {horizon} (action_indices). Fix: use a base model with "
            f"action_horizon {horizon}, or that many action_indices."
        )
    return FinetunePlan(
        spec=spec,
        data_config=data_config,
        dataset=Path(dataset).resolve(),
        base=Path(base).resolve(),
        out=Path(out).resolve(),
        action_dim=action_dim,
        embodiment_tag_id=spec.embodiment_tag_id,
        attn_implementation=OmegaConf.select(cfg, "actor.model.attn_implementation", default=None),
        frames=int(info["total_frames"]),
        episodes=int(info["total_episodes"]),
        eval_dataset=None if eval_dataset is None else Path(eval_dataset).resolve(),
    )


def check_base_model(path: str | os.PathLike) -> dict[str, Any]:
    """The base ``model_path`` is a GR00T N1.5 checkpoint directory (``config.json`` of ``gr00t_n1_5`` and
    weights); returns its ``config.json``. Its ``metadata.json`` is not needed: the dataset's replaces it."""
    root = Path(path).expanduser()
    fix = (
        "Fix: pass a GR00T N1.5 model directory (`isaaclab-rlinf gr00t-init --out DIR` writes a random "
        "one; or a real checkpoint such as GR00T-N1.5-3B downloaded to a directory)."
    )
    if not root.is_dir():
        raise FinetuneInputError(f"--model_path: {str(path)!r} is not a directory. {fix}")
    try:
        config = json.loads((root / "config.json").read_text())
    except (OSError, ValueError):
        raise FinetuneInputError(f"--model_path: {str(path)!r} has no readable config.json. {fix}") from None
    if config.get("model_type") != N1D5_MODEL_TYPE:
        raise FinetuneInputError(
            f"--model_path: {str(path)!r} is a {config.get('model_type')!r} model, not GR00T N1.5 "
            f"({N1D5_MODEL_TYPE!r} in config.json). {fix}"
        )
    if not any((root / name).is_file() for name in WEIGHT_FILES):
        raise FinetuneInputError(f"--model_path: {str(path)!r} has a config.json but no weights. {fix}")
    return config


def build_dataset(plan: FinetunePlan, path: Path | None = None, raw: bool = False) -> Any:
    """GR00T's ``LeRobotSingleDataset`` over the recording (``path``, default the training one) with the
    data config's modality config and transforms (none when ``raw``: the open-loop evaluation applies the
    training set's own), under the config's embodiment tag and id (GR00T's transform copies the tag -> id
    mapping when built, so the config's id is set on it here, as the RL loader does)."""
    from .tags import _force_embodiment_id, register_embodiment_tag

    tag, tag_id = plan.spec.embodiment_tag, plan.embodiment_tag_id
    register_embodiment_tag(tag, tag_id)  # after load_data_config: gr00t sees RLinf's tag enum
    transforms = None if raw else plan.data_config.transform()
    if tag_id is not None and transforms is not None:
        _force_embodiment_id(transforms, tag, int(tag_id))
    from gr00t.data.dataset import LeRobotSingleDataset
    from gr00t.data.embodiment_tags import EmbodimentTag

    return LeRobotSingleDataset(
        dataset_path=str(path or plan.dataset),
        modality_configs=plan.data_config.modality_config(),
        transforms=transforms,
        embodiment_tag=EmbodimentTag(tag),
        video_backend=VIDEO_BACKEND,
    )


def load_base_model(plan: FinetunePlan, options: FinetuneOptions) -> Any:
    """``GR00T_N1_5.from_pretrained`` as GR00T's script loads it, with the tuning flags, the config's
    attention and a tiny checkpoint's depth (an absolute path: GR00T's hub lookup falls back to it)."""
    from .checkpoint import eagle_overrides
    from .runtime import apply_attention, prepare

    attn = prepare(plan.attn_implementation, eagle=eagle_overrides(plan.base))
    from gr00t.model.gr00t_n1 import GR00T_N1_5

    model = GR00T_N1_5.from_pretrained(
        str(plan.base),
        tune_llm=options.tune_llm,
        tune_visual=options.tune_visual,
        tune_projector=options.tune_projector,
        tune_diffusion_model=options.tune_diffusion_model,
    )
    apply_attention(model, attn)
    if not options.device.startswith("cuda"):
        # the Eagle backbone comes back in its config's bf16 and the action head in float32; on CUDA the
        # trainer's bf16 autocast bridges them (as in GR00T's script), on CPU one dtype does
        model.float()
    model.compute_dtype = "bfloat16"  # as GR00T's script
    model.config.compute_dtype = "bfloat16"
    return model


def training_arguments(out: Path, options: FinetuneOptions) -> Any:
    """GR00T's script's ``TrainingArguments``, with per-step loss logging and no intermediate checkpoints
    (the out directory is the one ``model_path``)."""
    from transformers import TrainingArguments

    cuda = options.device.startswith("cuda")
    workers = options.dataloader_workers
    if workers is None:
        workers = min(8, os.cpu_count() or 1) if cuda else 0
    return TrainingArguments(
        output_dir=str(out),
        run_name=out.name,
        remove_unused_columns=False,
        gradient_checkpointing=False,
        bf16=cuda,
        tf32=cuda,
        use_cpu=not cuda,
        per_device_train_batch_size=options.batch_size,
        gradient_accumulation_steps=1,
        dataloader_num_workers=workers,
        dataloader_pin_memory=False,
        dataloader_persistent_workers=workers > 0,
        optim="adamw_torch",
        adam_beta1=0.95,
        adam_beta2=0.999,
        adam_epsilon=1e-8,
        learning_rate=options.lr,
        weight_decay=options.weight_decay,
        warmup_ratio=options.warmup_ratio,
        lr_scheduler_type="cosine",
        logging_steps=1,
        max_steps=options.max_steps,
        save_strategy="no",
        report_to="tensorboard",
        disable_tqdm=True,
        seed=options.seed,
        do_eval=False,
    )


def _loss_callback(options: FinetuneOptions, report: Callable[[str], None]) -> Any:
    """A ``TrainerCallback`` that keeps every step's loss and reports every ``log_every`` steps."""
    from transformers import TrainerCallback

    class LossLog(TrainerCallback):
        def __init__(self) -> None:
            self.losses: list[float] = []
            self.t0 = time.perf_counter()

        def on_log(
            self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any
        ) -> None:
            if not logs or "loss" not in logs:
                return
            self.losses.append(float(logs["loss"]))
            step = state.global_step
            if step % options.log_every == 0 or step == options.max_steps or step == 1:
                dt = time.perf_counter() - self.t0
                report(
                    f"gr00t-finetune: step {step}/{options.max_steps} loss {logs['loss']:.4f} "
                    f"grad_norm {logs.get('grad_norm', math.nan):.3g} lr {logs.get('learning_rate', 0):.2e} "
                    f"({dt:.0f} s, {step / dt:.2f} steps/s)"
                )

    return LossLog()


def finetune(
    plan: FinetunePlan, options: FinetuneOptions, report: Callable[[str], None] = print
) -> FinetuneResult:
    """Fine-tune ``plan.base`` on ``plan.dataset`` with GR00T's ``TrainRunner``; write the ``model_path``.

    The run's metadata.json is TrainRunner's (the dataset's statistics and modalities under the tag); the
    weights are saved in ``options.dtype``; the written directory is checked against the mapping."""
    import torch

    from .checkpoint import OVERRIDES_FILE, check_checkpoint
    from .open_loop import open_loop_mse

    t_start = time.perf_counter()
    dataset = build_dataset(plan)
    model = load_base_model(plan, options)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    report(
        f"gr00t-finetune: {plan.episodes} episodes / {plan.frames} frames from {plan.dataset}; base "
        f"{plan.base}; {trainable / 1e6:.1f}M trainable parameters (projector {options.tune_projector}, "
        f"diffusion {options.tune_diffusion_model}, llm {options.tune_llm}, visual {options.tune_visual})"
    )
    from gr00t.experiment.runner import TrainRunner
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    runner = TrainRunner(
        model=model, training_args=training_arguments(plan.out, options), train_dataset=dataset
    )
    trainer = runner.trainer
    for noisy in (PrinterCallback, ProgressCallback):  # a dict per step; ours prints every log_every
        trainer.remove_callback(noisy)
    losses = _loss_callback(options, report)
    trainer.add_callback(losses)
    t_train = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t_train
    trainer.save_state()
    open_loop = {}
    horizon = len(plan.data_config.action_indices)
    # GR00T's own inference on recorded frames (before the bf16 cast below): held-out, and as many
    # training episodes, to tell under-fitting from over-fitting
    evals = (("heldout", plan.eval_dataset), ("train", plan.dataset)) if plan.eval_dataset else ()
    for name, path in evals:
        raw = build_dataset(plan, path, raw=True)
        ol = open_loop_mse(trainer.model, dataset.transforms, raw, horizon, OPEN_LOOP_EPISODES)
        open_loop[name] = ol.summary()
        report(
            f"gr00t-finetune: open-loop action MSE on {ol.episodes} {name} episodes ({ol.predictions} "
            f"chunks): chunk {ol.chunk_mse:.5f}, first action {ol.first_action_mse:.5f} ({ol.seconds} s)"
        )
    # TrainRunner.train would save float32 weights (11 GB at full size); RL loads bf16 anyway
    trained = trainer.model.to(getattr(torch, options.dtype))
    trained.config.torch_dtype = options.dtype
    trained.save_pretrained(plan.out, safe_serialization=True)
    if (plan.base / OVERRIDES_FILE).is_file():  # a tiny base's backbone depth, which our loader applies
        shutil.copy2(plan.base / OVERRIDES_FILE, plan.out / OVERRIDES_FILE)
    check_checkpoint(plan.out, plan.spec, action_dim=plan.action_dim, data_config=plan.data_config)
    steps = len(losses.losses)
    tail = losses.losses[-10:]
    result = FinetuneResult(
        out=str(plan.out),
        steps=steps,
        seconds=round(seconds, 2),
        final_loss=losses.losses[-1] if steps else math.nan,
        first_loss=losses.losses[0] if steps else math.nan,
        mean_loss_last_10=sum(tail) / len(tail) if tail else math.nan,
        trainable_parameters=trainable,
        frames=plan.frames,
        episodes=plan.episodes,
        options=asdict(options),
        dataset=str(plan.dataset),
        base_model=str(plan.base),
        total_seconds=round(time.perf_counter() - t_start, 2),
        losses=losses.losses,
        open_loop_heldout=open_loop.get("heldout"),
        open_loop_train=open_loop.get("train"),
    )
    (plan.out / SUMMARY_FILE).write_text(json.dumps(result.summary(), indent=2) + "\n")
    return result

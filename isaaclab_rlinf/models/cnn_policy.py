"""CNN policy bridge: RLinf's ``cnn_policy`` with a random encoder we write ourselves, trainable on demand.

RLinf 0.3.0's ``cnn_policy`` (``rlinf/models/embodiment/cnn_policy``) encodes each camera view with a
ResNet10 (``modules/resnet_utils.py: ResNetEncoder``) and concatenates the features with a projection
of ``states``. Two things stand between it and a pixel policy trained from scratch:

* The encoder ``torch.load``\\ s its backbone from ``<model_path>/<encoder_config.ckpt_name>``; RLinf
  ships no such file. :func:`write_random_encoder` writes a seeded random initialisation of RLinf's own
  ``ResNet10`` class (same keys and shapes, no download), and :func:`provide_encoder_weights` (called by
  the launcher) writes it into the run directory when ``model_path`` is empty.
* ``ResNetEncoder`` hard-codes ``use_pretrain=True``: the backbone's parameters are frozen and its output
  is detached, so with random weights the policy learns only on top of fixed random features.
  :func:`build_cnn_policy` is RLinf's builder plus a switch: with ``encoder_config.trainable: true`` it
  un-freezes every backbone and stops the detach, so PPO's gradients reach the convolutions. Without the
  switch the model is exactly RLinf's.

:func:`install` registers that builder under the same name (``register_model("cnn_policy", ...,
force=True)``): :data:`FAMILY`'s install, run in the driver before Ray and by ``isaaclab_rlinf.register()``
in every Ray worker (from ``RLINF_CONFIG_FILE``), only for configs whose model is a ``cnn_policy``:
importing ``rlinf.models`` costs seconds.

:data:`FAMILY` is this model's face to the launcher (:mod:`isaaclab_rlinf.models.family`): install, the
checks above and :func:`~isaaclab_rlinf.models.weights.check_weights_fit`, the run's random encoder, and
``init`` (a random encoder in a ``model_path`` of its own).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from .family import ModelFamily

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_CKPT_NAME",
    "ENCODER_DIR",
    "FAMILY",
    "MODEL_TYPE",
    "action_mean",
    "build_cnn_policy",
    "build_standalone",
    "check_config",
    "encoder_trainable",
    "install",
    "is_cnn_policy_config",
    "make_encoders_trainable",
    "provide_encoder_weights",
    "write_random_encoder",
]

MODEL_TYPE = "cnn_policy"
DEFAULT_CKPT_NAME = "resnet10_random.pt"
"""File name :func:`provide_encoder_weights` gives the random encoder when ``ckpt_name`` is unset."""
ENCODER_DIR = "cnn_encoder"
"""Sub-directory of the run directory that receives the random encoder (the run's ``model_path``)."""

_MODEL_PATHS = ("actor.model", "rollout.model")
_installed = False


# --------------------------------------------------------------------------------------------------
# the encoder file


def write_random_encoder(path: str | os.PathLike, seed: int = 0) -> Path:
    """Save a random initialisation of RLinf's ``ResNet10`` backbone to ``path`` (what its encoder loads).

    Seeded and independent of the global RNG state, so every process that writes it gets the same file.
    The write is atomic (temporary file, then rename): a worker never reads half a file.
    """
    import torch
    from rlinf.models.embodiment.modules.resnet_utils import ResNet10

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        backbone = ResNet10(pre_pooling=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save(backbone.state_dict(), tmp)
    os.replace(tmp, path)
    return path


def provide_encoder_weights(cfg: Any, run_dir: str | os.PathLike, seed: int = 0) -> Path | None:
    """Give a ``cnn_policy`` config an encoder file; returns the file, or None for other models.

    With ``model_path`` empty (the packaged configs), writes a random encoder to
    ``<run_dir>/cnn_encoder/<ckpt_name>`` and points ``actor.model.model_path`` and
    ``rollout.model.model_path`` there (``ckpt_name`` defaults to :data:`DEFAULT_CKPT_NAME`), so the
    saved config every worker reads names it. A non-empty ``model_path`` must already hold the file
    (a pre-trained encoder, or the directory of an earlier run): :func:`check_config` says so.
    """
    from omegaconf import OmegaConf, open_dict

    paths = [p for p in _MODEL_PATHS if _select(cfg, f"{p}.model_type") == MODEL_TYPE]
    if not paths:
        return None
    if all(_select(cfg, f"{p}.model_path") for p in paths):
        return None
    ckpt_name = _select(cfg, f"{paths[0]}.encoder_config.ckpt_name") or DEFAULT_CKPT_NAME
    model_dir = (Path(run_dir) / ENCODER_DIR).resolve()
    path = write_random_encoder(model_dir / ckpt_name, seed=seed)
    for p in _MODEL_PATHS:  # actor first: a rollout.model_path interpolating it then reads the new path
        if OmegaConf.select(cfg, p, default=None) is None:
            continue
        with open_dict(cfg):
            if not _select(cfg, f"{p}.model_path"):
                OmegaConf.update(cfg, f"{p}.model_path", str(model_dir), merge=True)
            if not _select(cfg, f"{p}.encoder_config.ckpt_name"):
                OmegaConf.update(cfg, f"{p}.encoder_config.ckpt_name", ckpt_name, merge=True)
    logger.info("cnn_policy: random ResNet10 encoder (seed %d) written to %s", seed, path)
    return path


# --------------------------------------------------------------------------------------------------
# the model


def encoder_trainable(model_cfg: Any, path: str = "actor.model") -> bool:
    """``encoder_config.trainable`` of a model config (default False, RLinf's frozen encoder)."""
    value = _select(model_cfg, "encoder_config.trainable", False)
    if not isinstance(value, bool):
        raise ValueError(
            f"{path}.encoder_config.trainable: must be true or false (got {value!r}). "
            f"Fix: {path}.encoder_config.trainable=true to train the encoder, false to keep it frozen."
        )
    return value


def make_encoders_trainable(model: Any) -> Any:
    """Un-freeze every ResNet backbone of a ``CNNPolicy`` and stop detaching its output.

    ``ResNetEncoder.forward`` detaches the backbone's output while ``use_pretrain`` is set; clearing it on
    the instance changes only that (the backbone keeps its pre-pooling feature map, fixed at build).
    """
    for encoder in model.encoders:
        encoder.use_pretrain = False
        encoder.resnet_backbone.requires_grad_(True)
    return model


def build_cnn_policy(cfg: Any, torch_dtype: Any = None) -> Any:
    """Builder registered as ``cnn_policy``: RLinf's model, with ``encoder_config.trainable`` honoured."""
    from rlinf.models.embodiment.cnn_policy import get_model

    model = get_model(cfg) if torch_dtype is None else get_model(cfg, torch_dtype)
    if encoder_trainable(cfg):
        make_encoders_trainable(model)
    return model


def build_standalone(model_cfg: Any, seed: int = 0) -> Any:
    """``actor.model`` built by RLinf's ``get_model`` outside a run (behaviour cloning), on CPU.

    An empty ``model_path`` gets what a run gets (:func:`provide_encoder_weights`): a random encoder of
    ``seed``, here in a temporary directory, gone after the build; the backbone's weights are in the
    model's ``state_dict`` (so in any ``full_weights.pt`` saved from it), and RLinf's strict load of that
    file replaces whatever encoder file a later run builds from.
    """
    from omegaconf import OmegaConf
    from rlinf.models import get_model

    install()
    if _select(model_cfg, "model_path"):
        return get_model(model_cfg)
    cfg = OmegaConf.create(OmegaConf.to_container(model_cfg, resolve=True))
    name = _select(cfg, "encoder_config.ckpt_name") or DEFAULT_CKPT_NAME
    with tempfile.TemporaryDirectory() as tmp:
        write_random_encoder(Path(tmp) / name, seed=seed)
        OmegaConf.update(cfg, "model_path", tmp, merge=True)
        OmegaConf.update(cfg, "encoder_config.ckpt_name", name, merge=True)
        return get_model(cfg)


def action_mean(model: Any, obs: dict[str, Any]) -> Any:
    """The action a ``CNNPolicy`` emits in eval mode for an env observation, differentiable.

    ``obs`` is the dict RLinf's env worker hands the rollout (``main_images`` uint8 [B,H,W,3],
    ``extra_view_images`` uint8 [B,V,H,W,3], ``states`` [B,D]). RLinf's model has no ``sft_forward``;
    this is ``predict_action_batch(mode="eval")`` without its ``inference_mode``: ``preprocess_env_obs``
    (to float, ImageNet-normalised), the features, the policy head's mean, and the tanh squash only when
    ``action_scale`` is set (as ``_generate_actions`` does).
    """
    import torch

    p = model.preprocess_env_obs(obs)
    _, _, mean, _ = model._actor_forward_from_processed_tensors(
        main_images=p["main_images"], states=p["states"], extra_view_images=p.get("extra_view_images")
    )
    if model.action_scale is not None:
        return torch.tanh(mean) * model.action_scale + model.action_bias
    return mean


def install() -> None:
    """Register :func:`build_cnn_policy` as RLinf's ``cnn_policy`` builder (idempotent)."""
    global _installed
    if _installed:
        return
    from rlinf.models import register_model

    register_model(MODEL_TYPE, build_cnn_policy, category="embodied", force=True)
    _installed = True


def is_cnn_policy_config(cfg: Any) -> bool:
    """True when the actor's or the rollout's model is a ``cnn_policy``."""
    return any(_select(cfg, f"{p}.model_type") == MODEL_TYPE for p in _MODEL_PATHS)


# --------------------------------------------------------------------------------------------------
# driver checks


def check_config(cfg: Any) -> None:
    """Static checks of a ``cnn_policy`` config (driver, before Ray), then :func:`install`.

    Raises ValueError with one line naming the key, the value and the fix: RLinf's model would fail (or
    silently misbehave) in a worker on each of these. No-op for other models.
    """
    if not is_cnn_policy_config(cfg):
        return
    from omegaconf import DictConfig, OmegaConf

    from ..rlinf_cfg import model_key, only_eval

    cfg = cfg if isinstance(cfg, DictConfig) else OmegaConf.create(cfg)
    m = model_key(cfg)
    if _select(cfg, f"{m}.model_type") != MODEL_TYPE:
        return
    encoder_trainable(_select(cfg, m), m)
    chunks = _select(cfg, f"{m}.num_action_chunks", 1)
    if chunks != 1:
        raise ValueError(
            f"{m}.num_action_chunks: cnn_policy supports only 1 (got {chunks!r}); larger values reshape its "
            f"actions wrongly. Fix: {m}.num_action_chunks=1."
        )
    loss = _select(cfg, "algorithm.loss_type")
    if not only_eval(cfg) and loss in ("actor_critic", "decoupled_actor_critic"):
        if _select(cfg, f"{m}.action_scale") is not None:
            raise ValueError(
                f"{m}.action_scale: must be unset for PPO (got {_select(cfg, f'{m}.action_scale')!r}); "
                "cnn_policy stores the tanh-squashed action but PPO re-scores it without the squash. "
                f"Fix: remove {m}.action_scale (the env clips actions)."
            )
    size = _select(cfg, f"{m}.image_size")
    size = list(size) if size is not None and not isinstance(size, str) else size
    if not (isinstance(size, list) and len(size) == 3 and size[0] == 3):
        raise ValueError(
            f"{m}.image_size: must be [3, H, W], the camera images' channels and resolution (got {size!r}). "
            f"Fix: {m}.image_size=[3,96,96] for 96-pixel cameras."
        )
    splits = ["eval"] if only_eval(cfg) else ["train"]
    for split in splits:
        block = _select(cfg, f"env.{split}.isaaclab")
        if block is None:
            continue
        main = _select(block, "main_images")
        extra = list(_select(block, "extra_view_images") or [])
        if not main:
            raise ValueError(
                f"env.{split}.isaaclab.main_images: cnn_policy needs a camera view (got {main!r}). "
                f"Fix: main_images: <camera term>, e.g. front_camera."
            )
        num = _select(cfg, f"{m}.image_num", 1)
        if num != 1 + len(extra):
            raise ValueError(
                f"{m}.image_num: must be 1 + the {len(extra)} extra_view_images of env.{split}.isaaclab "
                f"(got {num!r}). Fix: {m}.image_num={1 + len(extra)}."
            )
        res = _select(cfg, f"env.{split}.init_params.env_cfg.camera_resolution")
        if isinstance(res, int) and list(size[1:]) != [res, res]:
            raise ValueError(
                f"{m}.image_size: {size} does not match env.{split}.init_params.env_cfg.camera_resolution "
                f"({res}). Fix: {m}.image_size=[3,{res},{res}]."
            )
    model_path = _select(cfg, f"{m}.model_path")
    if model_path:
        ckpt = _select(cfg, f"{m}.encoder_config.ckpt_name") or ""
        if not ckpt or not (Path(model_path) / ckpt).is_file():
            raise ValueError(
                f"{m}.model_path: {model_path!r} has no encoder file {ckpt!r} "
                f"({m}.encoder_config.ckpt_name). Fix: leave {m}.model_path empty and a random encoder is "
                "written into the run directory, or point it at the directory holding the file."
            )
    install()


def _select(cfg: Any, key: str, default: Any = None) -> Any:
    from omegaconf import DictConfig, OmegaConf

    if cfg is None:
        return default
    if not isinstance(cfg, DictConfig):
        cfg = OmegaConf.create(cfg)
    try:
        return OmegaConf.select(cfg, key, default=default, throw_on_missing=False)
    except Exception:  # an interpolation that does not resolve on its own
        return default


# --------------------------------------------------------------------------------------------------
# the family's face to the launcher


def _check(cfg: Any, config_dir: Any = None) -> None:
    from ..rlinf_cfg import ConfigError
    from .weights import check_weights_fit

    try:
        check_config(cfg)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    check_weights_fit(cfg)


def _init(cfg: Any, config_dir: Any, out: str | os.PathLike, *, seed: int = 0, **options: Any) -> str:
    """A random encoder in ``out`` (the model_path): what :func:`provide_encoder_weights` writes per run."""
    name = _select(cfg, "actor.model.encoder_config.ckpt_name") or DEFAULT_CKPT_NAME
    path = write_random_encoder(Path(out) / name, seed=seed)
    return f"wrote a random ResNet10 encoder (seed {seed}) to {path} (encoder_config.ckpt_name: {name})"


FAMILY = ModelFamily(
    name="cnn_policy",
    model_types=(MODEL_TYPE,),
    install=lambda cfg, config_dir=None: install(),
    check=_check,
    prepare_run=provide_encoder_weights,
    init=_init,
)

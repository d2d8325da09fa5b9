"""GR00T N1.5 checkpoints for a mapping: a random-initialised ``model_path``, and checks of a real one.

:func:`write_random_checkpoint` writes what RLinf's N1.5 loader reads from a ``model_path``:

* ``config.json`` + ``model.safetensors`` -- ``GR00T_N1_5`` with random weights, the public
  GR00T-N1.5-3B architecture (Eagle 2.5 backbone: SigLIP + Qwen3 cut at ``select_layer`` 12; flow-matching
  action head: DiT 16 layers of 32 x 48, VL self-attention 4 layers). ``tiny`` keeps every width (RLinf's
  value head is hard-coded to 2048/3584 inputs) and cuts depth: 1 SigLIP layer, 2 Qwen3 layers, 2 DiT
  layers, 1 VL self-attention layer. The Eagle config ships inside ``gr00t``, so the backbone depth of a
  tiny checkpoint is recorded in ``isaaclab_rlinf.json`` and applied by our loader;
* ``experiment_cfg/metadata.json`` -- under the embodiment tag: the mapping's video keys with the camera
  resolution, its state and action sub-keys with their widths, and neutral statistics (min -1, max 1,
  mean 0, std 1, q01 -1, q99 1: GR00T's normalisers then pass values in [-1, 1] through unchanged).

:func:`check_checkpoint` compares a checkpoint's ``metadata.json`` with the mapping and the data config
before Ray starts: one :class:`~isaaclab_rlinf.spec.MappingError` line naming the key and both values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ...spec import MappingError, MappingSpec

OVERRIDES_FILE = "isaaclab_rlinf.json"

# Public GR00T-N1.5-3B config.json values (nvidia/GR00T-N1.5-3B), full width and depth.
_ACTION_HEAD: dict[str, Any] = {
    "action_dim": 32,
    "action_horizon": 16,
    "add_pos_embed": True,
    "backbone_embedding_dim": 2048,
    "diffusion_model_cfg": {
        "attention_head_dim": 48,
        "cross_attention_dim": 2048,
        "dropout": 0.2,
        "final_dropout": True,
        "interleave_self_attention": True,
        "norm_type": "ada_norm",
        "num_attention_heads": 32,
        "num_layers": 16,
        "output_dim": 1024,
        "positional_embeddings": None,
    },
    "hidden_size": 1024,
    "input_embedding_dim": 1536,
    "max_action_dim": 32,
    "max_state_dim": 64,
    "model_dtype": "float32",
    "noise_beta_alpha": 1.5,
    "noise_beta_beta": 1.0,
    "noise_s": 0.999,
    "num_inference_timesteps": 4,
    "num_target_vision_tokens": 32,
    "num_timestep_buckets": 1000,
    "tune_diffusion_model": True,
    "tune_projector": True,
    "use_vlln": True,
    "vl_self_attention_cfg": {
        "attention_head_dim": 64,
        "dropout": 0.2,
        "final_dropout": True,
        "num_attention_heads": 32,
        "num_layers": 4,
        "positional_embeddings": None,
    },
}
_BACKBONE: dict[str, Any] = {
    "eagle_path": "NVEagle/eagle_er-qwen3_1_7B-Siglip2_400M_stage1_5_128gpu_er_v7_1mlp_nops",
    "load_bf16": False,
    "project_to_dim": None,
    "reproject_vision": False,
    "select_layer": 12,
    "tune_llm": False,
    "tune_visual": True,
    "use_flash_attention": True,
}
# tiny: depth only (widths are what RLinf's heads and GR00T's projectors are built for)
_TINY = {"select_layer": 2, "dit_layers": 2, "vl_layers": 1, "vision_layers": 1}

NEUTRAL_STATS = {"min": -1.0, "max": 1.0, "mean": 0.0, "std": 1.0, "q01": -1.0, "q99": 1.0}


def _sub(key: str) -> str:
    return key.split(".", 1)[1]


def gr00t_config_dict(tiny: bool = False) -> dict[str, Any]:
    """The ``config.json`` of a GR00T N1.5 checkpoint (full size, or depth-cut with ``tiny``)."""
    head = json.loads(json.dumps(_ACTION_HEAD))
    backbone = dict(_BACKBONE)
    if tiny:
        backbone["select_layer"] = _TINY["select_layer"]
        head["diffusion_model_cfg"]["num_layers"] = _TINY["dit_layers"]
        head["vl_self_attention_cfg"]["num_layers"] = _TINY["vl_layers"]
    return {
        "action_dim": head["action_dim"],
        "action_head_cfg": head,
        "action_horizon": head["action_horizon"],
        "architectures": ["GR00T_N1_5"],
        "backbone_cfg": backbone,
        "compute_dtype": "bfloat16",
        "hidden_size": 2048,
        "model_dtype": "float32",
        "model_type": "gr00t_n1_5",
    }


def eagle_overrides(model_path: str | Path) -> dict[str, int]:
    """Backbone depth a tiny checkpoint was written with (``{}`` for a full-size or real checkpoint)."""
    f = Path(model_path) / OVERRIDES_FILE
    return json.loads(f.read_text()).get("eagle", {}) if f.is_file() else {}


def metadata_dict(
    spec: MappingSpec,
    action_widths: Mapping[str, int],
    video_resolution: Mapping[str, tuple[int, int]],
    fps: float = 30.0,
) -> dict[str, Any]:
    """``metadata.json`` content for the mapping: ``{tag: {statistics, modalities, embodiment_tag}}``.

    ``video_resolution``: GR00T key -> (width, height) of the camera; ``action_widths``: GR00T action key
    -> width, in ``gr00t_mapping.action`` order."""
    gm = spec.gr00t_mapping
    video_keys = list(gm.video_keys)
    state = {_sub(k.gr00t_key): k.slice[1] - k.slice[0] for k in gm.state}
    action = {_sub(k): int(action_widths[k]) for k in gm.action}

    def stats(width: int) -> dict[str, list[float]]:
        return {name: [value] * width for name, value in NEUTRAL_STATS.items()}

    def meta(width: int) -> dict[str, Any]:
        return {"absolute": True, "rotation_type": None, "shape": [width], "continuous": True}

    return {
        spec.embodiment_tag: {
            "statistics": {
                "state": {k: stats(w) for k, w in state.items()},
                "action": {k: stats(w) for k, w in action.items()},
            },
            "modalities": {
                "video": {
                    _sub(k): {"resolution": list(video_resolution[k]), "channels": 3, "fps": fps}
                    for k in video_keys
                },
                "state": {k: meta(w) for k, w in state.items()},
                "action": {k: meta(w) for k, w in action.items()},
            },
            "embodiment_tag": spec.embodiment_tag,
        }
    }


def write_random_checkpoint(
    out_dir: str | Path,
    spec: MappingSpec,
    action_widths: Mapping[str, int],
    video_resolution: Mapping[str, tuple[int, int]],
    tiny: bool = False,
    seed: int = 0,
    dtype: str = "bfloat16",
) -> Path:
    """Build ``GR00T_N1_5`` with random weights and write a ``model_path`` RLinf loads for ``spec``.

    Needs ``gr00t``. Full size: ~2.7B parameters, ~5.4 GB in bf16, built on the GPU when there is one
    (minutes on a CPU); ``tiny``: about a minute on a CPU.
    """
    import torch

    from .requirement import require_gr00t
    from .runtime import prepare

    require_gr00t("gr00t")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    overrides = (
        {"vision_layers": _TINY["vision_layers"], "text_layers": _TINY["select_layer"]} if tiny else {}
    )
    prepare(None, eagle=overrides)
    from gr00t.model.gr00t_n1 import GR00T_N1_5, GR00T_N1_5_Config

    torch.manual_seed(seed)
    config = GR00T_N1_5_Config(**gr00t_config_dict(tiny))
    # random init of 2.7B parameters takes minutes on a CPU and seconds on a GPU
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = GR00T_N1_5(config, local_model_path=str(out))
    model.to(getattr(torch, dtype))
    model.config.torch_dtype = dtype
    model.save_pretrained(out, safe_serialization=True)
    if overrides:
        (out / OVERRIDES_FILE).write_text(json.dumps({"eagle": overrides}, indent=2) + "\n")
    (out / "experiment_cfg").mkdir(exist_ok=True)
    meta = metadata_dict(spec, action_widths, video_resolution)
    (out / "experiment_cfg" / "metadata.json").write_text(json.dumps(meta, indent=2) + "\n")
    return out


# --------------------------------------------------------------------------------------------------
# checks of a checkpoint against the mapping
# --------------------------------------------------------------------------------------------------


def _fail(where: str, what: str, ckpt: Any, ours: Any, fix: str) -> MappingError:
    return MappingError(f"{where}: {what} (checkpoint has {ckpt!r}, the mapping gives {ours!r}). Fix: {fix}")


def check_checkpoint(
    model_path: str | Path,
    spec: MappingSpec,
    action_dim: int | None = None,
    data_config: Any = None,
    video_shapes: Mapping[str, Sequence[int]] | None = None,
) -> None:
    """Check ``model_path/experiment_cfg/metadata.json`` against the mapping; no ``gr00t`` needed.

    The embodiment tag's entry exists; its video keys, state and action sub-keys and widths are the
    mapping's (and the data config's); the total action width is ``action_dim``; with ``video_shapes``
    (GR00T video key -> [.., H, W, C] of the live camera) the resolution matches. Raises one-line
    :class:`MappingError`s. A ``model_path`` that is not a GR00T directory (no ``config.json``) is skipped.
    """
    root = Path(model_path)
    if not (root / "config.json").is_file():
        return
    bpath, gp = spec.path, f"{spec.path}.gr00t_mapping"
    meta_file = root / "experiment_cfg" / "metadata.json"
    if not meta_file.is_file():
        raise MappingError(
            f"actor.model.model_path: {str(root)!r} has no experiment_cfg/metadata.json, which GR00T reads "
            "for normalisation and shapes. Fix: point model_path at a post-trained GR00T N1.5 checkpoint."
        )
    metadata = json.loads(meta_file.read_text())
    entry = metadata.get(spec.embodiment_tag)
    if entry is None:
        raise _fail(
            f"{bpath}.embodiment_tag",
            "no entry for this tag in experiment_cfg/metadata.json",
            sorted(metadata),
            spec.embodiment_tag,
            "use the tag the checkpoint was post-trained with",
        )
    mods = entry.get("modalities", {})
    gm = spec.gr00t_mapping

    video = {k: k for k in gm.video_keys}
    ckpt_video = sorted(f"video.{k}" for k in mods.get("video", {}))
    if ckpt_video != sorted(video):
        raise _fail(
            f"{gp}.video", "video keys differ", ckpt_video, sorted(video), "map the checkpoint's views"
        )
    for key in video:
        if video_shapes and key in video_shapes:
            h, w = (int(x) for x in list(video_shapes[key])[-3:-1])
            res = tuple(mods["video"][_sub(key)]["resolution"])
            if res != (w, h):
                raise _fail(
                    f"{gp}.video ({key})",
                    "camera resolution (width, height) differs; GR00T's VideoToTensor refuses it",
                    list(res),
                    [w, h],
                    f"render the camera at {res[0]}x{res[1]} (the env cfg's camera width/height)",
                )

    state = {_sub(k.gr00t_key): k.slice[1] - k.slice[0] for k in gm.state}
    ckpt_state = {k: int(v["shape"][0]) for k, v in mods.get("state", {}).items()}
    if ckpt_state != state:
        raise _fail(
            f"{gp}.state",
            "state sub-keys or widths differ",
            ckpt_state,
            state,
            "slice `states` into the checkpoint's state keys and widths",
        )

    ckpt_action = {k: int(v["shape"][0]) for k, v in mods.get("action", {}).items()}
    order = [_sub(k) for k in (gm.action or getattr(data_config, "action_keys", None) or [])]
    if order and sorted(order) != sorted(ckpt_action):
        raise _fail(f"{gp}.action", "action sub-keys differ", sorted(ckpt_action), sorted(order), "list them")
    total = sum(ckpt_action.values())
    if action_dim is not None and total != int(action_dim):
        raise _fail(
            "actor.model.action_dim",
            "GR00T's action width (sum over its action keys) differs",
            total,
            int(action_dim),
            f"actor.model.action_dim={total} and pads that fill the env's action vector",
        )
    if data_config is not None:
        for attr, ckpt in (
            ("video_keys", ckpt_video),
            ("state_keys", sorted(f"state.{k}" for k in ckpt_state)),
        ):
            theirs = getattr(data_config, attr, None)
            if theirs is not None and sorted(theirs) != ckpt:
                raise _fail(
                    f"{bpath}.data_config_class ({attr})",
                    "keys differ",
                    ckpt,
                    sorted(theirs),
                    f"set the data config's {attr} to the checkpoint's keys",
                )

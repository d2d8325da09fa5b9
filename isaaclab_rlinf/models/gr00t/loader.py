"""Loading GR00T N1.5 for RLinf: data configs and the model builder (the package check: :mod:`.requirement`).

RLinf's N1.5 ``get_model`` accepts three hard-coded tags and their data configs. For any config with
``data_config_class: "module:Class"`` (or a tag RLinf does not know) the ``gr00t`` model type is
re-registered through ``rlinf.models.register_model(..., force=True)`` with :func:`build_gr00t_n1d5`,
which loads ``GR00T_N1_5_ForRLActionPrediction`` with that data config; other configs still reach
RLinf's loader.

``gr00t`` (Isaac-GR00T) is not on PyPI and is imported only when a model is built; when it is missing
the error says how to install it (:class:`~.requirement.Gr00tNotInstalledError`, see ``docs/gr00t.md``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...spec import MappingError, MappingSpec
from .checkpoint import eagle_overrides
from .installed import _INSTALLED
from .requirement import _reraise_if_gr00t_missing, require_gr00t
from .runtime import apply_attention, install_import_stand_ins, prepare
from .tags import _apply_rlinf_embodiment_patch, _force_embodiment_id, register_embodiment_tag

# Tags RLinf 0.3.0's loaders accept (gr00t_n1d5/__init__.py, gr00t_n1d6/__init__.py, gr00t_n1d7/__init__.py).
_RLINF_TAGS: dict[str, frozenset[str]] = {
    "gr00t": frozenset({"libero_franka", "isaaclab_franka", "maniskill_widowx"}),
    "gr00t_n1d6": frozenset(
        {
            "behavior_r1_pro",
            "gr1",
            "robocasa_panda_omron",
            "libero_panda",
            "libero_franka",
            "isaaclab_franka",
            "maniskill_widowx",
            "new_embodiment",
            "so101",
            "so100",
        }
    ),
    "gr00t_n1d7": frozenset(
        {
            "libero_sim",
            "libero_panda",
            "libero_franka",
            "isaaclab_franka",
            "maniskill_widowx",
            "robocasa_panda_omron",
            "gr1",
            "behavior_r1_pro",
            "new_embodiment",
            "so101",
            "so100",
        }
    ),
}


def load_data_config(name: str, config_dir: str | os.PathLike | None = None, path: str = "data_config_class"):
    """Instantiate ``"module:Class"``: an importable module first, else ``module`` next to the YAML
    (``config_dir``, appended to ``sys.path``). Errors name ``path``."""
    module_name, _, class_name = name.partition(":")
    if importlib.util.find_spec("gr00t") is not None:
        # a data config may import gr00t at its top (IsaacLab's published one does): gr00t's transforms
        # import packages N1.5 only needs for datasets (av, pytorch3d), and gr00t's schema binds the
        # embodiment tags at import, so both are set up as before building a model
        install_import_stand_ins()
        _apply_rlinf_embodiment_patch()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name.split(".")[0] and exc.name != module_name:
            _reraise_if_gr00t_missing(exc, "gr00t")
            raise
        if config_dir is None or not (Path(config_dir) / (module_name.replace(".", "/") + ".py")).exists():
            where = f" or in {config_dir}" if config_dir else ""
            raise MappingError(
                f"{path}: cannot import module {module_name!r} (looked on sys.path{where}) (got {name!r}). "
                "Fix: put the module next to the YAML (the launcher adds that directory to PYTHONPATH) "
                "or give an importable 'package.module:Class'."
            ) from exc
        config_dir = str(Path(config_dir).resolve())
        if config_dir not in sys.path:
            sys.path.append(config_dir)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # e.g. the data config imports gr00t at its top
            _reraise_if_gr00t_missing(exc, "gr00t")
            raise
    cls = getattr(module, class_name, None)
    if cls is None:
        found = sorted(
            n for n in vars(module) if not n.startswith("_") and isinstance(getattr(module, n), type)
        )
        raise MappingError(
            f"{path}: module {module_name!r} has no {class_name!r} (got {name!r}). Classes there: {found}."
        )
    return cls()


def _check_data_config_keys(data_config: Any, spec: MappingSpec, path: str) -> None:
    """The data config's modality keys must be the ones the mapping produces (pure Python, no gr00t)."""
    gm = spec.gr00t_mapping
    ours = {
        "video_keys": set(gm.video_keys),
        "state_keys": {k.gr00t_key for k in gm.state},
        "action_keys": set(gm.action),
        "language_keys": {gm.language_key},
    }
    mapping_field = {
        "video_keys": "video",
        "state_keys": "state",
        "action_keys": "action",
        "language_keys": "language",
    }
    for attr, keys in ours.items():
        theirs = getattr(data_config, attr, None)
        if theirs is None or set(theirs) == keys or (attr == "action_keys" and not keys):
            continue  # no gr00t_mapping.action: the data config's order is used
        raise MappingError(
            f"{path}.gr00t_mapping.{mapping_field[attr]}: keys {sorted(keys)} differ from "
            f"{spec.data_config_class}.{attr} {sorted(theirs)}. "
            "Fix: use the keys the checkpoint was post-trained on in both places."
        )


def build_gr00t_n1d5(cfg: Any, torch_dtype: Any = None) -> Any:
    """Builder for ``model_type: gr00t`` (GR00T N1.5), registered with ``rlinf.models.register_model``.

    With a ``data_config_class`` (model config, else the installed ``isaaclab`` block) it loads
    ``GR00T_N1_5_ForRLActionPrediction`` like RLinf's ``get_model`` does, but with that data config and
    the configured embodiment tag/id. Without one, RLinf's own loader handles RLinf's tags.
    """
    import torch

    require_gr00t("gr00t")
    if torch_dtype is None:
        torch_dtype = torch.bfloat16
    state = _INSTALLED.get("gr00t")
    tag = str(cfg.embodiment_tag)
    tag_id = cfg.get("embodiment_tag_id", None)
    if tag_id is None and state is not None and state.embodiment_tag == tag:
        tag_id = state.embodiment_tag_id
    data_config_class = cfg.get("data_config_class", None) or (state.data_config_class if state else None)
    register_embodiment_tag(tag, tag_id)

    if not data_config_class:
        if tag not in _RLINF_TAGS["gr00t"]:
            raise MappingError(
                f"actor.model.embodiment_tag: RLinf's GR00T N1.5 loader knows only "
                f"{sorted(_RLINF_TAGS['gr00t'])} (got {tag!r}). Fix: set data_config_class: "
                "'module:Class' in the isaaclab block (see isaaclab_rlinf/configs/gr00t_config.py)."
            )
        from rlinf.models.embodiment.gr00t import get_model

        prepare(cfg.get("attn_implementation", None))
        return get_model(cfg, torch_dtype)

    model_path = Path(cfg.model_path).expanduser().resolve()  # a Path: GR00T's hub lookup falls back to it
    if not model_path.exists():  # from_pretrained would try the Hugging Face hub instead
        raise FileNotFoundError(f"actor.model.model_path: GR00T checkpoint not found: {model_path}")
    attn = prepare(cfg.get("attn_implementation", None), eagle=eagle_overrides(model_path))
    data_config = load_data_config(
        data_config_class, state.config_dir if state else None, "actor.model.data_config_class"
    )
    modality_config = data_config.modality_config()
    modality_transform = data_config.transform()
    if tag_id is not None:
        _force_embodiment_id(modality_transform, tag, int(tag_id))

    from rlinf.models.embodiment.gr00t.gr00t_n1d5.gr00t_action_model import GR00T_N1_5_ForRLActionPrediction
    from rlinf.models.embodiment.gr00t.utils import replace_dropout_with_identity

    model = GR00T_N1_5_ForRLActionPrediction.from_pretrained(
        model_path,
        torch_dtype=torch_dtype,
        embodiment_tag=tag,
        modality_config=modality_config,
        modality_transform=modality_transform,
        denoising_steps=cfg.denoising_steps,
        output_action_chunks=cfg.num_action_chunks,
        obs_converter_type=cfg.obs_converter_type,
        tune_visual=False,
        tune_llm=False,
        rl_head_config=cfg.rl_head_config,
    )
    apply_attention(model, attn)
    model.to(torch_dtype)
    if cfg.rl_head_config.add_value_head:
        # as RLinf: the value head holds NaNs after from_pretrained until re-initialised
        model.action_head.value_head._init_weights()
    if cfg.rl_head_config.disable_dropout:
        replace_dropout_with_identity(model)
    return model


def _checked_rlinf_builder(model_type: str) -> Callable[..., Any]:
    """RLinf's own GR00T loader, behind the install check (its bare ``import gr00t`` error says nothing)."""

    def build(cfg: Any, torch_dtype: Any = None) -> Any:
        require_gr00t(model_type)
        from rlinf.models.embodiment.gr00t import get_model

        return get_model(cfg, torch_dtype) if torch_dtype is not None else get_model(cfg)

    build.__qualname__ = f"isaaclab_rlinf.models.gr00t.build[{model_type}]"
    return build

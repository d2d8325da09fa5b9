"""GR00T bridge: our converters in RLinf's GR00T tables, embodiment tags, and a N1.5 loader for new robots.

RLinf's GR00T policies (``rlinf/models/embodiment/gr00t/gr00t_n1d5|6|7``) look up, when the model is
built, ``OBS_CONVERSION[obs_converter_type]`` and ``ACTION_CONVERSION_N1D5|6|7[obs_converter_type]`` in
``rlinf.models.embodiment.gr00t.simulation_io``, then in ``predict_action_batch`` call::

    observations = obs_convert_fn(env_obs)          # RLinf obs (CPU torch) -> GR00T dict (numpy)
    raw_action = action_convert_fn(action_dict, chunk_size=output_action_chunks)   # -> np [B,T,D]

:func:`install` puts converters built from the ``env.train.isaaclab`` block (:class:`MappingSpec`) into
those tables, without editing RLinf's files:

* observation: ``video.*`` uint8 [B,1,H,W,C], ``state.*`` float32 [B,1,D_i] (numpy) and the one
  language key -> list[str], exactly what GR00T's transforms take at the model boundary;
* action: GR00T's unnormalised action dict (``action.*`` keys for N1.5, bare keys for N1.6/N1.7) ->
  float32 numpy [B, chunk, prefix_pad + D + suffix_pad], the env's action vector.

Embodiment tags: ``embodiment_tag`` / ``embodiment_tag_id`` from the config win. RLinf's mapping gives
``new_embodiment`` the id 10, while GR00T N1.5 checkpoints post-trained on ``new_embodiment`` use 31
(upstream Isaac-GR00T's value); RLinf's loader swaps its mapping into gr00t (``Patcher``), so the id is
set in RLinf's mapping, in place, and again on the loaded transform. New tags are added.

Model loading: RLinf's N1.5 ``get_model`` accepts three hard-coded tags and their data configs. For any
config with ``data_config_class: "module:Class"`` (or a tag RLinf does not know) the ``gr00t`` model
type is re-registered through ``rlinf.models.register_model(..., force=True)`` with a builder that loads
``GR00T_N1_5_ForRLActionPrediction`` with that data config; other configs still reach RLinf's loader.

``gr00t`` (Isaac-GR00T) is not on PyPI and is imported only when a model is built; when it is missing
the error says how to install it (:class:`Gr00tNotInstalledError`, see ``docs/gr00t.md``).

Entry points: :func:`install` (driver/launcher, with the composed config) and :func:`install_from_env`
(every Ray worker, from ``RLINF_CONFIG_FILE``); both are idempotent.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .spec import MappingError, MappingSpec

__all__ = [
    "GR00T_MODEL_TYPES",
    "Gr00tInstall",
    "Gr00tNotInstalledError",
    "build_gr00t_n1d5",
    "embodiment_id",
    "install",
    "install_from_env",
    "is_gr00t_config",
    "load_config_file",
    "load_data_config",
    "make_action_converter",
    "make_obs_converter",
    "register_embodiment_tag",
    "require_gr00t",
]

logger = logging.getLogger(__name__)

# model_type -> RLinf action table (one per GR00T generation; rlinf/models/embodiment/gr00t/simulation_io.py)
GR00T_MODEL_TYPES: dict[str, str] = {
    "gr00t": "ACTION_CONVERSION_N1D5",
    "gr00t_n1d6": "ACTION_CONVERSION_N1D6",
    "gr00t_n1d7": "ACTION_CONVERSION_N1D7",
}

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

# model_type -> (generation, a module only that generation of gr00t has, how to install it).
# Sources: RLinf's requirements/install.sh (install_gr00t_model / _n1d6 / _n1d7).
_GENERATIONS: dict[str, tuple[str, str, str]] = {
    "gr00t": (
        "N1.5",
        "gr00t.experiment.data_config",
        "git clone https://github.com/RLinf/Isaac-GR00T.git && pip install -e Isaac-GR00T --no-deps && "
        "pip install -r <RLinf repo>/requirements/embodied/models/gr00t.txt",
    ),
    "gr00t_n1d6": (
        "N1.6",
        "gr00t.configs.model.gr00t_n1d6",
        "git clone -b n1.6.1-release https://github.com/RLinf/Isaac-GR00T.git && "
        "pip install -e Isaac-GR00T --no-deps && "
        "pip install -r <RLinf repo>/requirements/embodied/models/gr00t_n1d6.txt",
    ),
    "gr00t_n1d7": (
        "N1.7",
        "gr00t.configs.model.gr00t_n1d7",
        "git clone -b n1.7-release https://github.com/NVIDIA/Isaac-GR00T.git && "
        "pip install -e Isaac-GR00T --no-deps && "
        "pip install -r <RLinf repo>/requirements/embodied/models/gr00t_n1d7.txt",
    ),
}


class Gr00tNotInstalledError(ImportError):
    """The ``gr00t`` package (Isaac-GR00T) of the configured generation cannot be imported."""


@dataclass(frozen=True)
class Gr00tInstall:
    """What :func:`install` put in place for one GR00T model type (kept per process)."""

    model_type: str
    spec: MappingSpec
    obs_converter_type: str
    embodiment_tag: str
    embodiment_tag_id: int | None
    data_config_class: str | None
    config_dir: str | None


_INSTALLED: dict[str, Gr00tInstall] = {}


# --------------------------------------------------------------------------------------------------
# gr00t availability
# --------------------------------------------------------------------------------------------------


def require_gr00t(model_type: str = "gr00t") -> None:
    """Raise :class:`Gr00tNotInstalledError` (with install instructions) unless the ``gr00t`` package of
    ``model_type``'s generation imports. Cheap when it is there; the launcher may call it in the driver."""
    generation, marker, how = _GENERATIONS[model_type]
    hint = (
        f"GR00T {generation} (actor.model.model_type: {model_type}) needs the `gr00t` package "
        f"(Isaac-GR00T), which is not on PyPI. Install the version RLinf documents into this environment: "
        f"{how}. See docs/gr00t.md."
    )
    try:
        found = importlib.util.find_spec("gr00t") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise Gr00tNotInstalledError(f"`gr00t` is not installed. {hint}", name="gr00t")
    try:
        ok = importlib.util.find_spec(marker) is not None
    except ModuleNotFoundError as exc:  # a parent package of the marker is missing: another generation
        if not exc.name or not marker.startswith(exc.name):
            raise Gr00tNotInstalledError(
                f"`gr00t` is installed but `{marker}` fails to import: {exc}. {hint}"
            ) from exc
        ok = False
    except ImportError as exc:
        raise Gr00tNotInstalledError(
            f"`gr00t` is installed but `{marker}` fails to import: {exc}. {hint}"
        ) from exc
    if not ok:
        raise Gr00tNotInstalledError(
            f"the installed `gr00t` is not the {generation} generation (no `{marker}`). {hint}", name=marker
        )


def _reraise_if_gr00t_missing(exc: ImportError, model_type: str) -> None:
    if (getattr(exc, "name", None) or "").split(".")[0] == "gr00t":
        try:
            require_gr00t(model_type)
        except Gr00tNotInstalledError as missing:
            raise missing from exc


# --------------------------------------------------------------------------------------------------
# converters
# --------------------------------------------------------------------------------------------------


def _numpy(x: Any) -> np.ndarray:
    # torch CPU tensors become numpy views (no copy); RLinf hands CPU tensors to the policy.
    return x.detach().cpu().numpy()


def make_obs_converter(spec: MappingSpec) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The ``OBS_CONVERSION`` entry for ``spec``: RLinf obs -> GR00T's numpy inputs.

    Input: RLinf's ``env_obs`` (``main_images`` uint8 [B,H,W,C], ``extra_view_images`` uint8
    [B,N,H,W,C], ``states`` float [B,D], ``task_descriptions``; CPU tensors). Output: ``video.*`` uint8
    [B,1,H,W,C], ``state.*`` float32 [B,1,D_i] and ``gr00t_mapping.language`` -> list[str].
    """
    from .converters import to_gr00t_obs

    language_key = spec.gr00t_mapping.language_key

    def convert_obs_to_gr00t(env_obs: dict[str, Any]) -> dict[str, Any]:
        out = to_gr00t_obs(env_obs, spec)
        return {k: (v if k == language_key else _numpy(v)) for k, v in out.items()}

    convert_obs_to_gr00t.__qualname__ = f"isaaclab_rlinf.gr00t.obs[{spec.obs_converter_type}]"
    convert_obs_to_gr00t._isaaclab_rlinf_spec = spec  # marks the entry as ours (see _put)
    return convert_obs_to_gr00t


def make_action_converter(spec: MappingSpec) -> Callable[..., np.ndarray]:
    """The ``ACTION_CONVERSION_N1D*`` entry for ``spec``: GR00T action dict -> env action chunk.

    Input: GR00T's unnormalised actions, ``{key: [B,T,D_i]}`` with the ``gr00t_mapping.action`` keys
    (``action.left_arm``; N1.6/N1.7 decode to bare ``left_arm``, also accepted). Keeps the first
    ``chunk_size`` steps, concatenates in ``gr00t_mapping.action`` order and zero-pads: float32 numpy
    [B, chunk_size, prefix_pad + sum(D_i) + suffix_pad] (RLinf's N1.5 policy calls ``torch.from_numpy``).
    """
    from .converters import to_isaaclab_action

    order = spec.gr00t_mapping.action
    apath = f"{spec.path}.gr00t_mapping.action"

    def convert_gr00t_to_isaaclab_action(action_chunk: Mapping[str, Any], chunk_size: int = 1) -> np.ndarray:
        parts = {}
        for key in order:
            value = action_chunk.get(key)
            if value is None:
                value = action_chunk.get(key.split(".", 1)[1])
            if value is None:
                raise MappingError(
                    f"{apath}: GR00T returned no {key!r} (got keys {sorted(action_chunk)}). "
                    f"Fix: list exactly the checkpoint's action keys in {apath}."
                )
            parts[key] = value[:, :chunk_size]
        return to_isaaclab_action(parts, spec, device="cpu").numpy()

    convert_gr00t_to_isaaclab_action.__qualname__ = f"isaaclab_rlinf.gr00t.action[{spec.obs_converter_type}]"
    convert_gr00t_to_isaaclab_action._isaaclab_rlinf_spec = spec
    return convert_gr00t_to_isaaclab_action


def _put(table: dict[str, Callable], name: str, fn: Callable, table_name: str, path: str) -> None:
    """Add ``fn`` under ``name``; refuse to shadow one of RLinf's own converters."""
    current = table.get(name)
    if current is not None and not hasattr(current, "_isaaclab_rlinf_spec"):
        raise MappingError(
            f"{path}.obs_converter_type: {name!r} is one of RLinf's own converters in {table_name} "
            f"({sorted(k for k, v in table.items() if not hasattr(v, '_isaaclab_rlinf_spec'))}). "
            "Fix: choose a new name for this task's converters, e.g. 'isaaclab_<robot>'."
        )
    table[name] = fn


# --------------------------------------------------------------------------------------------------
# embodiment tags
# --------------------------------------------------------------------------------------------------


def _add_enum_member(enum_cls: Any, value: str) -> None:
    """Add ``value`` to RLinf's closed ``EmbodimentTag`` enum, in place.

    Unavoidable patch, kept here only: RLinf swaps this class into gr00t (``Patcher``) and both RLinf's
    policies (``EmbodimentTag(tag)``) and gr00t's metadata schema validate tags against it, so a new
    robot's tag must be a member. Extending in place keeps every reference to the class valid; call it
    before gr00t builds its pydantic schemas (``install`` runs before any model is built).
    """
    if value in enum_cls._value2member_map_:
        return
    name = "".join(c if c.isalnum() else "_" for c in value.upper())
    while name in enum_cls._member_map_ or hasattr(enum_cls, name):
        name += "_"
    member = object.__new__(enum_cls)
    member._name_, member._value_ = name, value
    member.__objclass__ = enum_cls
    member._sort_order_ = len(enum_cls._member_names_)
    enum_cls._member_map_[name] = member
    enum_cls._value2member_map_[value] = member
    enum_cls._member_names_.append(name)
    type.__setattr__(enum_cls, name, member)  # EnumType.__setattr__ forbids adding members


def register_embodiment_tag(tag: str, tag_id: int | None) -> None:
    """Make ``tag`` a valid GR00T embodiment tag and, when ``tag_id`` is given, map it to that id.

    The id is written into RLinf's ``EMBODIMENT_TAG_MAPPING`` in place (it is the dict RLinf's loader
    installs as gr00t's mapping), overriding RLinf's value (``new_embodiment`` -> 10).
    """
    from rlinf.models.embodiment.gr00t import embodiment_tags

    _add_enum_member(embodiment_tags.EmbodimentTag, tag)
    if tag_id is None:
        return
    mapping = embodiment_tags.EMBODIMENT_TAG_MAPPING
    if mapping.get(tag) != tag_id:
        if tag in mapping:
            logger.info(
                "GR00T embodiment tag %r: id %s (config) replaces RLinf's %s", tag, tag_id, mapping[tag]
            )
        mapping[tag] = tag_id


def embodiment_id(tag: str) -> int:
    """The projector id RLinf's loader will give gr00t for ``tag`` (RLinf's ``EMBODIMENT_TAG_MAPPING``)."""
    from rlinf.models.embodiment.gr00t.embodiment_tags import EMBODIMENT_TAG_MAPPING

    return EMBODIMENT_TAG_MAPPING[tag]


def _apply_rlinf_embodiment_patch() -> None:
    """RLinf's own first step of loading a GR00T model (``gr00t_n1d5/__init__.py: get_model``): make gr00t
    use RLinf's ``EmbodimentTag`` and ``EMBODIMENT_TAG_MAPPING``."""
    from rlinf.utils.patcher import Patcher

    Patcher.clear()
    Patcher.add_patch(
        "gr00t.data.embodiment_tags.EmbodimentTag",
        "rlinf.models.embodiment.gr00t.embodiment_tags.EmbodimentTag",
    )
    Patcher.add_patch(
        "gr00t.data.embodiment_tags.EMBODIMENT_TAG_MAPPING",
        "rlinf.models.embodiment.gr00t.embodiment_tags.EMBODIMENT_TAG_MAPPING",
    )
    Patcher.apply()


def _force_embodiment_id(transform: Any, tag: str, tag_id: int) -> None:
    """Set ``tag -> tag_id`` on every transform that maps tags to ids (gr00t's ``GR00TTransform`` copies
    its mapping when built, so this holds whatever the import order was)."""
    for t in getattr(transform, "transforms", None) or [transform]:
        mapping = getattr(t, "embodiment_tag_mapping", None)
        if isinstance(mapping, Mapping) and mapping.get(tag) != tag_id:
            t.embodiment_tag_mapping = {**mapping, tag: tag_id}


# --------------------------------------------------------------------------------------------------
# data configs
# --------------------------------------------------------------------------------------------------


def load_data_config(name: str, config_dir: str | os.PathLike | None = None, path: str = "data_config_class"):
    """Instantiate ``"module:Class"``: an importable module first, else ``module`` next to the YAML
    (``config_dir``, appended to ``sys.path``). Errors name ``path``."""
    module_name, _, class_name = name.partition(":")
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
        module = importlib.import_module(module_name)
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
        "video_keys": {k for k in (gm.main_images, *gm.extra_view_images) if k},
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
        if theirs is None or set(theirs) == keys:
            continue
        raise MappingError(
            f"{path}.gr00t_mapping.{mapping_field[attr]}: keys {sorted(keys)} differ from "
            f"{spec.data_config_class}.{attr} {sorted(theirs)}. "
            "Fix: use the keys the checkpoint was post-trained on in both places."
        )


# --------------------------------------------------------------------------------------------------
# model builders (registered through rlinf.models.register_model)
# --------------------------------------------------------------------------------------------------


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

        return get_model(cfg, torch_dtype)

    _apply_rlinf_embodiment_patch()
    data_config = load_data_config(
        data_config_class, state.config_dir if state else None, "actor.model.data_config_class"
    )
    modality_config = data_config.modality_config()
    modality_transform = data_config.transform()
    if tag_id is not None:
        _force_embodiment_id(modality_transform, tag, int(tag_id))

    from rlinf.models.embodiment.gr00t.gr00t_n1d5.gr00t_action_model import GR00T_N1_5_ForRLActionPrediction
    from rlinf.models.embodiment.gr00t.utils import replace_dropout_with_identity

    model_path = Path(cfg.model_path)
    if not model_path.exists():  # from_pretrained would try the Hugging Face hub instead
        raise FileNotFoundError(f"actor.model.model_path: GR00T checkpoint not found: {model_path}")
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

    build.__qualname__ = f"isaaclab_rlinf.gr00t.build[{model_type}]"
    return build


# --------------------------------------------------------------------------------------------------
# install
# --------------------------------------------------------------------------------------------------


def _as_omegaconf(cfg: Any) -> Any:
    from omegaconf import DictConfig, OmegaConf

    return cfg if isinstance(cfg, DictConfig) else OmegaConf.create(cfg)


def _only_eval(cfg: Any) -> bool:
    from omegaconf import OmegaConf

    return bool(OmegaConf.select(cfg, "runner.only_eval", default=False)) or (
        OmegaConf.select(cfg, "runner.task_type", default=None) == "embodied_eval"
    )


def _model_path(cfg: Any) -> str:
    return "rollout.model" if _only_eval(cfg) else "actor.model"


def is_gr00t_config(cfg: Any) -> bool:
    """True when the model RLinf will build (``actor.model``, or ``rollout.model`` for eval) is GR00T."""
    from omegaconf import OmegaConf

    cfg = _as_omegaconf(cfg)
    return OmegaConf.select(cfg, f"{_model_path(cfg)}.model_type", default=None) in GR00T_MODEL_TYPES


def _block_path(cfg: Any) -> str:
    from omegaconf import OmegaConf

    if OmegaConf.select(cfg, "env.train.isaaclab", default=None) is not None:
        return "env.train.isaaclab"
    if OmegaConf.select(cfg, "env.eval.isaaclab", default=None) is not None:
        return "env.eval.isaaclab"
    raise MappingError(
        "env.train.isaaclab: missing; a GR00T model on IsaacLab needs the mapping block. "
        "Fix: add `isaaclab:` under env.train (and `isaaclab: *anchor` under env.eval)."
    )


_GR00T_FIELDS = (
    "gr00t_mapping",
    "action_mapping",
    "obs_converter_type",
    "embodiment_tag",
    "embodiment_tag_id",
    "data_config_class",
)


def install(cfg: Any, config_dir: str | os.PathLike | None = None) -> Gr00tInstall:
    """Put the GR00T bridge in place for the config (a composed Hydra config, DictConfig or dict).

    Registers the observation and action converters under ``obs_converter_type`` in RLinf's tables
    (action table of ``actor.model.model_type``'s generation), the embodiment tag and id, and the model
    builder; validates the mapping, the model fields that must agree with it and ``data_config_class``
    (resolved on ``sys.path``, then in ``config_dir``, the YAML's directory). Idempotent; safe in every
    Ray worker. Raises :class:`MappingError` naming the YAML path on a bad config. It does not need
    ``gr00t``; :func:`require_gr00t` checks that (the launcher may call it in the driver).
    """
    from omegaconf import OmegaConf

    cfg = _as_omegaconf(cfg)
    mpath = _model_path(cfg)
    model_type = OmegaConf.select(cfg, f"{mpath}.model_type", default=None)
    if model_type not in GR00T_MODEL_TYPES:
        raise MappingError(
            f"{mpath}.model_type: not a GR00T model type (got {model_type!r}). "
            f"Allowed: {sorted(GR00T_MODEL_TYPES)}."
        )
    bpath = _block_path(cfg)
    spec = MappingSpec.from_config(OmegaConf.select(cfg, bpath), path=bpath)
    _check_spec(spec, cfg, mpath, bpath)
    config_dir = str(Path(config_dir).resolve()) if config_dir is not None else None

    done = Gr00tInstall(
        model_type=model_type,
        spec=spec,
        obs_converter_type=spec.obs_converter_type,
        embodiment_tag=spec.embodiment_tag,
        embodiment_tag_id=spec.embodiment_tag_id,
        data_config_class=spec.data_config_class,
        config_dir=config_dir,
    )
    if _INSTALLED.get(model_type) == done:
        return _INSTALLED[model_type]

    if spec.data_config_class:
        if model_type == "gr00t":
            data_config = load_data_config(spec.data_config_class, config_dir, f"{bpath}.data_config_class")
            _check_data_config_keys(data_config, spec, bpath)
        else:
            logger.warning(
                "%s.data_config_class is ignored for %s: RLinf loads the processor from the checkpoint",
                bpath,
                model_type,
            )
    if model_type != "gr00t":
        if spec.embodiment_tag not in _RLINF_TAGS[model_type]:
            raise MappingError(
                f"{bpath}.embodiment_tag: RLinf's {model_type} loader accepts only "
                f"{sorted(_RLINF_TAGS[model_type])} (got {spec.embodiment_tag!r}). "
                "Fix: use one of them (post-train on new_embodiment), or model_type: gr00t (N1.5)."
            )
        if spec.embodiment_tag_id is not None:
            logger.info(
                "%s.embodiment_tag_id is not used by %s: the id comes from the checkpoint's processor "
                "(embodiment_id.json)",
                bpath,
                model_type,
            )
    elif spec.embodiment_tag_id is None and spec.embodiment_tag == "new_embodiment":
        logger.warning(
            "%s.embodiment_tag_id is unset: RLinf maps new_embodiment to id 10, but GR00T N1.5 "
            "checkpoints post-trained on new_embodiment use 31; set embodiment_tag_id",
            bpath,
        )

    from rlinf.models import register_model
    from rlinf.models.embodiment.gr00t import simulation_io

    _put(
        simulation_io.OBS_CONVERSION,
        spec.obs_converter_type,
        make_obs_converter(spec),
        "OBS_CONVERSION",
        bpath,
    )
    table_name = GR00T_MODEL_TYPES[model_type]
    _put(
        getattr(simulation_io, table_name),
        spec.obs_converter_type,
        make_action_converter(spec),
        table_name,
        bpath,
    )
    register_embodiment_tag(spec.embodiment_tag, spec.embodiment_tag_id if model_type == "gr00t" else None)
    builder = build_gr00t_n1d5 if model_type == "gr00t" else _checked_rlinf_builder(model_type)
    register_model(model_type, builder, category="embodied", force=True)

    _INSTALLED[model_type] = done
    logger.info(
        "GR00T bridge installed: model_type=%s converters=%r tag=%r id=%s data_config=%s",
        model_type,
        spec.obs_converter_type,
        spec.embodiment_tag,
        spec.embodiment_tag_id,
        spec.data_config_class,
    )
    return done


def _check_spec(spec: MappingSpec, cfg: Any, mpath: str, bpath: str) -> None:
    from omegaconf import OmegaConf

    if spec.gr00t_mapping is None:
        raise MappingError(f"{bpath}.gr00t_mapping: missing; a GR00T model needs it. Fix: add gr00t_mapping.")
    if not spec.gr00t_mapping.action:
        raise MappingError(
            f"{bpath}.gr00t_mapping.action: missing; it fixes the order GR00T's action keys reach the env. "
            'Fix: list them, e.g. action: ["action.left_arm", "action.right_arm"].'
        )
    for field in ("obs_converter_type", "embodiment_tag"):
        if not getattr(spec, field):
            raise MappingError(f"{bpath}.{field}: missing; a GR00T model needs it.")
    # The model config RLinf builds from must name the same converters and tag as the block.
    for field in ("obs_converter_type", "embodiment_tag"):
        value = OmegaConf.select(cfg, f"{mpath}.{field}", default=None)
        if value != getattr(spec, field):
            raise MappingError(
                f"{mpath}.{field}: must equal {bpath}.{field} (got {value!r}, block has "
                f"{getattr(spec, field)!r}). Fix: write {field}: ${{{bpath}.{field}}}."
            )
    # Train and eval share one policy, hence one set of converters.
    if bpath == "env.train.isaaclab" and OmegaConf.select(cfg, "env.eval.isaaclab", default=None) is not None:
        other = MappingSpec.from_config(OmegaConf.select(cfg, "env.eval.isaaclab"), path="env.eval.isaaclab")
        for field in _GR00T_FIELDS:
            if getattr(other, field) != getattr(spec, field):
                raise MappingError(
                    f"env.eval.isaaclab.{field}: differs from {bpath}.{field}; train and eval run the same "
                    "GR00T policy. Fix: share the block (`isaaclab: &isaaclab_config` / "
                    "`isaaclab: *isaaclab_config`)."
                )


# --------------------------------------------------------------------------------------------------
# workers: RLINF_CONFIG_FILE
# --------------------------------------------------------------------------------------------------


def _is_plain_default(entry: Any) -> bool:
    """``_self_`` and ``override hydra/...`` entries, which change nothing under our keys."""
    if isinstance(entry, str):
        return entry == "_self_"
    if isinstance(entry, Mapping) and len(entry) == 1:
        key = str(next(iter(entry)))
        return key.startswith(("override hydra/", "hydra/"))
    return False


def load_config_file(path: str | os.PathLike) -> Any:
    """Load a RLinf YAML as the launcher composed it.

    A file whose ``defaults`` list holds only ``_self_`` and ``override hydra/...`` entries (like the
    packaged configs, or a composed config the launcher saved) is read with a plain ``OmegaConf.load``.
    Otherwise it is composed with Hydra from its directory (config groups are found there; command-line
    overrides are not known here, so the launcher should point ``RLINF_CONFIG_FILE`` at a saved
    composed config when it applies overrides that matter to the GR00T bridge).
    """
    from omegaconf import OmegaConf

    path = Path(path).resolve()
    cfg = OmegaConf.load(path)
    defaults = cfg.get("defaults") or []
    if all(_is_plain_default(d) for d in defaults):
        for key in ("defaults", "hydra"):
            if key in cfg:
                del cfg[key]
        return cfg
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        return compose(config_name=path.stem)
    with initialize_config_dir(config_dir=str(path.parent), version_base=None):
        return compose(config_name=path.stem)


def install_from_env() -> Gr00tInstall | None:
    """Worker entry point: load ``RLINF_CONFIG_FILE`` and :func:`install` when it configures GR00T.

    Returns None when the variable is unset or the config is not a GR00T one. ``data_config_class`` is
    resolved relative to the file's directory (the launcher also puts it on ``PYTHONPATH``).
    """
    path = os.environ.get("RLINF_CONFIG_FILE")
    if not path:
        return None
    cfg = load_config_file(path)
    if not is_gr00t_config(cfg):
        return None
    return install(cfg, config_dir=Path(path).resolve().parent)

"""GR00T bridge: our converters in RLinf's GR00T tables, installed from the ``isaaclab:`` block.

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

Embodiment tags (:mod:`.tags`) and the N1.5 model builder (:mod:`.loader`) are registered by
:func:`install` too.

Entry point: :func:`install`, idempotent: GR00T's family (:mod:`.family`) runs it in the driver with the
composed config and in every Ray worker with the config ``RLINF_CONFIG_FILE`` names.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...rlinf_cfg import load_config_file, model_key  # noqa: F401 - load_config_file: importable here too
from ...spec import MappingError, MappingSpec
from .installed import _INSTALLED, Gr00tInstall
from .loader import (
    _RLINF_TAGS,
    _check_data_config_keys,
    _checked_rlinf_builder,
    build_gr00t_n1d5,
    load_data_config,
)
from .tags import register_embodiment_tag

logger = logging.getLogger(__name__)

# model_type -> RLinf action table (one per GR00T generation; rlinf/models/embodiment/gr00t/simulation_io.py)
GR00T_MODEL_TYPES: dict[str, str] = {
    "gr00t": "ACTION_CONVERSION_N1D5",
    "gr00t_n1d6": "ACTION_CONVERSION_N1D6",
    "gr00t_n1d7": "ACTION_CONVERSION_N1D7",
}


def _numpy(x: Any) -> np.ndarray:
    # torch CPU tensors become numpy views (no copy); RLinf hands CPU tensors to the policy.
    return x.detach().cpu().numpy()


def make_obs_converter(spec: MappingSpec) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The ``OBS_CONVERSION`` entry for ``spec``: RLinf obs -> GR00T's numpy inputs.

    Input: RLinf's ``env_obs`` (``main_images`` uint8 [B,H,W,C], ``extra_view_images`` uint8
    [B,N,H,W,C], ``states`` float [B,D], ``task_descriptions``; CPU tensors). Output: ``video.*`` uint8
    [B,1,H,W,C], ``state.*`` float32 [B,1,D_i] and ``gr00t_mapping.language`` -> list[str].
    """
    from ...converters import to_gr00t_obs

    language_key = spec.gr00t_mapping.language_key

    def convert_obs_to_gr00t(env_obs: dict[str, Any]) -> dict[str, Any]:
        out = to_gr00t_obs(env_obs, spec)
        return {k: (v if k == language_key else _numpy(v)) for k, v in out.items()}

    convert_obs_to_gr00t.__qualname__ = f"isaaclab_rlinf.models.gr00t.obs[{spec.obs_converter_type}]"
    convert_obs_to_gr00t._isaaclab_rlinf_spec = spec  # marks the entry as ours (see _put)
    return convert_obs_to_gr00t


def make_action_converter(spec: MappingSpec, order: Sequence[str] | None = None) -> Callable[..., np.ndarray]:
    """The ``ACTION_CONVERSION_N1D*`` entry for ``spec``: GR00T action dict -> the policy's action chunk.

    Input: GR00T's unnormalised actions, ``{key: [B,T,D_i]}`` with the ``gr00t_mapping.action`` keys
    (``action.left_arm``; N1.6/N1.7 decode to bare ``left_arm``, also accepted), or ``order`` when the
    mapping lists none (the data config's ``action_keys``). Keeps the first ``chunk_size`` steps and
    concatenates in that order: float32 numpy [B, chunk_size, sum(D_i)] (RLinf's N1.5 policy calls
    ``torch.from_numpy``; its width is ``actor.model.action_dim``). The env adds ``action_mapping``'s
    zero pads itself (``IsaacLabGenericEnv.chunk_step``), as for every other policy.
    """
    order = tuple(order or spec.gr00t_mapping.action)
    apath = f"{spec.path}.gr00t_mapping.action"

    def convert_gr00t_to_isaaclab_action(action_chunk: Mapping[str, Any], chunk_size: int = 1) -> np.ndarray:
        parts = []
        for key in order:
            value = action_chunk.get(key)
            if value is None:
                value = action_chunk.get(key.split(".", 1)[1])
            if value is None:
                raise MappingError(
                    f"{apath}: GR00T returned no {key!r} (got keys {sorted(action_chunk)}). "
                    f"Fix: list exactly the checkpoint's action keys in {apath}."
                )
            parts.append(np.asarray(value[:, :chunk_size], dtype=np.float32))
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)

    convert_gr00t_to_isaaclab_action.__qualname__ = (
        f"isaaclab_rlinf.models.gr00t.action[{spec.obs_converter_type}]"
    )
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


def _as_omegaconf(cfg: Any) -> Any:
    from omegaconf import DictConfig, OmegaConf

    return cfg if isinstance(cfg, DictConfig) else OmegaConf.create(cfg)


def is_gr00t_config(cfg: Any) -> bool:
    """True when the model RLinf will build (``actor.model``, or ``rollout.model`` for eval) is GR00T."""
    from omegaconf import OmegaConf

    cfg = _as_omegaconf(cfg)
    return OmegaConf.select(cfg, f"{model_key(cfg)}.model_type", default=None) in GR00T_MODEL_TYPES


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


def _language_from_data_config(spec: MappingSpec, data_config: Any, bpath: str, first: bool) -> MappingSpec:
    """Without ``gr00t_mapping.language`` the instruction goes to the data config's one language key
    (IsaacLab's published trocar YAML sets none; its data config says ``annotation.human.task_description``,
    not RLinf's default ``annotation.human.action.task_description``)."""
    theirs = list(getattr(data_config, "language_keys", None) or ())
    gm = spec.gr00t_mapping
    if gm.language is not None or len(theirs) != 1 or theirs[0] == gm.language_key:
        return spec
    if first:
        logger.warning(
            "%s.gr00t_mapping.language is unset: the instruction goes to the data config's language key %r",
            bpath,
            theirs[0],
        )
    return dataclasses.replace(spec, gr00t_mapping=dataclasses.replace(gm, language=theirs[0]))


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
    mpath = model_key(cfg)
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

    action_order = spec.gr00t_mapping.action
    if spec.data_config_class:
        if model_type == "gr00t":
            data_config = load_data_config(spec.data_config_class, config_dir, f"{bpath}.data_config_class")
            spec = _language_from_data_config(
                spec, data_config, bpath, first=_INSTALLED.get(model_type) is None
            )
            _check_data_config_keys(data_config, spec, bpath)
            if not action_order:
                action_order = tuple(getattr(data_config, "action_keys", None) or ())
                if action_order and _INSTALLED.get(model_type) is None:
                    logger.warning(
                        "%s.gr00t_mapping.action is unset: GR00T's action keys reach the env in the data "
                        "config's action_keys order %s",
                        bpath,
                        list(action_order),
                    )
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
        make_action_converter(spec, action_order),
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


def check_model_path(
    cfg: Any, config_dir: str | os.PathLike | None = None, isaaclab_obs: Mapping[str, Any] | None = None
) -> None:
    """Check a GR00T N1.5 ``model_path``'s ``experiment_cfg/metadata.json`` against the mapping, before Ray.

    Tag entry, video/state/action keys and widths, ``action_dim``; with ``isaaclab_obs`` (a live task's
    first observation, as the launcher's task check and ``inspect`` have it) also the camera resolution
    and the prompt's length against ``rl_head_config.padding_value`` (:mod:`.prompt`).
    No-op for other generations and for paths that are not GR00T checkpoint directories (e.g. a RLinf
    training checkpoint). One-line :class:`MappingError`.
    """
    from omegaconf import OmegaConf

    from ...converters import to_gr00t_obs, to_rlinf_obs
    from .checkpoint import check_checkpoint

    cfg = _as_omegaconf(cfg)
    mpath = model_key(cfg)
    if OmegaConf.select(cfg, f"{mpath}.model_type", default=None) != "gr00t":
        return
    model_path = OmegaConf.select(cfg, f"{mpath}.model_path", default=None)
    if not model_path or not Path(str(model_path)).expanduser().is_dir():
        return
    bpath = _block_path(cfg)
    spec = MappingSpec.from_config(OmegaConf.select(cfg, bpath), path=bpath)
    data_config = None
    if spec.data_config_class:
        try:
            data_config = load_data_config(spec.data_config_class, config_dir, f"{bpath}.data_config_class")
        except MappingError:
            if config_dir is not None:
                raise
            # not importable without the YAML's directory: install() checked it there already
    shapes = gr = None
    if isaaclab_obs is not None:
        gm = spec.gr00t_mapping
        views = set(gm.video_keys)
        gr = to_gr00t_obs(to_rlinf_obs(isaaclab_obs, spec), spec)
        shapes = {k: tuple(v.shape) for k, v in gr.items() if k in views}
    root = Path(str(model_path)).expanduser()
    check_checkpoint(
        root,
        spec,
        action_dim=OmegaConf.select(cfg, f"{mpath}.action_dim", default=None),
        data_config=data_config,
        video_shapes=shapes,
    )
    if gr is not None and data_config is not None and (root / "config.json").is_file():
        from .prompt import check_padding, prompt_length

        length = prompt_length(root, spec, data_config, gr)
        if length is not None:
            check_padding(cfg, mpath, length)


def _check_spec(spec: MappingSpec, cfg: Any, mpath: str, bpath: str) -> None:
    from omegaconf import OmegaConf

    if spec.gr00t_mapping is None:
        raise MappingError(f"{bpath}.gr00t_mapping: missing; a GR00T model needs it. Fix: add gr00t_mapping.")
    if not spec.gr00t_mapping.action and not (
        spec.data_config_class and OmegaConf.select(cfg, f"{mpath}.model_type") == "gr00t"
    ):
        raise MappingError(
            f"{bpath}.gr00t_mapping.action: missing; it fixes the order GR00T's action keys reach the env "
            "(without it, N1.5 takes the data config's action_keys). "
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

"""The ``env.*.isaaclab`` YAML block -> :class:`~isaaclab_rlinf.spec.MappingSpec`: parsing and static checks.

Kept apart from :mod:`isaaclab_rlinf.spec` (the spec and the checks against a live observation):
everything here runs in the driver before Ray, on the block alone, and names the YAML path of each error.
``MappingSpec`` calls in here (``from_config``, ``__post_init__``) and passes its own class to
:func:`parse_block`; this module builds only on :mod:`isaaclab_rlinf.spec_parts`, so imports go one way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .spec_parts import (
    ActionMapping,
    Gr00tMapping,
    Gr00tStateKey,
    StateTerm,
    _did_you_mean,
    _error,
)

if TYPE_CHECKING:  # for annotations only: spec imports this module, never the reverse at run time
    from .spec import MappingSpec

# --------------------------------------------------------------------------------------------------
# parsing helpers
# --------------------------------------------------------------------------------------------------

_TOP_FIELDS = (
    "task_description",
    "main_images",
    "extra_view_images",
    "states",
    "gr00t_mapping",
    "action_mapping",
    "success_term",
    "obs_converter_type",
    "embodiment_tag",
    "embodiment_tag_id",
    "data_config_class",
)


def _to_container(block: Any, path: str) -> Any:
    """OmegaConf node -> plain containers, interpolations resolved (anchors are already YAML-resolved)."""
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf
        from omegaconf.errors import OmegaConfBaseException
    except ImportError:  # omegaconf is a dependency, but the spec itself does not need it
        return block
    if isinstance(block, (DictConfig, ListConfig)):
        try:
            return OmegaConf.to_container(block, resolve=True)
        except OmegaConfBaseException as exc:
            raise _error(
                path, f"cannot resolve an interpolation: {exc}", fix="fix the ${...} reference"
            ) from exc
    return block


def _reject_unknown(block: Mapping, allowed: Sequence[str], path: str) -> None:
    for k in block:
        if k not in allowed:
            hint = _did_you_mean(str(k), allowed)
            raise _error(
                f"{path}.{k}",
                "unknown field",
                k,
                allowed=f"allowed fields: {list(allowed)}",
                fix=f"remove or rename it{'; ' + hint if hint else ''}",
            )


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


class _Getter:
    """Typed field access with path-naming errors."""

    def __init__(self, block: Mapping, path: str):
        self.block, self.path = block, path

    def str_(self, name: str, default: str | None = None, allow_none: bool = True) -> str | None:
        v = self.block.get(name, default)
        if v is None and allow_none:
            return None
        if not isinstance(v, str):
            raise _error(f"{self.path}.{name}", "must be a string", v, fix=f'write e.g. {name}: "..."')
        return v

    def int_(self, name: str) -> int | None:
        v = self.block.get(name)
        if v is None:
            return None
        if not _is_int(v):
            raise _error(
                f"{self.path}.{name}",
                "must be an integer",
                v,
                fix=f"write {name} as a whole number, unquoted",
            )
        return v

    def str_list(self, name: str) -> tuple[str, ...]:
        v = self.block.get(name)
        if v is None:
            return ()
        p = f"{self.path}.{name}"
        if isinstance(v, str) or not isinstance(v, Sequence):
            raise _error(p, "must be a list of term names", v, fix=f"write {name}: [{v!r}]")
        if not v:
            raise _error(p, "is an empty list", list(v), fix=f"list at least one term or remove {name}")
        for i, x in enumerate(v):
            if not isinstance(x, str) or not x:
                raise _error(
                    f"{p}[{i}]", "must be a non-empty string", x, fix="write the name, e.g. front_camera"
                )
        return tuple(v)


def _parse_slice(v: Any, path: str) -> tuple[int, int]:
    if isinstance(v, str) or not isinstance(v, Sequence) or len(v) != 2 or not all(_is_int(x) for x in v):
        raise _error(
            path, "must be a list of two integers [start, end) (half-open)", v, fix="write slice: [0, 7]"
        )
    s, e = v
    if s < 0 or e < 0:
        raise _error(path, "negative indices are not allowed", list(v), fix="count columns from 0")
    if s >= e:
        raise _error(
            path,
            "start must be below end (half-open [start, end))",
            list(v),
            fix=f"write [{s}, {s + 1}] or more",
        )
    return (s, e)


def _parse_states(v: Any, path: str) -> tuple[StateTerm, ...]:
    if isinstance(v, str) or not isinstance(v, Sequence):
        raise _error(
            path, "must be a list of {key, slice} entries", v, fix="write states: [{key: joint_pos}]"
        )
    if not v:
        raise _error(path, "is an empty list", [], fix="list at least one term or remove states")
    out = []
    for i, item in enumerate(v):
        p = f"{path}[{i}]"
        if isinstance(item, str):  # shorthand: the whole term
            item = {"key": item}
        if not isinstance(item, Mapping):
            raise _error(
                p, "must be a mapping {key: ..., slice: [start, end]}", item, fix="write {key: joint_pos}"
            )
        _reject_unknown(item, ("key", "slice"), p)
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise _error(
                f"{p}.key",
                "must be a non-empty observation term name",
                key,
                fix="write the term's name, e.g. key: joint_pos (`isaaclab-rlinf inspect` lists them)",
            )
        sl = item.get("slice")
        out.append(StateTerm(key, None if sl is None else _parse_slice(sl, f"{p}.slice")))
    return tuple(out)


def _parse_gr00t(v: Any, path: str) -> Gr00tMapping:
    if not isinstance(v, Mapping):
        raise _error(path, "must be a mapping", v, fix="write gr00t_mapping: {video: ..., state: ...}")
    _reject_unknown(v, ("video", "state", "action", "language"), path)
    main, extras = None, ()
    video = v.get("video")
    if video is not None:
        if not isinstance(video, Mapping):
            raise _error(
                f"{path}.video", "must be a mapping", video, fix="write video: {main_images: video.x}"
            )
        _reject_unknown(video, ("main_images", "extra_view_images"), f"{path}.video")
        g = _Getter(video, f"{path}.video")
        main, extras = g.str_("main_images"), g.str_list("extra_view_images")
    state = ()
    if v.get("state") is not None:
        sv = v["state"]
        if isinstance(sv, str) or not isinstance(sv, Sequence):
            raise _error(
                f"{path}.state",
                "must be a list of {gr00t_key, slice} entries",
                sv,
                fix="write state: [{gr00t_key: state.arm, slice: [0, 7]}]",
            )
        if not sv:
            raise _error(f"{path}.state", "is an empty list", [], fix="list at least one key or remove state")
        items = []
        for i, item in enumerate(sv):
            p = f"{path}.state[{i}]"
            if not isinstance(item, Mapping):
                raise _error(
                    p,
                    "must be a mapping {gr00t_key: state.x, slice: [start, end]}",
                    item,
                    fix="write {gr00t_key: state.arm, slice: [0, 7]}",
                )
            _reject_unknown(item, ("gr00t_key", "slice"), p)
            key = item.get("gr00t_key")
            if not isinstance(key, str) or not key:
                raise _error(
                    f"{p}.gr00t_key", "must be a non-empty string", key, fix="write gr00t_key: state.arm"
                )
            if "slice" not in item or item["slice"] is None:
                raise _error(
                    f"{p}.slice", "is required for GR00T state keys", None, fix="write slice: [0, 7]"
                )
            items.append(Gr00tStateKey(key, _parse_slice(item["slice"], f"{p}.slice")))
        state = tuple(items)
    g = _Getter(v, path)
    return Gr00tMapping(
        main_images=main,
        extra_view_images=extras,
        state=state,
        action=g.str_list("action"),
        language=g.str_("language"),
    )


def _parse_action_mapping(v: Any, path: str) -> ActionMapping:
    if v is None:
        return ActionMapping()
    if not isinstance(v, Mapping):
        raise _error(path, "must be a mapping", v, fix="write action_mapping: {prefix_pad: 0, suffix_pad: 0}")
    _reject_unknown(v, ("prefix_pad", "suffix_pad"), path)
    pads = {}
    for name in ("prefix_pad", "suffix_pad"):
        x = v.get(name, 0)
        if x is None:
            x = 0
        if not _is_int(x):
            raise _error(
                f"{path}.{name}", "must be an integer", x, fix=f"write {name} as a whole number, unquoted"
            )
        pads[name] = x
    return ActionMapping(**pads)


# --------------------------------------------------------------------------------------------------
# static checks (shared by from_config and direct construction)
# --------------------------------------------------------------------------------------------------


def _check_slice(sl: tuple[int, int], path: str) -> None:
    if sl[0] < 0 or sl[1] <= sl[0]:
        raise _error(
            path,
            "must satisfy 0 <= start < end",
            list(sl),
            fix="write slice: [start, end] with 0 <= start < end",
        )


def static_checks(spec: MappingSpec) -> None:
    """The checks a spec needs whether parsed or built by hand (pads, cameras, slices, GR00T keys)."""
    p = spec.path
    am = spec.action_mapping
    for name in ("prefix_pad", "suffix_pad"):
        x = getattr(am, name)
        if not _is_int(x) or x < 0:
            raise _error(f"{p}.action_mapping.{name}", "must be a non-negative integer", x, fix=f"{name}: 0")
    cams = spec.camera_keys
    dup = sorted({c for c in cams if cams.count(c) > 1})
    if dup:
        raise _error(
            f"{p}.extra_view_images",
            f"camera {dup[0]!r} is mapped twice (main_images: {spec.main_images!r})",
            list(spec.extra_view_images),
            fix="map each camera term once",
        )
    for i, st in enumerate(spec.states):
        if st.slice is not None:
            _check_slice(st.slice, f"{p}.states[{i}].slice")
    if spec.embodiment_tag_id is not None and spec.embodiment_tag_id < 0:
        raise _error(
            f"{p}.embodiment_tag_id",
            "must be a non-negative integer",
            spec.embodiment_tag_id,
            fix="use the id the checkpoint was post-trained with (e.g. 31 for new_embodiment)",
        )
    if spec.data_config_class is not None and (
        spec.data_config_class.count(":") != 1 or not all(spec.data_config_class.split(":"))
    ):
        raise _error(
            f"{p}.data_config_class",
            "must be 'module:Class'",
            spec.data_config_class,
            fix='write e.g. data_config_class: "gr00t_config:IsaacLabDataConfig"',
        )
    gm = spec.gr00t_mapping
    if gm is None:
        return
    gp = f"{p}.gr00t_mapping"
    if (gm.main_images is None) != (spec.main_images is None):
        raise _error(
            f"{gp}.video.main_images",
            "must be set exactly when main_images is set",
            gm.main_images,
            allowed=f"{p}.main_images is {spec.main_images!r}",
            fix="give the main camera one video.* key, or remove both",
        )
    if len(gm.extra_view_images) != len(spec.extra_view_images):
        raise _error(
            f"{gp}.video.extra_view_images",
            f"has {len(gm.extra_view_images)} video keys for {len(spec.extra_view_images)} extra cameras",
            list(gm.extra_view_images),
            allowed=f"{p}.extra_view_images is {list(spec.extra_view_images)}",
            fix="give one video.* key per extra camera, in the same order",
        )
    videos = ([(gm.main_images, f"{gp}.video.main_images")] if gm.main_images else []) + [
        (k, f"{gp}.video.extra_view_images[{i}]") for i, k in enumerate(gm.extra_view_images)
    ]
    for k, kp in videos:
        if not k.startswith("video."):
            raise _error(kp, "GR00T video keys start with 'video.'", k, fix=f"write 'video.{k}'")
    if gm.state and not spec.states:
        raise _error(
            f"{gp}.state",
            "maps slices of the concatenated state, but no states are configured",
            [k.gr00t_key for k in gm.state],
            fix=f"add terms to {p}.states",
        )
    prev_end, prev_key = 0, None
    for i, k in enumerate(gm.state):
        kp = f"{gp}.state[{i}]"
        if not k.gr00t_key.startswith("state."):
            raise _error(
                f"{kp}.gr00t_key",
                "GR00T state keys start with 'state.'",
                k.gr00t_key,
                fix=f"write state.{k.gr00t_key}",
            )
        _check_slice(k.slice, f"{kp}.slice")
        s, e = k.slice
        if s < prev_end:
            raise _error(
                f"{kp}.slice",
                f"overlaps or precedes the slice of {prev_key!r} (which ends at {prev_end}); GR00T state "
                "slices must be in increasing order and disjoint",
                list(k.slice),
                fix=f"start at {prev_end} or later, or reorder the entries",
            )
        prev_end, prev_key = e, k.gr00t_key
    # When every state term has an explicit slice the concatenated width is known now.
    if spec.states and all(st.slice is not None for st in spec.states):
        spec.check_gr00t_state_width(sum(st.slice[1] - st.slice[0] for st in spec.states))
    seen: dict[str, str] = {}
    keyed = (
        [(k, kp) for k, kp in videos]
        + [(k.gr00t_key, f"{gp}.state[{i}].gr00t_key") for i, k in enumerate(gm.state)]
        + [(k, f"{gp}.action[{i}]") for i, k in enumerate(gm.action)]
        + [(gm.language_key, f"{gp}.language")]
    )
    for k, kp in keyed:
        if k in seen:
            raise _error(kp, f"GR00T key is used twice (also at {seen[k]})", k, fix="give each key once")
        seen[k] = kp


def parse_block(spec_cls: type[MappingSpec], block: Any, path: str) -> MappingSpec:
    """``MappingSpec.from_config``: the block's fields typed and checked, each error naming its path."""
    block = _to_container(block, path)
    if not isinstance(block, Mapping):
        raise _error(path, "must be a mapping", block, fix="write the block as `isaaclab: {...}`")
    _reject_unknown(block, _TOP_FIELDS, path)
    g = _Getter(block, path)
    spec = spec_cls(
        task_description=g.str_("task_description", default="", allow_none=True) or "",
        main_images=g.str_("main_images"),
        extra_view_images=g.str_list("extra_view_images"),
        states=_parse_states(block.get("states"), f"{path}.states") if "states" in block else (),
        gr00t_mapping=(
            _parse_gr00t(block["gr00t_mapping"], f"{path}.gr00t_mapping")
            if block.get("gr00t_mapping") is not None
            else None
        ),
        action_mapping=_parse_action_mapping(block.get("action_mapping"), f"{path}.action_mapping"),
        success_term=g.str_("success_term", default="success"),
        obs_converter_type=g.str_("obs_converter_type"),
        embodiment_tag=g.str_("embodiment_tag"),
        embodiment_tag_id=g.int_("embodiment_tag_id"),
        data_config_class=g.str_("data_config_class"),
        path=path,
    )
    return spec

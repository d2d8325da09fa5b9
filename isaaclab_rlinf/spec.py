"""The ``env.*.isaaclab`` YAML block as validated, frozen dataclasses.

The block decides what the VLA sees and how its actions reach the robot, so a mistake in it silently
trains on the wrong data. It is therefore checked twice, and every error names the YAML path, the
offending value, what exists, and the fix:

* statically, when parsed (:meth:`MappingSpec.from_config`, in the driver before Ray starts):
  types, unknown fields, empty lists, negative pads, malformed / overlapping GR00T slices, ...;
* dynamically, against a live env's first observation (:meth:`MappingSpec.validate`): keys exist and
  are unambiguous, slices fit the term widths, cameras are images of one shape, action widths add up.

A *key* is an IsaacLab observation term name, searched in every group of the env's observation dict
(``dict[group, dict[term, Tensor]]``, groups built with ``concatenate_terms=False``); ``group.term``
disambiguates. A group that is itself a tensor (``concatenate_terms=True``) can be named as a key.
Slices are half-open ``[start, end)``.

The spec is frozen (hence hashable), so converters key their per-layout caches on it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

__all__ = [
    "DEFAULT_LANGUAGE_KEY",
    "ActionMapping",
    "Gr00tMapping",
    "Gr00tStateKey",
    "MappingError",
    "MappingSpec",
    "ObsLayout",
    "StateTerm",
    "TermRef",
]

DEFAULT_LANGUAGE_KEY = "annotation.human.action.task_description"

# resolved layouts per (spec, obs names, used-term shapes); bounded so varying batch sizes cannot leak
_LAYOUT_CACHE: dict[tuple, ObsLayout] = {}
_REF_CACHE: dict[tuple, tuple] = {}
_CACHE_MAX = 256


class MappingError(ValueError):
    """The ``isaaclab`` mapping block does not fit the config schema or the live env.

    The message names the YAML path, the offending value, what exists / is allowed, and the fix.
    """


_NO_VALUE = object()


def _error(
    path: str, problem: str, got: Any = _NO_VALUE, *, allowed: str | None = None, fix: str | None = None
) -> MappingError:
    """Build a :class:`MappingError` in the one message format used everywhere."""
    msg = f"{path}: {problem}"
    if got is not _NO_VALUE:
        text = repr(got)
        msg += f" (got {text if len(text) <= 200 else text[:197] + '...'})"
    msg += "."
    if allowed:
        msg += f" {_sentence(allowed[0].upper() + allowed[1:])}"
    if fix:
        msg += f" Fix: {_sentence(fix)}"
    return MappingError(msg)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"did you mean {close[0]!r}?" if close else ""


# --------------------------------------------------------------------------------------------------
# dataclasses
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateTerm:
    """One state entry: an observation term, whole (``slice=None``) or its columns ``[start, end)``."""

    key: str
    slice: tuple[int, int] | None = None


@dataclass(frozen=True)
class Gr00tStateKey:
    """A GR00T ``state.*`` key taken as columns ``[start, end)`` of the concatenated RLinf state."""

    gr00t_key: str
    slice: tuple[int, int]


@dataclass(frozen=True)
class Gr00tMapping:
    """How RLinf observations become GR00T keys, and the order GR00T action keys are concatenated."""

    main_images: str | None = None
    extra_view_images: tuple[str, ...] = ()
    state: tuple[Gr00tStateKey, ...] = ()
    action: tuple[str, ...] = ()
    language: str | None = None

    def __post_init__(self) -> None:
        for name in ("extra_view_images", "state", "action"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def language_key(self) -> str:
        return self.language or DEFAULT_LANGUAGE_KEY

    @property
    def video_keys(self) -> tuple[str, ...]:
        """Every GR00T video key, the main view's first (the order of RLinf's views)."""
        return tuple(k for k in (self.main_images, *self.extra_view_images) if k)


@dataclass(frozen=True)
class ActionMapping:
    """Zero columns put before / after the policy's action to fill the env's action vector."""

    prefix_pad: int = 0
    suffix_pad: int = 0


@dataclass(frozen=True)
class TermRef:
    """Where a key was found: ``obs[group][term]``, or ``obs[term]`` when ``group`` is None."""

    group: str | None
    term: str

    @property
    def name(self) -> str:
        return self.term if self.group is None else f"{self.group}.{self.term}"

    def get(self, obs: Mapping[str, Any]) -> Any:
        return obs[self.term] if self.group is None else obs[self.group][self.term]


@dataclass(frozen=True)
class ObsLayout:
    """A spec resolved against one observation structure and its shapes/dtypes/device.

    Built (and checked) once per distinct input layout by :meth:`MappingSpec.resolve`; the converters'
    hot path only indexes with it.
    """

    batch_size: int
    main: TermRef | None
    extras: tuple[TermRef, ...]
    states: tuple[tuple[TermRef, int, int, int], ...]  # (term, start, end, offset in the state vector)
    state_dim: int
    float_images: frozenset[str]  # names of camera terms that arrive as float and need conversion
    device: Any  # torch.device of the mapped terms


@dataclass(frozen=True)
class MappingSpec:
    """The ``env.train.isaaclab`` block, parsed and statically checked.

    Attributes:
        task_description: instruction given to the VLA for every env.
        main_images: camera term giving RLinf's ``main_images`` [B,H,W,C] (None: no main image).
        extra_view_images: camera terms stacked into ``extra_view_images`` [B,N,H,W,C].
        states: terms (or column slices) concatenated in order into ``states`` [B,D].
        gr00t_mapping: RLinf -> GR00T key mapping (None for non-GR00T policies).
        action_mapping: zero padding around the policy action to reach the env's action width.
        success_term: IsaacLab termination term meaning success (None: fall back to reward > 0).
        obs_converter_type, embodiment_tag, embodiment_tag_id, data_config_class: GR00T model
            settings carried through for the GR00T bridge.
        path: YAML path of the block, used in every error message.
    """

    task_description: str = ""
    main_images: str | None = None
    extra_view_images: tuple[str, ...] = ()
    states: tuple[StateTerm, ...] = ()
    gr00t_mapping: Gr00tMapping | None = None
    action_mapping: ActionMapping = ActionMapping()
    success_term: str | None = "success"
    obs_converter_type: str | None = None
    embodiment_tag: str | None = None
    embodiment_tag_id: int | None = None
    data_config_class: str | None = None
    path: str = "env.train.isaaclab"

    def __post_init__(self) -> None:
        # Lists passed by hand become tuples (keeps the spec hashable); then the same static checks
        # as YAML parsing run, so a hand-built spec is as trustworthy as a parsed one.
        object.__setattr__(self, "extra_view_images", tuple(self.extra_view_images))
        object.__setattr__(self, "states", tuple(self.states))
        _static_checks(self)

    def __hash__(self) -> int:
        # The spec keys the converters' caches on every call: hash the nested fields once. The cached
        # value is dropped when pickled (string hashes differ between processes).
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", h)
        return h

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    # ------------------------------------------------------------------ parsing
    @classmethod
    def from_config(cls, block: Any, path: str = "env.train.isaaclab") -> MappingSpec:
        """Parse the ``isaaclab`` block (a dict or an OmegaConf node; ``${}`` interpolations resolved)."""
        block = _to_container(block, path)
        if not isinstance(block, Mapping):
            raise _error(path, "must be a mapping", block, fix="write the block as `isaaclab: {...}`")
        _reject_unknown(block, _TOP_FIELDS, path)
        g = _Getter(block, path)
        spec = cls(
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

    # ------------------------------------------------------------------ dynamic checks
    @property
    def camera_keys(self) -> tuple[str, ...]:
        return ((self.main_images,) if self.main_images else ()) + self.extra_view_images

    def groups_read(self, structure: Mapping[str, Iterable[str] | None]) -> frozenset[str] | None:
        """The observation groups this mapping reads, from the env's structure before it is built.

        ``structure`` maps each group to its term names (None for a group built with
        ``concatenate_terms=True``, which a key names whole). Keys resolve exactly as in
        :meth:`resolve`; returns None when one does not (the check against the live env reports it).
        """
        obs = {g: (None if terms is None else dict.fromkeys(terms)) for g, terms in structure.items()}
        try:
            main, extras, states = self._resolve_refs(obs)
        except MappingError:
            return None
        refs = ([main] if main else []) + list(extras) + [ref for ref, _ in states]
        return frozenset(ref.term if ref.group is None else ref.group for ref in refs)

    def resolve(self, obs: Mapping[str, Any]) -> ObsLayout:
        """Resolve keys against ``obs`` and check shapes; cached per (spec, names, shapes, dtypes, device).

        The first call for a layout does all dynamic checks (and one host sync for float images); later
        calls with the same layout are a few dict lookups.
        """
        if not isinstance(obs, Mapping):
            raise _error(
                self.path,
                "the observation must be a dict of groups (or terms)",
                type(obs).__name__,
                fix="pass the env's obs dict, with groups built with concatenate_terms=False",
            )
        names = tuple(
            (g, tuple(v) if isinstance(v, dict) or isinstance(v, Mapping) else None) for g, v in obs.items()
        )
        rkey = (self, names)
        refs = _REF_CACHE.get(rkey)
        if refs is None:
            refs = self._resolve_refs(obs)
            _bounded_put(_REF_CACHE, rkey, refs)
        main, extras, states = refs
        used = ([main] if main else []) + list(extras) + [r for r, _ in states]
        tensors = [r.get(obs) for r in used]
        try:
            sig = tuple((t.shape, t.dtype, t.device) for t in tensors)
        except AttributeError:
            sig = None  # a non-tensor term: let _check_layout name it
        lkey = (rkey, sig)
        layout = _LAYOUT_CACHE.get(lkey) if sig is not None else None
        if layout is None:
            layout = self._check_layout(obs, main, extras, states)
            _bounded_put(_LAYOUT_CACHE, lkey, layout)
        return layout

    def validate(
        self,
        isaaclab_obs: Mapping[str, Any],
        env_action_dim: int | None = None,
        policy_action_dim: int | None = None,
    ) -> None:
        """Check the spec against a live env's first observation and action widths.

        Raises :class:`MappingError` naming the YAML path on the first problem found. Cheap enough to
        call once on the first reset.
        """
        layout = self.resolve(isaaclab_obs)
        self.check_gr00t_state_width(layout.state_dim)
        self.check_action_dims(env_action_dim, policy_action_dim)

    def check_gr00t_state_width(self, state_dim: int) -> None:
        """GR00T state slices must lie inside the concatenated state of width ``state_dim``."""
        if self.gr00t_mapping is None:
            return
        for i, k in enumerate(self.gr00t_mapping.state):
            if k.slice[1] > state_dim:
                raise _error(
                    f"{self.path}.gr00t_mapping.state[{i}].slice",
                    f"slice of {k.gr00t_key!r} ends past the concatenated state width {state_dim}",
                    list(k.slice),
                    allowed=f"the states ({self._states_text()}) give columns [0, {state_dim})",
                    fix=f"keep slices within [0, {state_dim}] or add terms to {self.path}.states",
                )

    def check_action_dims(self, env_action_dim: int | None, policy_action_dim: int | None) -> None:
        """``prefix_pad + policy_action_dim + suffix_pad`` must equal the env's action width."""
        p, s = self.action_mapping.prefix_pad, self.action_mapping.suffix_pad
        apath = f"{self.path}.action_mapping"
        if env_action_dim is not None and policy_action_dim is not None:
            if p + policy_action_dim + s != env_action_dim:
                need = env_action_dim - policy_action_dim - p
                fix = (
                    f"set suffix_pad: {need}"
                    if need >= 0
                    else f"reduce prefix_pad (at most {env_action_dim - policy_action_dim})"
                )
                raise _error(
                    apath,
                    f"prefix_pad {p} + policy action dim {policy_action_dim} + suffix_pad {s} = "
                    f"{p + policy_action_dim + s}, but the env's action dim is {env_action_dim}",
                    {"prefix_pad": p, "suffix_pad": s},
                    fix=fix,
                )
        elif env_action_dim is not None and p + s >= env_action_dim:
            raise _error(
                apath,
                f"pads of {p + s} columns leave no column of the env's {env_action_dim}-dim action "
                "to the policy",
                {"prefix_pad": p, "suffix_pad": s},
                fix=f"keep prefix_pad + suffix_pad below {env_action_dim}",
            )

    def check_success_term(self, termination_terms: Iterable[str]) -> None:
        """``success_term`` (when set) must be one of the env's termination terms."""
        terms = list(termination_terms)
        if self.success_term is not None and self.success_term not in terms:
            raise _error(
                f"{self.path}.success_term",
                "no termination term of that name",
                self.success_term,
                allowed=f"termination terms: {terms}; {_did_you_mean(self.success_term, terms)}".rstrip("; "),
                fix="name one of them, or set success_term: null to count reward > 0 as success",
            )

    # ------------------------------------------------------------------ internals
    def _states_text(self) -> str:
        return ", ".join(
            st.key + (f"[{st.slice[0]}:{st.slice[1]}]" if st.slice else "") for st in self.states
        )

    def _resolve_refs(self, obs: Mapping[str, Any]) -> tuple:
        index: dict[str, list[TermRef]] = {}
        for g, v in obs.items():
            if isinstance(v, Mapping):
                for t in v:
                    index.setdefault(t, []).append(TermRef(g, t))
            else:
                index.setdefault(g, []).append(TermRef(None, g))

        def find(key: str, ypath: str) -> TermRef:
            hits = index.get(key)
            if hits and len(hits) == 1:
                return hits[0]
            if hits:
                names = [h.name for h in hits]
                raise _error(
                    ypath,
                    f"term {key!r} is ambiguous: it exists in several observation groups",
                    key,
                    allowed=f"found as {names}",
                    fix=f"write `group.term`, e.g. {names[0]!r}",
                )
            if "." in key:
                grp, term = key.split(".", 1)
                v = obs.get(grp)
                if isinstance(v, Mapping) and term in v:
                    return TermRef(grp, term)
            existing = [r.name for refs in index.values() for r in refs]
            hint = _did_you_mean(key, existing + list(index))
            raise _error(
                ypath,
                f"no observation term {key!r}",
                key,
                allowed=f"terms that exist: {_describe_obs(obs)}",
                fix=f"use one of them{'; ' + hint if hint else ''}",
            )

        main = find(self.main_images, f"{self.path}.main_images") if self.main_images else None
        extras = tuple(
            find(k, f"{self.path}.extra_view_images[{i}]") for i, k in enumerate(self.extra_view_images)
        )
        states = tuple((find(st.key, f"{self.path}.states[{i}].key"), st) for i, st in enumerate(self.states))
        return main, extras, states

    def _check_layout(self, obs, main, extras, states) -> ObsLayout:
        import torch

        batch: tuple[int, str] | None = None
        device: tuple[Any, str] | None = None

        def common(t, ref: TermRef, ypath: str) -> None:
            nonlocal batch, device
            if not isinstance(t, torch.Tensor):
                raise _error(
                    ypath,
                    f"term {ref.name!r} is not a torch.Tensor",
                    type(t).__name__,
                    fix="pass the env's torch observation dict unchanged",
                )
            if t.ndim == 0:
                raise _error(
                    ypath,
                    f"term {ref.name!r} is a scalar, not a batch",
                    tuple(t.shape),
                    fix="map a per-env term ([N, ...])",
                )
            if batch is None:
                batch, device = (t.shape[0], ref.name), (t.device, ref.name)
            elif t.shape[0] != batch[0]:
                raise _error(
                    ypath,
                    f"term {ref.name!r} has batch size {t.shape[0]} but {batch[1]!r} has {batch[0]}",
                    tuple(t.shape),
                    fix="map terms of the same env batch",
                )
            elif t.device != device[0]:
                raise _error(
                    ypath,
                    f"term {ref.name!r} is on {t.device} but {device[1]!r} is on {device[0]}",
                    str(t.device),
                    fix="keep all mapped terms on the sim device",
                )

        float_images: set[str] = set()
        view_shape: tuple[tuple, str] | None = None
        cams = ([(main, f"{self.path}.main_images")] if main else []) + [
            (r, f"{self.path}.extra_view_images[{i}]") for i, r in enumerate(extras)
        ]
        for ref, ypath in cams:
            t = ref.get(obs)
            common(t, ref, ypath)
            shape = tuple(t.shape)
            if t.ndim != 4 or shape[-1] != 3:
                if t.ndim == 4 and shape[1] == 3:
                    raise _error(
                        ypath,
                        f"camera term {ref.name!r} is channel-first [B,3,H,W]; channel-last [B,H,W,3] "
                        "is required",
                        shape,
                        fix="set channel_first=False on the IsaacLab image term (no copy is spent permuting)",
                    )
                raise _error(
                    ypath,
                    f"camera term {ref.name!r} is not an RGB image batch [B,H,W,3]",
                    shape,
                    allowed="camera terms must be mdp.image_rgb-like [B,H,W,3] (frame_stack=1)",
                    fix="name an RGB camera term here, or move the term to states",
                )
            if t.dtype.is_floating_point:
                lo, hi = (float(x) for x in torch.aminmax(t.detach()))  # one sync, once per layout
                if lo < 0 or hi > 255:
                    raise _error(
                        ypath,
                        f"float camera term {ref.name!r} has values in [{lo:.3g}, {hi:.3g}], neither 0..1 "
                        "nor 0..255 (mean-subtracted images cannot be turned back into pixels)",
                        str(t.dtype),
                        fix="set normalize=False on the IsaacLab image term to get uint8 pixels",
                    )
                float_images.add(ref.name)
            elif t.dtype != torch.uint8:
                raise _error(
                    ypath,
                    f"camera term {ref.name!r} has dtype {t.dtype}",
                    str(t.dtype),
                    allowed="allowed: uint8, or float in 0..1 / 0..255",
                    fix="use an RGB camera term (mdp.image_rgb with normalize=False gives uint8)",
                )
            if ypath.startswith(f"{self.path}.extra_view_images"):
                if view_shape is None:
                    view_shape = (shape[1:], ref.name)
                elif shape[1:] != view_shape[0]:
                    raise _error(
                        ypath,
                        f"extra view {ref.name!r} is {list(shape[1:])} (H,W,C) but {view_shape[1]!r} is "
                        f"{list(view_shape[0])}; extra views are stacked and must agree in shape",
                        shape,
                        fix="give the wrist/extra cameras the same resolution",
                    )

        resolved, offset = [], 0
        for i, (ref, st) in enumerate(states):
            ypath = f"{self.path}.states[{i}]"
            t = ref.get(obs)
            common(t, ref, f"{ypath}.key")
            if t.ndim != 2:
                raise _error(
                    f"{ypath}.key",
                    f"state term {ref.name!r} must be [B,d]",
                    tuple(t.shape),
                    fix="map only vector terms into states (cameras go to main_images/extra_view_images)",
                )
            if t.dtype.is_complex:
                raise _error(
                    f"{ypath}.key",
                    f"state term {ref.name!r} is complex",
                    str(t.dtype),
                    fix="map a real-valued term",
                )
            width = t.shape[1]
            if st.slice is None:
                s, e = 0, width
            else:
                s, e = st.slice
                if e > width:
                    raise _error(
                        f"{ypath}.slice",
                        f"slice of {ref.name!r} ends past the term's width {width}",
                        list(st.slice),
                        allowed=f"term {ref.name!r} has columns [0, {width})",
                        fix=f"use a slice within [0, {width}], or drop `slice` to take the whole term",
                    )
            resolved.append((ref, s, e, offset))
            offset += e - s

        if batch is None:
            raise _error(
                self.path,
                "maps no camera and no state term",
                fix="set main_images, extra_view_images or states",
            )
        return ObsLayout(
            batch_size=batch[0],
            main=main,
            extras=extras,
            states=tuple(resolved),
            state_dim=offset,
            float_images=frozenset(float_images),
            device=device[0],
        )


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


def _bounded_put(cache: dict, key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value


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


def _static_checks(spec: MappingSpec) -> None:
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
            s, e = st.slice
            if s < 0 or e <= s:
                raise _error(
                    f"{p}.states[{i}].slice",
                    "must satisfy 0 <= start < end",
                    list(st.slice),
                    fix="write slice: [start, end] with 0 <= start < end",
                )
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
        s, e = k.slice
        if s < 0 or e <= s:
            raise _error(
                f"{kp}.slice",
                "must satisfy 0 <= start < end",
                list(k.slice),
                fix="write slice: [start, end] with 0 <= start < end",
            )
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


def _describe_obs(obs: Mapping[str, Any]) -> str:
    """``group.term [shape] dtype`` for every term, for 'what exists' error messages."""

    def one(name: str, t: Any) -> str:
        shape = getattr(t, "shape", None)
        dtype = str(getattr(t, "dtype", type(t).__name__)).replace("torch.", "")
        return f"{name} {list(shape) if shape is not None else ''} {dtype}".replace("  ", " ")

    parts = []
    for g, v in obs.items():
        if isinstance(v, Mapping):
            parts += [one(f"{g}.{t}", x) for t, x in v.items()]
        else:
            parts.append(one(g, v))
    return ", ".join(parts) if parts else "(none: the observation dict is empty)"

"""The ``env.*.isaaclab`` YAML block as validated, frozen dataclasses.

The block decides what the VLA sees and how its actions reach the robot, so a mistake in it silently
trains on the wrong data. It is therefore checked twice, and every error names the YAML path, the
offending value, what exists, and the fix:

* statically, when parsed (:meth:`MappingSpec.from_config`, in the driver before Ray starts; the
  parsing lives in :mod:`isaaclab_rlinf.spec_yaml`): types, unknown fields, empty lists, negative
  pads, malformed / overlapping GR00T slices, ...; the dataclasses it is made of and :class:`MappingError`
  are in :mod:`isaaclab_rlinf.spec_parts` (imported here, so every name stays importable from this module);
* dynamically, against a live env's first observation (:meth:`MappingSpec.validate`): keys exist and
  are unambiguous, slices fit the term widths, cameras are images of one shape, action widths add up.

A *key* is an IsaacLab observation term name, searched in every group of the env's observation dict
(``dict[group, dict[term, Tensor]]``, groups built with ``concatenate_terms=False``); ``group.term``
disambiguates. A group that is itself a tensor (``concatenate_terms=True``) can be named as a key.
Slices are half-open ``[start, end)``.

The spec is frozen (hence hashable), so converters key their per-layout caches on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from .spec_parts import (
    DEFAULT_LANGUAGE_KEY,
    ActionMapping,
    Gr00tMapping,
    Gr00tStateKey,
    MappingError,
    StateTerm,
    _did_you_mean,
    _error,
)
from .spec_yaml import parse_block, static_checks

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

# resolved layouts per (spec, obs names, used-term shapes); bounded so varying batch sizes cannot leak
_LAYOUT_CACHE: dict[tuple, ObsLayout] = {}
_REF_CACHE: dict[tuple, tuple] = {}
_CACHE_MAX = 256


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
        static_checks(self)

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
        return parse_block(cls, block, path)

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


def _bounded_put(cache: dict, key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value


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

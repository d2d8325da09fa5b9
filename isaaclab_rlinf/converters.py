"""Vectorized converters: IsaacLab obs -> RLinf obs -> GR00T dict, and GR00T actions -> IsaacLab action.

Pure torch and device-agnostic: outputs stay on the input's device (the sim device) until RLinf's single
hand-over to the CPU. No Python loop over envs, no per-key ``.cpu()``/``.item()``. Every input layout
(key structure, shapes, dtypes, device) is checked once and cached, keyed on the frozen spec; the hot
path then only slices and copies.

Copies vs views:

* :func:`to_rlinf_obs` returns *fresh* tensors. IsaacLab camera terms are often views of the sensor's
  buffer, which the next step overwrites; RLinf's sim subprocess hands tensors over through shared memory
  or CUDA IPC (not copies), and ``chunk_step`` keeps every step's obs in a list. Reusing output buffers
  across calls would alias the same way. One copy of the image bytes is the floor; this module does
  exactly one.
* :func:`to_gr00t_obs` returns *views* of the RLinf obs (``unsqueeze``/slicing): no bytes move.

Image rule (camera terms): uint8 ``[B,H,W,3]`` is copied as is. A float term is converted explicitly:
if its maximum over the whole batch is <= 1.0 it is taken as 0..1 and multiplied by 255, else as 0..255;
then rounded to nearest and clamped to [0, 255] before the cast to uint8. The decision is made on device
(``torch.where``), without a host sync. Float values outside [0, 255] (e.g. IsaacLab's mean-subtracted
``normalize=True`` images) and channel-first ``[B,3,H,W]`` images are rejected with a
:class:`~isaaclab_rlinf.spec.MappingError` when the layout is first seen: the fix (``normalize=False``,
``channel_first=False`` on the IsaacLab term) is free, while permuting here would cost a strided copy.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from .spec import Gr00tMapping, MappingSpec, _bounded_put, _error

__all__ = ["to_gr00t_obs", "to_isaaclab_action", "to_rlinf_obs"]

_GR00T_CACHE: dict[tuple, tuple] = {}
_ACTION_CACHE: dict[tuple, tuple] = {}
_ACTION_KEYS_OK: dict[tuple, bool] = {}


# --------------------------------------------------------------------------------------------------
# IsaacLab -> RLinf
# --------------------------------------------------------------------------------------------------


_HUGE_ALLOC_BYTES = 1 << 20
_NP_DTYPES = {torch.uint8: np.uint8, torch.float32: np.float32}


def _cpu_empty(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """A fresh CPU output buffer.

    Large buffers come from numpy: its allocator asks the kernel for transparent huge pages (``madvise``),
    while torch's CPU allocator faults in every 4 KiB page of a fresh buffer; on a 150 MB image batch the
    copy into a numpy-backed buffer was ~3.5x faster. (On CUDA torch's caching allocator makes fresh
    outputs free, so plain ``clone``/``stack``/``cat`` are used there.)
    """
    n = dtype.itemsize
    for d in shape:
        n *= d
    if n >= _HUGE_ALLOC_BYTES and dtype in _NP_DTYPES:
        return torch.from_numpy(np.empty(shape, dtype=_NP_DTYPES[dtype]))
    return torch.empty(shape, dtype=dtype)


def _float_image_to_uint8(x: torch.Tensor) -> torch.Tensor:
    """0..1 or 0..255 float image batch -> uint8 (see the module docstring for the rule)."""
    scale = torch.where(x.amax() <= 1.0, 255.0, 1.0).to(x.dtype)
    return (x * scale).round_().clamp_(0, 255).to(torch.uint8)


def to_rlinf_obs(isaaclab_obs: Mapping[str, Any], spec: MappingSpec) -> dict[str, Any]:
    """Map an IsaacLab observation dict to RLinf's observation keys.

    Returns ``main_images`` uint8 [B,H,W,C] (absent when ``spec.main_images`` is None),
    ``extra_view_images`` uint8 [B,N,H,W,C] (absent when there are none), ``states`` float32 [B,D]
    (absent when there are no states) and ``task_descriptions`` (list[str] of length B). Tensors are
    fresh (never alias the sim's buffers) and stay on the input's device.

    Raises:
        MappingError: a key is missing/ambiguous, a slice exceeds its term, or a camera is not an image
            (checked once per input layout).
    """
    layout = spec.resolve(isaaclab_obs)
    floats = layout.float_images
    cpu = layout.device.type == "cpu"
    out: dict[str, Any] = {}
    if layout.main is not None:
        img = layout.main.get(isaaclab_obs)
        if layout.main.name in floats:
            out["main_images"] = _float_image_to_uint8(img)
        elif cpu:
            out["main_images"] = _cpu_empty(tuple(img.shape), torch.uint8).copy_(img)
        else:
            out["main_images"] = img.clone(memory_format=torch.contiguous_format)
    if layout.extras:
        views = [r.get(isaaclab_obs) for r in layout.extras]
        if floats:
            views = [
                _float_image_to_uint8(v) if r.name in floats else v
                for r, v in zip(layout.extras, views, strict=True)
            ]
        if cpu:
            v0 = views[0]
            buf = _cpu_empty((v0.shape[0], len(views), *v0.shape[1:]), torch.uint8)
            out["extra_view_images"] = torch.stack(views, dim=1, out=buf)
        else:
            out["extra_view_images"] = torch.stack(views, dim=1)  # one allocation, one kernel
    if layout.states:
        # one kernel; the loop is over terms (a handful), never over envs
        parts = [ref.get(isaaclab_obs).narrow(1, s, e - s) for ref, s, e, _ in layout.states]
        if cpu:
            buf = _cpu_empty((layout.batch_size, layout.state_dim), torch.float32)
            out["states"] = torch.cat(parts, dim=1, out=buf)  # casts into float32
        else:
            states = torch.cat(parts, dim=1)  # promotes mixed dtypes
            out["states"] = states if states.dtype == torch.float32 else states.float()
    out["task_descriptions"] = [spec.task_description] * layout.batch_size
    return out


# --------------------------------------------------------------------------------------------------
# RLinf -> GR00T
# --------------------------------------------------------------------------------------------------


def _check_gr00t_input(rlinf_obs: Mapping[str, Any], spec: MappingSpec) -> None:
    """All checks of :func:`to_gr00t_obs` for one input layout (then cached)."""
    gm = spec.gr00t_mapping
    gp = f"{spec.path}.gr00t_mapping"
    batch: list[tuple[int, str]] = []

    def need(key: str, ypath: str, ndim: int, what: str) -> torch.Tensor:
        t = rlinf_obs.get(key)
        if t is None:
            raise _error(
                ypath,
                f"maps rlinf_obs[{key!r}], which is missing",
                sorted(rlinf_obs),
                allowed=f"rlinf_obs has keys {sorted(rlinf_obs)}",
                fix="pass the output of to_rlinf_obs for the same spec",
            )
        if not isinstance(t, torch.Tensor) or t.ndim != ndim:
            raise _error(
                ypath,
                f"rlinf_obs[{key!r}] must be a {what} tensor",
                tuple(t.shape) if hasattr(t, "shape") else type(t).__name__,
            )
        batch.append((t.shape[0], key))
        return t

    if gm.main_images:
        t = need("main_images", f"{gp}.video.main_images", 4, "uint8 [B,H,W,C]")
        if t.dtype != torch.uint8:
            raise _error(f"{gp}.video.main_images", "rlinf_obs['main_images'] must be uint8", str(t.dtype))
    if gm.extra_view_images:
        t = need("extra_view_images", f"{gp}.video.extra_view_images", 5, "uint8 [B,N,H,W,C]")
        if t.dtype != torch.uint8:
            raise _error(f"{gp}.video.extra_view_images", "extra_view_images must be uint8", str(t.dtype))
        if t.shape[1] != len(gm.extra_view_images):
            raise _error(
                f"{gp}.video.extra_view_images",
                f"rlinf_obs['extra_view_images'] has {t.shape[1]} views for {len(gm.extra_view_images)} "
                "video keys",
                list(gm.extra_view_images),
                fix="give one video.* key per extra camera",
            )
    if gm.state:
        t = need("states", f"{gp}.state", 2, "[B,D]")
        spec.check_gr00t_state_width(t.shape[1])
    td = rlinf_obs.get("task_descriptions")
    if td is not None:
        if isinstance(td, str):
            raise _error(
                f"{gp}.language", "task_descriptions must be a list of strings, not one string", td[:40]
            )
        batch.append((len(td), "task_descriptions"))
    if len({b for b, _ in batch}) > 1:
        raise _error(gp, "rlinf_obs entries disagree on the batch size", dict((k, b) for b, k in batch))


def _sig(t: Any) -> Any:
    return (t.shape, t.dtype, t.device) if isinstance(t, torch.Tensor) else type(t)


def _state_split(gm: Gr00tMapping) -> tuple[int | None, tuple[int, ...], tuple[str, ...]]:
    """(start, sizes, keys) when the GR00T state slices tile one contiguous range, else start None."""
    slices = [k.slice for k in gm.state]
    keys = tuple(k.gr00t_key for k in gm.state)
    if slices and all(a[1] == b[0] for a, b in itertools.pairwise(slices)):
        return slices[0][0], tuple(e - s for s, e in slices), keys
    return None, (), keys


def to_gr00t_obs(rlinf_obs: Mapping[str, Any], spec: MappingSpec) -> dict[str, Any]:
    """Map RLinf observations to GR00T keys (``spec.gr00t_mapping``), as torch views.

    Returns ``video.*`` uint8 [B,1,H,W,C], ``state.*`` float32 [B,1,D_i] and the language key
    (``gr00t_mapping.language``, default ``annotation.human.action.task_description``) -> list[str].
    Tensors are views of ``rlinf_obs`` (no copy; ``extra`` views are strided); the GR00T bridge converts
    to numpy at the model boundary. Missing ``task_descriptions`` fall back to ``spec.task_description``.
    """
    gm = spec.gr00t_mapping
    if gm is None:
        raise _error(
            f"{spec.path}.gr00t_mapping",
            "to_gr00t_obs needs a gr00t_mapping, and the spec has none",
            fix="add gr00t_mapping: {video: ..., state: ...} to the block",
        )
    td = rlinf_obs.get("task_descriptions")
    main, ev, st = (rlinf_obs.get(k) for k in ("main_images", "extra_view_images", "states"))
    sig = (spec, -1 if td is None else len(td), _sig(main), _sig(ev), _sig(st))
    state_split = _GR00T_CACHE.get(sig)
    if state_split is None:
        _check_gr00t_input(rlinf_obs, spec)
        state_split = _state_split(gm)
        _bounded_put(_GR00T_CACHE, sig, state_split)

    out: dict[str, Any] = {}
    batch = None
    if gm.main_images:
        out[gm.main_images] = main.unsqueeze(1)
        batch = main.shape[0]
    if gm.extra_view_images:
        out.update(zip(gm.extra_view_images, ev.split(1, dim=1), strict=True))  # N views, one call
        batch = ev.shape[0]
    if gm.state:
        if st.dtype != torch.float32:
            st = st.float()
        st1 = st.unsqueeze(1)
        start, sizes, keys = state_split
        if start is not None:  # slices tile one range: a single split
            out.update(zip(keys, st1.narrow(2, start, sum(sizes)).split(sizes, dim=2), strict=True))
        else:
            for k in gm.state:
                out[k.gr00t_key] = st1.narrow(2, k.slice[0], k.slice[1] - k.slice[0])
        batch = st.shape[0]
    if td is None:
        if batch is None:
            raise _error(
                f"{spec.path}.gr00t_mapping",
                "maps no video or state key and rlinf_obs has no task_descriptions: batch size unknown",
            )
        td = [spec.task_description] * batch
    out[gm.language_key] = list(td)
    return out


# --------------------------------------------------------------------------------------------------
# GR00T / policy actions -> IsaacLab
# --------------------------------------------------------------------------------------------------


def _as_tensor(x: Any, name: str, path: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        if x.dtype == object or np.iscomplexobj(x):
            raise _error(path, f"action {name} has a non-numeric dtype", str(x.dtype))
        return torch.from_numpy(x)  # zero-copy; the one copy happens into the padded output
    raise _error(
        path,
        f"action {name} must be a torch.Tensor or numpy array",
        type(x).__name__,
        fix="pass the policy output tensor (or a dict of action.* arrays)",
    )


def _check_action(parts: list[tuple[str, torch.Tensor]], spec: MappingSpec, path: str) -> tuple:
    """Checks for one action layout: ranks, leading dims and dtypes agree. Returns (lead, widths)."""
    lead = None
    for name, t in parts:
        if t.ndim not in (2, 3):
            raise _error(
                path,
                f"action {name} must be [B,T,D] or [B,D]",
                tuple(t.shape),
                fix="pass the action chunk with batch (and time) dimensions",
            )
        if t.dtype.is_complex or t.dtype == torch.bool:
            raise _error(path, f"action {name} must be numeric", str(t.dtype))
        if lead is None:
            lead = (tuple(t.shape[:-1]), name)
        elif tuple(t.shape[:-1]) != lead[0]:
            raise _error(
                path,
                f"action {name} has leading dims {list(t.shape[:-1])} but {lead[1]} has {list(lead[0])}",
                tuple(t.shape),
                fix="give every action key the same [B,T]",
            )
    return lead[0], tuple(t.shape[-1] for _, t in parts)


def to_isaaclab_action(
    action: torch.Tensor | np.ndarray | Mapping[str, torch.Tensor | np.ndarray],
    spec: MappingSpec,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Pad a policy action chunk into the env's action vector.

    ``action`` is a [B,T,D] (or [B,D]) tensor/array, or a dict of GR00T ``action.*`` [B,T,D_i] entries
    concatenated in ``spec.gr00t_mapping.action`` order (missing or extra keys are errors). Returns
    float32 [B,T,prefix_pad+D+suffix_pad] (or [B,...] for 2-D input) with zeros in the pads, on
    ``device`` (default: the input's device). The padded action is written piece by piece into one
    buffer where the inputs live (no intermediate concatenation), then moved to ``device`` in one copy
    (asynchronous from CPU to CUDA: the buffer is pinned).
    """
    am = spec.action_mapping
    if isinstance(action, dict) or (
        not isinstance(action, (torch.Tensor, np.ndarray)) and isinstance(action, Mapping)
    ):
        apath = f"{spec.path}.gr00t_mapping.action"
        order = spec.gr00t_mapping.action if spec.gr00t_mapping is not None else ()
        key = (spec, tuple(action))
        if key not in _ACTION_KEYS_OK:
            if not order:
                raise _error(
                    apath,
                    "a dict of actions needs gr00t_mapping.action to fix the concatenation order",
                    sorted(action),
                    fix=f"set gr00t_mapping.action: {sorted(action)} (in the env's order)",
                )
            missing = [k for k in order if k not in action]
            extra = [k for k in action if k not in order]
            if missing or extra:
                raise _error(
                    apath,
                    f"action keys do not match: missing {missing}, unexpected {extra}",
                    sorted(action),
                    allowed=f"expected keys {list(order)}",
                    fix="list exactly the policy's action keys in gr00t_mapping.action",
                )
            _bounded_put(_ACTION_KEYS_OK, key, True)
        parts = [(repr(k), _as_tensor(action[k], repr(k), apath)) for k in order]
    else:
        apath = f"{spec.path}.action_mapping"
        parts = [("tensor", _as_tensor(action, "tensor", apath))]

    target = torch.device(device) if device is not None else parts[0][1].device
    sig = (spec, target) + tuple((t.shape, t.dtype, t.device) for _, t in parts)
    plan = _ACTION_CACHE.get(sig)
    if plan is None:
        lead, widths = _check_action(parts, spec, apath)
        # Build where the inputs live, then move once: one transfer instead of one per key / pad.
        devices = {t.device for _, t in parts}
        plan = (lead, widths, devices.pop() if len(devices) == 1 else target)
        _bounded_put(_ACTION_CACHE, sig, plan)
    lead, widths, build = plan

    p, d, s = am.prefix_pad, sum(widths), am.suffix_pad
    shape = lead + (p + d + s,)
    # A CPU chunk bound for the GPU is built in pinned memory: from pageable memory the copy would wait
    # for the whole stream (everything the simulator has queued) before it starts.
    pinned = build.type == "cpu" and target.type == "cuda"
    if build.type != "cpu":
        out = torch.empty(shape, dtype=torch.float32, device=build)
    elif pinned:
        out = torch.empty(shape, dtype=torch.float32, pin_memory=True)  # torch's caching host allocator
    else:
        out = _cpu_empty(shape, torch.float32)
    if p:
        out[..., :p].zero_()
    if s:
        out[..., p + d :].zero_()
    o = p
    for (_, t), w in zip(parts, widths, strict=True):
        out[..., o : o + w].copy_(t)  # casts in the same copy
        o += w
    return out if build == target else out.to(target, non_blocking=pinned)

"""Build a model without the random initialisation its checkpoint overwrites, where that is safe.

Why: RLinf's openpi ``get_model`` constructs the whole model (3.6 B parameters for pi0.5) with PyTorch's
and transformers' random init, then loads every weight from the checkpoint. The init is the CPU's random
number generator, one thread in a Ray worker: 70 of the 93 s a full-width pi0.5 build takes in one thread
(measured here, 2-core CPU), paid by the actor and the rollout at every start and by every ``play``.

Skipping it is safe only where the checkpoint holds every parameter and persistent buffer: RLinf loads
with ``strict=False``, so an uncovered tensor would keep uninitialised memory and no error would say so.
:func:`compare` decides from a build on the meta device (no memory, no init: 1.2 s for a full-width pi0.5)
and the checkpoint's headers, before the real build; tied tensors count as covered when any of their names
is stored (safetensors keeps one). Non-persistent buffers (rotary frequencies, position ids) are computed,
not drawn, and stay. The same comparison checks a ``model_path`` against its config before Ray
(:mod:`isaaclab_rlinf.models.openpi.weights`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Comparison", "compare", "init_skipped", "safetensors_shapes"]


def safetensors_shapes(paths: Iterable[str | Path]) -> dict[str, tuple[int, ...]]:
    """The tensors stored in ``paths``, name -> shape (their headers only)."""
    from safetensors import safe_open

    shapes: dict[str, tuple[int, ...]] = {}
    for path in paths:
        with safe_open(str(path), "pt") as f:
            shapes.update((key, tuple(f.get_slice(key).get_shape())) for key in f.keys())
    return shapes


class Comparison(NamedTuple):
    """A checkpoint against the model it is loaded into, by state-dict name."""

    uncovered: list[str]  # the model's tensors the checkpoint leaves without a value (all names of a tie)
    reshaped: list[tuple[str, tuple[int, ...], tuple[int, ...]]]  # (name, stored shape, the model's):
    # ``load_state_dict`` raises on them, strict or not


def compare(build: Callable[[], Any], stored: dict[str, tuple[int, ...]]) -> Comparison:
    """The model ``build()`` makes against the checkpoint's tensors ``stored`` (name -> shape).

    ``build`` runs on the meta device: the names, shapes and sharing of tensors, no storage and no init.
    """
    import torch

    with torch.device("meta"):
        model = build()
    state = model.state_dict(keep_vars=True)
    names_of: dict[int, list[str]] = {}
    for name, tensor in state.items():
        names_of.setdefault(id(tensor), []).append(name)
    uncovered = sorted(n for names in names_of.values() if stored.keys().isdisjoint(names) for n in names)
    shapes = {name: tuple(tensor.shape) for name, tensor in state.items()}
    reshaped = sorted((n, s, shapes[n]) for n, s in stored.items() if n in shapes and shapes[n] != s)
    return Comparison(uncovered, reshaped)


@contextlib.contextmanager
def init_skipped() -> Iterator[None]:
    """While open, ``torch.nn.init``'s functions and transformers' weight initialisation do nothing.

    Not transformers' own ``no_init_weights``: it also skips ``tie_weights`` (``from_pretrained`` ties
    afterwards, RLinf's builders do not), which would leave PaliGemma's ``lm_head`` untied from the
    embeddings, and unset, since the checkpoint stores the tied tensor once."""
    import torch
    from transformers.modeling_utils import TORCH_INIT_FUNCTIONS, PreTrainedModel

    def skip(*args: Any, **kwargs: Any) -> None:
        return None

    initialize = PreTrainedModel.initialize_weights
    try:
        PreTrainedModel.initialize_weights = skip
        for name in TORCH_INIT_FUNCTIONS:
            setattr(torch.nn.init, name, skip)
        yield
    finally:
        PreTrainedModel.initialize_weights = initialize
        for name, function in TORCH_INIT_FUNCTIONS.items():
            setattr(torch.nn.init, name, function)

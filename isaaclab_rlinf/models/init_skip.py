"""Build a model without the random initialisation its checkpoint overwrites, where that is safe.

Why: RLinf's openpi ``get_model`` constructs the whole model (3.6 B parameters for pi0.5) with PyTorch's
and transformers' random init, then loads every weight from the checkpoint. The init is the CPU's random
number generator, one thread in a Ray worker: 70 of the 93 s a full-width pi0.5 build takes in one thread
(measured here, 2-core CPU), paid by the actor and the rollout at every start and by every ``play``.

Skipping it is safe only where the checkpoint holds every parameter and persistent buffer: RLinf loads
with ``strict=False``, so an uncovered tensor would keep uninitialised memory and no error would say so.
:func:`uncovered` decides from a build on the meta device (no memory, no init) and the checkpoint's key
names, before the real build; tied tensors count as covered when any of their names is stored (safetensors
keeps one). Non-persistent buffers (rotary frequencies, position ids) are computed, not drawn, and stay.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["init_skipped", "safetensors_keys", "uncovered"]


def safetensors_keys(paths: Iterable[str | Path]) -> set[str]:
    """The tensor names stored in ``paths`` (their headers only)."""
    from safetensors import safe_open

    keys: set[str] = set()
    for path in paths:
        with safe_open(str(path), "pt") as f:
            keys.update(f.keys())
    return keys


def uncovered(build: Callable[[], Any], checkpoint_keys: set[str]) -> list[str]:
    """State-dict names of the model ``build()`` makes that ``checkpoint_keys`` leaves without a value.

    ``build`` runs on the meta device: the names and the sharing of tensors, no storage and no init.
    """
    import torch

    with torch.device("meta"):
        model = build()
    names_of: dict[int, list[str]] = {}
    for name, tensor in model.state_dict(keep_vars=True).items():
        names_of.setdefault(id(tensor), []).append(name)
    return sorted(n for names in names_of.values() if checkpoint_keys.isdisjoint(names) for n in names)


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

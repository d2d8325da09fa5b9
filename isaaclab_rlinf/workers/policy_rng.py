"""The policy's random stream (action sampling): seeded, and kept apart from the simulator's.

Why: torch seeds each process's default generator at random, so RLinf's rollout worker samples different
actions in every run, and a run cannot be repeated. Our rollout workers seed the policy's stream with
``actor.seed + rank`` once the model is built. When the policy shares a process with the simulator
(:mod:`.single_process`), its stream is swapped in around each of its calls (:class:`RngStream`), so
that the simulator's resets and the policy's samples do not shift each other: the same seed gives the
same actions in one process as in two.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from omegaconf import DictConfig

__all__ = ["RngStream", "policy_seed"]


def policy_seed(cfg: DictConfig, rank: int) -> int:
    """The seed of rollout rank ``rank``'s sampling: ``actor.seed`` (RLinf's training seed) + rank."""
    return int(cfg.actor.get("seed", 0)) + rank


class RngStream:
    """A torch random stream of its own (CPU, and the current CUDA device once CUDA is in use).

    Created seeded without touching the caller's stream; :meth:`active` swaps it in and back out.
    """

    def __init__(self, seed: int) -> None:
        self._cuda = torch.cuda.is_available() and torch.cuda.is_initialized()
        outside = self._get()
        torch.manual_seed(seed)
        self._state = self._get()
        self._set(outside)

    def _get(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        return torch.get_rng_state(), torch.cuda.get_rng_state() if self._cuda else None

    def _set(self, state: tuple[torch.Tensor, torch.Tensor | None]) -> None:
        torch.set_rng_state(state[0])
        if state[1] is not None:
            torch.cuda.set_rng_state(state[1])

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Draw from this stream inside the block; the caller's stream is as it was after it."""
        outside = self._get()
        self._set(self._state)
        try:
            yield
        finally:
            self._state = self._get()
            self._set(outside)

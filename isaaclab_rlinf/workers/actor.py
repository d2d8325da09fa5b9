"""RLinf's PPO actor (``EmbodiedFSDPActor``) with the garbage collector frozen once it is built.

Why: the actor runs ``clear_memory()`` (a full ``gc.collect()``) before receiving each epoch's
trajectories and after training, each walking every object of the process (:mod:`.gc_freeze`). The
launcher launches this class where RLinf's ``train_embodied_agent.py`` picks ``EmbodiedFSDPActor``
(every loss but ``embodied_sac``, whose actor stays RLinf's own).
"""

from __future__ import annotations

from typing import Any

from rlinf.workers.actor.fsdp_actor_worker import EmbodiedFSDPActor

from .gc_freeze import GcFreezing

__all__ = ["GcFrozenActor"]


class GcFrozenActor(GcFreezing, EmbodiedFSDPActor):
    """``EmbodiedFSDPActor``; ``gc.freeze()`` after ``init_worker`` and after the first training."""

    def init_worker(self) -> None:
        super().init_worker()
        self._gc_after_init()

    def run_training(self, *args: Any, **kwargs: Any) -> Any:
        result = super().run_training(*args, **kwargs)
        self._gc_after_epoch()
        return result

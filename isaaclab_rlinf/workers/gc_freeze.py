"""Python's garbage collector kept out of RLinf's epoch: ``gc.freeze()`` once a worker is built, metered.

Why: RLinf 0.3.0 calls a full ``gc.collect()`` in the rollout worker after every weight sync, twice in the
env worker after sending the trajectories, and in the actor after training (``clear_memory``). Each walks
every tracked object of the process: 0.45 M with torch and RLinf imported, ~1.4 M once the Franka scene
is built, 0.3-1.1 s per collection on CPU, with the GIL held (so the async sends of the same process
wait too). Almost all of these objects live as long as the worker (modules, the scene, the model).
``gc.freeze()`` moves every object tracked so far into the permanent generation, which no collection
walks; later collections see only what was created since. Nothing is leaked that would not have been:
frozen objects are still freed by reference counting, only cycles among them are no longer found.

Freezing twice: at the end of ``init_worker`` (modules, scene, model) and once more after the first
epoch, which creates long-lived objects of its own (compiled kernels, CUDA caching structures, the
weight syncer's buffers).

Every collection of the process is metered with ``gc.callbacks`` and reported through RLinf's own
per-worker timers, so it reaches RLinf's metrics table and TensorBoard each epoch as
``time/<env|rollout|actor>/gc/seconds`` (seconds spent collecting) and ``.../gc/collections`` (a count,
under the ``time/`` prefix because that is the channel RLinf gives worker metrics). No RLinf import:
the mixin works on the ``_timer_metrics`` dict every RLinf ``Worker`` has.
"""

from __future__ import annotations

import gc
import time
from typing import Any

__all__ = ["GC_COLLECTIONS", "GC_SECONDS", "GcMeter", "GcFreezing"]

GC_SECONDS = "gc/seconds"
GC_COLLECTIONS = "gc/collections"


class GcMeter:
    """Counts the process's garbage collections and their seconds (a ``gc.callbacks`` entry).

    The callback only adds to two numbers (it runs inside the collector, in whatever thread triggered
    it); :meth:`take` hands them over and starts again from zero.
    """

    def __init__(self) -> None:
        self.collections = 0
        self.seconds = 0.0
        self._started: float | None = None
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1
            self._started = None

    def take(self) -> tuple[int, float]:
        """(collections, seconds) since the last call; the counters restart from zero."""
        taken = self.collections, self.seconds
        self.collections, self.seconds = 0, 0.0
        return taken

    def close(self) -> None:
        """Stop metering (removes the callback)."""
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)


class GcFreezing:
    """Mixin for RLinf ``Worker`` subclasses: freeze after building and after the first epoch, meter always.

    The subclass calls :meth:`_gc_after_init` at the end of ``init_worker`` and :meth:`_gc_after_epoch`
    at the end of its once-per-epoch method (the env's ``interact``, the rollout's ``generate``, the
    actor's ``run_training``): the first epoch's end freezes again, every epoch's end reports the
    collections since the last report into RLinf's timers (``_timer_metrics``), which the runner pops
    and logs once per epoch.
    """

    _timer_metrics: dict[str, float]
    _gc_meter: GcMeter | None = None
    _gc_epochs_seen: int = 0

    def _gc_after_init(self) -> None:
        """Freeze everything built so far and start metering collections."""
        gc.freeze()
        if self._gc_meter is None:
            self._gc_meter = GcMeter()

    def _gc_after_epoch(self) -> None:
        """Freeze once more after the first epoch; report this epoch's collections to RLinf's timers."""
        self._gc_epochs_seen += 1
        if self._gc_epochs_seen == 1:
            gc.freeze()
        if self._gc_meter is None:
            return
        collections, seconds = self._gc_meter.take()
        self._timer_metrics[GC_SECONDS] = self._timer_metrics.get(GC_SECONDS, 0.0) + seconds
        self._timer_metrics[GC_COLLECTIONS] = self._timer_metrics.get(GC_COLLECTIONS, 0.0) + collections

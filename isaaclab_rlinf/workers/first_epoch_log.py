"""How long a worker's start and its first epoch's phases take, logged as each ends.

Why: RLinf prints an epoch's timings in its metrics table once the epoch is over. With a 3.6 B-parameter
policy the start and the first epoch take minutes (pi0.5 on one H100: 4 min to the first rollout, 3 min
more without one log line before the actor's first backward), so a run stopped or killed inside them
says nothing of where its time went, and a user watching sees a silent process. Each phase is logged
once, the first time it ends; later epochs are RLinf's table's. No RLinf import: the mixin uses the
``log_info`` every RLinf ``Worker`` has.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

__all__ = ["FirstEpochLog"]


class FirstEpochLog:
    """Mixin for RLinf workers: ``with self._logged_once("phase"):`` logs the phase's seconds, once."""

    _phases_logged: set[str] | None = None

    @contextlib.contextmanager
    def _logged_once(self, phase: str) -> Iterator[None]:
        logged = self._phases_logged if self._phases_logged is not None else set()
        self._phases_logged = logged
        if phase in logged:
            yield
            return
        start = time.perf_counter()
        yield
        logged.add(phase)
        seconds = time.perf_counter() - start
        self.log_info(f"[isaaclab_rlinf] {type(self).__name__} {phase}: {seconds:.1f} s")  # type: ignore[attr-defined]

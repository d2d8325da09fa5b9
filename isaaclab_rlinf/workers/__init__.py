"""The RLinf workers the launcher runs: RLinf's own classes, subclassed where the epoch loses time.

* :mod:`.single_process`: env and policy in one process (no per-step hand-off), the default where env
  and rollout share a device.
* :mod:`.handoff`: RLinf's two workers, observations as one flat tensor dict sent point to point.
* :mod:`.actor`: RLinf's PPO actor.
* :mod:`.gc_freeze`: all of them freeze the garbage collector once built and meter its collections.

These modules import RLinf (heavy): only the launcher, the benchmarks and the tests import them.
"""

from __future__ import annotations

from .actor import GcFrozenActor
from .gc_freeze import GC_COLLECTIONS, GC_SECONDS, GcFreezing, GcMeter
from .handoff import (
    MIN_FLAT_BYTES,
    FlatObsEnvWorker,
    FlatObsRolloutWorker,
    flatten_obs,
    p2p_applies,
    unflatten_obs,
)
from .single_process import EnvPolicyWorker, single_process_blocker

__all__ = [
    "GC_COLLECTIONS",
    "GC_SECONDS",
    "MIN_FLAT_BYTES",
    "EnvPolicyWorker",
    "FlatObsEnvWorker",
    "FlatObsRolloutWorker",
    "GcFreezing",
    "GcFrozenActor",
    "GcMeter",
    "flatten_obs",
    "p2p_applies",
    "single_process_blocker",
    "unflatten_obs",
]

"""The RLinf workers the launcher runs: RLinf's own classes, subclassed where the epoch loses time.

* :mod:`.single_process`: env and policy in one process (no per-step hand-off), the default where env
  and rollout share a device.
* :mod:`.handoff`: RLinf's two workers, observations as one flat tensor dict sent point to point.
* :mod:`.bootstrap`: both env sides send a chunk's final observations to the policy only where RLinf
  will use their values (a full predict each, which RLinf otherwise runs whenever an episode ended).
* :mod:`.actor`: RLinf's PPO actor (and the opt-in KL-adaptive learning rate).
* :mod:`.gc_freeze`: all of them freeze the garbage collector once built and meter its collections.

These modules import RLinf (heavy): only the launcher, the benchmarks and the tests import them. The names
below load their module on first use, so that each Ray worker process imports only its own class's
module: the env + policy worker does not import RLinf's FSDP actor (1-2 s of imports before its
``__init__`` on a 2-core CPU), nor the actor RLinf's env and rollout workers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> defining submodule (loaded lazily)
_EXPORTS = {
    "GcFrozenActor": "actor",
    "AdaptiveLr": "actor",
    "GC_COLLECTIONS": "gc_freeze",
    "GC_SECONDS": "gc_freeze",
    "GcFreezing": "gc_freeze",
    "GcMeter": "gc_freeze",
    "MIN_FLAT_BYTES": "handoff",
    "FlatObsEnvWorker": "handoff",
    "FlatObsRolloutWorker": "handoff",
    "flatten_obs": "handoff",
    "p2p_applies": "handoff",
    "unflatten_obs": "handoff",
    "EnvPolicyWorker": "single_process",
    "single_process_blocker": "single_process",
}

if TYPE_CHECKING:
    from .actor import AdaptiveLr, GcFrozenActor
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
    "AdaptiveLr",
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
assert sorted(__all__) == sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)

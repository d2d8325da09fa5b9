"""Our RLinf workers freeze the garbage collector once built and after their first epoch, and meter it.

The classes are RLinf's real ``EnvWorker`` / ``MultiStepRolloutWorker`` / ``EmbodiedFSDPActor`` under ours.
What cannot run on CPU outside a Ray cluster (building the simulator, the model, FSDP training) is
replaced by test doubles that do nothing (``_rlinf_base_does_nothing``); the freezing is ours and runs
for real.
"""

from __future__ import annotations

import gc
import logging

import pytest
from omegaconf import OmegaConf
from rlinf.workers.actor.fsdp_actor_worker import EmbodiedFSDPActor
from rlinf.workers.env.env_worker import EnvWorker
from rlinf.workers.rollout.hf.huggingface_worker import MultiStepRolloutWorker

from isaaclab_rlinf.workers import (
    GC_COLLECTIONS,
    GC_SECONDS,
    EnvPolicyWorker,
    FlatObsEnvWorker,
    FlatObsRolloutWorker,
    GcFreezing,
    GcFrozenActor,
    GcMeter,
)


@pytest.fixture(autouse=True)
def _unfrozen_and_manual():
    """No frozen objects before or after a test; no automatic collections during it (exact counts)."""
    gc.unfreeze()
    gc.disable()
    yield
    gc.enable()
    gc.unfreeze()


@pytest.fixture
def _rlinf_base_does_nothing(monkeypatch):
    """Test doubles for what needs a simulator, a model or FSDP: RLinf's own steps become no-ops."""

    async def no_interact(self, *args, **kwargs):
        return {}

    async def no_generate(self, *args, **kwargs):
        return None

    monkeypatch.setattr(EnvWorker, "init_worker", lambda self: None)
    monkeypatch.setattr(EnvWorker, "interact", no_interact)
    monkeypatch.setattr(MultiStepRolloutWorker, "init_worker", lambda self: None)
    monkeypatch.setattr(MultiStepRolloutWorker, "generate", no_generate)
    monkeypatch.setattr(EmbodiedFSDPActor, "init_worker", lambda self: None)
    monkeypatch.setattr(EmbodiedFSDPActor, "run_training", lambda self: {"actor/loss": 1.0})


def _bare(cls):
    """An instance of a RLinf worker class without its Ray set-up (``__init__`` needs a cluster)."""
    worker = object.__new__(cls)
    worker._timer_metrics, worker._rank = {}, 0
    worker._logger, worker._stacklevel = logging.getLogger(cls.__name__), 1  # RLinf's log_info uses them
    worker.cfg = OmegaConf.create({"actor": {"seed": 3}})
    return worker


def test_the_meter_counts_each_collection_and_its_seconds():
    meter = GcMeter()
    try:
        meter.take()
        gc.collect()
        gc.collect()
        collections, seconds = meter.take()
        assert collections == 2 and seconds > 0
        assert meter.take() == (0, 0.0)
    finally:
        meter.close()


@pytest.mark.parametrize("cls", [FlatObsEnvWorker, FlatObsRolloutWorker, GcFrozenActor])
def test_each_worker_freezes_at_the_end_of_init_worker(cls, _rlinf_base_does_nothing):
    worker = _bare(cls)
    assert gc.get_freeze_count() == 0
    worker.init_worker()
    assert gc.get_freeze_count() > 0
    worker._gc_meter.close()


async def _epoch(worker):
    if isinstance(worker, GcFrozenActor):
        return worker.run_training()
    if isinstance(worker, FlatObsRolloutWorker):
        return await worker.generate(None, None)
    return await worker.interact(None, None, None, None)


@pytest.mark.parametrize("cls", [FlatObsEnvWorker, FlatObsRolloutWorker, GcFrozenActor])
def test_each_worker_freezes_again_after_its_first_epoch_only(cls, _rlinf_base_does_nothing):
    import asyncio

    worker = _bare(cls)
    worker.init_worker()
    gc.unfreeze()
    asyncio.run(_epoch(worker))
    assert gc.get_freeze_count() > 0  # the first epoch froze
    gc.unfreeze()
    asyncio.run(_epoch(worker))
    assert gc.get_freeze_count() == 0  # the second did not
    worker._gc_meter.close()


@pytest.mark.parametrize("cls", [FlatObsEnvWorker, FlatObsRolloutWorker, GcFrozenActor])
def test_each_epoch_reports_its_collections_to_rlinfs_timers(cls, _rlinf_base_does_nothing):
    import asyncio

    worker = _bare(cls)
    worker.init_worker()
    worker._gc_meter.take()
    gc.collect()
    gc.collect()
    asyncio.run(_epoch(worker))
    assert worker._timer_metrics[GC_COLLECTIONS] == 2
    assert worker._timer_metrics[GC_SECONDS] > 0
    worker._gc_meter.close()


def test_the_actor_returns_rlinfs_training_metrics(_rlinf_base_does_nothing):
    worker = _bare(GcFrozenActor)
    worker.init_worker()
    assert worker.run_training() == {"actor/loss": 1.0}
    worker._gc_meter.close()


def test_the_single_process_worker_freezes_as_the_others_do():
    assert issubclass(EnvPolicyWorker, GcFreezing)

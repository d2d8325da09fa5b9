"""The workers' start and first-epoch phases: logged once each, as they end (``first_epoch_log``)."""

from __future__ import annotations

import re

import pytest

from isaaclab_rlinf.workers.first_epoch_log import FirstEpochLog


class Worker(FirstEpochLog):
    """Stands for an RLinf ``Worker``: only its ``log_info``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def log_info(self, msg: str) -> None:
        self.lines.append(msg)


def test_a_phase_is_logged_with_its_seconds_the_first_time_it_ends_only():
    worker = Worker()
    for _ in range(3):
        with worker._logged_once("run_training"):
            pass
    assert len(worker.lines) == 1
    assert re.fullmatch(r"\[isaaclab_rlinf\] Worker run_training: \d+\.\d s", worker.lines[0])


def test_each_phase_is_logged_once_on_its_own():
    worker = Worker()
    for phase in ("init_worker", "sync_model_to_rollout", "init_worker"):
        with worker._logged_once(phase):
            pass
    assert [line.split()[2] for line in worker.lines] == ["init_worker:", "sync_model_to_rollout:"]


def test_a_phase_that_fails_is_not_logged_and_is_logged_when_it_ends_later():
    worker = Worker()
    with pytest.raises(RuntimeError), worker._logged_once("recv_rollout_trajectories"):
        raise RuntimeError("channel closed")
    assert worker.lines == []
    with worker._logged_once("recv_rollout_trajectories"):
        pass
    assert len(worker.lines) == 1

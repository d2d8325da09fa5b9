"""The single-process env + policy worker gives exactly what RLinf's two workers give, and when it applies.

``tests/fixtures/rollout_both_ways.py`` (a subprocess: its own Ray cluster) runs two rollout epochs of the
packaged cartpole config on CPU (4 envs x 8 steps, episodes of 6 steps so that truncations and their
bootstrap values fall inside the epochs, one fixed MLP policy, the same sampling seed) through RLinf's
``EnvWorker`` + ``MultiStepRolloutWorker`` as the launcher runs them in two processes (our subclasses:
point to point, seeded) and through ``EnvPolicyWorker``; the trajectories the actor would receive are
compared field by field. (RLinf's own rollout worker leaves its sampling unseeded: torch seeds every
process at random, so it differs from run to run and cannot be the reference.) It then composes the config
``isaaclab-rlinf play`` runs, lets the launcher resolve its workers on the real placement, and evaluates
with the classes the launcher picks under RLinf's ``EmbodiedEvalRunner``, against the two-process workers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from omegaconf import OmegaConf

from isaaclab_rlinf.workers import single_process_blocker

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rollout_both_ways.py"
FIELDS = ("actions", "rewards", "prev_logprobs", "prev_values", "dones", "terminations", "truncations")


def _run_fixture(work: Path, *extra: str) -> dict:
    out = work / "rollouts.pt"
    ray_tmp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    # unbuffered workers, as the launcher makes them: their log lines reach this process's output
    env = os.environ | {"RAY_ADDRESS": "local", "RAY_TMPDIR": ray_tmp, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.run(
        [sys.executable, str(FIXTURE), str(out), str(work), *extra],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-6000:])
    result = torch.load(out, weights_only=False)
    result["log"] = proc.stdout + proc.stderr
    return result


@pytest.fixture(scope="module")
def rollouts(tmp_path_factory):
    return _run_fixture(tmp_path_factory.mktemp("both_ways"))


@pytest.fixture(scope="module")
def play(tmp_path_factory):
    return _run_fixture(tmp_path_factory.mktemp("play"), "play")


@pytest.mark.sim
def test_both_paths_hand_the_actor_identical_trajectories(rollouts):
    ours, rlinfs = rollouts["single"]["trajectories"], rollouts["two_process"]["trajectories"]
    assert len(ours) == len(rlinfs) == 2  # one per epoch
    for mine, theirs in zip(ours, rlinfs, strict=True):
        for name in FIELDS:
            assert torch.equal(getattr(mine, name), getattr(theirs, name)), name
        assert mine.forward_inputs.keys() == theirs.forward_inputs.keys()
        assert mine.forward_inputs.keys() == {"action", "model_action", "states"}
        for key in mine.forward_inputs:
            assert torch.equal(mine.forward_inputs[key], theirs.forward_inputs[key]), key


@pytest.mark.sim
def test_the_epochs_include_truncated_episodes_whose_rewards_carry_bootstrap_values(rollouts):
    trajectory = rollouts["single"]["trajectories"][0]
    assert trajectory.truncations.any()  # 6-step episodes in 8-step epochs
    assert trajectory.prev_values.abs().sum() > 0


@pytest.mark.sim
def test_both_paths_report_the_same_episode_metrics(rollouts):
    pairs = zip(rollouts["single"]["env_metrics"], rollouts["two_process"]["env_metrics"], strict=True)
    for mine, theirs in pairs:
        assert mine.keys() == theirs.keys()
        for key in mine:
            assert torch.equal(mine[key], theirs[key]), key


@pytest.mark.sim
def test_the_single_worker_times_the_policy_and_the_garbage_collector(rollouts):
    timers = rollouts["single"]["timers"]
    assert {"predict", "env_interact_step", "gc/seconds", "gc/collections"} <= timers.keys()


@pytest.mark.sim
def test_the_single_worker_logs_its_start_and_first_epoch_once_each(rollouts):
    for phase in ("init_worker (the policy)", "init_worker (the env)", "interact (rollout epoch)"):
        line = rf"\[isaaclab_rlinf\] \w*EnvPolicyWorker {re.escape(phase)}: \d+\.\d s"
        found = re.findall(line, rollouts["log"])
        assert len(found) == 1, phase  # two epochs: the first only


def test_play_picks_the_single_process_worker_by_trainings_rule(play):
    assert play["mode"] == "single_process"
    assert play["classes"] == ["EnvPolicyWorker", "EnvPolicyWorker"]


@pytest.mark.sim
def test_play_in_one_process_reports_the_eval_metrics_of_two_processes(play):
    mine, theirs = play["single"], play["two_process"]
    assert mine.keys() == theirs.keys()
    assert {"success_once", "return", "episode_len"} <= mine.keys()
    for key in mine:
        assert mine[key] == theirs[key], key


class _Placement:
    """Test double for RLinf's ``HybridComponentPlacement`` (needs a cluster): world sizes, devices."""

    def __init__(self, env: list[int], rollout: list[int]) -> None:
        self.ranks = {"env": env, "rollout": rollout}

    def get_world_size(self, name: str) -> int:
        return len(self.ranks[name])

    def get_hardware_ranks(self, name: str) -> list[int]:
        return self.ranks[name]


def _cfg(**runner) -> SimpleNamespace:
    return OmegaConf.create({"runner": runner, "rollout": {}, "reward": {"use_reward_model": False}})


def test_one_env_and_one_rollout_worker_on_the_same_device_share_a_process():
    assert single_process_blocker(_cfg(), _Placement([0], [0])) is None
    assert single_process_blocker(_cfg(), _Placement([0, 1], [0, 1])) is None


def test_env_and_rollout_on_different_devices_stay_two_processes():
    assert (
        single_process_blocker(_cfg(), _Placement([0], [1]))
        == "env on devices [0], rollout on [1] (the same devices needed)"
    )
    assert single_process_blocker(_cfg(), _Placement([0, 1], [0])) == (
        "2 env workers and 1 rollout workers (one of each per device needed)"
    )


def test_rlinf_features_that_need_their_own_rollout_worker_stay_two_processes():
    assert single_process_blocker(_cfg(enable_decoupled_mode=True), _Placement([0], [0])) == (
        "runner.enable_decoupled_mode is set (needs RLinf's own rollout worker)"
    )

"""A chunk step's final observations reach the policy only where RLinf will use their values.

RLinf's rollout worker runs a full predict on them whenever an episode ended in the chunk; its
``compute_bootstrap_rewards`` reads the values only for time-limit truncations (``bootstrap_type:
standard``) with ``auto_reset``. Decisions on RLinf's own ``EnvOutput``; that the rewards and trajectories
stay RLinf's in both worker modes is ``tests/test_single_process.py``'s (6-step episodes, truncated).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf
from rlinf.data.embodied_io_struct import EnvOutput
from rlinf.workers.env.env_worker import EnvWorker

from isaaclab_rlinf.workers.bootstrap import FinalObsOnlyForValues, bootstrap_values_used
from isaaclab_rlinf.workers.handoff import FlatObsEnvWorker
from isaaclab_rlinf.workers.single_process import EnvPolicyWorker

NUM_ENVS, CHUNK = 3, 2


def cfg(auto_reset: bool = True, bootstrap_type: str | None = None):
    algorithm = {} if bootstrap_type is None else {"bootstrap_type": bootstrap_type}
    return OmegaConf.create({"env": {"train": {"auto_reset": auto_reset}}, "algorithm": algorithm})


def chunk_step(terminated_at=(), truncated_at=()) -> EnvOutput:
    """One chunk step's output: env i terminated / truncated at chunk step j for each (i, j) given."""
    terminations = torch.zeros(NUM_ENVS, CHUNK, dtype=torch.bool)
    truncations = torch.zeros(NUM_ENVS, CHUNK, dtype=torch.bool)
    for i, j in terminated_at:
        terminations[i, j] = True
    for i, j in truncated_at:
        truncations[i, j] = True
    ended = bool((terminations | truncations).any())
    return EnvOutput(
        obs={"states": torch.zeros(NUM_ENVS, 4)},
        final_obs={"states": torch.ones(NUM_ENVS, 4)} if ended else None,
        dones=terminations | truncations,
        terminations=terminations,
        truncations=truncations,
        rewards=torch.zeros(NUM_ENVS, CHUNK),
    )


def test_a_time_limit_at_the_chunks_last_step_needs_the_values():
    assert bootstrap_values_used(cfg(), chunk_step(truncated_at=[(1, CHUNK - 1)]))


def test_terminations_alone_need_none():
    assert not bootstrap_values_used(cfg(), chunk_step(terminated_at=[(0, CHUNK - 1), (2, 0)]))


def test_a_truncation_before_the_chunks_last_step_needs_none_as_rlinf_reads_only_the_last():
    assert not bootstrap_values_used(cfg(), chunk_step(truncated_at=[(1, 0)]))


def test_without_auto_reset_rlinf_adds_no_values():
    assert not bootstrap_values_used(cfg(auto_reset=False), chunk_step(truncated_at=[(1, CHUNK - 1)]))


def test_another_bootstrap_type_needs_them_for_every_end():
    assert bootstrap_values_used(cfg(bootstrap_type="always"), chunk_step(terminated_at=[(0, CHUNK - 1)]))


class _EnvWorkerDouble:
    """Test double for RLinf's ``EnvWorker.env_interact_step`` (a simulator in a Ray worker): returns the
    chunk step it is given, with the attributes the mixin reads from ``EnvWorker.__init__``."""

    def __init__(self, output: EnvOutput, **attrs) -> None:
        self.output, self.cfg = output, cfg()
        self.use_external_reward_model, self.collect_transitions = False, False
        self.__dict__.update(attrs)

    def env_interact_step(self, chunk_actions, stage_id):
        return self.output, {}


class _Worker(FinalObsOnlyForValues, _EnvWorkerDouble):
    pass


def test_the_env_side_drops_final_observations_whose_values_rlinf_would_discard():
    output, _ = _Worker(chunk_step(terminated_at=[(0, CHUNK - 1)])).env_interact_step(None, 0)
    assert output.final_obs is None


def test_the_env_side_keeps_them_for_a_time_limit():
    output, _ = _Worker(chunk_step(truncated_at=[(0, CHUNK - 1)])).env_interact_step(None, 0)
    assert torch.equal(output.final_obs["states"], torch.ones(NUM_ENVS, 4))


@pytest.mark.parametrize("reader", ["use_external_reward_model", "collect_transitions"])
def test_the_env_side_keeps_them_where_something_else_reads_them(reader):
    worker = _Worker(chunk_step(terminated_at=[(0, CHUNK - 1)]), **{reader: True})
    output, _ = worker.env_interact_step(None, 0)
    assert output.final_obs is not None


@pytest.mark.parametrize("worker", [FlatObsEnvWorker, EnvPolicyWorker])
def test_both_env_sides_the_launcher_runs_apply_it_before_rlinfs_step(worker):
    mro = worker.__mro__
    assert mro.index(FinalObsOnlyForValues) < mro.index(EnvWorker)


@pytest.mark.sim
def test_the_benchmark_counts_the_predicts_the_experts_episode_ends_cost(tmp_path):
    """``benchmarks/bootstrap_predicts.py`` on the real Reach task: its expert succeeds within ~19 steps, so
    chunk steps end episodes by success, which cost RLinf a predict each and cost nothing now."""
    script = Path(__file__).resolve().parent.parent / "benchmarks/bootstrap_predicts.py"
    out = tmp_path / "bp.json"
    argv = ["--config_name", "isaaclab_ppo_mlp_franka_reach", "--num_envs", "2", "--chunks", "8"]
    proc = subprocess.run(
        [sys.executable, str(script), *argv, "--json", str(out)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(out.read_text())
    assert got["episodes_ended"] == got["episodes_succeeded"] > 0
    assert got["chunk_steps_with_an_end"] > 0 and got["chunk_steps_truncated_at_last_step"] == 0
    assert got["predicts_rlinf"] == 8 + 1 + got["chunk_steps_with_an_end"]
    assert got["predicts_ours"] == 8 + 1

"""What several test modules share (not a test module: pytest collects only ``test_*.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import torch

# the GR00T N1.5 tests: real GR00T code (tiny, random weights) on the simulator, skipped without gr00t
GR00T_MARKS = [
    pytest.mark.gr00t,
    pytest.mark.sim,
    pytest.mark.skipif(
        importlib.util.find_spec("gr00t") is None,
        reason="gr00t (Isaac-GR00T N1.5) is not installed: make install-gr00t GR00T_SRC=PATH",
    ),
]


def ppo_loss(cfg: Any, out: dict, old_logprobs: torch.Tensor, prev_values: torch.Tensor) -> tuple:
    """RLinf's ``policy_loss`` for a micro-batch of two samples (advantages +1/-1, returns +0.5/-0.5), with
    the config's algorithm settings, as RLinf's FSDP actor calls it after the model's forward ``out``."""
    from rlinf.algorithms.registry import policy_loss

    return policy_loss(
        loss_type=cfg.algorithm.loss_type,
        logprob_type=cfg.algorithm.logprob_type,
        reward_type=cfg.algorithm.reward_type,
        single_action_dim=cfg.actor.model.action_dim,
        logprobs=out["logprobs"],
        values=out["values"],
        old_logprobs=old_logprobs,
        advantages=torch.tensor([1.0, -1.0]),
        returns=torch.tensor([0.5, -0.5]),
        prev_values=prev_values.reshape(-1).float(),
        clip_ratio_high=cfg.algorithm.clip_ratio_high,
        clip_ratio_low=cfg.algorithm.clip_ratio_low,
        value_clip=cfg.algorithm.value_clip,
        huber_delta=cfg.algorithm.huber_delta,
        loss_mask=None,
        loss_mask_sum=None,
        max_episode_steps=cfg.env.train.max_episode_steps,
        task_type=cfg.runner.task_type,
        critic_warmup=False,
    )


def record_two_episodes(config_name: str | Path, out: Path) -> Path:
    """``isaaclab-rlinf record`` of two expert episodes (two envs) through ``config_name``'s train mapping,
    in this process, to ``out``: the small dataset the BC, fine-tuning and dataset tests read."""
    from isaaclab_rlinf.cli import main

    argv = ["record", "--config_name", str(config_name), "--num_envs", "2", "--num_episodes", "2"]
    assert main([*argv, "--no_progress", "--out", str(out)]) == 0
    return out

"""Task registry: entry points → task table → RLinf's ``REGISTER_ISAACLAB_ENVS`` (+ gymnasium ids)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskSpec:
    """One IsaacLab task offered to RLinf.

    Attributes:
        id: gymnasium id of the task (what ``env.train.init_params.id`` names).
        env_cfg_entry_point: ``"module:Class"`` of the IsaacLab env config.
        entry_point: gymnasium entry point of the env class (IsaacLab's manager-based RL env by default).
        config: default RLinf YAML for this task; a path relative to the providing package is allowed.
        description: one line shown by ``isaaclab-rlinf tasks``.
    """

    id: str
    env_cfg_entry_point: str
    entry_point: str = "isaaclab.envs:ManagerBasedRLEnv"
    config: str | None = None
    description: str = ""

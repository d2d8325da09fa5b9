"""GR00T N1.5 data config for the embedded Franka Reach task (``Isaac-RLinf-Franka-Reach-Camera-v0``).

Keys: the front and wrist views (224x224 in the GR00T config), ``state.arm`` (7 joint positions),
``state.gripper`` (2 finger positions), ``action.arm`` (7 joint targets; the gripper column is a pad),
and the task description. ``isaaclab-rlinf gr00t-init`` writes a random N1.5 checkpoint for these keys.
``FrankaReachStatesGr00tDataConfig`` adds ``state.target`` (the ball's position) for
``isaaclab_ppo_gr00t_franka_reach_states.yaml``.
"""

from __future__ import annotations

from isaaclab_rlinf.models.gr00t.data_config import Gr00tDataConfig


class FrankaReachGr00tDataConfig(Gr00tDataConfig):
    """Two cameras, arm + gripper state, arm action."""

    video_keys = ["video.front", "video.wrist"]
    state_keys = ["state.arm", "state.gripper"]
    action_keys = ["action.arm"]
    action_dims = {"action.arm": 7}


class FrankaReachStatesGr00tDataConfig(FrankaReachGr00tDataConfig):
    """The same views and action, plus ``state.target``: the ball's position (3, the robot's base frame).

    Why: a random or barely fine-tuned backbone cannot read where the ball is from the pixels quickly;
    as a state the trainable projector and action head get it directly
    (``isaaclab_ppo_gr00t_franka_reach_states.yaml``)."""

    state_keys = ["state.arm", "state.gripper", "state.target"]

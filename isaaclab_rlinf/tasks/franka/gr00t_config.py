"""GR00T N1.5 data config for the embedded Franka Reach task (``Isaac-RLinf-Franka-Reach-Camera-v0``).

Keys: the front and wrist views (224x224 in the GR00T config), ``state.arm`` (7 joint positions),
``state.gripper`` (2 finger positions), ``action.arm`` (7 joint targets; the gripper column is a pad),
and the task description. ``isaaclab-rlinf gr00t-init`` writes a random N1.5 checkpoint for these keys.
"""

from __future__ import annotations

from isaaclab_rlinf.models.gr00t.data_config import Gr00tDataConfig


class FrankaReachGr00tDataConfig(Gr00tDataConfig):
    """Two cameras, arm + gripper state, arm action."""

    video_keys = ["video.front", "video.wrist"]
    state_keys = ["state.arm", "state.gripper"]
    action_keys = ["action.arm"]
    action_dims = {"action.arm": 7}

"""GR00T N1.5 data config for the embedded camera cartpole (``Isaac-RLinf-Cartpole-Camera-v0``).

Keys: two 96x96 views ``video.front`` / ``video.side``, one state ``state.cart_pole`` (cart and pole
joint positions and velocities, 4), one action ``action.cart`` (cart effort, 1), and the task
description. ``isaaclab-rlinf gr00t-init`` writes a random N1.5 checkpoint with exactly these keys, to
smoke-test the whole GR00T path on a CPU (the tests do) or a GPU.
"""

from __future__ import annotations

from isaaclab_rlinf.models.gr00t.data_config import Gr00tDataConfig


class CartpoleGr00tDataConfig(Gr00tDataConfig):
    """Two cameras, one state and one action key."""

    video_keys = ["video.front", "video.side"]
    state_keys = ["state.cart_pole"]
    action_keys = ["action.cart"]

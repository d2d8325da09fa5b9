"""GR00T N1.5 data config for the embedded camera cartpole (``Isaac-RLinf-Cartpole-Camera-v0``).

Keys: two 96x96 views ``video.front`` / ``video.side``, one state ``state.cart_pole`` (cart and pole
joint positions and velocities, 4), one action ``action.cart`` (cart effort, 1), and the task
description. ``isaaclab-rlinf gr00t-init`` writes a random N1.5 checkpoint with exactly these keys, to
smoke-test the whole GR00T path on a CPU (the tests do) or a GPU. ``gr00t`` is imported inside the
methods only, so the launcher can check the keys without it. Same shape as GR00T's ``BaseDataConfig``.
"""

from __future__ import annotations

from typing import Any


class CartpoleGr00tDataConfig:
    """Two cameras, one state and one action key; normalisation min/max from ``metadata.json``."""

    video_keys = ["video.front", "video.side"]
    state_keys = ["state.cart_pole"]
    action_keys = ["action.cart"]
    language_keys = ["annotation.human.task_description"]
    observation_indices = [0]
    action_indices = list(range(16))

    def modality_config(self) -> dict[str, Any]:
        """GR00T ``ModalityConfig`` objects for video, state, action and language."""
        from gr00t.data.dataset import ModalityConfig

        def config(indices: list[int], keys: list[str]) -> Any:
            return ModalityConfig(delta_indices=indices, modality_keys=keys)

        return {
            "video": config(self.observation_indices, self.video_keys),
            "state": config(self.observation_indices, self.state_keys),
            "action": config(self.action_indices, self.action_keys),
            "language": config(self.observation_indices, self.language_keys),
        }

    def transform(self) -> Any:
        """GR00T's ``ComposedModalityTransform``: views as they come (the Eagle processor resizes them),
        states and actions min/max-normalised, then GR00T's own model transform."""
        from gr00t.data.transform.base import ComposedModalityTransform
        from gr00t.data.transform.concat import ConcatTransform
        from gr00t.data.transform.state_action import StateActionToTensor, StateActionTransform
        from gr00t.data.transform.video import VideoToNumpy, VideoToTensor
        from gr00t.model.transforms import GR00TTransform

        min_max = {k: "min_max" for k in (*self.state_keys, *self.action_keys)}
        return ComposedModalityTransform(
            transforms=[
                VideoToTensor(apply_to=self.video_keys),
                VideoToNumpy(apply_to=self.video_keys),
                StateActionToTensor(apply_to=self.state_keys),
                StateActionTransform(
                    apply_to=self.state_keys, normalization_modes={k: min_max[k] for k in self.state_keys}
                ),
                StateActionToTensor(apply_to=self.action_keys),
                StateActionTransform(
                    apply_to=self.action_keys, normalization_modes={k: min_max[k] for k in self.action_keys}
                ),
                ConcatTransform(
                    video_concat_order=self.video_keys,
                    state_concat_order=self.state_keys,
                    action_concat_order=self.action_keys,
                ),
                GR00TTransform(
                    state_horizon=len(self.observation_indices),
                    action_horizon=len(self.action_indices),
                    max_state_dim=64,
                    max_action_dim=32,
                ),
            ]
        )

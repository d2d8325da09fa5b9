"""Example GR00T N1.5 data config for the assemble-trocar task (Unitree G1 29-DoF body + Dex3 hands).

A data config tells GR00T which modality keys a checkpoint was post-trained on and how to transform
them (video augmentation, state/action normalisation, concatenation, the model's own transform). It
must match the checkpoint: the keys here are the ones in the checkpoint's ``experiment_cfg/metadata.json``
and must equal the ``gr00t_mapping`` keys of the YAML's ``isaaclab:`` block.

The YAML names it with ``data_config_class: "gr00t_config:IsaacLabDataConfig"``;
``isaaclab_rlinf.models.gr00t`` resolves ``module:Class`` as an importable module first, then relative
to the YAML's directory (the launcher also puts that directory on ``PYTHONPATH`` for the Ray workers).
Copy this file next to your own YAML and edit the keys to add another robot.

``gr00t`` (Isaac-GR00T) is imported only when GR00T asks for the modality config or the transforms,
so this module imports, and ``isaaclab_rlinf`` can check the class exists, on machines without it.
The shape follows GR00T's documented ``BaseDataConfig`` (``gr00t/experiment/data_config.py``):
``video_keys``, ``state_keys``, ``action_keys``, ``language_keys``, ``observation_indices``,
``action_indices``, ``modality_config()``, ``transform()``.
"""

from __future__ import annotations

from typing import Any


class IsaacLabDataConfig:
    """GR00T N1.5 data config for the G1 + Dex3 assemble-trocar checkpoint (three 224x224 cameras)."""

    # Order matters: ConcatTransform stacks the views in this order, as during post-training.
    video_keys = [
        "video.left_wrist_view",
        "video.right_wrist_view",
        "video.room_view",
    ]
    state_keys = [
        "state.left_arm",
        "state.right_arm",
        "state.left_hand",
        "state.right_hand",
    ]
    action_keys = [
        "action.left_arm",
        "action.right_arm",
        "action.left_hand",
        "action.right_hand",
    ]
    language_keys = ["annotation.human.task_description"]
    observation_indices = [0]
    action_indices = list(range(16))

    def modality_config(self) -> dict[str, Any]:
        """Return GR00T ``ModalityConfig`` objects for video, state, action and language."""
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
        """Return GR00T's ``ComposedModalityTransform`` used at post-training time."""
        from gr00t.data.transform.base import ComposedModalityTransform
        from gr00t.data.transform.concat import ConcatTransform
        from gr00t.data.transform.state_action import (
            StateActionSinCosTransform,
            StateActionToTensor,
            StateActionTransform,
        )
        from gr00t.data.transform.video import VideoColorJitter, VideoToNumpy, VideoToTensor
        from gr00t.model.transforms import GR00TTransform

        transforms = [
            # The task's cameras already render 224x224, so no crop/resize (VideoToTensor checks the
            # size against the checkpoint's metadata; add VideoCrop/VideoResize if the cameras change).
            VideoToTensor(apply_to=self.video_keys),
            VideoColorJitter(
                apply_to=self.video_keys, brightness=0.3, contrast=0.4, saturation=0.5, hue=0.08
            ),
            VideoToNumpy(apply_to=self.video_keys),
            StateActionToTensor(apply_to=self.state_keys),
            StateActionSinCosTransform(apply_to=self.state_keys),
            StateActionToTensor(apply_to=self.action_keys),
            StateActionTransform(
                apply_to=self.action_keys,
                normalization_modes=dict.fromkeys(self.action_keys, "min_max"),
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
        return ComposedModalityTransform(transforms=transforms)

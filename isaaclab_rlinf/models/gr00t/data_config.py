"""A GR00T N1.5 data config for tasks whose checkpoints normalise states and actions with min/max.

Subclass it and set the keys (``video_keys``, ``state_keys``, ``action_keys``, ``language_keys``); the
embedded tasks' GR00T configs do (``tasks/*/gr00t_config.py``). Views go in as they come (the Eagle
processor resizes them; ``metadata.json`` must carry the camera resolution), states and actions are
min/max-normalised with the checkpoint's statistics, then GR00T's own model transform. ``gr00t`` is
imported inside the methods only, so the launcher checks the keys without it. Same shape as GR00T's
``BaseDataConfig``; ``action_dims`` (key -> width) lets ``gr00t-init`` size several action keys.
"""

from __future__ import annotations

from typing import Any


class Gr00tDataConfig:
    """Keys come from the subclass; 1 observation step, 16 action steps (GR00T N1.5's horizon)."""

    video_keys: list[str] = []
    state_keys: list[str] = []
    action_keys: list[str] = []
    language_keys = ["annotation.human.task_description"]
    observation_indices = [0]
    action_indices = list(range(16))
    action_dims: dict[str, int] = {}

    def modality_config(self) -> dict[str, Any]:
        """GR00T ``ModalityConfig`` objects for video, state, action and language."""
        from .runtime import install_import_stand_ins

        install_import_stand_ins()
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
        from .runtime import install_import_stand_ins

        install_import_stand_ins()  # gr00t's transforms import pytorch3d at module top (docs/gr00t.md)
        from gr00t.data.transform.base import ComposedModalityTransform
        from gr00t.data.transform.concat import ConcatTransform
        from gr00t.data.transform.state_action import StateActionToTensor, StateActionTransform
        from gr00t.data.transform.video import VideoToNumpy, VideoToTensor
        from gr00t.model.transforms import GR00TTransform

        return ComposedModalityTransform(
            transforms=[
                VideoToTensor(apply_to=self.video_keys),
                VideoToNumpy(apply_to=self.video_keys),
                StateActionToTensor(apply_to=self.state_keys),
                StateActionTransform(
                    apply_to=self.state_keys, normalization_modes=dict.fromkeys(self.state_keys, "min_max")
                ),
                StateActionToTensor(apply_to=self.action_keys),
                StateActionTransform(
                    apply_to=self.action_keys, normalization_modes=dict.fromkeys(self.action_keys, "min_max")
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

"""Our openpi data transform and the openpi train configs that use it (imports openpi: load lazily).

RLinf's IsaacLab transform (``isaaclab_policy.IsaacLabInputs/Outputs``, config
``pi05_isaaclab_stack_cube``) is written for its stack-cube task: it requires a ``wrist_images`` view,
keeps 7 action columns and replaces the last one by its sign (a binary gripper). Our tasks map their
cameras to ``main_images`` + ``extra_view_images`` and their action width is ``actor.model.action_dim``
(Franka Reach: 7 joint targets, no gripper -- the sign would snap joint 7 to +-1 rad). So here:

- inputs: ``main_images`` -> ``base_0_rgb``; the first and second extra view (or RLinf's wrist view) ->
  ``left_wrist_0_rgb`` / ``right_wrist_0_rgb``; missing views are black and masked out; states as they are;
- outputs: the first ``openpi.action_env_dim`` columns; the sign only for ``openpi_data.gripper_sign_column``
  when a config names one (a binary gripper), never by default.

Configs ``pi0_isaaclab_rlinf`` / ``pi05_isaaclab_rlinf`` (same models as RLinf's IsaacLab one) are added
to RLinf's table by :func:`register_train_configs`; norm stats are read from
``<model_path>/isaaclab_rlinf/norm_stats.json`` (``openpi-init`` writes them).
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

import numpy as np
import openpi.models.model as _model
import openpi.models.pi0_config as pi0_config
import openpi.transforms as _transforms
from openpi.training.config import (
    AssetsConfig,
    DataConfig,
    DataConfigFactory,
    ModelTransformFactory,
    TrainConfig,
)

from .keys import ASSET_ID, CONFIG_NAMES  # here without openpi: the checks before Ray read them too

__all__ = [
    "ASSET_ID",
    "CONFIG_NAMES",
    "IsaacLabRlinfInputs",
    "IsaacLabRlinfOutputs",
    "register_train_configs",
]

_VIEWS = ("base_0_rgb", "left_wrist_0_rgb", "right_wrist_0_rgb")


def _hwc_uint8(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if np.issubdtype(image.dtype, np.floating):
        image = (255 * image).astype(np.uint8)
    if image.ndim == 3 and image.shape[0] == 3 and image.shape[-1] != 3:
        image = np.moveaxis(image, 0, -1)
    return image


@dataclasses.dataclass(frozen=True)
class IsaacLabRlinfInputs(_transforms.DataTransformFn):
    """One env's observation (RLinf's ``observation/*`` keys) -> openpi's three camera slots + state."""

    model_type: _model.ModelType

    def __call__(self, data: dict) -> dict:
        base = _hwc_uint8(data["observation/image"])
        views = [base]
        if "observation/wrist_image" in data:
            views.append(_hwc_uint8(data["observation/wrist_image"]))
        extra = data.get("observation/extra_view_image")
        if extra is not None:
            extra = np.asarray(extra)
            views.extend(_hwc_uint8(v) for v in (extra if extra.ndim == 4 else extra[None]))
        views = views[: len(_VIEWS)]
        # pi0-FAST attends to every slot; pi0/pi0.5 skip the black ones
        padded_mask = np.True_ if self.model_type == _model.ModelType.PI0_FAST else np.False_
        inputs = {
            "state": np.asarray(data["observation/state"], dtype=np.float32),
            "image": {
                name: views[i] if i < len(views) else np.zeros_like(base) for i, name in enumerate(_VIEWS)
            },
            "image_mask": {
                name: np.True_ if i < len(views) else padded_mask for i, name in enumerate(_VIEWS)
            },
        }
        for key in ("actions", "prompt"):
            if key in data:
                inputs[key] = data[key]
        return inputs


@dataclasses.dataclass(frozen=True)
class IsaacLabRlinfOutputs(_transforms.DataTransformFn):
    """openpi's 32-wide actions -> the policy's ``action_dim`` columns (the env adds its own pads)."""

    action_dim: int
    gripper_sign_column: int | None = None

    def __call__(self, data: dict) -> dict:
        actions = np.array(data["actions"][..., : self.action_dim])
        if self.gripper_sign_column is not None:
            actions[..., self.gripper_sign_column] = np.sign(actions[..., self.gripper_sign_column])
        return {"actions": actions}


@dataclasses.dataclass(frozen=True)
class IsaacLabRlinfDataConfig(DataConfigFactory):
    """openpi data config for any task mapped by isaaclab-rlinf (views, states, prompt from the env)."""

    gripper_sign_column: int | None = None

    def create(self, assets_dirs: pathlib.Path, model_config: _model.BaseModelConfig) -> DataConfig:
        # RLinf writes every actor.model.openpi key into the model config: action_env_dim is the width
        action_dim = int(getattr(model_config, "action_env_dim", 7))
        data_transforms = _transforms.Group(
            inputs=[IsaacLabRlinfInputs(model_type=model_config.model_type)],
            outputs=[IsaacLabRlinfOutputs(action_dim, self.gripper_sign_column)],
        )
        return dataclasses.replace(
            self.create_base_config(assets_dirs, model_config),
            data_transforms=data_transforms,
            model_transforms=ModelTransformFactory()(model_config),
            action_sequence_keys=("action",),
        )


def _train_config(name: str, pi05: bool) -> TrainConfig:
    # the models of RLinf's pi0_libero / pi05_isaaclab_stack_cube configs
    model = (
        pi0_config.Pi0Config(pi05=True, action_horizon=10, discrete_state_input=False)
        if pi05
        else pi0_config.Pi0Config()
    )
    return TrainConfig(
        name=name,
        model=model,
        data=IsaacLabRlinfDataConfig(
            repo_id=ASSET_ID,
            base_config=DataConfig(prompt_from_task=False),
            assets=AssetsConfig(asset_id=ASSET_ID),
        ),
        pytorch_weight_path="",
    )


def train_config(name: str) -> TrainConfig:
    """Our openpi train config ``name`` (one of :data:`CONFIG_NAMES`' values)."""
    variant = {v: k for k, v in CONFIG_NAMES.items()}[name]
    return _train_config(name, pi05=variant == "pi05")


def register_train_configs() -> None:
    """Add ``pi0_isaaclab_rlinf`` / ``pi05_isaaclab_rlinf`` to RLinf's openpi config table (idempotent), so
    ``actor.model.openpi.config_name`` can name them and RLinf's ``get_model`` builds them unchanged."""
    from rlinf.models.embodiment.openpi import dataconfig

    for name in CONFIG_NAMES.values():
        dataconfig._CONFIGS_DICT.setdefault(name, train_config(name))  # noqa: SLF001 - RLinf's only table

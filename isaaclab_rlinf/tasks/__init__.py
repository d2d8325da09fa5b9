"""Tasks this package provides, declared through its own ``isaaclab_rlinf.tasks`` entry point."""

from __future__ import annotations

from ..registry import TaskSpec
from .assemble_trocar import ASSEMBLE_TROCAR_TASKS

CARTPOLE_CAMERA = TaskSpec(
    id="Isaac-RLinf-Cartpole-Camera-v0",
    env_cfg_entry_point="isaaclab_rlinf.tasks.cartpole_camera.env_cfg:CartpoleCameraEnvCfg",
    config="configs/isaaclab_ppo_mlp_cartpole_camera.yaml",
    description="Cartpole balance, 2 RGB cameras, kitless (Newton) on CPU or CUDA, no asset server",
)

TASKS: list[TaskSpec] = [CARTPOLE_CAMERA, *ASSEMBLE_TROCAR_TASKS]

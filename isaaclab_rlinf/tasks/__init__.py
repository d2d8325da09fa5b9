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

FRANKA_REACH = TaskSpec(
    id="Isaac-RLinf-Franka-Reach-Camera-v0",
    env_cfg_entry_point="isaaclab_rlinf.tasks.franka.env_cfg:FrankaReachEnvCfg",
    config="franka/isaaclab_ppo_mlp_franka_reach.yaml",
    expert="isaaclab_rlinf.tasks.franka.expert:make_expert",
    description="Franka Panda reaches a red ball, 3 RGB cameras (wrist), kitless (Newton) on CPU or CUDA",
)

FRANKA_LIFT = TaskSpec(
    id="Isaac-RLinf-Franka-Lift-Cube-Camera-v0",
    env_cfg_entry_point="isaaclab_rlinf.tasks.franka.env_cfg:FrankaLiftEnvCfg",
    config="franka/isaaclab_ppo_mlp_franka_lift.yaml",
    expert="isaaclab_rlinf.tasks.franka.expert:make_expert",
    description="Franka Panda lifts a cube, 3 RGB cameras (wrist), kitless (Newton) on CPU or CUDA",
)

TASKS: list[TaskSpec] = [CARTPOLE_CAMERA, FRANKA_REACH, FRANKA_LIFT, *ASSEMBLE_TROCAR_TASKS]

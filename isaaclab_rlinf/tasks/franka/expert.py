"""The scripted expert of the Franka tasks, acting in the task's own action space.

What ``isaaclab-rlinf record`` runs to make demonstrations (TaskSpec ``expert``). It reads privileged
state (the ball's or the cube's position, the TCP pose, the Jacobian) and returns the task's action
[N, 8]: 7 arm joint position targets relative to the default pose (scale 0.5, the arm action term's
own inverse) + the gripper command. So a recorded action is exactly what a policy would have to emit.

How: IsaacLab's differential IK (its ``DifferentialInverseKinematicsAction`` term, built beside the
task's action manager, never applied) turns a TCP goal with the hand pointing down into joint targets,
once per policy step; a small integral term on the goal makes up for the PD joints' sag under
gravity. Reach: go to the ball. Lift: above the cube (fingers turned square to its faces), down, close,
up. Phases follow each env's own episode step, so envs reset at different times each follow their own.
Measured on CPU, one episode per env: Reach 8/8, Lift 7/8 and 9/16 (grasped cubes slip out of the
fingers in MuJoCo's soft contact; a clock-free variant keyed on the fingers' opening slipped more: 1/16).
"""

from __future__ import annotations

import math
from typing import Any

import torch

# Lift's phases: (until episode step, TCP height above the cube's centre [m], gripper: 1 open / -1 closed)
LIFT_PHASES = ((40, 0.12, 1.0), (75, 0.0, 1.0), (90, 0.0, -1.0), (10**6, 0.25, -1.0))
INTEGRAL_GAIN, INTEGRAL_LIMIT, INTEGRAL_RADIUS = 0.05, 0.08, 0.1  # [1, m, m]: only near the goal, bounded


class FrankaExpert:
    """Callable: the env's current state -> the task's action [N, 8] on the env's device."""

    def __init__(self, env: Any):
        self.env = env
        self.lift = "cube" in env.scene.keys()
        cfg = self._ik_cfg()
        self.ik = cfg.class_type(cfg, env)
        self.arm = env.action_manager.get_term("arm_action")  # joint targets = offset + scale * action
        n, dev = env.num_envs, env.device
        self.integral = torch.zeros(n, 3, device=dev)
        self.down = torch.zeros(n, 4, device=dev)
        self.cube = torch.zeros(n, 3, device=dev)
        self.gripper = torch.ones(n, 1, device=dev)
        self.phase_ends = torch.tensor([p[0] for p in LIFT_PHASES], device=dev)
        self.phase_lift = torch.tensor([[0.0, 0.0, p[1]] for p in LIFT_PHASES], device=dev)
        self.phase_grip = torch.tensor([p[2] for p in LIFT_PHASES], device=dev)

    @staticmethod
    def _ik_cfg() -> Any:
        from isaaclab.controllers.differential_ik_cfg import DifferentialIKControllerCfg
        from isaaclab.envs.mdp.actions.actions_cfg import DifferentialInverseKinematicsActionCfg

        from .env_cfg import ARM_JOINTS

        return DifferentialInverseKinematicsActionCfg(
            asset_name="robot",
            joint_names=[ARM_JOINTS],
            body_name="panda_hand",
            controller=DifferentialIKControllerCfg(
                command_type="pose", use_relative_mode=False, ik_method="dls"
            ),
            body_offset=DifferentialInverseKinematicsActionCfg.OffsetCfg(pos=[0.0, 0.0, 0.1034]),
        )

    def __call__(self) -> torch.Tensor:
        from isaaclab.managers import SceneEntityCfg
        from isaaclab.utils.math import euler_xyz_from_quat, quat_from_euler_xyz, quat_mul
        from isaaclab_tasks.contrib.lift.mdp import object_position_in_robot_root_frame

        env, ik = self.env, self.ik
        step = env.episode_length_buf  # 0 right after a reset
        tcp_pos, tcp_quat = ik._compute_frame_pose()
        fresh = step == 0
        if fresh.any():  # a new episode: hand down as at reset; Lift: the cube's spot and yaw
            self.integral[fresh] = 0.0
            down = tcp_quat
            if self.lift:
                self.cube[fresh] = object_position_in_robot_root_frame(
                    env, object_cfg=SceneEntityCfg("cube")
                )[fresh]
                yaw = euler_xyz_from_quat(env.scene["cube"].data.root_quat_w.torch)[2]
                yaw = torch.remainder(yaw + math.pi / 4, math.pi / 2) - math.pi / 4
                down = quat_mul(quat_from_euler_xyz(torch.zeros_like(yaw), torch.zeros_like(yaw), yaw), down)
            self.down[fresh] = down[fresh]
        if self.lift:
            phase = torch.searchsorted(self.phase_ends, step, right=True).clamp(max=len(LIFT_PHASES) - 1)
            goal = self.cube + self.phase_lift[phase]
            grip = self.phase_grip[phase, None]
        else:
            goal = env.command_manager.get_command("ee_target")[:, :3]
            grip = self.gripper
        error = goal - tcp_pos
        near = error.norm(dim=-1, keepdim=True) < INTEGRAL_RADIUS
        self.integral = (self.integral + INTEGRAL_GAIN * error * near).clamp(-INTEGRAL_LIMIT, INTEGRAL_LIMIT)
        ik.process_actions(torch.cat([goal + self.integral, self.down], dim=1))
        joint_pos = ik._asset.data.joint_pos.torch[:, ik._joint_ids]
        targets = ik._ik_controller.compute(tcp_pos, tcp_quat, ik._compute_frame_jacobian(), joint_pos)
        arm = (targets - self.arm._offset) / self.arm._scale
        return torch.cat([arm, grip], dim=1)


def make_expert(env: Any) -> FrankaExpert:
    """The task plugin's expert factory (``TaskSpec.expert``): the raw IsaacLab env in, a callable out."""
    return FrankaExpert(env)

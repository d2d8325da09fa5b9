"""The scripted experts of the Franka tasks, acting in the task's own action space.

What ``isaaclab-rlinf record`` runs to make demonstrations (TaskSpec ``expert``). They read the scene
(the ball's or the cube's pose, the TCP pose, the Jacobian) and return the task's action [N, 8]: 7 arm
joint position targets relative to the default pose (scale 0.5, the arm action term's own inverse) + the
gripper command. So a recorded action is exactly what a policy would have to emit.

How: IsaacLab's differential IK (its ``DifferentialInverseKinematicsAction`` term, built beside the
task's action manager, never applied) turns a TCP goal with the hand pointing down into joint targets,
once per policy step. Reach: go to the ball; a small integral term on the goal makes up for the PD
joints' sag under gravity. Measured on CPU, one episode per env: Reach 8/8.

Lift (:class:`LiftExpert`): each action is a function of what the Lift MLP's states carry (joint
positions, the fingers' opening, the TCP pose, the cube's position and yaw), with no clock and no
memory, so a policy on those states can clone it. The previous Lift expert followed the episode clock,
kept the grasp spot and hand yaw of the reset and an integral term: its clone lifted 0/64. Measured on
CPU, 64 envs: 0.70 (267/384) with record's noise (``action_noise``); its clone 0.125
(docs/from-demonstrations.md).
"""

from __future__ import annotations

from typing import Any

import torch

INTEGRAL_GAIN, INTEGRAL_LIMIT, INTEGRAL_RADIUS = 0.05, 0.08, 0.1  # [1, m, m]: only near the goal, bounded

# Lift: the TCP's goal and the gripper from the current state (distances in m, the robot base frame)
HOVER = 0.12  # TCP above the cube's centre while still off to the side
XY_OK, FUNNEL_XY = 0.01, 0.02  # [m] xy error that does not matter, and beyond it, the TCP at HOVER
YAW_OK, FUNNEL_YAW = 0.15, 0.15  # [rad] hand orientation error that does not matter, and beyond it
AT_CUBE_XY, AT_CUBE_Z = 0.015, 0.015  # TCP this close to the cube's centre: close the fingers
CLOSING, EMPTY = 0.075, 0.02  # fingers' opening [m]: below CLOSING they are closing, below EMPTY they missed
HELD = 0.049  # opening at or below which the fingers hold the 5 cm cube: lift
LOST = 0.04  # TCP this far from the cube's centre with the fingers closed: the cube is not in them, open
LIFT_Z = 0.275  # TCP height goal with the cube (25 cm above where the cube rests)
MAX_STEP = 0.03  # the IK goal at most this far from the TCP: a 0.08 m step overshot and oscillated


class FrankaExpert:
    """Callable: the env's current state -> the task's action [N, 8] on the env's device (Reach)."""

    def __init__(self, env: Any):
        self.env = env
        cfg = self._ik_cfg()
        self.ik = cfg.class_type(cfg, env)
        self.arm = env.action_manager.get_term("arm_action")  # joint targets = offset + scale * action
        n, dev = env.num_envs, env.device
        self.integral = torch.zeros(n, 3, device=dev)
        self.down = torch.zeros(n, 4, device=dev)
        self.gripper = torch.ones(n, 1, device=dev)

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

    def _arm_action(self, goal_pos: torch.Tensor, goal_quat: torch.Tensor, sag: bool = False) -> torch.Tensor:
        """The arm action [N, 7] whose joint targets put the TCP at the goal pose (one IK step).

        ``sag``: add the PD joints' steady-state error under gravity (gravity's joint torque / stiffness)
        to the targets, so the joints settle where the IK put them.
        """
        ik = self.ik
        tcp_pos, tcp_quat = ik._compute_frame_pose()
        ik.process_actions(torch.cat([goal_pos, goal_quat], dim=1))
        joint_pos = ik._asset.data.joint_pos.torch[:, ik._joint_ids]
        targets = ik._ik_controller.compute(tcp_pos, tcp_quat, ik._compute_frame_jacobian(), joint_pos)
        if sag:
            data = ik._asset.data
            gravity = data.gravity_compensation_forces.torch[:, ik._joint_ids]
            targets = targets + gravity / data.joint_stiffness.torch[:, ik._joint_ids]
        return (targets - self.arm._offset) / self.arm._scale

    def __call__(self) -> torch.Tensor:
        env = self.env
        tcp_pos, tcp_quat = self.ik._compute_frame_pose()
        fresh = env.episode_length_buf == 0  # a new episode: hand down as at reset
        if fresh.any():
            self.integral[fresh] = 0.0
            self.down[fresh] = tcp_quat[fresh]
        goal = env.command_manager.get_command("ee_target")[:, :3]
        error = goal - tcp_pos
        near = error.norm(dim=-1, keepdim=True) < INTEGRAL_RADIUS
        self.integral = (self.integral + INTEGRAL_GAIN * error * near).clamp(-INTEGRAL_LIMIT, INTEGRAL_LIMIT)
        return torch.cat([self._arm_action(goal + self.integral, self.down), self.gripper], dim=1)


class LiftExpert(FrankaExpert):
    """Lift as a function of the observed state: hover over the cube, funnel down, close, lift.

    - Fingers turned to the cube's yaw modulo a quarter turn (the ``cube_yaw`` observation), hand down.
    - Open fingers: the TCP's goal is above the cube, HOVER high while the TCP is off to the side in
      position or yaw, lower as both errors shrink (a funnel, so no phase switch); at the cube's centre
      the gripper closes.
    - Fingers closing (opening below CLOSING): stay closed; hold the TCP at the cube until they hold it
      (opening at most HELD), then lift to LIFT_Z. Closed on nothing (below EMPTY) or the cube out of
      reach of the fingers (LOST): open again, and the funnel starts over.
    - No integral term (Reach's is state the policy cannot see): the PD joints' sag under gravity is
      added to the joint targets as gravity's joint torque / stiffness, a function of the joints.
      Without it the TCP hung 3 cm short of every goal; a goal leading the TCP by 2x its error
      oscillated.
    """

    action_noise = 0.05  # record's default (DART); 0.05 keeps the expert's success, 0.1 cut it to 3/32

    def __init__(self, env: Any):
        super().__init__(env)
        from isaaclab.managers import SceneEntityCfg

        from .env_cfg import FINGER_JOINTS

        self.fingers = SceneEntityCfg("robot", joint_names=[FINGER_JOINTS])
        self.fingers.resolve(env.scene)
        self.cube = SceneEntityCfg("cube")
        # the hand pointing down, fingers as in the ready pose: 180 deg about x (xyzw)
        self.hand_down = torch.tensor([[1.0, 0.0, 0.0, 0.0]], device=env.device)

    def __call__(self) -> torch.Tensor:
        from isaaclab.utils.math import quat_error_magnitude, quat_from_euler_xyz, quat_mul
        from isaaclab_tasks.contrib.lift.mdp import object_position_in_robot_root_frame

        from .mdp import object_yaw_quarter_turn

        env = self.env
        tcp_pos, tcp_quat = self.ik._compute_frame_pose()
        cube = object_position_in_robot_root_frame(env, object_cfg=self.cube)
        sin4, cos4 = object_yaw_quarter_turn(env, self.cube).unbind(-1)
        yaw = torch.atan2(sin4, cos4) / 4  # in [-pi/4, pi/4]
        zero = torch.zeros_like(yaw)
        goal_quat = quat_mul(quat_from_euler_xyz(zero, zero, yaw), self.hand_down.expand(len(yaw), 4))
        opening = env.scene["robot"].data.joint_pos.torch[:, self.fingers.joint_ids].sum(-1)

        offset = tcp_pos - cube
        xy_err = offset[:, :2].norm(dim=-1)
        yaw_err = quat_error_magnitude(tcp_quat, goal_quat)
        at_cube = (xy_err < AT_CUBE_XY) & (offset[:, 2].abs() < AT_CUBE_Z)
        closing = (opening < CLOSING) & (opening > EMPTY) & (offset.norm(dim=-1) < LOST)
        close = at_cube | closing
        held = closing & (opening <= HELD)
        funnel = torch.maximum((xy_err - XY_OK) / FUNNEL_XY, (yaw_err - YAW_OK) / FUNNEL_YAW).clamp(0.0, 1.0)
        goal = cube.clone()
        goal[:, 2] += torch.where(close, 0.0, HOVER * funnel)
        goal[:, 2] = torch.where(held, LIFT_Z, goal[:, 2])
        error = goal - tcp_pos
        step = error * (MAX_STEP / error.norm(dim=-1, keepdim=True)).clamp(max=1.0)
        grip = torch.where(close, -1.0, 1.0)[:, None]
        return torch.cat([self._arm_action(tcp_pos + step, goal_quat, sag=True), grip], dim=1)


def make_expert(env: Any) -> FrankaExpert:
    """The task plugin's expert factory (``TaskSpec.expert``): the raw IsaacLab env in, a callable out."""
    return LiftExpert(env) if "cube" in env.scene.keys() else FrankaExpert(env)

"""MDP terms of the Franka tasks that IsaacLab does not ship in the form these tasks need.

Everything else (joint observations, the reach and lift rewards, the actions) is IsaacLab's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch
from isaaclab.envs.mdp.commands.commands_cfg import UniformPoseCommandCfg
from isaaclab.envs.mdp.commands.pose_command import UniformPoseCommand
from isaaclab.envs.mdp.terminations import time_out
from isaaclab.managers import ManagerTermBase, SceneEntityCfg, TerminationTermCfg
from isaaclab.utils import configclass
from isaaclab.utils.math import combine_frame_transforms, euler_xyz_from_quat, subtract_frame_transforms

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv


class VisibleTargetCommand(UniformPoseCommand):
    """IsaacLab's uniform pose command that also moves a scene object (the target ball) to the sample.

    The command stays IsaacLab's (robot base frame, what ``position_command_error`` and friends read);
    the ball makes it visible to the cameras, which a debug marker would not be (markers are not
    rendered by the warp renderer, and their USD lives on the asset server).
    """

    cfg: VisibleTargetCommandCfg

    def _resample_command(self, env_ids: Sequence[int]):
        super()._resample_command(env_ids)
        target = self._env.scene[self.cfg.target_asset_name]
        root = self.robot.data
        ids = torch.arange(self.num_envs, device=self.device)[env_ids]
        pos_w, _ = combine_frame_transforms(
            root.root_pos_w.torch[ids], root.root_quat_w.torch[ids], self.pose_command_b[ids, :3]
        )
        pose = torch.zeros(len(ids), 7, device=self.device)
        pose[:, :3], pose[:, 6] = pos_w, 1.0
        target.write_root_pose_to_sim_index(root_pose=pose, env_ids=ids)


@configclass
class VisibleTargetCommandCfg(UniformPoseCommandCfg):
    class_type: type = VisibleTargetCommand
    target_asset_name: str = "target"
    """Scene object placed at each sampled position (kinematic, no collision)."""


def ee_pose_b(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg) -> torch.Tensor:
    """End-effector pose in the robot base frame: position xyz + quaternion xyzw, [N, 7]."""
    data = env.scene[asset_cfg.name].data
    body = asset_cfg.body_ids[0]
    pos, quat = subtract_frame_transforms(
        data.root_pos_w.torch,
        data.root_quat_w.torch,
        data.body_pos_w.torch[:, body],
        data.body_quat_w.torch[:, body],
    )
    return torch.cat((pos, quat), dim=-1)


def object_yaw_quarter_turn(env: ManagerBasedRLEnv, object_cfg: SceneEntityCfg) -> torch.Tensor:
    """A cube's yaw in the robot base frame as (sin 4*yaw, cos 4*yaw), [N, 2].

    What a grasp turns the fingers to: a cube looks the same every quarter turn, so the angle counts
    modulo pi/2, and sin/cos of four times it is that angle without a jump (a raw quaternion has two
    signs and four equivalent yaws; the Lift expert's choice of yaw is a function of this).
    """
    robot, obj = env.scene["robot"].data, env.scene[object_cfg.name].data
    _, quat = subtract_frame_transforms(
        robot.root_pos_w.torch, robot.root_quat_w.torch, obj.root_pos_w.torch, obj.root_quat_w.torch
    )
    yaw = euler_xyz_from_quat(quat)[2]
    return torch.stack((torch.sin(4 * yaw), torch.cos(4 * yaw)), dim=-1)


def command_position(env: ManagerBasedRLEnv, command_name: str) -> torch.Tensor:
    """The position part of a pose command (robot base frame), [N, 3]."""
    return env.command_manager.get_command(command_name)[:, :3]


def ee_object_distance_tanh(
    env: ManagerBasedRLEnv, std: float, asset_cfg: SceneEntityCfg, object_cfg: SceneEntityCfg
) -> torch.Tensor:
    """IsaacLab's lift ``object_ee_distance`` (1 - tanh(d / std)) with the TCP body as the end effector.

    IsaacLab's version reads a ``FrameTransformer`` sensor; the TCP is a body of this robot, so the
    sensor (one more scene entity per env) is not needed.
    """
    ee = env.scene[asset_cfg.name].data.body_pos_w.torch[:, asset_cfg.body_ids[0]]
    obj = env.scene[object_cfg.name].data.root_pos_w.torch
    return 1.0 - torch.tanh(torch.linalg.norm(obj - ee, dim=-1) / std)


def object_above(env: ManagerBasedRLEnv, height: float, object_cfg: SceneEntityCfg) -> torch.Tensor:
    """The object's centre is more than ``height`` above its env origin (the table top), [N] bool."""
    obj = env.scene[object_cfg.name].data.root_pos_w.torch[:, 2]
    return obj - env.scene.env_origins[:, 2] > height


def object_above_at_time_out(
    env: ManagerBasedRLEnv, height: float, object_cfg: SceneEntityCfg
) -> torch.Tensor:
    """Success of Lift: time ran out with the object's centre more than ``height`` above the table."""
    return time_out(env) & object_above(env, height, object_cfg)


class held_at_target(ManagerTermBase):
    """Success of Reach: the end effector stayed within ``radius`` of the target for ``hold_steps`` steps.

    Counted in policy steps and reset with the episode, so a policy must stop at the ball, not fly
    through it. With ``hold_steps=1`` it is IsaacLab Reach's ``pose_command_success`` on position alone.
    """

    def __init__(self, cfg: TerminationTermCfg, env: ManagerBasedRLEnv):
        super().__init__(cfg, env)
        self.count = torch.zeros(env.num_envs, dtype=torch.int32, device=env.device)

    def reset(self, env_ids: Sequence[int] | None = None) -> None:
        self.count[slice(None) if env_ids is None else env_ids] = 0

    def __call__(
        self,
        env: ManagerBasedRLEnv,
        command_name: str,
        radius: float,
        hold_steps: int,
        asset_cfg: SceneEntityCfg,
    ) -> torch.Tensor:
        data = env.scene[asset_cfg.name].data
        command = env.command_manager.get_command(command_name)
        target_w, _ = combine_frame_transforms(data.root_pos_w.torch, data.root_quat_w.torch, command[:, :3])
        near = torch.linalg.norm(data.body_pos_w.torch[:, asset_cfg.body_ids[0]] - target_w, dim=-1) < radius
        self.count.add_(1).mul_(near)  # consecutive steps near the target
        return self.count >= hold_steps

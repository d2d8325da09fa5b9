"""A scripted expert for the Franka tasks: shows they are solvable as built, on CPU or CUDA.

The arm action is swapped for IsaacLab's differential IK on the TCP position (hand kept pointing
down) with a small integral term (the PD joints sag under gravity); everything else is the task as
registered. Reach: go to the ball. Lift: above the cube, down, close, up. Prints the success rate over
one episode per env (the task's own ``success`` term)::

    python -m isaaclab_rlinf.tasks.franka.scripted --task lift --num_envs 16 [--device cuda:0]

A development check, not used by the package (a policy learns the tasks in joint space). Measured
on CPU (8 envs): Reach 8/8; Lift 5/8 (7/8 grasped, two slipped out before the end).
"""

from __future__ import annotations

import argparse
import math

import torch

TASKS = {"reach": "Isaac-RLinf-Franka-Reach-Camera-v0", "lift": "Isaac-RLinf-Franka-Lift-Cube-Camera-v0"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=sorted(TASKS), default="lift")
    parser.add_argument("--num_envs", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    import gymnasium as gym
    from isaaclab.app import launch_simulation
    from isaaclab.controllers.differential_ik_cfg import DifferentialIKControllerCfg
    from isaaclab.envs.mdp.actions.actions_cfg import DifferentialInverseKinematicsActionCfg
    from isaaclab.utils.math import euler_xyz_from_quat, quat_from_euler_xyz, quat_mul
    from isaaclab_tasks.utils import parse_env_cfg

    import isaaclab_rlinf
    from isaaclab_rlinf.env import _disable_cuda_graphs

    task = TASKS[args.task]
    isaaclab_rlinf.register()
    cfg = parse_env_cfg(task, device=args.device, num_envs=args.num_envs)
    cfg.observations.cameras = None  # nothing rendered
    cfg.actions.arm_action = DifferentialInverseKinematicsActionCfg(
        asset_name="robot",
        joint_names=["panda_joint.*"],
        body_name="panda_hand",
        controller=DifferentialIKControllerCfg(command_type="pose", use_relative_mode=False, ik_method="dls"),
        body_offset=DifferentialInverseKinematicsActionCfg.OffsetCfg(pos=[0.0, 0.0, 0.1034]),  # the TCP
    )
    if not args.device.startswith("cuda"):
        _disable_cuda_graphs(cfg)
    n, dev = args.num_envs, args.device
    with launch_simulation(cfg, {"headless": True, "device": dev}):
        env = gym.make(task, cfg=cfg).unwrapped
        obs, _ = env.reset(seed=0)
        down = obs["policy"]["ee_pose"][:, 3:].clone()  # the default pose points the hand down
        integral = torch.zeros(n, 3, device=dev)
        success = torch.zeros(n, dtype=torch.bool, device=dev)
        ended = torch.zeros(n, dtype=torch.bool, device=dev)
        # Lift's phases: (until step, TCP height above the cube's centre [m], gripper: 1 open / -1 closed)
        phases = [(40, 0.12, 1.0), (75, 0.0, 1.0), (90, 0.0, -1.0), (10**6, 0.25, -1.0)]
        for t in range(int(env.max_episode_length) + 2):
            p = obs["policy"]
            if args.task == "reach":
                goal, grip = p["target_pos"], 1.0
            else:
                if t == 0:  # privileged: the cube's yaw, to turn the fingers square to its faces
                    cube = p["cube_pos"].clone()
                    yaw = euler_xyz_from_quat(env.scene["cube"].data.root_quat_w.torch)[2]
                    yaw = torch.remainder(yaw + math.pi / 4, math.pi / 2) - math.pi / 4
                    turn = quat_from_euler_xyz(torch.zeros_like(yaw), torch.zeros_like(yaw), yaw)
                    down = quat_mul(turn, down)
                _, lift, grip = next(ph for ph in phases if t < ph[0])
                goal = cube + torch.tensor([0.0, 0.0, lift], device=dev)
            error = goal - p["ee_pose"][:, :3]  # integrated only near the goal, bounded (no wind-up)
            integral = (integral + 0.05 * error * (error.norm(dim=-1, keepdim=True) < 0.1)).clamp(-0.08, 0.08)
            gripper = torch.full((n, 1), grip, device=dev)
            obs, _, terminated, truncated, _ = env.step(torch.cat([goal + integral, down, gripper], dim=1))
            success |= env.termination_manager.get_term("success") & ~ended
            ended |= terminated | truncated
            if ended.all():
                break
        print(f"{task}: {int(success.sum())}/{n} envs succeeded in their first episode (scripted, {dev})")
        env.close()


if __name__ == "__main__":
    main()

"""The embedded Franka tasks (Reach a red ball, Lift a cube) on the real kitless simulator, on CPU.

One Reach env is built through RLinf's own env lookup (``REGISTER_ISAACLAB_ENVS``, in process so the
tests can reach IsaacLab's env under it) and shared by the Reach tests; one states-only Lift env is
built for the physics check. Nothing of rlinf, isaaclab, torch or gymnasium is replaced.
"""

from __future__ import annotations

import math
import re

import pytest
import torch

import isaaclab_rlinf
from isaaclab_rlinf.converters import to_gr00t_obs
from isaaclab_rlinf.rollout import build_env, env_config
from isaaclab_rlinf.tasks import FRANKA_LIFT, FRANKA_REACH

NUM_ENVS = 2
RESOLUTION = 40  # set through init_params.env_cfg, unlike the task's default (64)
INSTRUCTION = "move the gripper to the red ball"
BLOCK = {
    "task_description": INSTRUCTION,
    "main_images": "front_camera",
    "extra_view_images": ["side_camera", "wrist_camera"],
    # states: arm_joint_pos [0:7], arm_joint_vel [7:14], gripper_pos [14:16], ee_pose [16:23],
    # target_pos [23:26], IsaacLab's last_action [26:34] (what reached the simulator, padding included)
    "states": [
        {"key": "arm_joint_pos"},
        {"key": "arm_joint_vel"},
        {"key": "gripper_pos"},
        {"key": "ee_pose"},
        {"key": "target_pos"},
        {"key": "policy.actions"},
    ],
    "action_mapping": {"prefix_pad": 0, "suffix_pad": 1},
    "success_term": "success",
    "gr00t_mapping": {
        "video": {"main_images": "video.front", "extra_view_images": ["video.side", "video.wrist"]},
        "state": [
            {"gr00t_key": "state.arm", "slice": [0, 7]},
            {"gr00t_key": "state.gripper", "slice": [14, 16]},
        ],
        "action": ["action.arm"],
        "language": "annotation.human.task_description",
    },
}
EE, TARGET, LAST_ACTION = slice(16, 19), slice(23, 26), slice(26, 34)


@pytest.fixture(scope="module")
def reach():
    cfg = env_config(BLOCK, FRANKA_REACH.id, max_episode_steps=100, seed=3, in_process=True)
    cfg.init_params.env_cfg = {"camera_resolution": RESOLUTION}
    env = build_env(cfg, NUM_ENVS)
    yield env
    env.close()


def isaac(env):
    """IsaacLab's ManagerBasedRLEnv under our env class (in process)."""
    return env.env._env.env


def hold(env, joint_pos: torch.Tensor) -> torch.Tensor:
    """The 7-column policy action whose joint targets are ``joint_pos`` (scale 0.5 about the default)."""
    robot = isaac(env).scene["robot"]
    return (joint_pos - robot.data.default_joint_pos.torch[:, :7]) / 0.5


def place_arm(env, joint_pos: torch.Tensor) -> None:
    """Put the arm at ``joint_pos`` (written to the simulator, at rest)."""
    robot = isaac(env).scene["robot"]
    ids = torch.arange(7)
    robot.write_joint_position_to_sim_index(position=joint_pos, joint_ids=ids)
    robot.write_joint_velocity_to_sim_index(velocity=torch.zeros_like(joint_pos), joint_ids=ids)


def set_target(env, pos_b: torch.Tensor) -> None:
    """Move Reach's target (the command, in the robot base frame) to ``pos_b`` [N, 3]."""
    isaac(env).command_manager.get_term("ee_target").pose_command_b[:, :3] = pos_b


def test_register_puts_both_tasks_into_rlinfs_isaaclab_env_table():
    from rlinf.envs.isaaclab import REGISTER_ISAACLAB_ENVS

    isaaclab_rlinf.register()
    for spec in (FRANKA_REACH, FRANKA_LIFT):
        assert REGISTER_ISAACLAB_ENVS[spec.id] is isaaclab_rlinf.IsaacLabGenericEnv


@pytest.mark.sim
def test_three_distinct_views_at_the_resolution_set_in_init_params(reach):
    obs, _ = reach.reset()
    front, side, wrist = obs["main_images"], obs["extra_view_images"][:, 0], obs["extra_view_images"][:, 1]
    for view in (front, side, wrist):
        assert view.shape == (NUM_ENVS, RESOLUTION, RESOLUTION, 3) and view.dtype == torch.uint8
        assert view.float().std() > 10  # a drawn scene, not a flat colour
    for a, b in ((front, side), (front, wrist), (side, wrist)):
        assert (a.float() - b.float()).abs().mean() > 10


@pytest.mark.sim
def test_the_wrist_view_moves_with_the_hand_and_the_front_view_sees_it(reach):
    obs, _ = reach.reset()
    action = torch.zeros(NUM_ENVS, 10, 7)
    action[..., 0] = 1.5  # joint 1 (the base) 0.75 rad around: the hand sweeps sideways
    obs_list, *_ = reach.chunk_step(action)
    after = obs_list[-1]
    assert (after["states"][:, EE] - obs["states"][:, EE]).norm(dim=-1).min() > 0.15
    wrist_change = (after["extra_view_images"][:, 1].float() - obs["extra_view_images"][:, 1].float()).abs()
    front_change = (after["main_images"].float() - obs["main_images"].float()).abs()
    assert wrist_change.mean() > 10  # the wrist camera looks elsewhere
    assert front_change.mean() > 0.5  # a fixed camera sees the arm move (most of its view is unchanged)


@pytest.mark.sim
def test_a_seven_column_policy_action_reaches_the_simulator_padded_with_an_open_gripper(reach):
    reach.reset()
    policy_action = torch.tensor(
        [[0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7], [-0.7, 0.6, -0.5, 0.4, -0.3, 0.2, -0.1]]
    )
    obs_list, *_ = reach.chunk_step(policy_action.unsqueeze(1))
    seen_by_sim = obs_list[-1]["states"][:, LAST_ACTION]
    assert torch.equal(seen_by_sim, torch.cat([policy_action, torch.zeros(NUM_ENVS, 1)], dim=1))
    assert torch.allclose(obs_list[-1]["states"][:, 14:16], torch.full((NUM_ENVS, 2), 0.04), atol=2e-3)


@pytest.mark.sim
def test_the_instruction_reaches_rlinf_and_the_gr00t_annotation_key(reach):
    obs, _ = reach.reset()
    assert obs["task_descriptions"] == [INSTRUCTION] * NUM_ENVS
    gr00t = to_gr00t_obs(obs, reach.spec)
    assert gr00t["annotation.human.task_description"] == [INSTRUCTION] * NUM_ENVS
    assert gr00t["video.wrist"].shape == (NUM_ENVS, 1, RESOLUTION, RESOLUTION, 3)
    assert gr00t["state.arm"].shape == (NUM_ENVS, 1, 7)


@pytest.mark.sim
def test_the_target_ball_is_where_the_command_says(reach):
    obs, _ = reach.reset()
    env = isaac(reach)
    ball_b = (
        env.scene["target"].data.root_pos_w.torch - env.scene["robot"].data.root_pos_w.torch
    )  # base unrotated
    assert torch.allclose(ball_b, obs["states"][:, TARGET], atol=1e-4)
    assert not torch.allclose(obs["states"][0, TARGET], obs["states"][1, TARGET])  # sampled per env


@pytest.mark.sim
def test_reward_rises_as_the_end_effector_nears_the_target(reach):
    obs, _ = reach.reset()
    rest = obs["states"][:, :7]
    _, _, _, _, _ = reach.chunk_step(hold(reach, rest).unsqueeze(1).repeat(1, 4, 1))  # settle
    ee = obs["states"][:, EE]
    rewards = []
    for distance in (0.4, 0.2, 0.1, 0.03):
        set_target(reach, ee + torch.tensor([0.0, 0.0, -distance]))  # below the gripper
        _, r, terminated, *_ = reach.chunk_step(hold(reach, rest).unsqueeze(1))
        assert not terminated.any()  # one step near the target is not yet a success
        rewards.append(r[:, -1])
    for farther, nearer in zip(rewards, rewards[1:], strict=False):
        assert (nearer > farther).all()


@pytest.mark.sim
def test_success_fires_once_the_end_effector_is_held_at_the_target(reach):
    """The arm is put at a pose by writing joint positions, the target at its end effector: ``success``
    fires on the 5th step there (REACH_HOLD_STEPS), not before."""
    from isaaclab_rlinf.tasks.franka.env_cfg import REACH_HOLD_STEPS

    reach.reset()
    env = isaac(reach)
    pose = env.scene["robot"].data.default_joint_pos.torch[:, :7] + torch.tensor([0.4, 0.3, 0, 0.3, 0, 0, 0])
    set_target(reach, torch.tensor([[0.5, 0.0, 2.0]]).repeat(NUM_ENVS, 1))  # out of reach meanwhile
    place_arm(reach, pose)
    obs_list, _, terminated, *_ = reach.chunk_step(hold(reach, pose).unsqueeze(1).repeat(1, 3, 1))
    assert not terminated.any()
    set_target(reach, obs_list[-1]["states"][:, EE])
    _, _, terminated, truncated, _ = reach.chunk_step(
        hold(reach, pose).unsqueeze(1).repeat(1, REACH_HOLD_STEPS, 1)
    )
    assert not truncated.any()
    assert terminated[:, -1].all() and not terminated[:, :-1].any()
    assert env.termination_manager.get_term("success").all()


@pytest.mark.sim
def test_the_cube_rests_on_the_table():
    """Built in RLinf's subprocess (one kitless simulator per process; the Reach env holds this one)."""
    from isaaclab_rlinf.tasks.franka.env_cfg import CUBE_SIZE

    block = {"states": [{"key": "cube_pos"}], "success_term": "success"}  # states only: no camera rendered
    env = build_env(env_config(block, FRANKA_LIFT.id, max_episode_steps=100, seed=5), NUM_ENVS)
    try:
        obs, _ = env.reset()
        start = obs["states"]  # the cube's centre in the robot base frame
        assert torch.allclose(start[:, 2], torch.full((NUM_ENVS,), CUBE_SIZE / 2), atol=2e-3)
        assert not torch.allclose(start[0, :2], start[1, :2])  # placed at random per env
        # 1 s with the arm holding its pose high above: the cube neither sinks, slides nor flies
        obs_list, _, terminated, truncated, _ = env.chunk_step(torch.zeros(NUM_ENVS, 30, 8))
        assert not (terminated.any() or truncated.any())
        assert torch.allclose(obs_list[-1]["states"], start, atol=2e-3)
    finally:
        env.close()


@pytest.mark.sim
def test_the_cube_yaw_observation_is_a_unit_vector_per_env_that_rests_with_the_cube():
    """``cube_yaw``: (sin, cos) of 4 x the cube's yaw, what the Lift expert turns the fingers to."""
    block = {"states": [{"key": "cube_yaw"}], "success_term": "success"}
    env = build_env(env_config(block, FRANKA_LIFT.id, max_episode_steps=100, seed=5), NUM_ENVS)
    try:
        obs, _ = env.reset()
        start = obs["states"]
        assert start.shape == (NUM_ENVS, 2)
        assert torch.allclose(start.norm(dim=-1), torch.ones(NUM_ENVS), atol=1e-5)
        assert not torch.allclose(start[0], start[1])  # the yaw is sampled per env
        obs_list, *_ = env.chunk_step(torch.zeros(NUM_ENVS, 30, 8))  # 1 s, arm held high above
        assert torch.allclose(obs_list[-1]["states"], start, atol=2e-3)
    finally:
        env.close()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"camera_resolution": 4},
            r"^init_params\.env_cfg\.camera_resolution: camera_resolution must be a whole number of pixels "
            r"in \[16, 1024\], got 4\. Fix: ",
        ),
        (
            {"camera_resolution": "224x224"},
            r"^init_params\.env_cfg\.camera_resolution: expects a value of type int, like the default 64 "
            r"\(got '224x224'\)\. Fix: give it a value of type int\.$",
        ),
        (
            {"camera_res": 224},
            r"^init_params\.env_cfg\.camera_res: FrankaReachEnvCfg has no such field .*camera_resolution",
        ),
    ],
    ids=["out_of_range", "not_an_int", "unknown_key"],
)
def test_bad_camera_settings_fail_in_one_line_before_the_simulator_starts(override, message):
    from isaaclab_rlinf.env import make_task_env

    isaaclab_rlinf.register()  # make_task_env builds tasks gymnasium knows
    with pytest.raises(isaaclab_rlinf.MappingError, match=message) as info:
        make_task_env(FRANKA_REACH.id, 1, 0, "cpu", env_cfg_overrides=override)
    assert "\n" not in str(info.value)


def test_a_missing_robot_asset_fails_in_one_line_naming_the_file(tmp_path):
    from isaaclab_rlinf.env import make_task_env

    isaaclab_rlinf.register()  # make_task_env builds tasks gymnasium knows
    missing = tmp_path / "panda.usda"
    override = {"scene.robot.spawn.usd_path": str(missing)}
    expected = rf"^Franka robot asset {re.escape(str(missing))} is missing\. Fix: reinstall"
    with pytest.raises(FileNotFoundError, match=expected) as info:
        make_task_env(FRANKA_REACH.id, 1, 0, "cpu", env_cfg_overrides=override)
    assert "\n" not in str(info.value)


def test_both_tasks_are_listed_with_their_packaged_configs():
    from isaaclab_rlinf.registry import resolve_config_path

    tasks = {t.id: t for t in isaaclab_rlinf.list_tasks()}
    for spec, config in (
        (FRANKA_REACH, "isaaclab_ppo_mlp_franka_reach.yaml"),
        (FRANKA_LIFT, "isaaclab_ppo_mlp_franka_lift.yaml"),
    ):
        assert not tasks[spec.id].broken
        assert resolve_config_path(spec.id).name == config


def test_the_packaged_reach_config_maps_a_24_wide_state_and_pads_the_gripper():
    from omegaconf import OmegaConf

    from isaaclab_rlinf.registry import resolve_config_path
    from isaaclab_rlinf.spec import MappingSpec

    cfg = OmegaConf.load(resolve_config_path(FRANKA_REACH.id))
    train = MappingSpec.from_config(cfg.env.train.isaaclab)
    evaluation = MappingSpec.from_config(cfg.env.eval.isaaclab)
    assert cfg.actor.model.obs_dim == 7 + 7 + 7 + 3 and cfg.actor.model.action_dim == 7
    assert train.action_mapping.suffix_pad == 1 and train.main_images is None
    assert (evaluation.main_images, evaluation.extra_view_images) == (
        "front_camera",
        ("side_camera", "wrist_camera"),
    )
    assert cfg.env.train.init_params.task_description == INSTRUCTION
    assert math.isclose(cfg.env.train.max_episode_steps / 30, 4.0)  # the task's 4 s at 30 Hz


@pytest.mark.parametrize("entry", ["check_tasks", "inspect_config"])
def test_the_launcher_preflight_and_inspect_apply_init_params_env_cfg(entry, tmp_path):
    """Both build the task from the YAML as the env worker will, so a bad value stops them (before Ray)."""
    from omegaconf import OmegaConf

    from isaaclab_rlinf import inspection
    from isaaclab_rlinf.registry import resolve_config_path
    from isaaclab_rlinf.spec import MappingSpec

    cfg = OmegaConf.load(resolve_config_path(FRANKA_REACH.id))
    cfg.env.train.init_params.env_cfg = {"camera_resolution": 4}
    with pytest.raises(isaaclab_rlinf.MappingError, match=r"^init_params\.env_cfg\.camera_resolution: "):
        if entry == "check_tasks":
            inspection.check_tasks(cfg, {"train": MappingSpec.from_config(cfg.env.train.isaaclab)})
        else:
            inspection.inspect_config(cfg, tmp_path, split="train")

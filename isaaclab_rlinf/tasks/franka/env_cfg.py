"""IsaacLab manager-based configs of the embedded Franka tasks (one scene, two tasks).

- ``Isaac-RLinf-Franka-Reach-Camera-v0`` (:class:`FrankaReachEnvCfg`): bring the end effector to a red
  ball placed at a random position each episode. IsaacLab's Reach rewards (position error, its tanh
  kernel, a success bonus, motion penalties, a cost per step). ``success`` fires once the TCP has
  stayed within ``REACH_RADIUS`` of the ball for ``REACH_HOLD_STEPS`` consecutive policy steps (held,
  not passed through), and ends the episode (a termination).
- ``Isaac-RLinf-Franka-Lift-Cube-Camera-v0`` (:class:`FrankaLiftEnvCfg`): lift a cube resting at a
  random spot on the table. IsaacLab's Lift rewards (reaching the cube, the cube lifted, motion
  penalties). ``success`` fires when time runs out with the cube's centre ``LIFT_HEIGHT`` above the
  table (held up to the end; a truncation, like the cartpole's success).

Why these tasks: they exercise what a VLA needs on a CPU laptop or one GPU, kitless (Newton physics,
Newton warp renderer, the Panda USD shipped in ``assets/panda``, no asset server): three RGB views
(front, side, and a wrist camera moving with the hand), an arm + gripper action, named state terms,
objects only the cameras show, and a language instruction (set by the YAML, ``task_description``).

Action [N, 8]: 7 arm joint position targets relative to the default pose (IsaacLab Reach's
``JointPositionActionCfg(scale=0.5, use_default_offset=True)``) + a binary gripper command (< 0
closes). Reach ignores the gripper: a policy drives 7 columns and the mapping pads the 8th with 0
(open).

Camera resolution: the ``camera_resolution`` field (square images), settable from a run's YAML with
``init_params.env_cfg: {camera_resolution: 224}``; :meth:`FrankaEnvCfg.apply_env_cfg_overrides`
derives the camera sizes from it.
"""

from __future__ import annotations

import math
from pathlib import Path

import isaaclab.envs.mdp as mdp
import isaaclab.sim as sim_utils
from isaaclab.actuators import ImplicitActuatorCfg
from isaaclab.assets import ArticulationCfg, AssetBaseCfg, RigidObjectCfg
from isaaclab.envs import ManagerBasedRLEnvCfg
from isaaclab.managers import EventTermCfg as EventTerm
from isaaclab.managers import ObservationGroupCfg as ObsGroup
from isaaclab.managers import ObservationTermCfg as ObsTerm
from isaaclab.managers import RewardTermCfg as RewTerm
from isaaclab.managers import SceneEntityCfg
from isaaclab.managers import TerminationTermCfg as DoneTerm
from isaaclab.scene import InteractiveSceneCfg
from isaaclab.sensors import CameraCfg
from isaaclab.utils import configclass
from isaaclab_newton.physics import MJWarpSolverCfg, NewtonCfg
from isaaclab_newton.renderers import NewtonWarpRendererCfg
from isaaclab_newton.sim.schemas import NewtonArticulationCfg
from isaaclab_tasks.contrib.lift import mdp as lift_mdp

from . import mdp as franka_mdp

ASSET_DIR = Path(__file__).parent / "assets"
PANDA_USD = ASSET_DIR / "panda" / "panda.usda"
ARM_JOINTS, FINGER_JOINTS = "panda_joint.*", "panda_finger_joint.*"
EE_BODY = "panda_hand_tcp"  # between the fingertips, 0.1034 m out of the hand
HAND_PATH = "Robot/Geometry/" + "/".join(f"panda_link{i}" for i in range(8)) + "/panda_hand"

REACH_RADIUS = 0.05  # [m] TCP-to-ball distance that counts as reached
REACH_HOLD_STEPS = 5  # policy steps (1/6 s) the TCP must stay there
CUBE_SIZE = 0.05  # [m]
LIFT_HEIGHT = 0.10  # [m] cube centre above the table top that counts as lifted
CAMERA_RESOLUTION_RANGE = (16, 1024)

PANDA_CFG = ArticulationCfg(
    prim_path="{ENV_REGEX_NS}/Robot",
    spawn=sim_utils.UsdFileCfg(
        usd_path=str(PANDA_USD),
        variants={"Physics": "mujoco"},
        articulation_props=NewtonArticulationCfg(self_collision_enabled=False),
    ),
    init_state=ArticulationCfg.InitialStateCfg(
        joint_pos={
            # franka_ros' "ready" pose: gripper pointing down, 0.48 m above the table
            "panda_joint1": 0.0,
            "panda_joint2": -math.pi / 4,
            "panda_joint3": 0.0,
            "panda_joint4": -3 * math.pi / 4,
            "panda_joint5": 0.0,
            "panda_joint6": math.pi / 2,
            "panda_joint7": math.pi / 4,
            FINGER_JOINTS: 0.04,
        },
    ),
    # IsaacLab Lift's Franka gains (from libfranka's joint impedance example); the USD carries none
    actuators={
        "panda_arm": ImplicitActuatorCfg(
            joint_names_expr=[ARM_JOINTS],
            joint_effort_limit={"panda_joint[1-4]": 87.0, "panda_joint[5-7]": 12.0},
            joint_velocity_limit={"panda_joint[1-4]": 2.175, "panda_joint[5-7]": 2.61},
            stiffness={
                "panda_joint[1-4]": 600.0,
                "panda_joint5": 250.0,
                "panda_joint6": 150.0,
                "panda_joint7": 50,
            },
            damping={
                "panda_joint[1-4]": 50.0,
                "panda_joint5": 30.0,
                "panda_joint6": 25.0,
                "panda_joint7": 15,
            },
            armature={"panda_joint[1-2]": 0.6057, "panda_joint[3-4]": 0.4625, "panda_joint[5-7]": 0.2055},
        ),
        # soft enough that closing fingers stop on the cube: with IsaacLab's older 2000 / 100 / 200 N
        # they crossed 2 cm in one step and squeezed the cube out; with these a scripted grasp (IK)
        # lifted it 0.2 m (fingers settle ~7 mm into MuJoCo's soft contact)
        "panda_hand": ImplicitActuatorCfg(
            joint_names_expr=[FINGER_JOINTS], joint_effort_limit=70.0, stiffness=400.0, damping=40.0
        ),
    },
    soft_joint_pos_limit_factor=1.0,
)


def _camera(prim: str, pos: tuple, rot_xyzw: tuple, convention: str = "world", follow: bool = False):
    """An RGB pinhole camera rendered by Newton's warp ray tracer; its size is set from camera_resolution."""
    return CameraCfg(
        prim_path="{ENV_REGEX_NS}/" + prim,
        offset=CameraCfg.OffsetCfg(pos=pos, rot=rot_xyzw, convention=convention),
        data_types=["rgb"],
        spawn=sim_utils.PinholeCameraCfg(
            focal_length=18.0, focus_distance=400.0, horizontal_aperture=20.955, clipping_range=(0.01, 20.0)
        ),
        width=64,
        height=64,
        # a camera under a moving link must re-read its pose each frame (else it keeps the first one)
        update_latest_camera_pose=follow,
        renderer_cfg=NewtonWarpRendererCfg(),
    )


def _yaw_pitch_xyzw(yaw: float, pitch: float) -> tuple[float, float, float, float]:
    """XYZW quaternion of a world-convention camera (looks along +X), turned by yaw about Z, pitched down."""
    cy, sy, cp, sp = math.cos(yaw / 2), math.sin(yaw / 2), math.cos(pitch / 2), math.sin(pitch / 2)
    return (-sy * sp, cy * sp, sy * cp, cy * cp)


@configclass
class FrankaSceneCfg(InteractiveSceneCfg):
    """Panda on a table top at z = 0, a light and three cameras; each task adds its object.

    No ground plane (its default asset lives on the remote asset server): the table is a cuboid.
    """

    robot: ArticulationCfg = PANDA_CFG
    table = AssetBaseCfg(
        prim_path="{ENV_REGEX_NS}/Table",
        init_state=AssetBaseCfg.InitialStateCfg(pos=(0.35, 0.0, -0.025)),
        spawn=sim_utils.CuboidCfg(
            size=(1.2, 1.0, 0.05),
            collision_props=sim_utils.UsdPhysicsCollisionCfg(),
            visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.55, 0.45, 0.35)),
        ),
    )
    light = AssetBaseCfg(
        prim_path="/World/DistantLight",
        spawn=sim_utils.DistantLightCfg(color=(1.0, 1.0, 1.0), intensity=2500.0),
    )
    # facing the robot across the table, and from its right: two distinct views of the workspace
    front_camera: CameraCfg = _camera(
        "FrontCamera", (1.3, 0.0, 0.7), _yaw_pitch_xyzw(math.pi, math.radians(24))
    )
    side_camera: CameraCfg = _camera(
        "SideCamera", (0.35, -1.1, 0.6), _yaw_pitch_xyzw(math.pi / 2, math.radians(22))
    )
    # on the hand, beside the fingers, looking along them tilted 20 deg towards them (ROS convention:
    # +Z forward), so the fingertips and what lies between them are in view
    wrist_camera: CameraCfg = _camera(
        HAND_PATH + "/WristCamera",
        (0.07, 0.0, 0.03),
        (0.0, -math.sin(math.radians(10)), 0.0, math.cos(math.radians(10))),
        convention="ros",
        follow=True,
    )


@configclass
class ReachSceneCfg(FrankaSceneCfg):
    # kinematic and without collision: only seen, never touched; moved by the ee_target command
    target = RigidObjectCfg(
        prim_path="{ENV_REGEX_NS}/Target",
        init_state=RigidObjectCfg.InitialStateCfg(pos=(0.5, 0.0, 0.3)),
        spawn=sim_utils.SphereCfg(
            radius=0.03,
            rigid_props=sim_utils.UsdPhysicsRigidBodyCfg(kinematic_enabled=True),
            collision_props=sim_utils.UsdPhysicsCollisionCfg(collision_enabled=False),
            mass_props=sim_utils.MassPropertiesCfg(mass=0.05),
            visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.9, 0.05, 0.05)),
        ),
    )


@configclass
class LiftSceneCfg(FrankaSceneCfg):
    cube = RigidObjectCfg(
        prim_path="{ENV_REGEX_NS}/Cube",
        init_state=RigidObjectCfg.InitialStateCfg(pos=(0.5, 0.0, CUBE_SIZE / 2)),
        spawn=sim_utils.CuboidCfg(
            size=(CUBE_SIZE,) * 3,
            rigid_props=sim_utils.UsdPhysicsRigidBodyCfg(),
            collision_props=sim_utils.UsdPhysicsCollisionCfg(),
            mass_props=sim_utils.MassPropertiesCfg(mass=0.1),
            physics_material=sim_utils.RigidBodyMaterialCfg(static_friction=2.0, dynamic_friction=2.0),
            visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.1, 0.3, 0.9)),
        ),
    )


_ARM = SceneEntityCfg("robot", joint_names=[ARM_JOINTS])
_FINGERS = SceneEntityCfg("robot", joint_names=[FINGER_JOINTS])
_EE = SceneEntityCfg("robot", body_names=[EE_BODY])


@configclass
class RobotStateCfg(ObsGroup):
    """State terms both tasks share, each its own entry (a mapping picks what a policy reads)."""

    arm_joint_pos = ObsTerm(func=mdp.joint_pos, params={"asset_cfg": _ARM})
    arm_joint_vel = ObsTerm(func=mdp.joint_vel, params={"asset_cfg": _ARM})
    gripper_pos = ObsTerm(func=mdp.joint_pos, params={"asset_cfg": _FINGERS})
    ee_pose = ObsTerm(func=franka_mdp.ee_pose_b, params={"asset_cfg": _EE})

    def __post_init__(self):
        self.enable_corruption = False
        self.concatenate_terms = False


def _image(camera: str) -> ObsTerm:
    return ObsTerm(
        func=mdp.image_rgb,
        params={"sensor_cfg": SceneEntityCfg(camera), "normalize": False, "channel_first": False},
    )


@configclass
class CamerasCfg(ObsGroup):
    front_camera = _image("front_camera")
    side_camera = _image("side_camera")
    wrist_camera = _image("wrist_camera")

    def __post_init__(self):
        self.enable_corruption = False
        self.concatenate_terms = False


@configclass
class ReachObservationsCfg:
    @configclass
    class PolicyCfg(RobotStateCfg):
        target_pos = ObsTerm(func=franka_mdp.command_position, params={"command_name": "ee_target"})
        actions = ObsTerm(func=mdp.last_action)

    policy: PolicyCfg = PolicyCfg()
    cameras: CamerasCfg = CamerasCfg()


@configclass
class LiftObservationsCfg:
    @configclass
    class PolicyCfg(RobotStateCfg):
        cube_pos = ObsTerm(
            func=lift_mdp.object_position_in_robot_root_frame, params={"object_cfg": SceneEntityCfg("cube")}
        )
        cube_yaw = ObsTerm(
            func=franka_mdp.object_yaw_quarter_turn, params={"object_cfg": SceneEntityCfg("cube")}
        )
        actions = ObsTerm(func=mdp.last_action)

    policy: PolicyCfg = PolicyCfg()
    cameras: CamerasCfg = CamerasCfg()


@configclass
class ActionsCfg:
    arm_action = mdp.JointPositionActionCfg(
        asset_name="robot", joint_names=[ARM_JOINTS], scale=0.5, use_default_offset=True
    )
    gripper_action = mdp.BinaryJointPositionActionCfg(
        asset_name="robot",
        joint_names=[FINGER_JOINTS],
        open_command_expr={FINGER_JOINTS: 0.04},
        close_command_expr={FINGER_JOINTS: 0.0},
    )


@configclass
class ReachCommandsCfg:
    ee_target = franka_mdp.VisibleTargetCommandCfg(
        asset_name="robot",
        body_name=EE_BODY,
        resampling_time_range=(1.0e9, 1.0e9),  # one target per episode (resampled at reset)
        debug_vis=False,  # the marker USD lives on the asset server; the ball is the marker
        ranges=franka_mdp.VisibleTargetCommandCfg.Ranges(
            pos_x=(0.35, 0.65),
            pos_y=(-0.2, 0.2),
            pos_z=(0.15, 0.5),
            roll=(0.0, 0.0),
            pitch=(0.0, 0.0),
            yaw=(0.0, 0.0),
        ),
    )


@configclass
class ReachEventCfg:
    """Resets of both tasks: the scene to its defaults, then the arm's joints jittered by up to 0.1 rad."""

    reset_all = EventTerm(func=mdp.reset_scene_to_default, mode="reset")
    reset_arm = EventTerm(
        func=mdp.reset_joints_by_offset,
        mode="reset",
        params={"asset_cfg": _ARM, "position_range": (-0.1, 0.1), "velocity_range": (0.0, 0.0)},
    )


@configclass
class LiftEventCfg(ReachEventCfg):
    reset_cube = EventTerm(
        func=mdp.reset_root_state_uniform,
        mode="reset",
        params={
            "pose_range": {"x": (-0.1, 0.1), "y": (-0.15, 0.15), "yaw": (-math.pi, math.pi)},
            "velocity_range": {},
            "asset_cfg": SceneEntityCfg("cube"),
        },
    )


@configclass
class ReachRewardsCfg:
    """IsaacLab Reach's terms on position only (a ball has no orientation), weighted to learn fast.

    The tanh kernel gives a dense pull towards the ball; ``alive`` (-1 per step) makes every step
    before success cost ``tanh(d / std)`` net, so ending the episode by succeeding always pays more
    than hovering near the ball (with a positive per-step reward, PPO learns to avoid the success
    termination).
    """

    alive = RewTerm(func=mdp.is_alive, weight=-1.0)
    # IsaacLab weighs the L2 error -0.2; -1 gives a pull far from the ball comparable to the tanh
    # kernel's near it (the kernel is flat beyond ~2 std = 0.2 m)
    ee_position_error = RewTerm(
        func=mdp.position_command_error, weight=-1.0, params={"asset_cfg": _EE, "command_name": "ee_target"}
    )
    ee_position_tanh = RewTerm(
        func=mdp.position_command_error_tanh,
        weight=1.0,
        params={"asset_cfg": _EE, "std": 0.1, "command_name": "ee_target"},
    )
    success = RewTerm(func=mdp.is_terminated_term, weight=10.0, params={"term_keys": ["success"]})
    action_rate = RewTerm(func=mdp.action_rate_l2, weight=-1e-3)
    joint_vel = RewTerm(func=mdp.joint_vel_l2, weight=-1e-4, params={"asset_cfg": _ARM})


@configclass
class LiftRewardsCfg:
    """IsaacLab Lift's terms: reach the cube, lift it, motion penalties (success ends the episode at its
    time-out, so no bonus term is needed: holding the cube up until then is what the rewards pay for)."""

    reaching_cube = RewTerm(
        func=franka_mdp.ee_object_distance_tanh,
        weight=1.0,
        params={"std": 0.1, "asset_cfg": _EE, "object_cfg": SceneEntityCfg("cube")},
    )
    lifting_cube = RewTerm(
        func=lift_mdp.object_is_lifted,
        weight=15.0,
        params={"minimal_height": CUBE_SIZE / 2 + 0.02, "object_cfg": SceneEntityCfg("cube")},
    )
    action_rate = RewTerm(func=mdp.action_rate_l2, weight=-1e-4)
    joint_vel = RewTerm(func=mdp.joint_vel_l2, weight=-1e-4, params={"asset_cfg": _ARM})


@configclass
class ReachTerminationsCfg:
    success = DoneTerm(
        func=franka_mdp.held_at_target,
        params={
            "command_name": "ee_target",
            "radius": REACH_RADIUS,
            "hold_steps": REACH_HOLD_STEPS,
            "asset_cfg": _EE,
        },
    )
    time_out = DoneTerm(func=mdp.time_out, time_out=True)


@configclass
class LiftTerminationsCfg:
    # a time-out term (a truncation) that fires exactly when time runs out with the cube held up
    success = DoneTerm(
        func=franka_mdp.object_above_at_time_out,
        time_out=True,
        params={"height": LIFT_HEIGHT, "object_cfg": SceneEntityCfg("cube")},
    )
    time_out = DoneTerm(func=mdp.time_out, time_out=True)
    cube_dropped = DoneTerm(
        func=mdp.root_height_below_minimum,
        params={"minimum_height": -0.05, "asset_cfg": SceneEntityCfg("cube")},
    )


@configclass
class FrankaEnvCfg(ManagerBasedRLEnvCfg):
    """What both Franka tasks share: simulation, actions, cameras and the camera_resolution field."""

    camera_resolution: int = 64
    """Width and height [px] of the three camera images (small for CPU; 224 for GR00T)."""

    actions: ActionsCfg = ActionsCfg()

    def apply_env_cfg_overrides(self) -> None:
        """Derive the camera sizes from ``camera_resolution``; raise ``ValueError`` for a bad value.

        Called by isaaclab_rlinf after a run's ``init_params.env_cfg`` values are set (and here, for
        the default), before the env is built. Also checks that the robot's USD is there: a missing
        file would otherwise surface as an unresolvable reference deep in the scene build.
        """
        usd = Path(self.scene.robot.spawn.usd_path)
        if not usd.is_file():
            raise FileNotFoundError(
                f"Franka robot asset {usd} is missing. Fix: reinstall isaaclab-rlinf (the USD ships as "
                f"package data) or regenerate it with {ASSET_DIR / 'make_panda_usd.py'}."
            )
        res, (lo, hi) = self.camera_resolution, CAMERA_RESOLUTION_RANGE
        if isinstance(res, bool) or not isinstance(res, int) or not lo <= res <= hi:
            raise ValueError(
                f"camera_resolution must be a whole number of pixels in [{lo}, {hi}], got {res!r}"
            )
        for name in ("front_camera", "side_camera", "wrist_camera"):
            camera = getattr(self.scene, name)
            camera.width = camera.height = res

    def __post_init__(self):
        self.decimation = 4  # 30 Hz policy
        self.sim.dt = 1 / 120
        self.sim.render_interval = self.decimation
        self.sim.physics = NewtonCfg(
            # per env: contacts of the cube, the fingers and an arm hitting the table, 4 rows each;
            # an elliptic friction cone holds a grasped cube (scripted grasps: 5/8 lifts to the end
            # with it and the cube's friction 2, 0/8 with the pyramidal cone; see expert.py)
            solver_cfg=MJWarpSolverCfg(
                njmax=200, nconmax=50, cone="elliptic", impratio=1, integrator="implicitfast"
            ),
            num_substeps=1,
            debug_mode=False,
            use_cuda_graph=True,  # switched off on CPU by the env factory
        )
        self.apply_env_cfg_overrides()


@configclass
class FrankaReachEnvCfg(FrankaEnvCfg):
    scene: ReachSceneCfg = ReachSceneCfg(num_envs=16, env_spacing=2.5)
    observations: ReachObservationsCfg = ReachObservationsCfg()
    commands: ReachCommandsCfg = ReachCommandsCfg()
    rewards: ReachRewardsCfg = ReachRewardsCfg()
    terminations: ReachTerminationsCfg = ReachTerminationsCfg()
    events: ReachEventCfg = ReachEventCfg()

    def __post_init__(self):
        super().__post_init__()
        self.episode_length_s = 4.0  # 120 policy steps


@configclass
class FrankaLiftEnvCfg(FrankaEnvCfg):
    scene: LiftSceneCfg = LiftSceneCfg(num_envs=16, env_spacing=2.5)
    observations: LiftObservationsCfg = LiftObservationsCfg()
    rewards: LiftRewardsCfg = LiftRewardsCfg()
    terminations: LiftTerminationsCfg = LiftTerminationsCfg()
    events: LiftEventCfg = LiftEventCfg()

    def __post_init__(self):
        super().__post_init__()
        self.episode_length_s = 5.0  # 150 policy steps

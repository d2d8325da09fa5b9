"""IsaacLab manager-based config of the embedded ``Isaac-RLinf-Cartpole-Camera-v0`` task.

Why this task: it runs for real on a 2-core CPU machine and on CUDA with no Isaac Sim and no asset
server (Newton physics, Newton warp camera renderer, the cartpole USD shipped in ``assets/``), yet it
exercises everything a VLA task does: two RGB views, named state terms, an action vector wider than
what the policy controls (the pole joint sits in the action term with scale 0, so the policy's
action is padded with one zero), a dense reward and a success criterion of its own.
"""

from __future__ import annotations

import math
from pathlib import Path

import isaaclab.envs.mdp as mdp
import isaaclab.sim as sim_utils
import torch
from isaaclab.actuators import ImplicitActuatorCfg
from isaaclab.assets import ArticulationCfg, AssetBaseCfg
from isaaclab.envs import ManagerBasedRLEnv, ManagerBasedRLEnvCfg
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

ASSET_DIR = Path(__file__).parent / "assets"
CART_JOINT, POLE_JOINT = "slider_to_cart", "cart_to_pole"
CART_BOUNDS = 3.0  # [m] the cart leaving this range ends the episode as a failure
UPRIGHT = 0.25  # [rad] the pole must be this close to vertical when time runs out to count as success

CARTPOLE_CFG = ArticulationCfg(
    prim_path="{ENV_REGEX_NS}/Robot",
    spawn=sim_utils.UsdFileCfg(usd_path=str(ASSET_DIR / "cartpole.usda")),
    init_state=ArticulationCfg.InitialStateCfg(
        pos=(0.0, 0.0, 2.0), joint_pos={CART_JOINT: 0.0, POLE_JOINT: 0.0}
    ),
    actuators={
        "cart_actuator": ImplicitActuatorCfg(
            joint_names_expr=[CART_JOINT], joint_effort_limit=400.0, stiffness=0.0, damping=10.0
        ),
        "pole_actuator": ImplicitActuatorCfg(
            joint_names_expr=[POLE_JOINT], joint_effort_limit=400.0, stiffness=0.0, damping=0.0
        ),
    },
)


def _camera(pos: tuple[float, float, float], rot_xyzw: tuple[float, float, float, float]) -> CameraCfg:
    """A 96x96 RGB pinhole camera rendered by Newton's warp ray tracer (no Isaac Sim, no RT cores)."""
    return CameraCfg(
        prim_path="{ENV_REGEX_NS}/Camera",  # replaced per camera below
        offset=CameraCfg.OffsetCfg(pos=pos, rot=rot_xyzw, convention="world"),
        data_types=["rgb"],
        spawn=sim_utils.PinholeCameraCfg(
            focal_length=24.0, focus_distance=400.0, horizontal_aperture=20.955, clipping_range=(0.1, 20.0)
        ),
        width=96,
        height=96,
        renderer_cfg=NewtonWarpRendererCfg(),
    )


def _yaw_pitch_xyzw(yaw: float, pitch: float) -> tuple[float, float, float, float]:
    """XYZW quaternion of a world-convention camera (looks along +X), turned by yaw about Z, pitched down."""
    cy, sy, cp, sp = math.cos(yaw / 2), math.sin(yaw / 2), math.cos(pitch / 2), math.sin(pitch / 2)
    # q = q_yaw(z) * q_pitch(y)
    return (-sy * sp, cy * sp, sy * cp, cy * cp)


@configclass
class CartpoleCameraSceneCfg(InteractiveSceneCfg):
    """Cartpole, a light, and two cameras. No ground plane: its default asset lives on the remote server."""

    robot: ArticulationCfg = CARTPOLE_CFG
    light = AssetBaseCfg(
        prim_path="/World/DistantLight",
        spawn=sim_utils.DistantLightCfg(color=(1.0, 1.0, 1.0), intensity=2000.0),
    )
    # the cart slides along world Y; the front camera looks at it head-on from -X
    front_camera: CameraCfg = _camera((-5.0, 0.0, 2.5), _yaw_pitch_xyzw(0.0, math.radians(5.0))).replace(
        prim_path="{ENV_REGEX_NS}/FrontCamera"
    )
    # a three-quarter view from above: same scene, visibly different projection
    side_camera: CameraCfg = _camera(
        (-3.0, -3.0, 4.5), _yaw_pitch_xyzw(math.radians(45.0), math.radians(30.0))
    ).replace(prim_path="{ENV_REGEX_NS}/SideCamera")


def pole_balanced_at_time_out(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg) -> torch.Tensor:
    """Success: the episode ran its full length with the pole upright and the cart on the track."""
    robot = env.scene[asset_cfg.name]
    joint_pos = robot.data.joint_pos.torch
    cart = joint_pos[:, robot.joint_names.index(CART_JOINT)]
    pole = joint_pos[:, robot.joint_names.index(POLE_JOINT)]
    upright = (pole.abs() < UPRIGHT) & (cart.abs() < CART_BOUNDS)
    return mdp.time_out(env) & upright


@configclass
class ActionsCfg:
    # The pole joint is in the action vector but not driven (scale 0): a policy controls only the cart
    # and the integration pads the second entry with zero (action_mapping.suffix_pad: 1).
    joint_effort = mdp.JointEffortActionCfg(
        asset_name="robot",
        joint_names=[CART_JOINT, POLE_JOINT],
        scale={CART_JOINT: 100.0, POLE_JOINT: 0.0},
        preserve_order=True,
    )


@configclass
class ObservationsCfg:
    @configclass
    class PolicyCfg(ObsGroup):
        joint_pos = ObsTerm(func=mdp.joint_pos_rel)
        joint_vel = ObsTerm(func=mdp.joint_vel_rel)
        # the raw action as the env received it: shows what reached the simulator (padding included)
        actions = ObsTerm(func=mdp.last_action)

        def __post_init__(self):
            self.enable_corruption = False
            self.concatenate_terms = False

    @configclass
    class CamerasCfg(ObsGroup):
        front_camera = ObsTerm(
            func=mdp.image_rgb,
            params={"sensor_cfg": SceneEntityCfg("front_camera"), "normalize": False, "channel_first": False},
        )
        side_camera = ObsTerm(
            func=mdp.image_rgb,
            params={"sensor_cfg": SceneEntityCfg("side_camera"), "normalize": False, "channel_first": False},
        )

        def __post_init__(self):
            self.enable_corruption = False
            self.concatenate_terms = False

    policy: PolicyCfg = PolicyCfg()
    cameras: CamerasCfg = CamerasCfg()


@configclass
class EventCfg:
    reset_cart_position = EventTerm(
        func=mdp.reset_joints_by_offset,
        mode="reset",
        params={
            "asset_cfg": SceneEntityCfg("robot", joint_names=[CART_JOINT]),
            "position_range": (-1.0, 1.0),
            "velocity_range": (-0.5, 0.5),
        },
    )
    reset_pole_position = EventTerm(
        func=mdp.reset_joints_by_offset,
        mode="reset",
        params={
            "asset_cfg": SceneEntityCfg("robot", joint_names=[POLE_JOINT]),
            "position_range": (-0.125 * math.pi, 0.125 * math.pi),
            "velocity_range": (-0.25 * math.pi, 0.25 * math.pi),
        },
    )


@configclass
class RewardsCfg:
    """IsaacLab's cartpole reward: stay alive, keep the pole upright, move calmly."""

    alive = RewTerm(func=mdp.is_alive, weight=1.0)
    terminating = RewTerm(func=mdp.is_terminated, weight=-2.0)
    pole_pos = RewTerm(
        func=mdp.joint_pos_target_l2,
        weight=-1.0,
        params={"asset_cfg": SceneEntityCfg("robot", joint_names=[POLE_JOINT]), "target": 0.0},
    )
    cart_vel = RewTerm(
        func=mdp.joint_vel_l1,
        weight=-0.01,
        params={"asset_cfg": SceneEntityCfg("robot", joint_names=[CART_JOINT])},
    )
    pole_vel = RewTerm(
        func=mdp.joint_vel_l1,
        weight=-0.005,
        params={"asset_cfg": SceneEntityCfg("robot", joint_names=[POLE_JOINT])},
    )


@configclass
class TerminationsCfg:
    # success is a time-out term (a truncation): it fires exactly when time runs out with the pole up
    success = DoneTerm(
        func=pole_balanced_at_time_out,
        time_out=True,
        params={"asset_cfg": SceneEntityCfg("robot")},
    )
    time_out = DoneTerm(func=mdp.time_out, time_out=True)
    cart_out_of_bounds = DoneTerm(
        func=mdp.joint_pos_out_of_manual_limit,
        params={
            "asset_cfg": SceneEntityCfg("robot", joint_names=[CART_JOINT]),
            "bounds": (-CART_BOUNDS, CART_BOUNDS),
        },
    )


@configclass
class CartpoleCameraEnvCfg(ManagerBasedRLEnvCfg):
    scene: CartpoleCameraSceneCfg = CartpoleCameraSceneCfg(num_envs=16, env_spacing=20.0)
    observations: ObservationsCfg = ObservationsCfg()
    actions: ActionsCfg = ActionsCfg()
    rewards: RewardsCfg = RewardsCfg()
    terminations: TerminationsCfg = TerminationsCfg()
    events: EventCfg = EventCfg()

    def __post_init__(self):
        self.decimation = 2
        self.episode_length_s = 5.0
        self.sim.dt = 1 / 120
        self.sim.render_interval = self.decimation
        self.sim.physics = NewtonCfg(
            solver_cfg=MJWarpSolverCfg(
                njmax=5, nconmax=3, cone="pyramidal", impratio=1, integrator="implicitfast"
            ),
            num_substeps=1,
            debug_mode=False,
            use_cuda_graph=True,  # switched off on CPU by the env factory
        )

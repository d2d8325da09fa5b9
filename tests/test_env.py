"""IsaacLabGenericEnv on the embedded task, built and driven the way RLinf's EnvWorker does it.

Simulator tests (marked ``sim``) run the real kitless IsaacLab task on CPU in RLinf's real spawned
subprocess; nothing of rlinf, isaaclab, torch or gymnasium is replaced.
"""

from __future__ import annotations

import pytest
import torch
from rlinf.data.embodied_io_struct import EnvOutput

import isaaclab_rlinf
from isaaclab_rlinf.rollout import build_env, env_config
from isaaclab_rlinf.tasks import CARTPOLE_CAMERA
from isaaclab_rlinf.tasks.cartpole_camera.env_cfg import CART_BOUNDS

NUM_ENVS = 4
BLOCK = {
    "task_description": "balance the pole",
    "main_images": "front_camera",
    "extra_view_images": ["side_camera"],
    # `actions` (IsaacLab's last_action term) shows what reached the simulator, padding included
    "states": [{"key": "joint_pos"}, {"key": "joint_vel"}, {"key": "policy.actions"}],
    "action_mapping": {"prefix_pad": 0, "suffix_pad": 1},
    "success_term": "success",
}
STATES_ONLY = {k: v for k, v in BLOCK.items() if k not in ("main_images", "extra_view_images")}


def make_env_cfg(
    block: dict = BLOCK,
    max_episode_steps: int = 300,
    auto_reset: bool = True,
    in_process: bool = False,
    save_video: bool = False,
):
    """An ``env.train`` node for the embedded task on CPU (seed 7)."""
    cfg = env_config(
        block,
        CARTPOLE_CAMERA.id,
        max_episode_steps=max_episode_steps,
        auto_reset=auto_reset,
        seed=7,
        in_process=in_process,
    )
    cfg.video_cfg.save_video = save_video
    return cfg


def push_until_the_cart_leaves_its_bounds(env, chunk: int) -> tuple:
    """Full effort to one side, chunk after chunk, until ``cart_out_of_bounds`` ends an episode;
    returns that ``chunk_step``'s results."""
    for _ in range(30):
        out = env.chunk_step(torch.ones(env.num_envs, chunk, 1))
        if out[2][:, -1].any():
            return out
    pytest.fail("the cart never left its bounds")


def test_register_makes_rlinf_return_our_class_for_the_embedded_task():
    from rlinf.envs import get_env_cls

    isaaclab_rlinf.register()
    assert get_env_cls("isaaclab", make_env_cfg()) is isaaclab_rlinf.IsaacLabGenericEnv


@pytest.fixture(scope="module")
def env():
    env = build_env(make_env_cfg(max_episode_steps=12), NUM_ENVS)
    yield env
    env.close()


@pytest.mark.sim
def test_reset_gives_observations_rlinf_accepts_with_exact_shapes(env):
    obs, _ = env.reset()
    EnvOutput(obs=obs)  # RLinf's own container checks and moves it
    assert obs["main_images"].shape == (NUM_ENVS, 96, 96, 3) and obs["main_images"].dtype == torch.uint8
    assert obs["extra_view_images"].shape == (NUM_ENVS, 1, 96, 96, 3)
    assert obs["extra_view_images"].dtype == torch.uint8
    assert obs["states"].shape == (NUM_ENVS, 6) and obs["states"].dtype == torch.float32
    assert obs["task_descriptions"] == ["balance the pole"] * NUM_ENVS


@pytest.mark.sim
def test_chunk_step_returns_rlinf_chunk_layout(env):
    env.reset()
    obs_list, rewards, terminations, truncations, infos = env.chunk_step(torch.zeros(NUM_ENVS, 3, 1))
    assert len(obs_list) == 3 and len(infos) == 3
    assert rewards.shape == terminations.shape == truncations.shape == (NUM_ENVS, 3)
    out = EnvOutput(obs=obs_list[-1], rewards=rewards, terminations=terminations, truncations=truncations)
    assert out.obs["states"].shape == (NUM_ENVS, 6)


@pytest.mark.sim
def test_images_are_not_constant_and_follow_the_state(env):
    obs, _ = env.reset()
    before = obs["main_images"].clone()
    assert before.float().std() > 10  # a drawn scene, not a flat colour
    assert not torch.equal(obs["main_images"], obs["extra_view_images"][:, 0])  # two distinct views
    obs_list, *_ = env.chunk_step(torch.ones(NUM_ENVS, 8, 1))  # push the cart hard for 8 steps
    after = obs_list[-1]["main_images"]
    moved = (obs_list[-1]["states"][:, 0] - obs["states"][:, 0]).abs() > 0.01
    assert moved.all()
    assert ((after.int() - before.int()).abs().sum(dim=(1, 2, 3)) > 0).all()


@pytest.mark.sim
def test_padded_action_entries_reach_the_simulator_as_zeros(env):
    env.reset()
    policy_action = torch.tensor([[0.5], [-0.25], [1.0], [-1.0]]).unsqueeze(1)  # [N, chunk=1, D=1]
    obs_list, *_ = env.chunk_step(policy_action)
    seen_by_sim = obs_list[-1]["states"][:, 4:6]  # IsaacLab's last_action: [cart, pole]
    assert torch.equal(seen_by_sim, torch.tensor([[0.5, 0.0], [-0.25, 0.0], [1.0, 0.0], [-1.0, 0.0]]))


@pytest.mark.sim
def test_episode_metrics_come_from_the_task_not_from_positive_reward(env):
    env.reset()
    total = torch.zeros(NUM_ENVS)
    for _ in range(11):
        _, rewards, terminations, truncations, infos = env.chunk_step(torch.zeros(NUM_ENVS, 1, 1))
        total += rewards[:, -1]
    assert (total > 0).all()  # RLinf's default would call every env a success by now
    _, rewards, terminations, truncations, infos = env.chunk_step(torch.zeros(NUM_ENVS, 1, 1))
    total += rewards[:, -1]
    assert truncations[:, -1].all()  # max_episode_steps=12
    episode = infos[-1]["final_info"]["episode"]
    assert torch.equal(episode["episode_len"], torch.full((NUM_ENVS,), 12, dtype=torch.int32))
    assert torch.allclose(episode["return"], total)
    assert not episode["success_once"].any()  # the pole cannot have balanced to the 5 s time-out


@pytest.mark.sim
def test_success_is_the_named_termination_term():
    """With ``success_term: time_out`` every env that reaches IsaacLab's 300-step limit is a success."""
    env = build_env(make_env_cfg({**BLOCK, "success_term": "time_out"}, max_episode_steps=300), 2)
    try:
        env.reset()
        for step in range(300):
            _, _, terminations, truncations, infos = env.chunk_step(torch.zeros(2, 1, 1))
            if step < 299:
                assert not infos[-1]["episode"]["success_once"].any()
        episode = infos[-1]["final_info"]["episode"]
        assert truncations[:, -1].all() and episode["success_once"].all()
        assert torch.equal(episode["episode_len"], torch.tensor([300, 300], dtype=torch.int32))
    finally:
        env.close()


@pytest.mark.sim
def test_a_wrong_key_fails_on_the_first_reset_naming_the_yaml_path():
    block = {**BLOCK, "main_images": "wrist_camera"}
    with pytest.raises(isaaclab_rlinf.MappingError, match=r"env\.train\.isaaclab\.main_images.*front_camera"):
        build_env(make_env_cfg(block), 1)


@pytest.mark.sim
def test_policy_action_width_must_fill_the_env_action_with_the_pads(env):
    env.reset()
    with pytest.raises(isaaclab_rlinf.MappingError, match=r"action_mapping"):
        env.chunk_step(torch.zeros(NUM_ENVS, 1, 2))  # 2 + suffix_pad 1 != 2


@pytest.mark.sim
def test_rollout_writes_frames_of_every_camera_and_finished_episodes(tmp_path):
    import json

    from PIL import Image

    from isaaclab_rlinf.rollout import run_rollout

    result = run_rollout(
        make_env_cfg(max_episode_steps=10), tmp_path, num_envs=2, chunk_steps=25, frame_every=5
    )
    assert sorted(result.frames) == ["extra_view_images_0", "main_images"]
    for path in result.frames.values():
        assert Image.open(path).size == (2 * 96, 5 * 96)  # columns: envs, rows: every 5th of 25 steps
    episodes = json.loads((tmp_path / "metrics.json").read_text())["episodes"]
    assert [(e["env"], e["end_step"], e["episode_len"]) for e in episodes] == [
        (0, 10, 10),
        (1, 10, 10),
        (0, 20, 10),
        (1, 20, 10),
    ]


@pytest.mark.sim
@pytest.mark.parametrize(
    ("chunk", "save_video", "success_term"),
    [(4, False, "success"), (4, True, "success"), (1, False, "success"), (4, False, None), (1, False, None)],
    ids=["last_step_only", "every_step", "chunk1", "reward_success", "chunk1_reward_success"],
)
def test_chunk_step_returns_exactly_what_rlinfs_base_chunk_step_returns(chunk, save_video, success_term):
    """Our chunk_step (bookkeeping once per chunk) against RLinf's own (``step`` by ``step``), replayed
    from the same seed on the same simulator (in process) for 48 steps: RLinf's truncation at step 40
    and the auto-reset after it included; with a video every step's observation and metrics, else the
    last's. Without a success term success is ``reward > 0``, which turns false for falling poles from
    about step 25 (the task's own success term fires only at its 300-step time-out)."""
    from rlinf.envs.isaaclab.isaaclab_env import IsaaclabBaseEnv

    from isaaclab_rlinf.converters import to_isaaclab_action

    block = BLOCK | {"success_term": success_term}
    env = build_env(make_env_cfg(block, max_episode_steps=40, in_process=True, save_video=save_video), 3)
    actions = torch.rand(48 // chunk, 3, chunk, 1, generator=torch.Generator().manual_seed(0)) * 2 - 1
    try:
        runs = []
        for chunk_step in (
            env.chunk_step,
            lambda a: IsaaclabBaseEnv.chunk_step(env, to_isaaclab_action(a, env.spec)),
        ):
            env.reset(seed=0)
            runs.append([chunk_step(a) for a in actions])
    finally:
        env.close()
    for ours, theirs in zip(*runs, strict=True):
        obs, rewards, terminations, truncations, infos = ours
        obs_b, rewards_b, terminations_b, truncations_b, infos_b = theirs
        assert torch.equal(rewards, rewards_b)
        assert torch.equal(terminations, terminations_b) and torch.equal(truncations, truncations_b)
        observed = range(chunk) if save_video else [chunk - 1]
        # without a video or data collection only the chunk's last step is mapped (RLinf reads only it)
        assert [o is not None for o in obs] == [i in observed for i in range(chunk)]
        assert [i == {} for i in infos] == [i not in observed for i in range(chunk)]
        for t in observed:
            assert obs[t]["states"].tolist() == obs_b[t]["states"].tolist()
            assert torch.equal(obs[t]["main_images"], obs_b[t]["main_images"])
            assert ("final_info" in infos[t]) == ("final_info" in infos_b[t])
            episode, episode_b = ((i.get("final_info") or i)["episode"] for i in (infos[t], infos_b[t]))
            assert torch.equal(episode["success_once"], episode_b["success_once"])
            assert torch.equal(episode["episode_len"], episode_b["episode_len"])
            # summed at once (a scan on CUDA) rather than step by step: equal up to float rounding
            torch.testing.assert_close(episode["return"], episode_b["return"])
            torch.testing.assert_close(episode["reward"], episode_b["reward"])
    # step 40 ends RLinf's episodes (max_episode_steps=40): truncated at that chunk's end, auto-reset
    k = 39 // chunk  # the chunk holding step 40
    assert runs[0][k][3][:, -1].all() and "final_info" in runs[0][k][4][-1]


@pytest.mark.sim
def test_envs_the_task_ended_are_not_reset_a_second_time():
    """IsaacLab resets the envs it terminates inside its own step. RLinf's auto-reset would reset them
    again at the chunk's end, discarding the steps the new episode has already taken; ours resets only
    what RLinf's own ``max_episode_steps`` ended (the test above: replayed exactly like RLinf's)."""
    env = build_env(make_env_cfg(in_process=True), 2)
    sim, chunk = env.env, 6
    isaac = sim._env.env  # the IsaacLab ManagerBasedRLEnv
    sim_step, ended = sim.step, []

    def recording_step(action):  # records which envs IsaacLab ended (and so reset) at each sub-step
        out = sim_step(action)
        ended.append((out[2] | out[3]).clone())
        return out

    sim.step = recording_step
    try:
        env.reset()
        _, _, terminations, _, infos = push_until_the_cart_leaves_its_bounds(env, chunk)
        last_chunk = torch.stack(ended[-chunk:])
        for e in terminations[:, -1].nonzero().flatten().tolist():
            j = int(last_chunk[:, e].nonzero()[-1])  # the sub-step at which IsaacLab reset it
            assert j < chunk - 1  # (seed 7) so a second reset would show: it would zero the counter
            assert int(isaac.episode_length_buf[e]) == chunk - 1 - j
        assert "final_info" in infos[-1]  # RLinf still sees the episode end and its metrics
        assert int(env.elapsed_steps[terminations[:, -1]].max()) == 0  # RLinf's counters restart
    finally:
        env.close()


@pytest.mark.sim
def test_with_a_video_every_step_of_a_chunk_is_mapped():
    """RLinf's RecordVideo wrapper (``video_cfg.save_video``) draws a frame and its infos per step."""
    env = build_env(make_env_cfg(in_process=True, save_video=True), 2)
    try:
        env.reset()
        obs_list, _, _, _, infos = env.chunk_step(torch.zeros(2, 3, 1))
    finally:
        env.close()
    assert [o["main_images"].shape for o in obs_list] == [(2, 96, 96, 3)] * 3
    assert [i["episode"]["episode_len"].tolist() for i in infos] == [[1, 1], [2, 2], [3, 3]]


def test_observation_groups_the_mapping_never_reads_are_dropped_from_the_task_config():
    from isaaclab_tasks.utils import parse_env_cfg

    from isaaclab_rlinf.env import drop_unread_obs_groups
    from isaaclab_rlinf.spec import MappingSpec

    isaaclab_rlinf.register()
    cfg = parse_env_cfg(CARTPOLE_CAMERA.id, device="cpu", num_envs=2)
    assert drop_unread_obs_groups(cfg, MappingSpec.from_config(BLOCK)) == []  # reads both groups
    assert drop_unread_obs_groups(cfg, MappingSpec.from_config(STATES_ONLY)) == ["cameras"]
    assert cfg.observations.cameras is None and cfg.observations.policy is not None
    typo = MappingSpec.from_config(STATES_ONLY | {"states": [{"key": "joint_poss"}]})
    cfg = parse_env_cfg(CARTPOLE_CAMERA.id, device="cpu", num_envs=2)
    assert drop_unread_obs_groups(cfg, typo) == []  # left to the live check, which names the key


def test_an_unknown_nested_env_cfg_key_lists_the_fields_of_its_own_config():
    from isaaclab_tasks.utils import parse_env_cfg

    from isaaclab_rlinf.env import apply_env_cfg_overrides

    isaaclab_rlinf.register()
    cfg = parse_env_cfg(CARTPOLE_CAMERA.id, device="cpu", num_envs=2)
    expected = (
        r"^init_params\.env_cfg\.sim\.dtt: SimulationCfg has no such field \(got 0\.1\)\. "
        r"Fix: remove it, or set one of its fields: (sim\.\w+, )*sim\.dt, (sim\.\w+(, |\.$))+$"
    )
    with pytest.raises(isaaclab_rlinf.MappingError, match=expected):
        apply_env_cfg_overrides(cfg, {"sim.dtt": 0.1})


@pytest.mark.sim
def test_a_states_only_mapping_renders_no_camera():
    """IsaacLab renders a camera only for a term that reads it (with both views mapped, the frame
    counters of both cameras advance); the states-only task has no such term."""
    env = build_env(make_env_cfg(STATES_ONLY, in_process=True), 2)
    try:
        obs, _ = env.reset()
        isaac = env.env._env.env
        assert list(isaac.observation_manager.active_terms) == ["policy"]
        assert obs["states"].shape == (2, 6) and "main_images" not in obs
        env.chunk_step(torch.zeros(2, 2, 1))
        assert all(cam.frame.eq(0).all() for cam in (isaac.scene["front_camera"], isaac.scene["side_camera"]))
    finally:
        env.close()


@pytest.mark.sim
@pytest.mark.parametrize("in_process", [True, False], ids=["in_process", "subprocess"])
def test_final_observation_is_the_last_one_before_isaaclab_reset_the_env(in_process):
    """RLinf bootstraps a truncated episode's value from ``final_observation``. IsaacLab resets an env
    inside its step, so the observation the step returns already belongs to the next episode; the
    terminal one is computed by IsaacLab just before the reset (``compute_final_obs``)."""
    env = build_env(make_env_cfg(STATES_ONLY, in_process=in_process), 2)
    try:
        env.reset()
        obs_list, _, terminations, _, infos = push_until_the_cart_leaves_its_bounds(env, 6)
    finally:
        env.close()
    ended = terminations[:, -1]
    cart_at_end = infos[-1]["final_observation"]["states"][ended, 0]  # states[0]: the cart's position
    cart_now = obs_list[-1]["states"][ended, 0]  # a few steps into the next episode
    assert (cart_at_end.abs() >= CART_BOUNDS).all() and (cart_now.abs() < CART_BOUNDS).all()

"""``record`` (a task's expert -> a LeRobot v2.0 dataset) and ``bc`` (a small policy cloned from it)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from helpers import record_two_episodes

from isaaclab_rlinf.cli import main

REACH = "Isaac-RLinf-Franka-Reach-Camera-v0"
LIFT = "Isaac-RLinf-Franka-Lift-Cube-Camera-v0"
GR00T_REACH = "isaaclab_rlinf/tasks/franka/isaaclab_ppo_gr00t_franka_reach.yaml"
needs_gr00t = pytest.mark.skipif(importlib.util.find_spec("gr00t") is None, reason="gr00t not installed")


@pytest.fixture(scope="module")
def reach_dataset(tmp_path_factory) -> Path:
    """Two Reach episodes of the packaged MLP config's eval mapping (24 states, 7 actions, three views)."""
    out = tmp_path_factory.mktemp("record") / "reach"
    argv = ["record", "--task", REACH, "--split", "eval", "--num_envs", "2", "--num_episodes", "2"]
    assert main([*argv, "--replay", "--no_progress", "--out", str(out)]) == 0
    return out


def _meta(root: Path, name: str):
    text = (root / "meta" / name).read_text()
    return [json.loads(line) for line in text.splitlines()] if name.endswith(".jsonl") else json.loads(text)


@pytest.mark.sim
def test_record_writes_the_mappings_widths_and_views_as_lerobot_v2(reach_dataset):
    info = _meta(reach_dataset, "info.json")
    assert info["codebase_version"] == "v2.0"
    assert info["fps"] == 30.0
    assert info["total_episodes"] == 2
    assert info["features"]["observation.state"]["shape"] == [24]
    assert info["features"]["action"]["shape"] == [7]  # the task's 8 columns less the gripper pad
    videos = {k: f["shape"] for k, f in info["features"].items() if f["dtype"] == "video"}
    assert videos == {f"observation.images.{c}_camera": [64, 64, 3] for c in ("front", "side", "wrist")}
    assert _meta(reach_dataset, "modality.json")["state"] == {
        "states": {"start": 0, "end": 24, "original_key": "observation.state"}
    }
    assert _meta(reach_dataset, "tasks.jsonl") == [
        {"task_index": 0, "task": "move the gripper to the red ball"}
    ]


@pytest.mark.sim
def test_recorded_episodes_are_the_experts_successes_frame_for_frame(reach_dataset):
    import pyarrow.parquet as pq

    episodes = _meta(reach_dataset, "episodes.jsonl")
    assert [e["success"] for e in episodes] == [True, True]  # the expert reaches every ball
    for e in episodes:
        table = pq.read_table(reach_dataset / f"data/chunk-000/episode_{e['episode_index']:06d}.parquet")
        assert table.num_rows == e["length"]
        assert table.column("frame_index").to_pylist() == list(range(e["length"]))
        assert len(table.column("action")[0]) == 7
    assert sum(e["length"] for e in episodes) == _meta(reach_dataset, "info.json")["total_frames"]


@pytest.mark.sim
def test_recorded_videos_decode_to_one_frame_per_step(reach_dataset):
    import decord

    length = _meta(reach_dataset, "episodes.jsonl")[0]["length"]
    video = decord.VideoReader(
        str(reach_dataset / "videos/chunk-000/observation.images.wrist_camera/episode_000000.mp4")
    )
    assert (len(video), *video[0].shape) == (length, 64, 64, 3)


@pytest.mark.sim
def test_replaying_the_recorded_actions_reproduces_every_outcome_on_cpu(reach_dataset):
    summary = _meta(reach_dataset, "record.json")
    assert summary["replayed"] == 2
    assert summary["replay_agreed"] == 2


@pytest.mark.sim
def test_record_with_action_noise_stores_the_experts_actions_and_replays_the_executed_ones(
    reach_dataset, tmp_path
):
    import pyarrow.parquet as pq

    out = tmp_path / "noisy"
    argv = ["record", "--task", REACH, "--split", "eval", "--num_envs", "2", "--num_episodes", "2"]
    assert main([*argv, "--action_noise", "0.3", "--replay", "--no_progress", "--out", str(out)]) == 0
    summary = _meta(out, "record.json")
    assert (summary["action_noise"], summary["replayed"], summary["replay_agreed"]) == (0.3, 2, 2)

    def first_episode(root: Path, column: str) -> list:
        return pq.read_table(root / "data/chunk-000/episode_000000.parquet").column(column).to_pylist()

    # the same reset as the noise-free fixture: the same first label; the noise moved the arm after it
    assert first_episode(out, "action")[0] == first_episode(reach_dataset, "action")[0]
    assert first_episode(out, "observation.state")[1] != first_episode(reach_dataset, "observation.state")[1]


@pytest.mark.sim
def test_the_lift_expert_acts_on_the_state_alone_not_the_episode_clock():
    import torch

    from isaaclab_rlinf.env import make_task_env
    from isaaclab_rlinf.registry import load_expert, register

    register()
    penv, app = make_task_env(LIFT, 2, 0, "cpu", success_term="success")
    try:
        env = penv.env
        env.reset(seed=0)
        expert = load_expert(LIFT)(env)
        first = expert()
        env.episode_length_buf[:] = 100  # the clock-driven expert was lifting by then
        assert torch.equal(expert(), first)
    finally:
        penv.close()
        app.close()


@pytest.mark.sim
@needs_gr00t
def test_gr00t_dataset_class_loads_a_recording_with_our_data_config(tmp_path):
    from isaaclab_rlinf.models.gr00t import load_data_config

    out = record_two_episodes(GR00T_REACH, tmp_path / "gr00t")
    data_config = load_data_config("isaaclab_rlinf.tasks.franka.gr00t_config:FrankaReachGr00tDataConfig")
    from gr00t.data.dataset import LeRobotSingleDataset  # after the data config: it patches GR00T's tags
    from gr00t.data.embodiment_tags import EmbodimentTag

    dataset = LeRobotSingleDataset(
        str(out),
        data_config.modality_config(),
        embodiment_tag=EmbodimentTag.NEW_EMBODIMENT,
        video_backend="decord",
    )
    step = dataset.get_step_data(0, 0)
    shapes = {k: v.shape for k, v in step.items() if hasattr(v, "shape")}
    assert shapes == {
        "video.front": (1, 224, 224, 3),
        "video.wrist": (1, 224, 224, 3),
        "state.arm": (1, 7),
        "state.gripper": (1, 2),
        "action.arm": (16, 7),
    }
    assert step["annotation.human.task_description"] == ["move the gripper to the red ball"]


def test_record_refuses_a_non_empty_out_dir_and_leaves_it_alone(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["record", "--task", REACH, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"--out: {str(tmp_path)!r} exists and is not an empty directory; nothing was written" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_record_of_a_task_without_an_expert_exits_2_naming_those_with_one(tmp_path, capsys):
    out = tmp_path / "ds"
    assert main(["record", "--task", "Isaac-RLinf-Cartpole-Camera-v0", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "'Isaac-RLinf-Cartpole-Camera-v0' declares no scripted expert" in err[0]
    assert f"tasks with one: {REACH}, {LIFT}" in err[0] or f"{LIFT}, {REACH}" in err[0]
    assert not out.exists()


@pytest.mark.sim
def test_bc_weights_load_strictly_into_rlinf_s_model_and_set_the_warm_start_std(reach_dataset, tmp_path):
    import torch
    from rlinf.models import get_model

    from isaaclab_rlinf.cli import parse_args
    from isaaclab_rlinf.cli.config import build_config

    out = tmp_path / "bc"
    argv = ["bc", "--task", REACH, "--dataset", str(reach_dataset), "--out", str(out), "--epochs", "3"]
    assert main([*argv, "--logstd", "-2.0", "--holdout", "0.5"]) == 0
    weights = torch.load(out / "full_weights.pt")
    model = get_model(build_config(parse_args(["train", "--task", REACH])).actor.model)
    model.load_state_dict(weights, strict=True)  # what RLinf's actor and rollout workers do
    assert torch.equal(weights["actor_logstd"], torch.full((1, 7), -2.0))
    summary = json.loads((out / "bc.json").read_text())
    assert (summary["episodes"], summary["heldout_frames"] > 0) == (2, True)


@pytest.mark.sim
def test_bc_holding_out_nearly_all_of_two_episodes_still_trains_on_one(reach_dataset, tmp_path):
    lengths = sorted(e["length"] for e in _meta(reach_dataset, "episodes.jsonl"))
    out = tmp_path / "bc"
    argv = ["bc", "--task", REACH, "--dataset", str(reach_dataset), "--out", str(out), "--epochs", "1"]
    assert main([*argv, "--holdout", "0.9"]) == 0  # round(2 * 0.9) = 2 would hold out both
    summary = json.loads((out / "bc.json").read_text())
    assert sorted([summary["train_frames"], summary["heldout_frames"]]) == lengths


@pytest.mark.sim
def test_train_takes_the_bc_output_as_its_starting_weights(reach_dataset, tmp_path):
    from isaaclab_rlinf.cli import parse_args
    from isaaclab_rlinf.cli.config import build_config

    out = tmp_path / "bc"
    assert (
        main(["bc", "--task", REACH, "--dataset", str(reach_dataset), "--out", str(out), "--epochs", "1"])
        == 0
    )
    cfg = build_config(parse_args(["train", "--task", REACH, "--model_path", str(out)]))
    assert cfg.runner.ckpt_path == str((out / "full_weights.pt").resolve())


@pytest.mark.sim
def test_bc_refuses_a_dataset_recorded_for_another_mapping(reach_dataset, tmp_path, capsys):
    out = tmp_path / "bc"
    assert main(["bc", "--task", LIFT, "--dataset", str(reach_dataset), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "state width 24 (the mapping's states: 28); action width 7 (the policy's: 8)" in err
    assert not out.exists()


def test_bc_refuses_a_gr00t_config(tmp_path, capsys):
    argv = ["bc", "--config_name", GR00T_REACH, "--dataset", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    assert "actor.model.model_type: 'gr00t'; `bc` trains mlp_policy" in capsys.readouterr().err


@pytest.mark.sim
def test_rollout_judges_the_bc_policy_closed_loop_on_cpu(reach_dataset, tmp_path):
    bc, out = tmp_path / "bc", tmp_path / "rollout"
    assert (
        main(["bc", "--task", REACH, "--dataset", str(reach_dataset), "--out", str(bc), "--epochs", "1"]) == 0
    )
    argv = ["rollout", "--task", REACH, "--split", "train", "--num_envs", "2", "--steps", "5"]
    assert main([*argv, "--model_path", str(bc), "--out_dir", str(out)]) == 0
    summary = json.loads((out / "metrics.json").read_text())["summary"]
    assert set(summary) >= {"first_episodes", "first_episode_success_rate"}


@pytest.mark.sim
def test_rollout_refuses_another_configs_weights_in_one_line(reach_dataset, tmp_path, capsys):
    bc = tmp_path / "bc"
    assert (
        main(["bc", "--task", REACH, "--dataset", str(reach_dataset), "--out", str(bc), "--epochs", "1"]) == 0
    )
    assert main(["rollout", "--task", LIFT, "--model_path", str(bc), "--out_dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    weights = str((bc / "full_weights.pt").resolve())
    assert (
        f"runner.ckpt_path: {weights!r} does not fit actor.model (mlp_policy, obs_dim 28, action_dim 8)"
        in err[0]
    )

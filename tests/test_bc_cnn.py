"""``bc`` for RLinf's pixel policy (``cnn_policy``): decoded views in, RLinf-loadable weights out.

The sim tests record two short Reach episodes with the packaged pixel config (front + wrist cameras at
64 px) on CPU, clone a few steps, and judge the weights with RLinf's own model and its own rollout call
(``predict_action_batch(mode="eval")``) fed frames decoded by decord, independently of ``bc``'s decoder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import record_two_episodes

from isaaclab_rlinf.cli import main

CNN = "isaaclab_rlinf/tasks/franka/isaaclab_ppo_cnn_franka_reach.yaml"
VIEWS = ("front_camera", "wrist_camera")  # main_images, extra_view_images[0]


@pytest.fixture(scope="module")
def pixel_dataset(tmp_path_factory) -> Path:
    """Two Reach episodes through the pixel config's train mapping (21 states, 7 actions, two 64 px views)."""
    return record_two_episodes(CNN, tmp_path_factory.mktemp("record") / "reach_pixels")


def _episode(root: Path, index: int) -> dict[str, np.ndarray]:
    """One episode as RLinf's env worker hands it to the rollout, decoded with decord; plus its labels."""
    import decord
    import pyarrow.parquet as pq

    table = pq.read_table(root / f"data/chunk-000/episode_{index:06d}.parquet")
    views = []
    for view in VIEWS:
        path = root / f"videos/chunk-000/observation.images.{view}/episode_{index:06d}.mp4"
        reader = decord.VideoReader(str(path))
        views.append(reader.get_batch(list(range(len(reader)))).asnumpy())
    return {
        "main_images": views[0],
        "extra_view_images": np.stack(views[1:], axis=1),
        "states": np.stack(table.column("observation.state").to_numpy(zero_copy_only=False)),
        "action": np.stack(table.column("action").to_numpy(zero_copy_only=False)),
    }


def _eval(model, episode: dict[str, np.ndarray]) -> tuple:
    """The actions RLinf's rollout would send (eval mode) [T, A], and their MSE against the recorded ones."""
    import torch

    obs = {k: torch.as_tensor(v) for k, v in episode.items() if k != "action"}
    actions = model.predict_action_batch(obs, mode="eval", calculate_values=False)[0][:, 0]
    return actions, float(((actions - torch.as_tensor(episode["action"])) ** 2).mean())


@pytest.mark.sim
def test_cnn_bc_weights_load_strictly_into_rlinf_s_model_and_its_rollout_actions_near_the_labels(
    pixel_dataset, tmp_path
):
    import torch
    from rlinf.models import get_model

    from isaaclab_rlinf.cli import parse_args
    from isaaclab_rlinf.cli.config import build_config
    from isaaclab_rlinf.models.cnn_policy import provide_encoder_weights
    from isaaclab_rlinf.models.weights import check_weights_fit

    out = tmp_path / "bc"
    argv = ["bc", "--config_name", CNN, "--dataset", str(pixel_dataset), "--out", str(out)]
    assert main([*argv, "--epochs", "5", "--batch_size", "8", "--holdout", "0.5", "--logstd", "-2.0"]) == 0
    summary = json.loads((out / "bc.json").read_text())
    lengths = [e["length"] for e in map(json.loads, (pixel_dataset / "meta/episodes.jsonl").open())]
    assert summary["model_type"] == "cnn_policy"
    assert sorted([summary["train_frames"], summary["heldout_frames"]]) == sorted(lengths)

    # what `train --model_path OUT` does: the launcher's random encoder, its check, then RLinf's strict load
    cfg = build_config(parse_args(["train", "--config_name", CNN, "--model_path", str(out)]))
    assert cfg.runner.ckpt_path == str((out / "full_weights.pt").resolve())
    provide_encoder_weights(cfg, tmp_path / "run")
    check_weights_fit(cfg)
    torch.manual_seed(0)  # bc's seed: the same initialisation as the model bc started from
    model = get_model(cfg.actor.model).eval()
    trained = get_model(cfg.actor.model).eval()
    trained.load_state_dict(torch.load(out / "full_weights.pt"), strict=True)
    assert torch.equal(trained.actor_logstd, torch.full((1, 7), -2.0))

    (held,) = summary["heldout_episodes"]
    episode = _episode(pixel_dataset, 1 - held)  # the one trained on
    before, before_mse = _eval(model, episode)
    after, after_mse = _eval(trained, episode)
    assert before_mse == pytest.approx(summary["initial_train_mse"], rel=0.02)  # bc started from `model`
    # bc's own error is the rollout's: same inputs, same forward (the decoders may differ by a level)
    assert after_mse == pytest.approx(summary["train_mse"], rel=0.02)
    assert after_mse < before_mse / 4
    label = torch.as_tensor(episode["action"])
    assert bool(((after - label).norm(dim=1) < (before - label).norm(dim=1)).all())  # every training frame


@pytest.fixture(scope="module")
def pixel_bc(pixel_dataset, tmp_path_factory) -> Path:
    """One epoch of ``bc`` of the pixel config: a ``full_weights.pt`` as ``train``/``rollout`` take it."""
    out = tmp_path_factory.mktemp("pixel_bc") / "bc"
    argv = ["bc", "--config_name", CNN, "--dataset", str(pixel_dataset), "--out", str(out), "--epochs", "1"]
    assert main(argv) == 0
    return out


@pytest.mark.sim
def test_the_pixel_warm_start_config_takes_the_bc_output_through_every_check_to_the_gpu_stop(
    pixel_bc, capsys
):
    warm = [
        "train",
        "--config_name",
        "isaaclab_ppo_cnn_franka_reach_warmstart",
        "--model_path",
        str(pixel_bc),
    ]
    assert main([*warm, "--no_task_check"]) == 3
    assert "`isaaclab-rlinf train` needs a GPU" in capsys.readouterr().err


@pytest.mark.sim
def test_rollout_judges_the_pixel_bc_policy_closed_loop_on_cpu(pixel_bc, tmp_path):
    """As a run builds it: the random encoder file RLinf's builder asks for, then the clone's weights."""
    out = tmp_path / "rollout"
    argv = ["rollout", "--config_name", CNN, "--split", "train", "--num_envs", "2", "--steps", "5"]
    assert main([*argv, "--model_path", str(pixel_bc), "--out_dir", str(out)]) == 0
    summary = json.loads((out / "metrics.json").read_text())["summary"]
    assert set(summary) >= {"first_episodes", "first_episode_success_rate"}


@pytest.mark.sim
def test_cnn_bc_refuses_a_dataset_of_another_image_size_in_one_line(pixel_dataset, tmp_path, capsys):
    out = tmp_path / "bc"
    argv = ["bc", "--config_name", CNN, "--dataset", str(pixel_dataset), "--out", str(out)]
    assert main([*argv, "env.train.init_params.env_cfg.camera_resolution=32"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "observation.images.front_camera is 64x64 but actor.model.image_size is [3, 32, 32]" in err[0]
    assert "Fix: " in err[0]
    assert not out.exists()


def test_load_videos_decodes_each_view_into_its_rows_frame_for_frame(tmp_path):
    """Two episodes of two views whose frames are flat grey levels; decoded back into the right rows."""
    from isaaclab_rlinf.dataset import DatasetWriter, Layout, load_arrays, load_videos

    layout = Layout(3, 2, {"a": "a", "b": "b"}, (("states", 0, 3),), (("action", 0, 2),))
    writer = DatasetWriter(tmp_path / "ds", layout, fps=30.0, robot_type="test")
    levels = {}
    for episode, length in enumerate((5, 7)):
        steps = np.arange(length)
        levels[episode] = {"a": 20 + 20 * steps + episode, "b": 230 - 20 * steps - episode}
        views = {
            v: np.broadcast_to(lv[:, None, None, None], (length, 8, 16, 3)).astype(np.uint8)
            for v, lv in levels[episode].items()
        }
        states = np.full((length, 3), episode, np.float32)
        writer.add_episode(states, np.zeros((length, 2), np.float32), views, "task", True)
    writer.close()

    states, _, episodes = load_arrays(tmp_path / "ds")
    frames = load_videos(tmp_path / "ds", ["b", "a"], episodes)  # view order is the caller's
    assert frames.shape == (12, 2, 8, 16, 3) and frames.dtype == np.uint8
    want = np.concatenate([np.stack([levels[e]["b"], levels[e]["a"]], axis=1) for e in (0, 1)])
    got = frames.astype(int).mean(axis=(2, 3, 4))
    assert np.abs(got - want).max() < 2  # h264 at crf 15 keeps a flat level within a step
    assert np.array_equal(states[:, 0], episodes)


def test_load_videos_refuses_a_video_shorter_than_its_rows(tmp_path):
    from isaaclab_rlinf.dataset import (
        DatasetError,
        DatasetWriter,
        Layout,
        load_arrays,
        load_videos,
        write_mp4,
    )

    layout = Layout(1, 1, {"a": "a"}, (("states", 0, 1),), (("action", 0, 1),))
    writer = DatasetWriter(tmp_path / "ds", layout, fps=30.0, robot_type="test")
    frames = np.zeros((4, 8, 8, 3), np.uint8)
    writer.add_episode(np.zeros((4, 1), np.float32), np.zeros((4, 1), np.float32), {"a": frames}, "t", True)
    writer.close()
    video = tmp_path / "ds/videos/chunk-000/observation.images.a/episode_000000.mp4"
    write_mp4(video, frames[:3], 30.0)
    _, _, episodes = load_arrays(tmp_path / "ds")
    with pytest.raises(DatasetError, match=r"decodes to 3 frames of 8x8 \(its parquet has 4 rows"):
        load_videos(tmp_path / "ds", ["a"], episodes)

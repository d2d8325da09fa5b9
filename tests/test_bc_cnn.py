"""``load_videos``: a dataset's mp4 views decoded into uint8 rows aligned with its parquet rows."""

from __future__ import annotations

import numpy as np
import pytest


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

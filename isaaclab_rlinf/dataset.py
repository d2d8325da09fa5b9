"""Demonstration datasets in the LeRobot v2.0 layout that GR00T N1.5's own loader reads.

Why this layout: it is what GR00T's ``LeRobotSingleDataset`` (and so its fine-tuning script) reads, and
what LeRobot users know. lerobot 0.6 writes only v3.0 and pins a hub version GR00T's transformers
conflicts with, so the few files are written here::

    meta/info.json        features (state/action widths, one video feature per view), fps, path patterns
    meta/episodes.jsonl   one line per episode: index, length, instruction, success
    meta/tasks.jsonl      the instructions
    meta/modality.json    how GR00T keys slice the state/action vectors and which video each view is
    meta/stats.json       per-column max/min/mean/std/q01/q99 of state and action (GR00T's normaliser)
    data/chunk-000/episode_000000.parquet          observation.state, action, indices, task_index
    videos/chunk-000/observation.images.<camera>/episode_000000.mp4   h264, one per mapped view

A row's ``observation.state`` is the mapping's RLinf ``states`` vector and its ``action`` the policy
action (the task's action without the mapping's pads), so a policy trained on it acts through the same
mapping unchanged. Names come from the mapping: with a ``gr00t_mapping`` its GR00T keys, else
``state.states``, ``action.action`` and one video per camera term.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CODEBASE_VERSION = "v2.0"
CHUNK_SIZE = 1000
DATA_PATH = "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet"
VIDEO_PATH = "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4"
STATE_COLUMN, ACTION_COLUMN, TASK_COLUMN = "observation.state", "action", "task_index"
LANGUAGE_KEY = "annotation.human.task_description"


class DatasetError(ValueError):
    """A dataset directory that cannot be written or does not fit the config; one line, with the fix."""


@dataclass(frozen=True)
class Layout:
    """What a dataset holds, derived from a mapping: widths, views and GR00T's names for their parts.

    ``views`` maps a camera term (``front_camera``) to its GR00T-side name (``front``); ``state_keys`` and
    ``action_keys`` are ``(name, start, end)`` slices of the state and action vectors.
    """

    state_dim: int
    action_dim: int
    views: dict[str, str]
    state_keys: tuple[tuple[str, int, int], ...]
    action_keys: tuple[tuple[str, int, int], ...]
    language_key: str = LANGUAGE_KEY

    @classmethod
    def from_spec(
        cls, spec: Any, state_dim: int, action_dim: int, action_dims: dict[str, int] | None = None
    ) -> Layout:
        """The layout of ``spec`` (a :class:`~isaaclab_rlinf.spec.MappingSpec`) for these widths.

        ``action_dims`` (a GR00T data config's ``action_dims``) splits the action among several GR00T
        action keys in order; one key takes the whole action.
        """
        cameras = spec.camera_keys
        g = spec.gr00t_mapping
        if g is None:
            views = {cam: cam for cam in cameras}
            return cls(
                state_dim, action_dim, views, (("states", 0, state_dim),), (("action", 0, action_dim),)
            )
        views = {cam: _suffix(key) for cam, key in zip(cameras, g.video_keys, strict=False)}
        states = tuple((_suffix(k.gr00t_key), k.slice[0], k.slice[1]) for k in g.state)
        actions, start = [], 0
        for key in g.action:
            width = (action_dims or {}).get(key, action_dim - start if key == g.action[-1] else 0)
            actions.append((_suffix(key), start, start + width))
            start += width
        return cls(state_dim, action_dim, views, states, tuple(actions), g.language_key or LANGUAGE_KEY)

    def modality(self) -> dict[str, Any]:
        """``meta/modality.json``."""
        return {
            "state": {k: {"start": a, "end": b, "original_key": STATE_COLUMN} for k, a, b in self.state_keys},
            "action": {
                k: {"start": a, "end": b, "original_key": ACTION_COLUMN} for k, a, b in self.action_keys
            },
            "video": {name: {"original_key": video_key(cam)} for cam, name in self.views.items()},
            "annotation": {_suffix(self.language_key): {"original_key": TASK_COLUMN}},
        }


def _suffix(key: str) -> str:
    """``video.front`` -> ``front``; ``annotation.human.task_description`` -> ``human.task_description``."""
    return key.split(".", 1)[1] if "." in key else key


def video_key(camera: str) -> str:
    return f"observation.images.{camera}"


def check_output_dir(path: str | Path, option: str = "--out") -> Path:
    """An output directory that is new or empty; anything else is refused before work starts."""
    out = Path(path)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DatasetError(
            f"{option}: {str(out)!r} exists and is not an empty directory; nothing was written. "
            "Fix: name a new directory, or remove that one first."
        )
    return out


class DatasetWriter:
    """Writes episodes as they come (parquet now, videos on a thread pool) and the meta files at ``close``."""

    def __init__(self, root: str | Path, layout: Layout, fps: float, robot_type: str, workers: int = 4):
        self.root, self.layout, self.fps, self.robot_type = check_output_dir(root), layout, fps, robot_type
        self.root.mkdir(parents=True, exist_ok=True)
        self.episodes: list[dict[str, Any]] = []
        self.tasks: dict[str, int] = {}
        self.frames = 0
        self.sizes: dict[str, tuple[int, int]] = {}
        self._states: list[np.ndarray] = []
        self._actions: list[np.ndarray] = []
        self._pool = ThreadPoolExecutor(max_workers=workers)  # ffmpeg runs outside the GIL
        self._videos: list[Any] = []

    def add_episode(
        self,
        states: np.ndarray,
        actions: np.ndarray,
        views: dict[str, np.ndarray],
        task: str,
        success: bool,
        reward: np.ndarray | None = None,
    ) -> int:
        """One episode: ``states`` [T, D], ``actions`` [T, A], ``views``: camera -> [T, H, W, 3] uint8."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        index, length = len(self.episodes), len(states)
        task_index = self.tasks.setdefault(task, len(self.tasks))
        frame = np.arange(length)
        columns = {
            STATE_COLUMN: pa.FixedSizeListArray.from_arrays(
                np.ascontiguousarray(states, np.float32).ravel(), states.shape[1]
            ),
            ACTION_COLUMN: pa.FixedSizeListArray.from_arrays(
                np.ascontiguousarray(actions, np.float32).ravel(), actions.shape[1]
            ),
            "timestamp": pa.array((frame / self.fps).astype(np.float32)),
            "frame_index": pa.array(frame),
            "episode_index": pa.array(np.full(length, index)),
            "index": pa.array(self.frames + frame),
            TASK_COLUMN: pa.array(np.full(length, task_index)),
            "next.done": pa.array(frame == length - 1),
        }
        if reward is not None:
            columns["next.reward"] = pa.array(np.asarray(reward, np.float32))
        path = self.root / DATA_PATH.format(episode_chunk=index // CHUNK_SIZE, episode_index=index)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns), path)
        for camera in self.layout.views:
            frames = views[camera]
            self.sizes[camera] = frames.shape[1:3]
            video = self.root / VIDEO_PATH.format(
                episode_chunk=index // CHUNK_SIZE, video_key=video_key(camera), episode_index=index
            )
            self._videos.append(self._pool.submit(write_mp4, video, frames, self.fps))
        self.episodes.append(
            {"episode_index": index, "tasks": [task], "length": length, "success": bool(success)}
        )
        self._states.append(states)
        self._actions.append(actions)
        self.frames += length
        return index

    def close(self) -> None:
        """Wait for the videos, then write ``meta/``; an empty dataset is an error (nothing to train on)."""
        for video in self._videos:
            video.result()
        self._pool.shutdown()
        if not self.episodes:
            raise DatasetError(
                f"{self.root}: no episode was kept; nothing to write. Fix: record more episodes."
            )
        meta = self.root / "meta"
        meta.mkdir(exist_ok=True)
        _write_jsonl(meta / "episodes.jsonl", self.episodes)
        _write_jsonl(meta / "tasks.jsonl", [{"task_index": i, "task": t} for t, i in self.tasks.items()])
        (meta / "modality.json").write_text(json.dumps(self.layout.modality(), indent=2))
        stats = {
            STATE_COLUMN: _stats(np.concatenate(self._states)),
            ACTION_COLUMN: _stats(np.concatenate(self._actions)),
        }
        (meta / "stats.json").write_text(json.dumps(stats, indent=2))
        (meta / "info.json").write_text(json.dumps(self._info(), indent=2))

    def _info(self) -> dict[str, Any]:
        n, lay = len(self.episodes), self.layout

        def vector(width: int) -> dict[str, Any]:
            return {"dtype": "float32", "shape": [width], "names": None}

        features: dict[str, Any] = {
            STATE_COLUMN: vector(lay.state_dim),
            ACTION_COLUMN: vector(lay.action_dim),
        }
        for camera, (h, w) in self.sizes.items():
            features[video_key(camera)] = {
                "dtype": "video",
                "shape": [h, w, 3],
                "names": ["height", "width", "channel"],
                "video_info": {
                    "video.fps": self.fps,
                    "video.codec": "h264",
                    "video.pix_fmt": "yuv420p",
                    "video.is_depth_map": False,
                    "has_audio": False,
                },
            }
        for name in ("timestamp",):
            features[name] = {"dtype": "float32", "shape": [1], "names": None}
        for name in ("frame_index", "episode_index", "index", TASK_COLUMN):
            features[name] = {"dtype": "int64", "shape": [1], "names": None}
        return {
            "codebase_version": CODEBASE_VERSION,
            "robot_type": self.robot_type,
            "total_episodes": n,
            "total_frames": self.frames,
            "total_tasks": len(self.tasks),
            "total_videos": n * len(self.sizes),
            "total_chunks": (n - 1) // CHUNK_SIZE + 1,
            "chunks_size": CHUNK_SIZE,
            "fps": self.fps,
            "splits": {"train": f"0:{n}"},
            "data_path": DATA_PATH,
            "video_path": VIDEO_PATH if self.sizes else None,
            "features": features,
        }


def write_mp4(path: Path, frames: np.ndarray, fps: float) -> None:
    """[T, H, W, 3] uint8 -> an h264 mp4 (yuv420p, near-lossless), what decord and torchcodec decode."""
    import imageio.v2 as imageio

    path.parent.mkdir(parents=True, exist_ok=True)
    with imageio.get_writer(
        path,
        fps=fps,
        codec="libx264",
        pixelformat="yuv420p",
        macro_block_size=1,
        ffmpeg_params=["-crf", "15"],
        ffmpeg_log_level="error",
    ) as writer:
        for frame in frames:
            writer.append_data(frame)


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def _stats(x: np.ndarray) -> dict[str, list[float]]:
    x = x.astype(np.float64)
    return {
        "max": x.max(0).tolist(),
        "min": x.min(0).tolist(),
        "mean": x.mean(0).tolist(),
        "std": x.std(0).tolist(),
        "q01": np.quantile(x, 0.01, axis=0).tolist(),
        "q99": np.quantile(x, 0.99, axis=0).tolist(),
    }


def read_info(root: str | Path) -> dict[str, Any]:
    """``meta/info.json``, ``meta/modality.json`` under ``"modality"``; a missing one: DatasetError."""
    root = Path(root)
    try:
        info = json.loads((root / "meta" / "info.json").read_text())
        info["modality"] = json.loads((root / "meta" / "modality.json").read_text())
    except FileNotFoundError as exc:
        raise DatasetError(
            f"--dataset: {str(root)!r} is not a dataset ({exc.filename} is missing). "
            "Fix: point to a directory written by `isaaclab-rlinf record`."
        ) from None
    return info


def check_layout(root: str | Path, layout: Layout, config: str) -> dict[str, Any]:
    """The dataset at ``root`` holds what ``layout`` (from the config's mapping) needs; one line if not."""
    info = read_info(root)
    features = info["features"]
    state_dim, action_dim = features[STATE_COLUMN]["shape"][0], features[ACTION_COLUMN]["shape"][0]
    views = {k.removeprefix("observation.images.") for k, f in features.items() if f.get("dtype") == "video"}
    problems = []
    if state_dim != layout.state_dim:
        problems.append(f"state width {state_dim} (the mapping's states: {layout.state_dim})")
    if action_dim != layout.action_dim:
        problems.append(f"action width {action_dim} (the policy's: {layout.action_dim})")
    missing = sorted(set(layout.views) - views)
    if missing:
        problems.append(f"no video of {missing} (it has {sorted(views) or 'none'})")
    want = layout.modality()
    for part in ("state", "action", "video"):
        have = info["modality"].get(part, {})
        if set(want[part]) - set(have):
            problems.append(
                f"modality.json {part} keys {sorted(have)} lack {sorted(set(want[part]) - set(have))}"
            )
        # same names are not enough: a key must slice the same columns of the same source (a dataset
        # recorded with the state terms in another order has the same keys and widths)
        for key in sorted(set(want[part]) & set(have)):
            fields = ("start", "end", "original_key")
            ours = [want[part][key].get(f) for f in fields]
            theirs = [have[key].get(f) for f in fields]
            if ours != theirs:
                problems.append(
                    f"modality.json {part}.{key} is {_where(theirs)} (the mapping's: {_where(ours)})"
                )
    if problems:
        raise DatasetError(
            f"--dataset {str(root)!r} does not match {config}: "
            + "; ".join(problems)
            + ". Fix: record it with this config (`isaaclab-rlinf record --config_name ...`)."
        )
    return info


def _where(entry: list[Any]) -> str:
    """``[start, end, source]`` of a modality.json entry as text (a video has no columns)."""
    start, end, source = entry
    return f"{source}" if start is None else f"[{start}, {end}) of {source}"


def load_arrays(root: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every frame's ``(states [F, D], actions [F, A], episode index [F])`` in order (behaviour cloning)."""
    import pyarrow.parquet as pq

    root = Path(root)
    files = sorted(root.glob("data/chunk-*/episode_*.parquet"))
    tables = [pq.read_table(f, columns=[STATE_COLUMN, ACTION_COLUMN, "episode_index"]) for f in files]

    def stack(column: str) -> np.ndarray:
        return np.concatenate([np.stack(t.column(column).to_numpy(zero_copy_only=False)) for t in tables])

    episodes = np.concatenate([t.column("episode_index").to_numpy() for t in tables])
    return stack(STATE_COLUMN).astype(np.float32), stack(ACTION_COLUMN).astype(np.float32), episodes


def load_videos(root: str | Path, cameras: Sequence[str], episodes: np.ndarray) -> np.ndarray:
    """Every frame of these views, aligned with :func:`load_arrays`' rows: uint8 ``[F, V, H, W, 3]``.

    ``episodes`` is :func:`load_arrays`' episode index per row (each episode's rows contiguous); view ``v``
    is ``cameras[v]``. Why one array: the views of a frame sit together, so a batch is one fancy index
    (one copy) and ``[:, 0]`` / ``[:, 1:]`` are RLinf's ``main_images`` / ``extra_view_images`` without
    another; the whole set is preallocated and each video decoded straight into its slice. Decoded with
    the ffmpeg that ``imageio[ffmpeg]`` ships (a core dependency; decord is GR00T's), one process per
    video on a thread pool. A video whose frame count or size differs from its parquet rows and
    ``meta/info.json``: :class:`DatasetError`, one line.
    """
    root = Path(root)
    features = read_info(root)["features"]
    ids, starts, lengths = np.unique(episodes, return_index=True, return_counts=True)
    shapes = {tuple(features[video_key(c)]["shape"]) for c in cameras}
    if len(shapes) != 1:
        raise DatasetError(
            f"--dataset {str(root)!r}: views {list(cameras)} differ in size ({sorted(shapes)}); one model "
            "input needs one size. Fix: record every camera of the mapping at the same resolution."
        )
    height, width, _ = shapes.pop()
    frames = np.empty((len(episodes), len(cameras), height, width, 3), np.uint8)

    def decode(job: tuple[int, int, int, int]) -> None:
        view, episode, start, length = job
        path = root / VIDEO_PATH.format(
            episode_chunk=episode // CHUNK_SIZE, video_key=video_key(cameras[view]), episode_index=episode
        )
        raw = _decode_rgb(path)
        if raw.size != length * height * width * 3:
            raise DatasetError(
                f"--dataset: {path} decodes to {raw.size // (3 * height * width)} frames of {height}x{width} "
                f"(its parquet has {length} rows, info.json says {height}x{width}). Fix: record the dataset "
                "again (`isaaclab-rlinf record`)."
            )
        frames[start : start + length, view] = raw.reshape(length, height, width, 3)

    runs = list(zip(ids.tolist(), starts.tolist(), lengths.tolist(), strict=True))
    jobs = [(v, e, s, n) for v in range(len(cameras)) for e, s, n in runs]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        list(pool.map(decode, jobs))  # ffmpeg runs in its own process; list() re-raises a worker's error
    return frames


def _decode_rgb(path: Path) -> np.ndarray:
    """Every frame of an mp4 as packed rgb24 bytes (flat uint8), one per stored frame (no rate change)."""
    import imageio_ffmpeg

    if not path.is_file():
        raise DatasetError(
            f"--dataset: {path} is missing. Fix: record the dataset again (`isaaclab-rlinf record`)."
        )
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path)]
    cmd += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-fps_mode", "passthrough", "pipe:1"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise DatasetError(
            f"--dataset: ffmpeg cannot decode {path} ({reason[0]}). Fix: record the dataset again."
        )
    return np.frombuffer(done.stdout, np.uint8)

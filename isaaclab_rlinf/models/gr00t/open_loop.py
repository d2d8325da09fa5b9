"""Open-loop action error of a fine-tuned GR00T N1.5 on held-out demonstrations, GR00T's own way.

Why: closed-loop success through our bridge (``play``) mixes two things, how well the model learnt the
demonstrations and whether the bridge (converters, state normalisation, action de-normalisation, chunking,
padding, embodiment id) feeds it what it was trained on. The open-loop error separates them: it runs the
model on recorded frames exactly as GR00T's ``Gr00tPolicy`` / ``gr00t/utils/eval.py`` do (the training
transforms in eval mode with the training set's statistics, ``get_action``, ``unapply``), with no
simulator and none of our code in between. A low open-loop error with a closed-loop success far below
what a policy of that error reaches (e.g. the MLP clone of the same demonstrations) points at the bridge.

As ``calc_mse_for_single_trajectory``: one prediction every ``horizon`` steps from the recorded
observation, the whole chunk compared with the recorded actions, in the action space's own units; the
chunk's first action alone is kept too (what a per-step policy such as the MLP clone is judged on).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class OpenLoopResult:
    """Mean squared action error over held-out episodes (action space units, all action dimensions)."""

    dataset: str
    episodes: int
    predictions: int
    chunk_mse: float  # every valid step of every predicted chunk
    first_action_mse: float  # the chunk's first step only
    seconds: float

    def summary(self) -> dict[str, Any]:
        return asdict(self)


def observation_batch(frame: dict[str, Any]) -> dict[str, Any]:
    """One recorded frame (``get_step_data``) as a batch of one observation, as RLinf's
    ``predict_action_batch`` hands it to GR00T's transforms: arrays with a batch axis, the instruction a
    [1] array of str.

    Why not GR00T's ``unsqueeze_dict_values``: it makes the instruction list a [1, 1] array, whose row
    the Eagle chat template prints as ``['...']``: 2 tokens the fine-tuning never saw (its samples are
    unbatched, the instruction a plain string) and RLinf never sends.
    """
    import numpy as np

    return {
        k: np.asarray(v) if k.startswith("annotation.") else np.expand_dims(np.asarray(v), 0)
        for k, v in frame.items()
        if not k.startswith("action.")
    }


def open_loop_mse(
    model: Any,
    transforms: Any,
    dataset: Any,
    horizon: int,
    max_episodes: int | None = None,
) -> OpenLoopResult:
    """Predict every ``horizon`` steps of ``dataset``'s episodes (a raw ``LeRobotSingleDataset``: no
    transforms of its own) with ``model`` and ``transforms`` (the training ones, with the training set's
    metadata) and compare with the recorded actions. Steps past an episode's end are not counted."""
    import time

    import numpy as np
    import torch

    t0 = time.perf_counter()
    action_keys = list(dataset.modality_keys["action"])  # "action.<key>"
    transforms.eval()  # no augmentation: GR00T's policy does the same
    was_training = model.training
    model.eval()
    device_type = "cuda" if next(model.parameters()).is_cuda else "cpu"
    chunk_err: list[np.ndarray] = []
    first_err: list[np.ndarray] = []
    ids, lengths = dataset.trajectory_ids, dataset.trajectory_lengths
    episodes = len(ids) if max_episodes is None else min(max_episodes, len(ids))
    try:
        for traj, length in zip(ids[:episodes], lengths[:episodes], strict=True):
            for start in range(0, int(length), horizon):
                raw = dataset.get_step_data(traj, start)
                obs = observation_batch(raw)
                with (
                    torch.inference_mode(),
                    torch.autocast(device_type, dtype=torch.bfloat16, enabled=device_type == "cuda"),
                ):
                    pred = model.get_action(transforms(obs))["action_pred"].float()
                actions = transforms.unapply({"action": pred.cpu()})
                got = np.concatenate([np.asarray(actions[k])[0] for k in action_keys], axis=-1)
                want = np.concatenate([np.asarray(raw[k]) for k in action_keys], axis=-1)
                valid = min(horizon, int(length) - start)
                err = (got[:valid] - want[:valid]) ** 2
                chunk_err.append(err)
                first_err.append(err[:1])
    finally:
        transforms.train()
        model.train(was_training)
    chunk, first = np.concatenate(chunk_err), np.concatenate(first_err)
    return OpenLoopResult(
        dataset=str(Path(dataset.dataset_path)),
        episodes=episodes,
        predictions=len(first_err),
        chunk_mse=round(float(chunk.mean()), 6),
        first_action_mse=round(float(first.mean()), 6),
        seconds=round(time.perf_counter() - t0, 2),
    )

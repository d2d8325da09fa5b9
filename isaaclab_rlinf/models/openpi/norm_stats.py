"""openpi normalisation statistics for a task: ``<model_path>/isaaclab_rlinf/norm_stats.json``.

openpi normalises states and actions with per-dimension statistics stored beside the weights (pi0: mean /
std; pi0.5: the 1st and 99th percentiles too) and refuses to start without them. A random ``model_path``
gets them from the task itself -- states as observed, actions from the action space when it is bounded --
so a smoke test sees inputs in the scale a trained model would. Constant dimensions (a gripper that never
moves) get a unit spread: openpi divides by ``q99 - q01`` and ``std``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["neutral_stats", "stats_from_bounds", "stats_from_samples", "write_norm_stats"]

Stats = dict[str, list[float]]


def neutral_stats(dim: int) -> Stats:
    """Mean 0, std 1, q01 -1, q99 1: the identity for pi0, [-1, 1] -> itself for pi0.5."""
    return {"mean": [0.0] * dim, "std": [1.0] * dim, "q01": [-1.0] * dim, "q99": [1.0] * dim}


def stats_from_samples(samples: np.ndarray, min_spread: float = 1e-2) -> Stats:
    """Statistics of ``samples`` [N, D]; a dimension spread below ``min_spread`` gets mean +- 1 instead."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1, np.shape(samples)[-1])
    mean, std = x.mean(0), x.std(0)
    q01, q99 = np.quantile(x, 0.01, axis=0), np.quantile(x, 0.99, axis=0)
    flat = (q99 - q01) < min_spread
    std = np.where(std < min_spread, 1.0, std)
    q01, q99 = np.where(flat, mean - 1.0, q01), np.where(flat, mean + 1.0, q99)
    return {
        k: v.astype(float).tolist() for k, v in {"mean": mean, "std": std, "q01": q01, "q99": q99}.items()
    }


def stats_from_bounds(low: np.ndarray, high: np.ndarray) -> Stats:
    """Uniform statistics of a bounded action space; unbounded dimensions stay neutral."""
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    stats = neutral_stats(low.shape[-1])
    finite = np.isfinite(low) & np.isfinite(high)
    low, high = np.where(finite, low, 0.0), np.where(finite, high, 0.0)
    mean = np.where(finite, (low + high) / 2, 0.0)
    std = np.where(finite, np.maximum((high - low) / np.sqrt(12), 1e-2), 1.0)
    stats.update(
        mean=mean.tolist(),
        std=std.tolist(),
        q01=np.where(finite, low, -1.0).tolist(),
        q99=np.where(finite, high, 1.0).tolist(),
    )
    return stats


def write_norm_stats(model_path: str | Path, asset_id: str, state: Stats, actions: Stats) -> Path:
    """Write openpi's ``norm_stats.json`` (``{"norm_stats": {"state": ..., "actions": ...}}``)."""
    path = Path(model_path) / asset_id / "norm_stats.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"norm_stats": {"state": state, "actions": actions}}, indent=1) + "\n")
    return path

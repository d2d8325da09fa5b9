"""openpi normalisation statistics for a task: ``<model_path>/isaaclab_rlinf/norm_stats.json``.

openpi normalises states and actions with per-dimension statistics stored beside the weights (pi0: mean /
std; pi0.5: the 1st and 99th percentiles too) and refuses to start without them. A random ``model_path``
gets them from the task itself -- states as observed, actions from the action space when it is bounded --
so a smoke test sees inputs in the scale a trained model would. Constant dimensions (a gripper that never
moves) get a unit spread: openpi divides by ``q99 - q01`` and ``std``.

:func:`check_norm_stats` reads them back before Ray: openpi cuts state statistics to the state's width
(wider ones, of another task, apply silently; narrower ones fail to broadcast in a worker) and leaves
action columns past the statistics' width unnormalised, so both widths must be the task's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ...rlinf_cfg import ConfigError, model_key, select
from .keys import ASSET_ID, CONFIG_NAMES

__all__ = [
    "norm_target",
    "check_norm_stats",
    "neutral_stats",
    "stats_from_bounds",
    "stats_from_samples",
    "write_norm_stats",
]

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


# --------------------------------------------------------------------------------------------------
# the check before Ray

_FIX = (
    "Fix: `isaaclab-rlinf openpi-init --config_name <this config> --out DIR` writes a model_path with this "
    "task's norm stats (then --model_path DIR); for a trained checkpoint, put the norm stats of its "
    "training data there."
)


def norm_target(cfg: Any, mpath: str) -> tuple[str, bool] | None:
    """(asset id, quantiles): where RLinf's openpi ``get_model`` reads ``norm_stats.json`` under
    ``model_path``, and whether it normalises with q01/q99 (else mean/std).

    Ours (``pi0_/pi05_isaaclab_rlinf``): :data:`ASSET_ID`, known without openpi. Another openpi config
    (RLinf's ``pi05_isaaclab_stack_cube``, ...): its data config's ``assets.asset_id`` or ``repo_id``, as
    openpi resolves it, so only where openpi is installed; None elsewhere (the launcher then says how to
    install openpi). Quantiles as openpi's data configs decide: for every model but pi0, i.e. where the
    model RLinf builds (the train config's, ``<model>.openpi.pi05`` over it) is pi0.5.
    """
    aid, pi05 = _asset_id_and_pi05(cfg, mpath)
    override = select(cfg, f"{mpath}.openpi.pi05")
    return None if aid is None else (aid, bool(pi05 if override is None else override))


def _asset_id_and_pi05(cfg: Any, mpath: str) -> tuple[str | None, bool]:
    from omegaconf import OmegaConf

    from .requirement import OpenpiNotInstalledError, require_openpi

    name = select(cfg, f"{mpath}.openpi.config_name")
    node = select(cfg, f"{mpath}.openpi_data")
    data = OmegaConf.to_container(node, resolve=True) if node else {}
    if name in CONFIG_NAMES.values() and not {"assets", "repo_id"} & set(data):
        return ASSET_ID, name == CONFIG_NAMES["pi05"]
    if not name:
        raise ConfigError(
            f"{mpath}.openpi.config_name: missing; RLinf builds the openpi model it names. Fix: "
            f"{' or '.join(CONFIG_NAMES.values())} (our data transform), or one of RLinf's openpi configs."
        )
    try:
        require_openpi()
    except OpenpiNotInstalledError:
        return None, False
    from rlinf.models.embodiment.openpi.dataconfig import get_openpi_config

    from .transforms import register_train_configs

    register_train_configs()
    try:
        train = get_openpi_config(str(name), data_kwargs=data or None)
    except (ValueError, TypeError) as exc:  # an unknown name (with RLinf's close match), a bad data key
        raise ConfigError(f"{mpath}.openpi.config_name: {name!r}: {exc}".rstrip()) from exc
    assets, repo = getattr(train.data, "assets", None), getattr(train.data, "repo_id", None)
    aid = getattr(assets, "asset_id", None) or (repo if isinstance(repo, str) and repo else None)
    return aid, bool(getattr(train.model, "pi05", False))


def check_norm_stats(cfg: Any, state_dim: int | None = None, mapped: bool = True) -> None:
    """Raise :class:`ConfigError` when ``<model_path>/<asset id>/norm_stats.json`` is missing or its widths
    are not the task's: ``state`` against ``state_dim`` (the mapping's state width, when known) and
    ``actions`` against ``<model>.action_dim``.

    Only for a ``model_path`` that is a local directory (a placeholder or remote path is RLinf's to
    report). Widths only for tasks ``mapped`` by us: RLinf's own tasks convert with RLinf's transform.
    """
    mpath = model_key(cfg)
    model_path = select(cfg, f"{mpath}.model_path")
    if not model_path or not Path(str(model_path)).expanduser().is_dir():
        return
    target = norm_target(cfg, mpath)
    if target is None:
        return
    aid, quantiles = target
    path = Path(str(model_path)).expanduser() / aid / "norm_stats.json"
    if not path.is_file():
        raise ConfigError(
            f"{mpath}.model_path: {str(path)!r} is missing; openpi normalises states and actions with it "
            f"(asset id {aid!r} of openpi config {select(cfg, f'{mpath}.openpi.config_name')!r}). {_FIX}"
        )
    try:
        stats = json.loads(path.read_text())["norm_stats"]
        widths = {key: len(stats[key]["mean"]) for key in ("state", "actions")}
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{mpath}.model_path: {str(path)!r} is not openpi norm stats ({type(exc).__name__}: {exc}; "
            'expected {"norm_stats": {"state": {"mean": [...], ...}, "actions": {...}}}). ' + _FIX
        ) from exc
    problem = _values_problem(stats, quantiles)
    if problem:
        fields = "q01/q99 (pi0.5 normalises with quantiles)" if quantiles else "mean/std (pi0)"
        raise ConfigError(
            f"{mpath}.model_path: {str(path)!r}: {problem}; openpi normalises with {fields} and would fail "
            f"or scale wrongly in a worker. {_FIX}"
        )
    if not mapped:
        return
    action_dim = select(cfg, f"{mpath}.action_dim")
    wrong = []
    if state_dim is not None and widths["state"] != state_dim:
        wrong.append(f"state {widths['state']} wide, the mapping's states {state_dim}")
    if isinstance(action_dim, int) and widths["actions"] != action_dim:
        wrong.append(f"actions {widths['actions']} wide, {mpath}.action_dim {action_dim}")
    if wrong:
        raise ConfigError(
            f"{mpath}.model_path: {str(path)!r} does not fit the task: {'; '.join(wrong)}. {_FIX}"
        )


def _values_problem(stats: dict, quantiles: bool) -> str | None:
    """What openpi's loader or Normalize/Unnormalize would trip on, or None: a missing field (std always,
    q01/q99 with quantiles), ragged or non-finite values, and with quantiles q99 below q01 (the spread
    openpi divides by)."""
    for key in ("state", "actions"):
        block = stats[key]
        for field in ("std", "q01", "q99") if quantiles else ("std",):
            if block.get(field) is None:
                return f"{key}.{field} is missing"
        width = len(block["mean"])
        for field, values in block.items():
            if values is None:
                continue
            x = np.asarray(values, dtype=np.float64)
            if x.shape != (width,):
                return f"{key}.{field} has {x.size} values, {key}.mean {width}"
            bad = np.flatnonzero(~np.isfinite(x))
            if bad.size:
                return f"{key}.{field}[{bad[0]}] is {x[bad[0]]}"
        if quantiles:
            q01, q99 = np.asarray(block["q01"], dtype=np.float64), np.asarray(block["q99"], dtype=np.float64)
            bad = np.flatnonzero(q99 < q01)
            if bad.size:
                i = bad[0]
                return f"{key}.q99[{i}] {q99[i]:g} is below {key}.q01[{i}] {q01[i]:g}"
    return None

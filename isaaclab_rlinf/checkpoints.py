"""RLinf's training checkpoints on disk: ``<run>/<experiment>/checkpoints/global_step_N/actor/...``.

Which ``global_step_N`` to resume from (``--resume_dir``), which ``full_weights.pt`` a ``--model_path``
names, and the step a directory holds (``runner.max_epochs`` must go past it). Read by the checks before
Ray and by the CLI's options; below both, with the run config's readers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .rlinf_cfg import ConfigError

__all__ = ["find_latest_checkpoint", "find_model_weights", "step_of"]

_STEP_DIR_RE = re.compile(r"global_step_(\d+)$")


def step_of(path: Path) -> int | None:
    m = _STEP_DIR_RE.search(path.name)
    return int(m.group(1)) if m else None


def find_latest_checkpoint(path: str | os.PathLike) -> Path:
    """The newest ``global_step_N`` directory (holding ``actor/``) at or below ``path``.

    ``path`` may be a run directory (``logs/rlinf/<timestamp>-<task>``), its
    ``<experiment>/checkpoints`` directory or a ``global_step_N`` directory itself.
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        raise ConfigError(
            f"--resume_dir / runner.resume_dir: {str(root)!r} is not a directory. Fix: pass a run directory "
            "(logs/rlinf/<timestamp>-<task>) or one of its checkpoints/global_step_N directories."
        )
    if step_of(root) is not None and (root / "actor").is_dir():
        return root.resolve()
    found = [p for p in root.rglob("global_step_*") if step_of(p) is not None and (p / "actor").is_dir()]
    if not found:
        raise ConfigError(
            f"--resume_dir: no checkpoint under {str(root)!r} (looked for "
            "*/checkpoints/global_step_N/actor). "
            "Fix: pass the directory of a run that saved checkpoints (runner.save_interval > 0)."
        )
    return max(found, key=lambda p: (step_of(p), str(p))).resolve()


def find_model_weights(path: str | os.PathLike) -> Path | None:
    """The ``full_weights.pt`` of a RLinf training checkpoint at or below ``path``, or None.

    Accepts a ``.pt`` file, a run directory (newest checkpoint wins), a ``global_step_N`` directory, its
    ``actor`` directory, or ``actor/model_state_dict``. Anything else (e.g. a Hugging Face model
    directory) returns None.
    """
    p = Path(path).expanduser()
    if p.is_file():
        return p.resolve() if p.suffix == ".pt" else None
    if not p.is_dir():
        return None
    for candidate in (
        p / "full_weights.pt",
        p / "model_state_dict" / "full_weights.pt",
        p / "actor" / "model_state_dict" / "full_weights.pt",
    ):
        if candidate.is_file():
            return candidate.resolve()
    try:
        latest = find_latest_checkpoint(p)
    except ConfigError:
        return None
    weights = latest / "actor" / "model_state_dict" / "full_weights.pt"
    return weights.resolve() if weights.is_file() else None

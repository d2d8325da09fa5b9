"""Behaviour cloning of RLinf's ``mlp_policy`` on a recorded dataset: the warm start PPO fine-tunes.

Why RLinf's own module: the weights go out as the ``full_weights.pt`` that RLinf's actor and rollout
workers ``load_state_dict`` (strictly) from ``runner.ckpt_path``, so ``train --model_path OUT`` starts PPO
from them and ``play --model_path OUT`` evaluates them, with no conversion. The model is built by RLinf's
``get_model`` from the config's ``actor.model`` and trained with its own ``sft_forward`` (MSE of the
action mean against the demonstrated action, what RLinf's DAgger uses).

Episodes are split into train and held-out (``holdout`` of them, at least one held out and one trained
on when there are two or more); the held-out action MSE is the open-loop error the closed-loop success
can be judged against.
Batches of 512 frames: on Lift's 256 demonstrations (38400 frames), 4096 gave 1800 steps in 200 epochs and
underfit (train MSE 0.0062, the clone lifted 0/64 on CPU); 512 for 100 epochs, 6800 steps: 0.0039, 8/64.
``logstd`` sets the policy's exploration noise for PPO's first epochs (RLinf starts from -0.5; lower keeps
the rollouts near the cloned behaviour). The value head stays untrained: warm it up in PPO
(``actor.optim.critic_warmup_epochs``, see the warm-start configs).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

SUPPORTED_MODELS = ("mlp_policy",)
WEIGHTS_FILE = "full_weights.pt"


@dataclass
class BCResult:
    """What a behaviour-cloning run produced (also written as ``bc.json`` beside the weights)."""

    weights: str
    dataset: str
    episodes: int
    train_frames: int
    heldout_frames: int
    epochs: int
    steps: int
    train_mse: float
    heldout_mse: float | None
    logstd: float
    seconds: float


def behaviour_clone(
    model_cfg: Any,
    states: np.ndarray,
    actions: np.ndarray,
    episodes: np.ndarray,
    out_dir: str | Path,
    epochs: int = 200,
    batch_size: int = 512,
    lr: float = 1e-3,
    logstd: float = -1.5,
    holdout: float = 0.1,
    seed: int = 0,
    device: str = "cpu",
    dataset: str = "",
) -> BCResult:
    """Fit ``model_cfg`` (``actor.model``) to ``(states, actions)``; write the weights and ``bc.json``."""
    from rlinf.models import get_model

    start = time.perf_counter()
    torch.manual_seed(seed)
    model = get_model(model_cfg).to(device)
    train, held = _split(episodes, holdout, seed)
    x = torch.as_tensor(states, device=device)
    y = torch.as_tensor(actions, device=device)
    optim = torch.optim.Adam(
        [p for n, p in model.named_parameters() if not n.startswith("value_head")], lr=lr
    )
    generator = torch.Generator(device="cpu").manual_seed(seed)
    idx = torch.as_tensor(train, device=device)
    steps = 0
    for _ in range(epochs):
        order = idx[torch.randperm(len(idx), generator=generator).to(device)]
        for batch in order.split(batch_size):
            loss = model.sft_forward(data={"states": x[batch], "action": y[batch]}).mean()
            optim.zero_grad(set_to_none=True)
            loss.backward()
            optim.step()
            steps += 1
    with torch.no_grad():
        model.actor_logstd.fill_(logstd)
        train_mse = _mse(model, x, y, idx)
        heldout_mse = _mse(model, x, y, torch.as_tensor(held, device=device)) if len(held) else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / WEIGHTS_FILE
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, weights)
    result = BCResult(
        weights=str(weights),
        dataset=dataset,
        episodes=int(len(np.unique(episodes))),
        train_frames=int(len(train)),
        heldout_frames=int(len(held)),
        epochs=epochs,
        steps=steps,
        train_mse=round(train_mse, 6),
        heldout_mse=None if heldout_mse is None else round(heldout_mse, 6),
        logstd=logstd,
        seconds=round(time.perf_counter() - start, 2),
    )
    (out / "bc.json").write_text(json.dumps(asdict(result), indent=2))
    return result


def _split(episodes: np.ndarray, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame indices of the train and held-out episodes (whole episodes held out, chosen by ``seed``).

    With ``holdout > 0`` and two or more episodes, at least one is held out and at least one is trained
    on: ``round(2 * 0.9)`` alone would hold out both and leave nothing to fit.
    """
    ids = np.unique(episodes)
    n_held = min(len(ids) - 1, max(1, round(len(ids) * holdout))) if holdout > 0 and len(ids) > 1 else 0
    held_ids = np.random.default_rng(seed).choice(ids, size=n_held, replace=False)
    held = np.isin(episodes, held_ids)
    return np.flatnonzero(~held), np.flatnonzero(held)


def _mse(model: Any, x: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> float:
    return float(model.sft_forward(data={"states": x[idx], "action": y[idx]}).mean())

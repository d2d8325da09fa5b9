"""Behaviour cloning of RLinf's ``mlp_policy`` or ``cnn_policy`` on a recorded dataset: PPO's warm start.

Why RLinf's own module: the weights go out as the ``full_weights.pt`` that RLinf's actor and rollout
workers ``load_state_dict`` (strictly) from ``runner.ckpt_path``, so ``train --model_path OUT`` starts PPO
from them and ``play --model_path OUT`` evaluates them, with no conversion. The model is built by RLinf's
``get_model`` from the config's ``actor.model`` and fitted by the MSE of its action mean against the
demonstrated action: ``mlp_policy`` through its own ``sft_forward`` (what RLinf's DAgger uses);
``cnn_policy`` has none, so through :func:`~isaaclab_rlinf.models.cnn_policy.action_mean`, the action its
eval-mode rollout emits, fed the observation dict RLinf's env worker feeds it (uint8 views, ``states``),
so cloning and PPO see the same inputs. The pixel model is built with the run's trainable-encoder switch
(``encoder_config.trainable``) and, with no ``model_path``, a random encoder of ``seed``; frozen
parameters (a frozen encoder's backbone) are not trained. Images stay uint8 on the host, [F, V, H, W, 3]
(view 0 ``main_images``, the rest ``extra_view_images``), and go to ``device`` one batch at a time.

Episodes are split into train and held-out (``holdout`` of them, at least one held out and one trained
on when there are two or more); the held-out action MSE is the open-loop error the closed-loop success
can be judged against. Dropout (the CNN encoders' 0.1) is on while training and off for the MSEs, as in
RLinf's rollout (``model.eval()``).
Batches of 512 frames: on Lift's 256 demonstrations (38400 frames), 4096 gave 1800 steps in 200 epochs and
underfit (train MSE 0.0062, the clone lifted 0/64 on CPU); 512 for 100 epochs, 6800 steps: 0.0039, 8/64.
``logstd`` sets the policy's exploration noise for PPO's first epochs (RLinf starts from -0.5; lower keeps
the rollouts near the cloned behaviour): ``actor_logstd``, a state-independent parameter in both models
(``cnn_policy``'s with ``independent_std``, its PPO default; with a Q head, SAC's, it is a layer of the
features and is left as trained, ``bc.json``'s ``logstd`` then null). The value head stays untrained:
warm it up in PPO (``actor.optim.critic_warmup_epochs``, see the warm-start configs).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

SUPPORTED_MODELS = ("mlp_policy", "cnn_policy")
PIXEL_MODELS = ("cnn_policy",)
"""Models that read camera views (``bc`` decodes the dataset's videos for them)."""
WEIGHTS_FILE = "full_weights.pt"


@dataclass
class BCResult:
    """What a behaviour-cloning run produced (also written as ``bc.json`` beside the weights)."""

    weights: str
    dataset: str
    model_type: str
    episodes: int
    train_frames: int
    heldout_frames: int
    heldout_episodes: list[int]
    epochs: int
    steps: int
    initial_train_mse: float
    train_mse: float
    heldout_mse: float | None
    logstd: float | None
    seconds: float


def behaviour_clone(
    model_cfg: Any,
    states: np.ndarray,
    actions: np.ndarray,
    episodes: np.ndarray,
    out_dir: str | Path,
    images: np.ndarray | None = None,
    epochs: int = 200,
    batch_size: int = 512,
    lr: float = 1e-3,
    logstd: float = -1.5,
    holdout: float = 0.1,
    seed: int = 0,
    device: str = "cpu",
    dataset: str = "",
) -> BCResult:
    """Fit ``model_cfg`` (``actor.model``) to the dataset's rows; write the weights and ``bc.json``.

    ``images``: uint8 [F, V, H, W, 3], a pixel model's views of every row (``load_videos``), else None.
    """
    start = time.perf_counter()
    model_type = str(model_cfg.model_type)
    torch.manual_seed(seed)
    model = _build(model_cfg, seed).to(device)
    train, held = _split(episodes, holdout, seed)
    data = _Data(model_type, states, actions, images, device)
    optim = torch.optim.Adam(
        [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("value_head")], lr=lr
    )
    generator = torch.Generator(device="cpu").manual_seed(seed)
    idx = torch.as_tensor(train)
    initial_mse = _mse(model, data, idx, batch_size)
    model.train()
    steps = 0
    for _ in range(epochs):
        order = idx[torch.randperm(len(idx), generator=generator)]
        for batch in order.split(batch_size):
            loss = data.squared_errors(model, batch).mean()
            optim.zero_grad(set_to_none=True)
            loss.backward()
            optim.step()
            steps += 1
    set_logstd = isinstance(model.actor_logstd, torch.nn.Parameter)
    with torch.no_grad():
        if set_logstd:
            model.actor_logstd.fill_(logstd)
    train_mse = _mse(model, data, idx, batch_size)
    heldout_mse = _mse(model, data, torch.as_tensor(held), batch_size) if len(held) else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / WEIGHTS_FILE
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, weights)
    result = BCResult(
        weights=str(weights),
        dataset=dataset,
        model_type=model_type,
        episodes=int(len(np.unique(episodes))),
        train_frames=int(len(train)),
        heldout_frames=int(len(held)),
        heldout_episodes=sorted(int(e) for e in np.unique(episodes[held])),
        epochs=epochs,
        steps=steps,
        initial_train_mse=round(initial_mse, 6),
        train_mse=round(train_mse, 6),
        heldout_mse=None if heldout_mse is None else round(heldout_mse, 6),
        logstd=logstd if set_logstd else None,
        seconds=round(time.perf_counter() - start, 2),
    )
    (out / "bc.json").write_text(json.dumps(asdict(result), indent=2))
    return result


def _build(model_cfg: Any, seed: int) -> Any:
    """RLinf's model of ``actor.model``; a pixel model with the run's builder and encoder file."""
    if str(model_cfg.model_type) in PIXEL_MODELS:
        from .models.cnn_policy import build_standalone

        return build_standalone(model_cfg, seed=seed)
    from rlinf.models import get_model

    return get_model(model_cfg)


class _Data:
    """The dataset's rows, as the model reads them: float columns on ``device``, views uint8 on the host."""

    def __init__(
        self, model_type: str, states: np.ndarray, actions: np.ndarray, images: np.ndarray | None, device: str
    ):
        if (model_type in PIXEL_MODELS) != (images is not None):
            raise ValueError(f"{model_type}: images are {'missing' if images is None else 'unexpected'}")
        self.model_type, self.device = model_type, device
        self.states = torch.as_tensor(states, device=device)
        self.actions = torch.as_tensor(actions, device=device)
        self.images = None if images is None else torch.from_numpy(images)

    def squared_errors(self, model: Any, rows: torch.Tensor) -> torch.Tensor:
        """[B, A] squared error of the model's action mean on ``rows`` (CPU indices) against the labels."""
        on_device = rows.to(self.device)
        states, target = self.states[on_device], self.actions[on_device]
        if self.images is None:
            return model.sft_forward(data={"states": states, "action": target})
        from .models.cnn_policy import action_mean

        views = self.images[rows].to(self.device)  # one [B, V, H, W, 3] copy per batch
        obs = {"main_images": views[:, 0], "states": states}
        if views.shape[1] > 1:
            obs["extra_view_images"] = views[:, 1:]
        return (action_mean(model, obs) - target).square()


def _mse(model: Any, data: _Data, rows: torch.Tensor, batch_size: int) -> float:
    """Action MSE over ``rows``, in eval mode (no dropout) and batches (images do not fit at once)."""
    model.eval()
    with torch.no_grad():
        total = sum(float(data.squared_errors(model, b).sum()) for b in rows.split(batch_size))
    return total / (len(rows) * data.actions.shape[1])


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

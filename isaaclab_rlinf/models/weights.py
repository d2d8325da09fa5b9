"""Does a RLinf ``full_weights.pt`` fit the configured small policy? Checked before Ray, on CPU.

Why: RLinf's actor and rollout workers ``load_state_dict`` ``runner.ckpt_path`` strictly, inside Ray, on
the GPU, minutes after ``train`` starts; weights of another config (a Reach clone given to the Lift
config, a CNN checkpoint to an MLP config) fail there with a page of missing keys and shape
mismatches. The small policies (``mlp_policy``, ``cnn_policy``) build in a second on CPU, so the keys and
shapes are compared here first: one line naming the file, the model and what differs.
"""

from __future__ import annotations

from typing import Any

from ..rlinf_cfg import ConfigError, select
from .family import ModelFamily

SMALL_POLICIES = ("mlp_policy", "cnn_policy")


def check_weights_fit(cfg: Any) -> None:
    """Raise :class:`ConfigError` when ``runner.ckpt_path`` cannot load into ``actor.model``."""
    ckpt, model_type = select(cfg, "runner.ckpt_path"), select(cfg, "actor.model.model_type")
    if not ckpt or model_type not in SMALL_POLICIES:
        return
    import torch
    from rlinf.models import get_model

    try:
        want = {k: tuple(v.shape) for k, v in get_model(cfg.actor.model).state_dict().items()}
    except Exception:  # a model that needs files or a device to build: RLinf's own load reports it
        return
    try:
        got = {k: tuple(v.shape) for k, v in torch.load(ckpt, map_location="cpu", mmap=True).items()}
    except Exception as exc:
        raise ConfigError(
            f"runner.ckpt_path: {ckpt!r} is not a state dict torch can load ({type(exc).__name__}). "
            "Fix: pass a full_weights.pt written by `train` or `bc`."
        ) from None
    missing, unexpected = sorted(want.keys() - got.keys()), sorted(got.keys() - want.keys())
    shapes = [f"{k} {got[k]} vs {want[k]}" for k in sorted(want.keys() & got.keys()) if got[k] != want[k]]
    if missing or unexpected or shapes:
        parts = [
            f"{len(missing)} missing (e.g. {missing[0]})" if missing else "",
            f"{len(unexpected)} unexpected (e.g. {unexpected[0]})" if unexpected else "",
            f"shapes differ: {', '.join(shapes[:2])}" if shapes else "",
        ]
        raise ConfigError(
            f"runner.ckpt_path: {ckpt!r} does not fit actor.model ({model_type}, obs_dim "
            f"{select(cfg, 'actor.model.obs_dim')}, action_dim {select(cfg, 'actor.model.action_dim')}): "
            f"{'; '.join(p for p in parts if p)}. Fix: pass weights trained with this config "
            "(its task, states and action width)."
        )


MLP_FAMILY = ModelFamily(
    name="mlp_policy", model_types=("mlp_policy",), check=lambda cfg, config_dir=None: check_weights_fit(cfg)
)
"""RLinf's own ``mlp_policy``: nothing to install; its only check before Ray is :func:`check_weights_fit`."""

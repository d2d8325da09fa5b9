"""RLinf's PPO actor (``EmbodiedFSDPActor``) with the garbage collector frozen once it is built, and an
opt-in KL-adaptive learning rate.

Garbage collector: the actor runs ``clear_memory()`` (a full ``gc.collect()``) before receiving each
epoch's trajectories and after training, each walking every object of the process (:mod:`.gc_freeze`).

Adaptive learning rate (``actor.optim.adaptive_lr: {desired_kl: 0.01}``, :class:`AdaptiveLr`): RLinf's PPO
keeps ``actor.optim.lr`` fixed (or on a schedule), while rsl_rl, IsaacLab's reference PPO, adapts it to the
policy's KL divergence from the policy that collected the data (``schedule: adaptive``). With a fixed lr a
config must pick one value for the whole run; the adaptive one rises while updates are timid and falls
when they overshoot, and reaches a success rate in fewer epochs. rsl_rl's rule, per mini-batch before the
optimizer step: the KL measured with the parameters about to be updated; ``lr / 1.5`` when it is above
``2 * desired_kl``, ``lr * 1.5`` when it is positive and below ``desired_kl / 2``, clamped to
``[min_lr, max_lr]`` (1e-5, 1e-2). The KL is RLinf's own ``actor/approx_kl`` of each micro-batch
(``mean(old_logprob - new_logprob)``; with ``logprob_type: action_level`` the log-probs are summed over
the action dimensions first, the scale of rsl_rl's KL), averaged over the mini-batch's micro-batches and
the actor ranks. Only the actor's parameter group(s) change; a critic group (the ``value_head``
parameters, ``actor.optim.value_lr``) keeps its lr. RLinf's lr scheduler, which would put the configured
lr back at the end of each epoch, is overridden: the adapted lr is put back after it (so it is what the
next epoch starts from and what a checkpoint saves), and is picked up from the optimizer again on resume.

The launcher launches this class where RLinf's ``train_embodied_agent.py`` picks ``EmbodiedFSDPActor``
(every loss but ``embodied_sac``, whose actor stays RLinf's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from omegaconf import DictConfig
from rlinf.workers.actor.fsdp_actor_worker import EmbodiedFSDPActor

from ..rlinf_schema import ADAPTIVE_LR_KEY, adaptive_lr_settings
from .first_epoch_log import FirstEpochLog
from .gc_freeze import GcFreezing

__all__ = ["ADAPTIVE_LR_KEY", "AdaptiveLr", "GcFrozenActor"]

APPROX_KL = "actor/approx_kl"  # RLinf's metric of each micro-batch (rlinf.algorithms.losses)


@dataclass(frozen=True)
class AdaptiveLr:
    """rsl_rl's KL-adaptive learning rate (module docstring), with ``actor.optim.adaptive_lr``'s values."""

    desired_kl: float
    min_lr: float = 1e-5
    max_lr: float = 1e-2
    factor: float = 1.5

    @classmethod
    def from_cfg(cls, cfg: DictConfig) -> AdaptiveLr | None:
        """The rule ``cfg`` asks for; None where ``actor.optim.adaptive_lr`` is unset (checked before Ray)."""
        settings = adaptive_lr_settings(cfg)
        return None if settings is None else cls(**settings)

    def next_lr(self, lr: float, kl: float) -> float:
        """The learning rate after a mini-batch whose KL is ``kl``."""
        if kl > 2.0 * self.desired_kl:
            return max(self.min_lr, lr / self.factor)
        if 0.0 < kl < self.desired_kl / 2.0:
            return min(self.max_lr, lr * self.factor)
        return lr


def critic_param_ids(model: torch.nn.Module) -> set[int]:
    """The ids of the value head's parameters: RLinf's ``build_optimizer`` puts exactly these (names with
    ``value_head``) in the critic's group."""
    return {id(p) for name, p in model.named_parameters() if "value_head" in name}


class GcFrozenActor(FirstEpochLog, GcFreezing, EmbodiedFSDPActor):
    """``EmbodiedFSDPActor``; ``gc.freeze()`` after ``init_worker`` and after the first training; the actor's
    lr adapted to the KL per mini-batch where ``actor.optim.adaptive_lr`` is set; its start and first
    epoch's phases logged as they end (:mod:`.first_epoch_log`)."""

    _adaptive_lr: AdaptiveLr | None = None
    _actor_lr: float | None = None  # the adapted lr, once the first mini-batch has been measured
    _minibatch_kls: list[float]

    def init_worker(self) -> None:
        with self._logged_once("init_worker (model, FSDP, optimizer)"):
            super().init_worker()
        self._init_adaptive_lr()
        self._gc_after_init()

    async def sync_model_to_rollout(self) -> None:
        with self._logged_once("sync_model_to_rollout"):
            await super().sync_model_to_rollout()

    async def recv_rollout_trajectories(self, input_channel: Any) -> None:
        with self._logged_once("recv_rollout_trajectories (incl. the wait)"):
            await super().recv_rollout_trajectories(input_channel)

    def _init_adaptive_lr(self) -> None:
        """Read ``actor.optim.adaptive_lr`` (None: RLinf's lr untouched)."""
        self._adaptive_lr = AdaptiveLr.from_cfg(self.cfg)
        self._actor_lr = None
        self._minibatch_kls = []

    def run_training(self, *args: Any, **kwargs: Any) -> Any:
        with self._logged_once("run_training"):
            result = super().run_training(*args, **kwargs)
        self._set_actor_lr()  # RLinf's lr_scheduler.step() put the configured lr back
        self._gc_after_epoch()
        return result

    def train_micro_batch(self, micro_batch: Any, metrics: dict[str, list[float]], *, is_last: bool) -> None:
        super().train_micro_batch(micro_batch, metrics, is_last=is_last)
        if self._adaptive_lr is not None:
            self._minibatch_kls.append(float(metrics[APPROX_KL][-1]))

    def optimizer_step(self) -> tuple[float, list[float]]:
        """Adapt the actor's lr to this mini-batch's KL, then RLinf's step (which reports the lr used)."""
        if self._adaptive_lr is not None and self._minibatch_kls:
            kl = self._mean_over_ranks(sum(self._minibatch_kls) / len(self._minibatch_kls))
            self._minibatch_kls.clear()
            groups = self._actor_groups()
            if groups:  # none during RLinf's critic warm-up
                lr = self._actor_lr if self._actor_lr is not None else float(groups[0]["lr"])
                self._actor_lr = self._adaptive_lr.next_lr(lr, kl)
                self._set_actor_lr()
        return super().optimizer_step()

    def _actor_groups(self) -> list[dict[str, Any]]:
        """The optimizer's parameter groups that hold no value-head parameter."""
        critic = critic_param_ids(self.model)
        return [g for g in self.optimizer.param_groups if not any(id(p) in critic for p in g["params"])]

    def _set_actor_lr(self) -> None:
        if self._actor_lr is not None:
            for group in self._actor_groups():
                group["lr"] = self._actor_lr

    def _mean_over_ranks(self, value: float) -> float:
        """``value`` averaged over the actor ranks, so that every rank steps with the same lr."""
        if not (torch.distributed.is_initialized() and torch.distributed.get_world_size() > 1):
            return value
        tensor = torch.tensor([value], dtype=torch.float64, device=self.device)
        torch.distributed.all_reduce(tensor)
        return float(tensor.item()) / torch.distributed.get_world_size()

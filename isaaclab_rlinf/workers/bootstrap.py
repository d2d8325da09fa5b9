"""The env side sends a chunk's final observations to the policy only where RLinf will use their values.

Why: whenever an episode ended inside a chunk step, RLinf's rollout worker runs a full ``predict`` on the
chunk's final observations, every env's (for pi0.5: 4 denoising steps over 64 envs, 1 s on an H100), to
get their values. ``EnvWorker.compute_bootstrap_rewards`` adds those values to the rewards only of
episodes cut by the time limit (``algorithm.bootstrap_type: standard``, RLinf's default; any end with
another type), and only with ``env.train.auto_reset``. Episodes that end by termination (success or
failure) need none: with a policy that succeeds, most chunk steps end some episode by success, and the
rollout predicts twice a chunk step, half of it for values RLinf discards.

Where no value of a chunk step's final observations would be used, the env side sends ``final_obs: None``
(the rollout's ``get_bootstrap_values`` then returns None, which ``compute_bootstrap_rewards`` reads as no
values: the rewards are RLinf's own). Kept wherever anything else reads them: an external reward model,
or transitions collected for off-policy algorithms.
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

__all__ = ["FinalObsOnlyForValues", "bootstrap_values_used"]


def bootstrap_values_used(cfg: DictConfig, env_output: Any) -> bool:
    """Whether RLinf's ``compute_bootstrap_rewards`` reads the bootstrap values of ``env_output``'s chunk
    step: the same conditions, on the chunk's last step."""
    if not cfg.env.train.auto_reset or env_output.dones is None:
        return False
    standard = cfg.algorithm.get("bootstrap_type", "standard") == "standard"
    ends = env_output.truncations if standard else env_output.dones
    return bool(ends[:, -1].any())


class FinalObsOnlyForValues:
    """Mixin for RLinf's ``EnvWorker`` (before it in the bases): ``final_obs`` only where its values count."""

    def env_interact_step(self, chunk_actions: Any, stage_id: int) -> tuple[Any, dict]:
        env_output, env_info = super().env_interact_step(chunk_actions, stage_id)
        if (
            env_output.final_obs is not None
            and not self.use_external_reward_model
            and not self.collect_transitions
            and not bootstrap_values_used(self.cfg, env_output)
        ):
            env_output.final_obs = None
        return env_output, env_info

"""RLinf's env worker and its rollout worker's policy in one process: no per-step hand-off at all.

Why: every rollout step RLinf's env worker sends the observations to the rollout worker and waits for
its actions, 17-30 ms fixed per step through RLinf's channels even for a few floats, more with images
(``benchmarks/bench_handoff.py``). When the env and the rollout share a device, nothing is gained from
two processes: the policy can run where the observations already are. RLinf 0.3.0 has no such mode (its
"collocated" placement keeps separate worker groups and channels), so :class:`EnvPolicyWorker` builds it
from RLinf's own two classes without editing either:

* It is RLinf's ``EnvWorker`` and ``MultiStepRolloutWorker`` at once (their only shared methods are
  ``__init__``, ``init_worker`` and ``evaluate``, resolved below), launched under
  ``cfg.rollout.group_name`` so that the actor's weight broadcast reaches it and RLinf's own
  ``sync_model_from_actor`` loads the weights, and passed to ``EmbodiedRunner`` as both ``env=`` and
  ``rollout=``.
* The env role's ``send_to`` towards the rollout group keeps the observations in this process; its
  ``recv_from`` then computes the rollout worker's reply in place, exactly as
  ``MultiStepRolloutWorker.generate_one_epoch`` / ``evaluate`` build it (``predict``, bootstrap values,
  ``RolloutResult``), at the moment the rollout worker would (after the epoch's weight sync, also for
  an observation sent ahead by ``runner.overlap_env_bootstrap``).
* The rollout role's ``generate`` is a no-op; ``init_worker`` and ``evaluate``, which the runner calls
  once per role, run once and answer the second call with the first call's result.
* The policy draws its random numbers (action sampling) from its own seeded stream, swapped in around
  each reply (:mod:`.policy_rng`), as if it were its own process: the simulator's resets and the
  policy's samples do not shift each other, and a run gives the trajectories our two-worker path gives
  for the same seed (``tests/test_single_process.py``).

Timings: the runner pops every timer of the process through its env handle, so ``time/env/...`` carries
the policy's ``predict`` too and ``time/rollout/...`` stays empty.

When it applies (:func:`single_process_blocker`): one env and one rollout worker per device, the same
devices, and none of the RLinf features that need the rollout worker to run on its own (decoupled or
pipelined rollouts, a reward model, a DAgger expert, model offload between epochs). The launcher picks
it by default where it applies; ``runner.env_rollout_workers: two_process`` keeps RLinf's two workers
(:mod:`.handoff`). Depends on RLinf 0.3.0's internals named above: pinned, and tested against them.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import torch
from omegaconf import DictConfig
from rlinf.data.embodied_io_struct import RolloutResult
from rlinf.scheduler import Worker
from rlinf.workers.env.env_worker import EnvWorker
from rlinf.workers.rollout.hf.huggingface_worker import MultiStepRolloutWorker

from .bootstrap import FinalObsOnlyForValues
from .first_epoch_log import FirstEpochLog
from .gc_freeze import GcFreezing
from .policy_rng import RngStream, policy_seed

__all__ = ["EnvPolicyWorker", "single_process_blocker"]

_EVAL_TAG = "eval_rollout_results"


def single_process_blocker(cfg: DictConfig, placement: Any) -> str | None:
    """Why the env and the policy cannot share one process for this config, or None when they can.

    ``placement``: RLinf's ``HybridComponentPlacement`` for the config (world sizes, hardware ranks).
    """
    runner, rollout = cfg.runner, cfg.rollout
    reasons = {
        "runner.enable_decoupled_mode": runner.get("enable_decoupled_mode", False),
        "runner.use_training_pipeline": runner.get("use_training_pipeline", False),
        "reward.use_reward_model": (cfg.get("reward", None) or {}).get("use_reward_model", False),
        "rollout.expert_model": rollout.get("expert_model", None),
        "rollout.enable_offload": rollout.get("enable_offload", False),
    }
    for key, value in reasons.items():
        if value:
            return f"{key} is set (needs RLinf's own rollout worker)"
    env_ws, rollout_ws = placement.get_world_size("env"), placement.get_world_size("rollout")
    if env_ws != rollout_ws:
        return f"{env_ws} env workers and {rollout_ws} rollout workers (one of each per device needed)"
    env_hw, rollout_hw = placement.get_hardware_ranks("env"), placement.get_hardware_ranks("rollout")
    if list(env_hw) != list(rollout_hw):
        return f"env on devices {list(env_hw)}, rollout on {list(rollout_hw)} (the same devices needed)"
    return None


@contextlib.contextmanager
def _worker_base_already_initialised() -> Iterator[None]:
    """Run a ``Worker`` subclass's ``__init__`` on an instance whose ``Worker.__init__`` has run already.

    ``MultiStepRolloutWorker.__init__`` starts with ``Worker.__init__(self)``, which registers the
    worker with RLinf's managers and sets up its ports; ``EnvWorker.__init__`` did that for this
    instance. Only this process's class attribute is swapped, for the duration of the call.
    """
    original = vars(Worker)["__init__"]
    Worker.__init__ = lambda self, *args, **kwargs: None
    try:
        yield
    finally:
        Worker.__init__ = original


class EnvPolicyWorker(FirstEpochLog, GcFreezing, FinalObsOnlyForValues, EnvWorker, MultiStepRolloutWorker):
    """RLinf's env worker that answers its own observations with the rollout worker's policy, in place."""

    def __init__(self, cfg: DictConfig) -> None:
        EnvWorker.__init__(self, cfg)
        with _worker_base_already_initialised():
            MultiStepRolloutWorker.__init__(self, cfg)
        self._role_lock = threading.Lock()
        self._initialised = False
        self._eval_result: Any = None
        self._sent: dict[tuple[str, Any], Any] = {}  # (mode, route_key) -> observations sent, not answered
        self._train_replies: dict[Any, int] = defaultdict(int)  # route_key -> replies in this rollout epoch
        self._policy_rng: RngStream | None = None

    # ---------------------------------------------------------------------------------------------
    # the runner's calls, once per role

    def init_worker(self) -> None:
        """The rollout role's init (the policy, its seeded stream), then the env role's (the simulator).

        The runner calls it once per role; the second call returns at once.
        """
        with self._role_lock:
            if self._initialised:
                return
            with self._logged_once("init_worker (the policy)"):
                MultiStepRolloutWorker.init_worker(self)
            self._policy_rng = RngStream(policy_seed(self.cfg, self._rank))
            with self._logged_once("init_worker (the env)"):
                EnvWorker.init_worker(self)
            self._initialised = True
            self._gc_after_init()

    async def interact(self, *args: Any, **kwargs: Any) -> dict[str, torch.Tensor]:
        with self._logged_once("interact (rollout epoch)"):
            metrics = await EnvWorker.interact(self, *args, **kwargs)
        self._gc_after_epoch()
        return metrics

    async def generate(self, input_channel: Any, output_channel: Any) -> None:
        """The rollout role's epoch: nothing to do, ``interact`` computed every reply in place."""

    def evaluate(self, input_channel: Any, rollout_channel: Any = None, output_channel: Any = None) -> Any:
        """The env role's evaluation (replies in place); the runner's second call gets the same metrics.

        The runners call the env role with ``rollout_channel=`` and the rollout role with
        ``output_channel=``: both keyword names are taken. The channels only carry the env <-> rollout
        hand-off, which stays in this process, so either call may be the one that evaluates.
        """
        with self._role_lock:
            if self._eval_result is None:
                self._eval_result = EnvWorker.evaluate(self, input_channel, rollout_channel)
                return self._eval_result
            result, self._eval_result = self._eval_result, None
            return result

    # ---------------------------------------------------------------------------------------------
    # the env <-> rollout hand-off, in place

    def send_to(self, group_name: str, channel: Any, data: Any, **kwargs: Any):
        if group_name != self.cfg.rollout.group_name:
            return super().send_to(group_name, channel, data, **kwargs)
        key = (kwargs.get("mode") or "train", kwargs.get("route_key"))
        if key in self._sent:
            raise RuntimeError(f"EnvPolicyWorker: a second {key} observation before the first was answered")
        self._sent[key] = data
        return None

    def recv_from(self, group_name: str, channel: Any, **kwargs: Any):
        if group_name != self.cfg.rollout.group_name:
            return super().recv_from(group_name, channel, **kwargs)
        mode = "eval" if kwargs.get("tag") == _EVAL_TAG else "train"
        route_key = kwargs.get("route_key")
        # RLinf's merge of the received shards (a copy: the simulator may reuse its buffers)
        env_output = self._merge_obs_batches([self._sent.pop((mode, route_key))])
        with self._policy_rng.active():
            if mode == "eval":
                return self._eval_reply(env_output)
            return self._train_reply(env_output, route_key)

    def _train_reply(self, env_output: dict[str, Any], route_key: Any) -> RolloutResult:
        """``MultiStepRolloutWorker.generate_one_epoch``'s reply: full for each chunk step, then the last.

        Per rollout epoch the env worker asks ``n_train_chunk_steps + 1`` times; the last answer carries
        only actions, values and bootstrap values (as RLinf's rollout worker sends after its loop).
        """
        index = self._train_replies[route_key]
        self._train_replies[route_key] = (index + 1) % (self.n_train_chunk_steps + 1)
        actions, result = self.predict(env_output["obs"])
        prev_values = result["prev_values"] if self.collect_prev_infos else None
        bootstrap_values = self.get_bootstrap_values(env_output.get("final_obs", None))
        if index == self.n_train_chunk_steps:
            return RolloutResult(actions=actions, prev_values=prev_values, bootstrap_values=bootstrap_values)
        return RolloutResult(
            actions=actions,
            prev_logprobs=result["prev_logprobs"] if self.collect_prev_infos else None,
            prev_values=prev_values,
            bootstrap_values=bootstrap_values,
            save_flags=None,  # set by a DAgger expert only, which this worker does not run
            forward_inputs=result["forward_inputs"],
            versions=torch.full_like(result["prev_logprobs"], float(self.version), dtype=torch.float32),
        )

    def _eval_reply(self, env_output: dict[str, Any]) -> Any:
        """``MultiStepRolloutWorker.evaluate``'s reply: the eval-mode actions, on the host."""
        actions, _ = self.predict(env_output["obs"], mode="eval")
        if isinstance(actions, torch.Tensor):
            actions = actions.detach().cpu().contiguous()
        return actions

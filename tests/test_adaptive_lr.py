"""``actor.optim.adaptive_lr``: rsl_rl's KL-adaptive learning rate in our PPO actor, and its config check.

The actor tests run RLinf's own ``train_micro_batch`` (the packaged cartpole MLP policy's forward, RLinf's
PPO loss, backward) and ``optimizer_step`` (gradient clipping, AdamW built by RLinf's ``build_optimizer``)
on the model wrapped as RLinf's actor wraps it (its FSDP wrap policy, no sharding), on CPU. RLinf's worker
set-up (Ray, an accelerator) is skipped: the actor is assembled from those parts, and RLinf's accelerator
module is a CPU test double (``CpuTorchPlatform``). The KL is set by the micro-batch's old log-probs:
RLinf's ``actor/approx_kl`` is ``mean(old - new)``, so old = new + 1 gives a KL of 1.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime

import pytest
import torch
from fixtures.rollout_both_ways import CpuTorchPlatform  # test double: RLinf's accelerator module
from omegaconf import OmegaConf, open_dict

from isaaclab_rlinf.cli import parse_args
from isaaclab_rlinf.cli.config import build_config
from isaaclab_rlinf.rlinf_cfg import ConfigError
from isaaclab_rlinf.rlinf_schema import ADAPTIVE_LR_KEY, adaptive_lr_settings
from isaaclab_rlinf.workers.actor import AdaptiveLr, GcFrozenActor

LR, VALUE_LR = 1e-3, 5e-4
BATCH = 8
RSL_RL = "actor.optim.adaptive_lr={desired_kl: 0.01}"  # rsl_rl's setting for cartpole and Franka Reach


def compose(*overrides: str):
    return build_config(
        parse_args(["train", "--num_envs", "4", *overrides]), now=datetime(2026, 1, 2, 3, 4, 5)
    )


@pytest.fixture
def actor(tmp_path, monkeypatch):
    """Our actor with the packaged cartpole policy, as RLinf's ``setup_model_and_optimizer`` builds it."""
    import torch.distributed as dist
    from rlinf.hybrid_engines.fsdp.strategy.base import FSDPStrategyBase
    from rlinf.hybrid_engines.fsdp.utils import get_fsdp_wrap_policy
    from rlinf.models import get_model
    from rlinf.scheduler import Worker
    from rlinf.utils.logging import get_logger
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    from torch.distributed.fsdp import ShardingStrategy

    monkeypatch.setattr(Worker, "torch_platform", CpuTorchPlatform())
    monkeypatch.setattr(Worker, "torch_device_type", "cpu")
    monkeypatch.setenv("LOCAL_RANK", "0")
    cfg = compose(f"actor.optim.lr={LR}", f"actor.optim.value_lr={VALUE_LR}", RSL_RL)
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'pg'}", rank=0, world_size=1)
    torch.manual_seed(0)
    worker = object.__new__(GcFrozenActor)
    worker.cfg, worker._cfg, worker._logger = cfg, cfg.actor, get_logger()
    worker.optimizer_steps, worker.critic_warmup_steps, worker.store_requires_grad_param_name = 0, 0, []
    worker.amp_context, worker.device, worker.gradient_accumulation = nullcontext(), "cpu", 1
    worker.enable_sft_co_train = False
    worker._strategy = FSDPStrategyBase.create(cfg.actor, 1, None, worker._logger)
    module = get_model(cfg.actor.model)
    with torch.no_grad():  # a batch of the policy's own actions (forward_inputs), sampled before wrapping
        _, worker.samples = module.predict_action_batch(
            {"states": torch.randn(BATCH, cfg.actor.model.obs_dim)},
            calculate_logprobs=True,
            calculate_values=True,
        )
    worker.model = FSDP(
        module,
        auto_wrap_policy=get_fsdp_wrap_policy(module, cfg.actor.fsdp_config, model_type="mlp_policy"),
        use_orig_params=False,
        sharding_strategy=ShardingStrategy.NO_SHARD,
        device_id=torch.device("cpu"),
    )
    worker.optimizer = worker.build_optimizer(model=worker.model)
    worker.grad_scaler = worker.build_grad_scaler(False)
    worker._init_adaptive_lr()
    yield worker
    dist.destroy_process_group()


def micro_batch(actor, kl: float) -> dict:
    """The policy's own samples (``actor.samples``); old log-probs exceed the current ones by ``kl``."""
    samples = actor.samples
    with torch.no_grad():
        out = actor.model(
            forward_inputs=samples["forward_inputs"], compute_logprobs=True, compute_values=True
        )
    return {
        "advantages": torch.linspace(-1, 1, BATCH).reshape(BATCH, 1),
        "returns": torch.zeros(BATCH, 1),
        "prev_values": samples["prev_values"].reshape(BATCH, 1).float(),
        "prev_logprobs": out["logprobs"].float() + kl,
        "forward_inputs": samples["forward_inputs"],
    }


def update(actor, kl: float) -> list[float]:
    """One PPO mini-batch of one micro-batch, as RLinf's ``run_training`` runs it; the step's lrs."""
    metrics: dict[str, list[float]] = {}
    actor.optimizer.zero_grad()
    actor.train_micro_batch(micro_batch(actor, kl), metrics, is_last=True)
    _, lrs = actor.optimizer_step()
    return lrs


def test_a_large_kl_divides_the_actors_lr_by_one_and_a_half(actor):
    assert update(actor, kl=1.0) == [LR / 1.5, VALUE_LR]


def test_a_tiny_kl_multiplies_the_actors_lr_by_one_and_a_half(actor):
    assert update(actor, kl=0.001) == [LR * 1.5, VALUE_LR]


def test_a_kl_near_the_target_keeps_the_lr_and_the_next_step_starts_from_the_adapted_one(actor):
    assert update(actor, kl=0.01) == [LR, VALUE_LR]
    update(actor, kl=1.0)
    assert update(actor, kl=1.0) == [LR / 1.5 / 1.5, VALUE_LR]


def test_without_the_key_rlinfs_lr_is_left_alone(actor):
    actor._adaptive_lr = None
    assert update(actor, kl=1.0) == [LR, VALUE_LR]


def test_the_lr_is_clamped_to_rsl_rls_range():
    rule = AdaptiveLr(desired_kl=0.01)
    assert rule.next_lr(1e-2, kl=0.001) == 1e-2
    assert rule.next_lr(1e-5, kl=1.0) == 1e-5
    # RLinf's estimate can be negative: no change (rsl_rl's rule needs kl > 0)
    assert rule.next_lr(1e-3, kl=-0.001) == 1e-3


# --------------------------------------------------------------------------------------------------
# the config check (before Ray)


def test_the_packaged_configs_keep_the_fixed_lr_their_gpu_runs_measured_until_this_one_is():
    for name in ("isaaclab_ppo_mlp_cartpole_camera", "isaaclab_ppo_mlp_franka_reach"):
        assert adaptive_lr_settings(compose("--config_name", name)) is None
        rsl_rl = {"desired_kl": 0.01, "min_lr": 1e-5, "max_lr": 1e-2}
        assert adaptive_lr_settings(compose("--config_name", name, RSL_RL)) == rsl_rl


def test_null_turns_it_off_and_other_values_are_read():
    assert adaptive_lr_settings(compose(RSL_RL, f"{ADAPTIVE_LR_KEY}=null")) is None
    cfg = compose(f"{ADAPTIVE_LR_KEY}={{desired_kl: 0.02, max_lr: 0.005}}")
    assert adaptive_lr_settings(cfg) == {"desired_kl": 0.02, "min_lr": 1e-5, "max_lr": 0.005}


@pytest.mark.parametrize(
    "value, message",
    [
        (
            {"desired_kl": 0},
            "actor.optim.adaptive_lr.desired_kl: must be a number > 0 (got 0). Fix: "
            "actor.optim.adaptive_lr={desired_kl: 0.01} (optional min_lr, max_lr), "
            "or drop it for RLinf's fixed lr.",
        ),
        ({"desired_kl": "0.01"}, "actor.optim.adaptive_lr.desired_kl: must be a number > 0 (got '0.01')."),
        (
            {"desired_kl": 0.01, "kl": 1},
            "actor.optim.adaptive_lr.kl: unknown (known: desired_kl, min_lr, max_lr).",
        ),
        ({"min_lr": 1e-4}, "actor.optim.adaptive_lr: desired_kl is missing."),
        (0.01, "actor.optim.adaptive_lr: must be a mapping (got 0.01)."),
        (
            {"desired_kl": 0.01, "min_lr": 1e-2, "max_lr": 1e-3},
            "actor.optim.adaptive_lr: min_lr 0.01 must be < max_lr 0.001.",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key_and_the_fix(value, message):
    cfg = compose()
    with open_dict(cfg):
        OmegaConf.update(cfg, ADAPTIVE_LR_KEY, value, merge=False)
    with pytest.raises(ConfigError) as err:
        adaptive_lr_settings(cfg)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_an_lr_schedule_that_would_fight_it_is_refused():
    cfg = compose(RSL_RL, "+actor.optim.lr_scheduler=cosine")
    with pytest.raises(ConfigError, match="lr_scheduler='cosine'.*would fight it"):
        adaptive_lr_settings(cfg)


def test_preflight_rejects_a_bad_value_before_ray():
    from isaaclab_rlinf.preflight import preflight

    with pytest.raises(ConfigError, match="adaptive_lr.desired_kl: must be a number > 0"):
        preflight(compose(f"{ADAPTIVE_LR_KEY}={{desired_kl: -1}}"))

"""The CNN policy bridge: RLinf's real ``cnn_policy`` with our random encoder file and trainable switch.

The PPO test collects observations from the real task (kitless IsaacLab on CPU, through our env class,
built as RLinf's EnvWorker builds it), runs RLinf's real ``CNNPolicy`` and its real GAE and PPO loss
functions (``rlinf.algorithms.registry``), and one AdamW step over the trainable parameters, as RLinf's
FSDP actor builds it. Nothing of rlinf, isaaclab or torch is replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from isaaclab_rlinf.models import cnn_policy
from isaaclab_rlinf.models.cnn_policy import (
    build_cnn_policy,
    check_config,
    provide_encoder_weights,
    write_random_encoder,
)

PACKAGED = Path(cnn_policy.__file__).parents[1] / "tasks" / "franka" / "isaaclab_ppo_cnn_franka_reach.yaml"

# The PPO test reads the real task through the packaged pixel config's mapping (front + wrist views,
# proprioception without the target), at a CPU-sized camera resolution.
TASK_ID = "Isaac-RLinf-Franka-Reach-Camera-v0"
STATE_DIM, ACTION_DIM, RESOLUTION = 21, 7, 64
NUM_ENVS, STEPS = 4, 4


def model_cfg(model_path: Path, trainable: bool | None):
    """An ``actor.model`` node (DictConfig) for the CNN policy on the test task's two views."""
    encoder = {"ckpt_name": "resnet10_random.pt"}
    if trainable is not None:
        encoder["trainable"] = trainable
    cfg = {
        "model_type": "cnn_policy",
        "model_path": str(model_path),
        "precision": "32",
        "image_size": [3, RESOLUTION, RESOLUTION],
        "image_num": 2,
        "state_dim": STATE_DIM,
        "action_dim": ACTION_DIM,
        "num_action_chunks": 1,
        "backbone": "resnet",
        "encoder_config": encoder,
        "add_value_head": True,
        "is_lora": False,
    }
    return OmegaConf.create(cfg)


def backbone_state(model) -> dict[str, torch.Tensor]:
    return {
        f"{i}.{k}": v.detach().clone()
        for i, enc in enumerate(model.encoders)
        for k, v in enc.resnet_backbone.state_dict().items()
    }


# --------------------------------------------------------------------------------------------------
# the encoder file


def test_the_random_encoder_file_is_what_rlinfs_cnn_policy_loads(tmp_path):
    from rlinf.models import get_model

    path = write_random_encoder(tmp_path / "resnet10_random.pt", seed=3)
    model = get_model(model_cfg(tmp_path, trainable=None))  # RLinf's own builder and loader

    saved = torch.load(path)
    for encoder in model.encoders:
        loaded = encoder.resnet_backbone.state_dict()
        assert loaded.keys() == saved.keys()
        assert all(torch.equal(loaded[k], saved[k]) for k in saved)


def test_the_random_encoder_is_seeded_and_leaves_the_global_rng_alone(tmp_path):
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    a = torch.load(write_random_encoder(tmp_path / "a.pt", seed=5))
    assert torch.equal(torch.rand(3), expected_next)
    b = torch.load(write_random_encoder(tmp_path / "b.pt", seed=5))
    c = torch.load(write_random_encoder(tmp_path / "c.pt", seed=6))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["conv1.weight"], c["conv1.weight"])


def test_an_empty_model_path_gets_a_random_encoder_in_the_run_directory(tmp_path):
    cfg = OmegaConf.load(PACKAGED)
    path = provide_encoder_weights(cfg, tmp_path / "run")

    assert path == (tmp_path / "run" / "cnn_encoder" / "resnet10_random.pt").resolve()
    assert path.is_file()
    assert cfg.actor.model.model_path == str(path.parent)
    assert cfg.rollout.model.model_path == str(path.parent)  # through its interpolation


def test_a_model_path_that_is_set_is_left_alone(tmp_path):
    cfg = OmegaConf.load(PACKAGED)
    cfg.actor.model.model_path = str(tmp_path)
    assert provide_encoder_weights(cfg, tmp_path / "run") is None
    assert not (tmp_path / "run").exists()


# --------------------------------------------------------------------------------------------------
# the builder and the switch


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("encoder")
    write_random_encoder(path / "resnet10_random.pt")
    return path


def test_without_the_switch_the_builder_gives_rlinfs_frozen_encoder(encoder_dir):
    model = build_cnn_policy(model_cfg(encoder_dir, trainable=None))
    assert all(enc.use_pretrain for enc in model.encoders)
    assert not any(p.requires_grad for enc in model.encoders for p in enc.resnet_backbone.parameters())


def test_trainable_unfreezes_every_backbone(encoder_dir):
    model = build_cnn_policy(model_cfg(encoder_dir, trainable=True))
    assert not any(enc.use_pretrain for enc in model.encoders)
    assert all(p.requires_grad for p in model.parameters())


def test_under_rlinfs_fsdp_wrapping_an_optimizer_step_moves_the_backbone_only_when_trainable(
    encoder_dir, tmp_path
):
    """RLinf's actor wraps the model with FSDP (its cnn_policy wrap policy, ``use_orig_params: False``,
    no sharding, as the packaged config): the ResNet10 backbones become flat parameters of their own."""
    import torch.distributed as dist
    from rlinf.hybrid_engines.fsdp.utils import get_fsdp_wrap_policy
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    from torch.distributed.fsdp import ShardingStrategy

    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'pg'}", rank=0, world_size=1)
    try:
        moved = {}
        for trainable in (True, False):
            model = build_cnn_policy(model_cfg(encoder_dir, trainable=trainable))
            policy = get_fsdp_wrap_policy(
                model, OmegaConf.create({"use_orig_params": False}), model_type="cnn_policy"
            )
            fsdp = FSDP(
                model,
                auto_wrap_policy=policy,
                use_orig_params=False,
                sharding_strategy=ShardingStrategy.NO_SHARD,
                device_id=torch.device("cpu"),
            )
            before = {n: p.detach().clone() for n, p in fsdp.named_parameters()}
            optimizer = torch.optim.AdamW([p for p in fsdp.parameters() if p.requires_grad], lr=1e-3)
            inputs = {
                "main_images": torch.randint(0, 255, (8, RESOLUTION, RESOLUTION, 3), dtype=torch.uint8),
                "extra_view_images": torch.randint(
                    0, 255, (8, 1, RESOLUTION, RESOLUTION, 3), dtype=torch.uint8
                ),
                "states": torch.randn(8, STATE_DIM),
                "action": torch.randn(8, ACTION_DIM),
            }
            out = fsdp(
                forward_inputs=inputs, compute_logprobs=True, compute_entropy=False, compute_values=True
            )
            (out["logprobs"].mean() + out["values"].mean()).backward()
            optimizer.step()
            moved[trainable] = {n for n, p in fsdp.named_parameters() if not torch.equal(before[n], p)}
    finally:
        dist.destroy_process_group()
    backbones = {n for n in before if "resnet_backbone" in n}
    assert len(backbones) == 2  # one flat parameter per view's backbone
    assert moved[True] == set(before)
    assert moved[False] == set(before) - backbones


def test_install_makes_rlinf_build_cnn_policy_with_our_builder(encoder_dir):
    from rlinf.models import _MODEL_REGISTRY, get_model

    cnn_policy.install()
    assert _MODEL_REGISTRY["cnn_policy"] is build_cnn_policy
    model = get_model(model_cfg(encoder_dir, trainable=True))
    assert all(p.requires_grad for p in model.encoders[0].resnet_backbone.parameters())


def test_workers_install_the_builder_only_for_a_cnn_policy_config(tmp_path, monkeypatch):
    from isaaclab_rlinf.models.families import install_from_env

    cnn = tmp_path / "cnn.yaml"
    OmegaConf.save(OmegaConf.create({"actor": {"model": {"model_type": "cnn_policy"}}}), cnn)
    mlp = tmp_path / "mlp.yaml"
    OmegaConf.save(OmegaConf.create({"actor": {"model": {"model_type": "mlp_policy"}}}), mlp)

    monkeypatch.setenv("RLINF_CONFIG_FILE", str(mlp))
    assert install_from_env() == []  # RLinf's mlp_policy: nothing of ours to install
    monkeypatch.setenv("RLINF_CONFIG_FILE", str(cnn))
    assert install_from_env() == ["cnn_policy"]


def test_rlinfs_worker_hook_installs_the_builder_for_the_packaged_config(monkeypatch):
    """What every Ray worker runs at start: RLinf imports RLINF_EXT_MODULE and calls its register()."""
    from rlinf.models import _MODEL_REGISTRY
    from rlinf.scheduler.cluster.utils import load_user_extension_module

    monkeypatch.setattr(cnn_policy, "_installed", False)  # as in a fresh worker process
    monkeypatch.setitem(_MODEL_REGISTRY, "cnn_policy", "RLinf's builder")
    monkeypatch.setenv("RLINF_EXT_MODULE", "isaaclab_rlinf")
    monkeypatch.setenv("RLINF_CONFIG_FILE", str(PACKAGED))
    load_user_extension_module()
    assert _MODEL_REGISTRY["cnn_policy"] is build_cnn_policy


# --------------------------------------------------------------------------------------------------
# driver checks: one line naming the key, the value and the fix


def test_the_packaged_config_passes_the_checks():
    check_config(OmegaConf.load(PACKAGED))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("actor.model.num_action_chunks", 4, "actor.model.num_action_chunks: cnn_policy supports only 1"),
        ("actor.model.action_scale", [-1, 1], "actor.model.action_scale: must be unset for PPO"),
        ("actor.model.image_num", 1, "actor.model.image_num: must be 1 + the 1 extra_view_images"),
        ("actor.model.image_size", [3, 96, 96], "actor.model.image_size: [3, 96, 96] does not match"),
        ("actor.model.image_size", [96, 96, 3], "actor.model.image_size: must be [3, H, W]"),
        ("actor.model.encoder_config.trainable", "yes", "actor.model.encoder_config.trainable: must be true"),
        ("actor.model.model_path", "/nonexistent", "actor.model.model_path: '/nonexistent' has no encoder"),
    ],
)
def test_a_bad_value_is_named_with_its_fix(key, value, message):
    cfg = OmegaConf.load(PACKAGED)
    OmegaConf.update(cfg, key, value, force_add=True)
    with pytest.raises(ValueError) as err:
        check_config(cfg)
    assert str(err.value).startswith(message)
    assert "Fix:" in str(err.value) and "\n" not in str(err.value)


def test_the_launcher_stops_a_bad_value_before_ray_with_the_same_line():
    from isaaclab_rlinf.cli.config import compose
    from isaaclab_rlinf.launcher import ConfigError, preflight

    cfg = compose(PACKAGED.parent, PACKAGED.stem, ["actor.model.num_action_chunks=4"])
    with pytest.raises(ConfigError, match=r"^actor\.model\.num_action_chunks: cnn_policy supports only 1"):
        preflight(cfg, PACKAGED.parent)


# --------------------------------------------------------------------------------------------------
# one PPO update on observations from the real task


@pytest.fixture(scope="module")
def rollout():
    """``STEPS`` steps of ``NUM_ENVS`` envs of the real task: (env observations, rewards, dones), with
    one more observation than steps (GAE bootstraps from it)."""
    from isaaclab_rlinf.rollout import build_env, env_config

    block = OmegaConf.to_container(OmegaConf.load(PACKAGED).env.train.isaaclab)
    cfg = env_config(block, TASK_ID, max_episode_steps=120, seed=7, in_process=True)
    cfg.init_params.env_cfg = {"camera_resolution": RESOLUTION}
    env = build_env(cfg, NUM_ENVS)
    try:
        obs, _ = env.reset()
        generator = torch.Generator().manual_seed(0)
        observations, rewards, dones = [obs], [], []
        for _ in range(STEPS):
            actions = torch.rand(NUM_ENVS, 1, ACTION_DIM, generator=generator) * 2 - 1
            obs_list, reward, terminated, truncated, _ = env.chunk_step(actions)
            observations.append(obs_list[-1])
            rewards.append(reward)
            dones.append(terminated | truncated)
    finally:
        env.close()
    assert observations[0]["states"].shape == (NUM_ENVS, STATE_DIM)  # no target_pos among them
    return observations, rewards, dones


def ppo_update(model, rollout) -> None:
    """Rollout with ``predict_action_batch``, RLinf's GAE, one PPO loss and AdamW step, as RLinf does."""
    from rlinf.algorithms.registry import calculate_adv_and_returns, policy_loss

    observations, rewards, dones = rollout
    torch.manual_seed(0)
    steps = []
    for obs in observations:
        env_obs = {k: obs[k] for k in ("main_images", "extra_view_images", "states")}
        _, result = model.predict_action_batch(env_obs)
        steps.append(result)
    values = torch.stack([s["prev_values"] for s in steps])  # [T+1, N, 1]
    adv = calculate_adv_and_returns(
        task_type="embodied",
        adv_type="gae",
        rewards=torch.stack(rewards),  # [T, N, 1]
        dones=torch.cat([torch.zeros(1, NUM_ENVS, 1, dtype=torch.bool), torch.stack(dones)]),
        values=values,
        gamma=0.99,
        gae_lambda=0.95,
        group_size=1,
        reward_type="action_level",
        loss_mask=None,
        loss_mask_sum=None,
    )

    def flat(x: torch.Tensor) -> torch.Tensor:  # [T, N, ...] -> [T*N, ...], as RLinf's actor batches
        return x.reshape(STEPS * NUM_ENVS, *x.shape[2:])

    inputs = steps[0]["forward_inputs"]
    forward_inputs = {k: flat(torch.stack([s["forward_inputs"][k] for s in steps[:STEPS]])) for k in inputs}
    assert forward_inputs["main_images"].dtype == torch.uint8
    assert forward_inputs["extra_view_images"].shape == (STEPS * NUM_ENVS, 1, RESOLUTION, RESOLUTION, 3)

    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    output = model(
        forward_inputs=forward_inputs, compute_logprobs=True, compute_entropy=False, compute_values=True
    )
    loss, _ = policy_loss(
        loss_type="actor_critic",
        logprob_type="action_level",
        reward_type="action_level",
        single_action_dim=ACTION_DIM,
        logprobs=output["logprobs"],
        values=output["values"],
        old_logprobs=flat(torch.stack([s["prev_logprobs"] for s in steps[:STEPS]])),
        advantages=flat(adv["advantages"]),
        returns=flat(adv["returns"]),
        prev_values=flat(values[:STEPS]),
        clip_ratio_high=0.2,
        clip_ratio_low=0.2,
        value_clip=1.0,
        huber_delta=10.0,
        loss_mask=None,
        loss_mask_sum=None,
        max_episode_steps=120,
        task_type="embodied",
        critic_warmup=False,
    )
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


@pytest.mark.sim
def test_one_ppo_update_changes_the_encoder_only_when_trainable(encoder_dir, rollout):
    changed = {}
    heads = {}
    for trainable in (True, False):
        torch.manual_seed(0)
        model = build_cnn_policy(model_cfg(encoder_dir, trainable=trainable))
        before, head_before = backbone_state(model), model.actor_mean.weight.detach().clone()
        ppo_update(model, rollout)
        after = backbone_state(model)
        changed[trainable] = {k for k in before if not torch.equal(before[k], after[k])}
        heads[trainable] = not torch.equal(head_before, model.actor_mean.weight)

    assert heads == {True: True, False: True}  # the update happened in both cases
    assert changed[False] == set()
    # every backbone parameter the forward pass uses moved (ResNet10's unused classifier `fc` did not)
    used = {k for k in backbone_state(model) if not k.split(".", 1)[1].startswith("fc.")}
    assert changed[True] == used

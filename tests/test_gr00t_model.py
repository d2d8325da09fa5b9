"""The real GR00T N1.5 (random weights, depth cut, widths real) through our bridge and RLinf's own code.

One tiny random checkpoint is written once for this module by our ``gr00t-init`` code for the embedded camera
cartpole's packaged GR00T config; RLinf's real ``get_model`` builds it through our builder (our data
config, ``new_embodiment`` -> 31); real observations come from the kitless task through
``IsaacLabGenericEnv``. Nothing is a test double. Skipped, with the reason, only when ``gr00t`` is
not installed (``make install-gr00t``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import GR00T_MARKS, ppo_loss

import isaaclab_rlinf
from isaaclab_rlinf.models import gr00t as bridge
from isaaclab_rlinf.models.gr00t import checkpoint
from isaaclab_rlinf.spec import MappingError, MappingSpec

pytestmark = GR00T_MARKS

YAML = Path(isaaclab_rlinf.__file__).parent / "tasks/cartpole_camera/isaaclab_ppo_gr00t_cartpole_camera.yaml"
NUM_ENVS, CHUNK = 2, 4


def packaged_cfg(model_path: str | None = None):
    cfg = bridge.load_config_file(YAML)
    if model_path is not None:
        cfg.actor.model.model_path = str(model_path)
    cfg.actor.model.num_action_chunks = CHUNK
    return cfg


def train_spec(cfg) -> MappingSpec:
    return MappingSpec.from_config(cfg.env.train.isaaclab, path="env.train.isaaclab")


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A tiny random N1.5 for the cartpole mapping, written once for this module by our gr00t-init code."""
    cfg = packaged_cfg()
    out = tmp_path_factory.mktemp("gr00t_tiny")
    return checkpoint.write_random_checkpoint(
        out,
        train_spec(cfg),
        action_widths={"action.cart": 1},
        video_resolution={"video.front": (96, 96), "video.side": (96, 96)},
        tiny=True,
    )


@pytest.fixture(scope="module")
def model(tiny_checkpoint):
    """RLinf's own ``get_model`` on the packaged config's actor model, with our bridge installed."""
    from rlinf.models import get_model

    cfg = packaged_cfg(tiny_checkpoint)
    bridge.install(cfg)
    model = get_model(cfg.actor.model)
    return model.float()  # CPU: bf16 matmuls are slow here; the numbers do not matter, the path does


@pytest.fixture(scope="module")
def env():
    from isaaclab_rlinf.rollout import build_env, env_config

    cfg = packaged_cfg()
    block = dict(cfg.env.train.isaaclab)
    env = build_env(env_config(block, cfg.env.train.init_params.id, seed=3, in_process=True), NUM_ENVS)
    yield env
    env.close()


def test_checkpoint_holds_the_mappings_keys_widths_and_resolution(tiny_checkpoint):
    meta = json.loads((tiny_checkpoint / "experiment_cfg/metadata.json").read_text())["new_embodiment"]
    mods = meta["modalities"]
    assert {k: v["resolution"] for k, v in mods["video"].items()} == {"front": [96, 96], "side": [96, 96]}
    assert {k: v["shape"] for k, v in mods["state"].items()} == {"cart_pole": [4]}
    assert {k: v["shape"] for k, v in mods["action"].items()} == {"cart": [1]}
    assert meta["statistics"]["state"]["cart_pole"]["q99"] == [1.0] * 4
    config = json.loads((tiny_checkpoint / "config.json").read_text())
    assert config["backbone_cfg"]["select_layer"] == 2  # depth cut ...
    assert config["action_head_cfg"]["backbone_embedding_dim"] == 2048  # ... widths kept
    checkpoint.check_checkpoint(
        tiny_checkpoint,
        train_spec(packaged_cfg()),
        action_dim=1,
        video_shapes={"video.front": (2, 96, 96, 3), "video.side": (2, 96, 96, 3)},
    )


def test_rlinf_get_model_builds_n15_with_our_data_config_and_embodiment_id_31(model):
    from rlinf.models.embodiment.gr00t.gr00t_n1d5.gr00t_action_model import GR00T_N1_5_ForRLActionPrediction

    assert type(model) is GR00T_N1_5_ForRLActionPrediction
    assert model.valid_action_dim == 1 and model.image_nums == 2
    assert model.embodiment_tag.value == "new_embodiment"
    gr00t_transform = model._modality_transform.transforms[-1]
    assert gr00t_transform.get_embodiment_tag() == 31  # RLinf alone would give 10
    # sdpa everywhere: flash-attn is not installed here
    from transformers import PretrainedConfig

    configs = [m.config for m in model.modules() if isinstance(getattr(m, "config", None), PretrainedConfig)]
    attn = {c._attn_implementation for c in configs if c.model_type in ("siglip_vision_model", "qwen3")}
    assert attn == {"sdpa"}


def test_env_observations_through_gr00t_to_env_actions(model, env):
    obs, _ = env.reset()
    actions, result = model.predict_action_batch(env_obs=obs, mode="train")

    # the policy's action (actor.model.action_dim 1): the env adds the passive pole joint's zero pad
    assert actions.shape == (NUM_ENVS, CHUNK, 1) and actions.dtype == torch.float32
    assert torch.isfinite(actions).all() and actions.abs().sum() > 0
    inputs = result["forward_inputs"]
    assert torch.all(inputs["embodiment_id"] == 31)  # the id the model's projectors actually used
    assert result["prev_logprobs"].shape[0] == NUM_ENVS and result["prev_values"].shape == (NUM_ENVS, 1)

    obs_list, reward, terminated, truncated, _ = env.chunk_step(actions)
    assert reward.shape == (NUM_ENVS, CHUNK) and torch.isfinite(reward).all()
    last = obs_list[-1]  # RLinf's env worker reads the chunk's last observation
    assert last["main_images"].shape == (NUM_ENVS, 96, 96, 3)
    assert last["states"][:, 2].abs().sum() > 0  # the cart moved under GR00T's effort (joint_vel[0])


def test_actor_forward_backward_gives_finite_loss_and_action_head_gradients(model, env):
    """RLinf's FSDP actor's micro-batch step (fsdp_actor_worker: model(...) then policy_loss(...))."""
    cfg = packaged_cfg()
    obs, _ = env.reset()
    with torch.no_grad():
        _, result = model.predict_action_batch(env_obs=obs, mode="train")
    model.train()
    model.zero_grad(set_to_none=True)
    out = model(
        forward_inputs=result["forward_inputs"],
        compute_logprobs=True,
        compute_entropy=False,
        compute_values=True,
        use_cache=False,
        prev_logprobs=result["prev_logprobs"],
    )
    loss, _ = ppo_loss(cfg, out, out["prev_logprobs"], result["prev_values"])
    loss.backward()
    model.eval()

    assert torch.isfinite(loss)
    grads = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    head = [g for n, g in grads.items() if n.startswith("action_head.")]
    assert head and all(torch.isfinite(g).all() for g in head)
    assert sum(g.abs().sum() for g in head) > 0
    assert [n for n in grads if n.startswith("backbone.")] == []  # tune_visual/tune_llm False: frozen


def test_a_checkpoint_for_another_camera_size_is_one_line_naming_the_key(tiny_checkpoint):
    with pytest.raises(MappingError, match=r"video \(video\.front\).*\[96, 96\].*\[224, 224\]") as err:
        checkpoint.check_checkpoint(
            tiny_checkpoint,
            train_spec(packaged_cfg()),
            video_shapes={"video.front": (1, 224, 224, 3)},
        )
    assert "\n" not in str(err.value)
    with pytest.raises(MappingError, match=r"actor\.model\.action_dim.*1.*7"):
        checkpoint.check_checkpoint(tiny_checkpoint, train_spec(packaged_cfg()), action_dim=7)
    np.testing.assert_equal(checkpoint.NEUTRAL_STATS["std"], 1.0)


def test_the_launchers_task_check_stops_a_checkpoint_for_another_camera_size(tiny_checkpoint, tmp_path):
    """The live check before Ray (``inspection.check_tasks``, in a fresh process as the launcher runs it:
    this session already holds a simulator): 96 px cameras, a checkpoint declaring 224 px."""
    import shutil
    import subprocess
    import sys
    import textwrap

    (tmp_path / "experiment_cfg").mkdir()
    shutil.copy(tiny_checkpoint / "config.json", tmp_path / "config.json")  # the metadata is all it reads
    meta = json.loads((tiny_checkpoint / "experiment_cfg/metadata.json").read_text())
    meta["new_embodiment"]["modalities"]["video"]["side"]["resolution"] = [224, 224]
    (tmp_path / "experiment_cfg/metadata.json").write_text(json.dumps(meta))
    code = textwrap.dedent(
        f"""
        from isaaclab_rlinf.inspection import check_tasks
        from isaaclab_rlinf.models import gr00t
        from isaaclab_rlinf.spec import MappingError, MappingSpec
        cfg = gr00t.load_config_file({str(YAML)!r})
        cfg.actor.model.model_path = {str(tmp_path)!r}
        gr00t.install(cfg)
        try:
            check_tasks(cfg, {{"train": MappingSpec.from_config(cfg.env.train.isaaclab)}}, device="cpu")
        except MappingError as exc:
            print("MAPPING ERROR:", exc)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("MAPPING ERROR:")), proc.stderr[-2000:])
    assert "gr00t_mapping.video (video.side): camera resolution" in line
    assert "checkpoint has [224, 224], the mapping gives [96, 96]" in line

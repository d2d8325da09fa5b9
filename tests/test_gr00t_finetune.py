"""``isaaclab-rlinf gr00t-finetune``: GR00T's own trainer on a recording, then RL's loader on the result.

Two expert episodes of the embedded Franka Reach task are recorded through the packaged GR00T states
config; a tiny random N1.5 (our gr00t-init code: depth cut, widths real) is fine-tuned two steps on CPU
by GR00T's real ``TrainRunner``; the written ``model_path`` is loaded by RLinf's own ``get_model``
through our bridge and steps the live task. Nothing is a test double. Skipped, with the reason, only
when ``gr00t`` is not installed (``make install-gr00t``).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from helpers import GR00T_MARKS, record_two_episodes

import isaaclab_rlinf
from isaaclab_rlinf.cli import main
from isaaclab_rlinf.models import gr00t as bridge
from isaaclab_rlinf.models.gr00t import checkpoint
from isaaclab_rlinf.spec import MappingSpec

pytestmark = GR00T_MARKS

FRANKA = Path(isaaclab_rlinf.__file__).parent / "tasks/franka"
STATES = str(FRANKA / "isaaclab_ppo_gr00t_franka_reach_states.yaml")
NUM_ENVS, CHUNK, STEPS = 2, 4, 2
TAG_ID, RLINF_TAG_ID = 31, 10  # new_embodiment: the config's id for N1.5, and RLinf's own


def states_cfg(model_path: str | Path | None = None):
    cfg = bridge.load_config_file(STATES)
    if model_path is not None:
        cfg.actor.model.model_path = str(model_path)
    cfg.actor.model.num_action_chunks = CHUNK
    return cfg


def finetune_argv(dataset: Path, base: Path, out: Path, config: str = STATES) -> list[str]:
    return [
        "gr00t-finetune",
        "--config_name",
        config,
        "--dataset",
        str(dataset),
        "--model_path",
        str(base),
        "--out",
        str(out),
        "--max_steps",
        str(STEPS),
        "--batch_size",
        "2",
        "--warmup_ratio",
        "0",
        "--device",
        "cpu",
        "--log_every",
        "1",
    ]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """Two expert episodes through the states config's mapping (front + wrist at 224 px, 12 states)."""
    return record_two_episodes(STATES, tmp_path_factory.mktemp("ft") / "demos")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A tiny random N1.5 for the states mapping, written by our gr00t-init code."""
    cfg = states_cfg()
    return checkpoint.write_random_checkpoint(
        tmp_path_factory.mktemp("gr00t_base"),
        MappingSpec.from_config(cfg.env.train.isaaclab, path="env.train.isaaclab"),
        action_widths={"action.arm": 7},
        video_resolution={"video.front": (224, 224), "video.wrist": (224, 224)},
        tiny=True,
    )


@pytest.fixture(scope="module")
def finetuned(dataset, base, tmp_path_factory) -> tuple[Path, str]:
    """``gr00t-finetune`` two steps on CPU, the open-loop error measured on the same recording as held-out
    (what is counted is under test, not the error); returns the out dir and what it printed."""
    out = tmp_path_factory.mktemp("ft_out") / "model"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main([*finetune_argv(dataset, base, out), "--eval_dataset", str(dataset)]) == 0
    return out, printed.getvalue()


def _tensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(path / "model.safetensors")


def test_metadata_holds_the_datasets_statistics_and_the_mappings_keys(finetuned, dataset):
    out, _ = finetuned
    meta = json.loads((out / "experiment_cfg/metadata.json").read_text())
    assert list(meta) == ["new_embodiment"]
    entry = meta["new_embodiment"]
    stats = json.loads((dataset / "meta/stats.json").read_text())
    modality = json.loads((dataset / "meta/modality.json").read_text())
    for part in ("state", "action"):
        want = {
            key: {name: values[m["start"] : m["end"]] for name, values in stats[m["original_key"]].items()}
            for key, m in modality[part].items()
        }
        assert entry["statistics"][part] == want
    mods = entry["modalities"]
    assert {k: v["shape"] for k, v in mods["state"].items()} == {"arm": [7], "gripper": [2], "target": [3]}
    assert {k: v["shape"] for k, v in mods["action"].items()} == {"arm": [7]}
    assert {k: v["resolution"] for k, v in mods["video"].items()} == {
        "front": [224, 224],
        "wrist": [224, 224],
    }


def test_out_dir_is_a_model_path_the_checks_before_ray_accept(finetuned, base):
    out, _ = finetuned
    cfg = states_cfg(out)
    bridge.check_model_path(cfg)  # what train/play run before Ray: keys, widths, action_dim
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "gr00t_n1_5" and config["torch_dtype"] == "bfloat16"
    # a tiny base's depth travels with it (our loader applies it)
    assert (out / checkpoint.OVERRIDES_FILE).read_text() == (base / checkpoint.OVERRIDES_FILE).read_text()


def test_summary_json_and_output_report_the_steps_and_final_loss(finetuned, dataset):
    out, printed = finetuned
    summary = json.loads((out / "gr00t_finetune.json").read_text())
    assert summary["steps"] == STEPS and len(summary["losses"]) == STEPS
    assert summary["final_loss"] == summary["losses"][-1] and np.isfinite(summary["losses"]).all()
    info = json.loads((dataset / "meta/info.json").read_text())
    assert (summary["episodes"], summary["frames"]) == (2, info["total_frames"])
    assert summary["seconds"] > 0
    lines = printed.splitlines()
    assert [line.split(" loss ")[0] for line in lines if "/2 loss" in line] == [
        "gr00t-finetune: step 1/2",
        "gr00t-finetune: step 2/2",
    ]
    assert (
        f"gr00t-finetune: 2 steps in {summary['seconds']} s, final loss {summary['final_loss']:.4f}"
        in printed
    )


def test_the_open_loop_error_counts_one_chunk_per_16_steps_of_every_episode(finetuned, dataset):
    out, printed = finetuned
    summary = json.loads((out / "gr00t_finetune.json").read_text())
    lengths = [
        json.loads(line)["length"] for line in (dataset / "meta/episodes.jsonl").read_text().splitlines()
    ]
    chunks = sum(-(-n // 16) for n in lengths)  # the data config's 16 action_indices
    for name in ("heldout", "train"):
        ol = summary[f"open_loop_{name}"]
        assert (ol["dataset"], ol["episodes"], ol["predictions"]) == (str(dataset), 2, chunks)
        assert 0 < ol["first_action_mse"] < np.inf and 0 < ol["chunk_mse"] < np.inf
        assert (
            f"gr00t-finetune: open-loop action MSE on 2 {name} episodes ({chunks} chunks): "
            f"chunk {ol['chunk_mse']:.5f}, first action {ol['first_action_mse']:.5f}"
        ) in printed


def test_only_the_action_head_is_trained_and_only_the_configs_embodiment_row(finetuned, base):
    before, after = _tensors(base), _tensors(finetuned[0])
    backbone = [k for k in before if k.startswith("backbone.")]
    assert backbone and all(torch.equal(before[k], after[k]) for k in backbone)  # LLM + vision frozen
    # the per-embodiment state projector: the config's id 31 learnt, RLinf's id 10 for the same tag did not
    w = "action_head.state_encoder.layer1.W"
    assert not torch.equal(before[w][TAG_ID], after[w][TAG_ID])
    assert torch.equal(before[w][RLINF_TAG_ID], after[w][RLINF_TAG_ID])
    assert not torch.equal(
        before["action_head.model.proj_out_2.weight"], after["action_head.model.proj_out_2.weight"]
    )


@pytest.fixture(scope="module")
def policy(finetuned):
    """RLinf's own ``get_model`` on the fine-tuned model_path, with our bridge installed."""
    from rlinf.models import get_model

    cfg = states_cfg(finetuned[0])
    bridge.install(cfg)
    return get_model(cfg.actor.model).float()  # CPU: bf16 matmuls are slow here


def test_rlinf_loads_it_and_denormalises_with_the_datasets_action_statistics(policy, dataset):
    stats = json.loads((dataset / "meta/stats.json").read_text())["action"]
    action_transform = policy._modality_transform.transforms[5]  # StateActionTransform of the action keys
    normalizer = action_transform._normalizers["action.arm"]
    np.testing.assert_allclose(normalizer.statistics["min"].numpy(), stats["min"], rtol=1e-6)
    np.testing.assert_allclose(normalizer.statistics["max"].numpy(), stats["max"], rtol=1e-6)


def test_the_finetuned_policy_steps_the_live_task(policy):
    from isaaclab_rlinf.rollout import build_env

    env = build_env(states_cfg().env.train, NUM_ENVS)  # what RLinf's env worker gets: 224 px cameras
    try:
        obs, _ = env.reset()
        actions, result = policy.predict_action_batch(env_obs=obs, mode="eval")
        assert actions.shape == (NUM_ENVS, CHUNK, 7) and torch.isfinite(actions).all()
        assert torch.all(result["forward_inputs"]["embodiment_id"] == TAG_ID)
        obs_list, reward, *_ = env.chunk_step(actions)
        assert reward.shape == (NUM_ENVS, CHUNK) and torch.isfinite(reward).all()
        assert obs_list[-1]["states"].shape == (NUM_ENVS, 12)
        assert not torch.equal(obs_list[-1]["states"][:, :7], obs["states"][:, :7])  # the arm moved
    finally:
        env.close()


def _gr00t_dataset(dataset: Path, training: bool) -> Any:
    """GR00T's ``LeRobotSingleDataset`` over the recording with the states data config: raw frames, or
    (``training``) samples through its training transforms."""
    from gr00t.data.dataset import LeRobotSingleDataset
    from gr00t.data.embodiment_tags import EmbodimentTag

    from isaaclab_rlinf.models.gr00t.finetune import VIDEO_BACKEND
    from isaaclab_rlinf.models.gr00t.loader import load_data_config

    data_config = load_data_config(states_cfg().env.train.isaaclab.data_config_class)
    return LeRobotSingleDataset(
        str(dataset),
        data_config.modality_config(),
        transforms=data_config.transform() if training else None,
        embodiment_tag=EmbodimentTag("new_embodiment"),
        video_backend=VIDEO_BACKEND,
    )


def _gr00t_own_action(policy, obs: dict, seed: int, pad_to: int | None = None) -> np.ndarray:
    """GR00T's own inference on the policy's weights: its transforms (the fine-tuned metadata),
    ``GR00T_N1_5.get_action``, ``unapply``; float inputs rounded to bf16 as RLinf feeds them (GR00T's
    trainer computes in bf16 on a GPU); ``pad_to``: the prompt padded as RLinf's ``predict_action_batch``
    pads it (to ``rl_head_config.padding_value``, mask 0)."""
    from gr00t.model.gr00t_n1 import GR00T_N1_5

    transforms = policy._modality_transform
    with torch.inference_mode():
        x = transforms(dict(obs))
        x = {
            k: v.to(torch.bfloat16).float() if torch.is_tensor(v) and v.is_floating_point() else v
            for k, v in x.items()
        }
        if pad_to is not None:
            for key in ("eagle_input_ids", "eagle_attention_mask"):
                x[key] = torch.nn.functional.pad(x[key], (0, pad_to - x[key].shape[-1]), value=0)
        torch.manual_seed(seed)
        pred = GR00T_N1_5.get_action(policy, x)["action_pred"].float()
    return np.asarray(transforms.unapply({"action": pred})["action.arm"])[0]


@pytest.fixture(scope="module")
def recorded_frame(dataset, policy) -> tuple[dict, dict]:
    """Step 30 of episode 0 as GR00T's dataset class reads it (float32 states, as our converters give
    them), and the observation RLinf's env worker would hand the policy for it (views, states, task)."""
    from isaaclab_rlinf.models.gr00t.open_loop import observation_batch

    raw = _gr00t_dataset(dataset, training=False)
    frame = {
        k: v.astype(np.float32) if k.startswith("state.") else v for k, v in raw.get_step_data(0, 30).items()
    }
    gr00t_obs = observation_batch(frame)  # as open_loop_mse feeds GR00T
    env_obs = {
        "main_images": torch.from_numpy(frame["video.front"]),  # [1, 224, 224, 3]
        "extra_view_images": torch.from_numpy(frame["video.wrist"])[:, None],  # [1, 1, 224, 224, 3]
        "states": torch.from_numpy(
            np.concatenate([frame[k] for k in ("state.arm", "state.gripper", "state.target")], -1)
        ),
        "task_descriptions": list(frame["annotation.human.task_description"]),
    }
    return gr00t_obs, env_obs


def _ours(policy, env_obs: dict, seed: int) -> np.ndarray:
    torch.manual_seed(seed)
    actions, _ = policy.predict_action_batch(env_obs=dict(env_obs), mode="eval")  # it rewrites states
    return actions[0].numpy()


def test_through_the_bridge_the_policy_acts_as_gr00ts_own_inference_on_the_same_frame(policy, recorded_frame):
    """The bridge (our converters, state layout, normalisation, de-normalisation, chunk, embodiment id) and
    RLinf's eval-mode sampler give GR00T's own action for the same frame and initial noise, once the prompt
    is padded as RLinf pads it."""
    gr00t_obs, env_obs = recorded_frame
    padding = policy.padding_value  # rl_head_config.padding_value
    own = _gr00t_own_action(policy, gr00t_obs, seed=3, pad_to=padding)
    ours = _ours(policy, env_obs, seed=3)
    assert ours.shape == (CHUNK, 7)
    np.testing.assert_allclose(ours, own[:CHUNK], atol=1e-3)


def _training_prompt_length(dataset: Path) -> int:
    """The prompt of a sample as GR00T's trainer gets it: its dataset class with the training transforms,
    batched by the trainer's collator (which tokenizes)."""
    from gr00t.model.transforms import DefaultDataCollator

    sample = _gr00t_dataset(dataset, training=True)[0]
    return int(DefaultDataCollator()([sample])["eagle_input_ids"].shape[-1])


def test_with_padding_value_at_the_prompts_length_rlinf_feeds_gr00t_exactly_what_it_trained_on(
    policy, recorded_frame, dataset
):
    """RLinf pads the prompt to ``padding_value`` (850) and GR00T's action head attends to the pad tokens
    (no mask), which GR00T's own inference does not have; at the prompt's own length nothing is padded."""
    gr00t_obs, env_obs = recorded_frame
    length = policy._modality_transform(dict(gr00t_obs))["eagle_input_ids"].shape[-1]
    assert length == 2 * 256 + 41  # two views of 256 image tokens, the instruction's template
    assert length == _training_prompt_length(dataset)  # what the fine-tuning fed GR00T
    own = _gr00t_own_action(policy, gr00t_obs, seed=3)
    padded = policy.padding_value
    try:
        policy.padding_value = length  # what rl_head_config.padding_value sets
        ours = _ours(policy, env_obs, seed=3)
    finally:
        policy.padding_value = padded
    np.testing.assert_allclose(ours, own[:CHUNK], atol=1e-3)


# ------------------------------------------------------------------------------------------------
# bad input: exit 2, one line naming the key, the value and the fix; nothing written


@pytest.mark.sim
def test_the_live_check_measures_the_prompt_in_a_process_of_its_own_as_with_a_gpu(finetuned, monkeypatch):
    """With a GPU the launcher's task check runs in a spawned process, where nothing of the driver's
    GR00T set-up (import stand-ins, embodiment tags) exists: the prompt is measured there too."""
    from isaaclab_rlinf.cli import parse_args
    from isaaclab_rlinf.cli.config import build_config
    from isaaclab_rlinf.launcher import finish_task_check, start_task_check
    from isaaclab_rlinf.preflight import ConfigError, preflight

    argv = ["train", "--config_name", STATES, "--model_path", str(finetuned[0])]
    cfg = build_config(parse_args([*argv, "actor.model.rl_head_config.padding_value=400"]))
    specs = preflight(cfg)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # what makes the launcher spawn it
    job = start_task_check(cfg, specs)
    monkeypatch.undo()
    assert job is not None
    with pytest.raises(ConfigError, match=r"padding_value: 400 is below the prompt's 553 tokens"):
        finish_task_check(job)


@pytest.mark.sim
def test_a_padding_value_that_would_cut_the_prompt_is_one_line_from_the_live_check(finetuned, capsys):
    key = "actor.model.rl_head_config.padding_value"
    argv = ["train", "--config_name", STATES, "--model_path", str(finetuned[0]), f"{key}=400"]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"isaaclab-rlinf train: error: {key}: 400 is below the prompt's 553 tokens (256 per camera view + "
        f"the instruction); RLinf pads the prompt to it and would cut it. Fix: {key}=553."
    )


def _refused(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_non_empty_out_is_refused_and_left_alone(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    line = _refused(
        capsys, finetune_argv(tmp_path / "no_dataset", tmp_path / "no_base", out)
    )  # checked first
    assert f"--out: {str(out)!r} exists and is not an empty directory; nothing was written" in line
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_a_config_whose_model_is_not_gr00t_is_refused(tmp_path, capsys):
    mlp = str(FRANKA / "isaaclab_ppo_mlp_franka_reach.yaml")
    argv = finetune_argv(tmp_path / "no_dataset", tmp_path / "no_base", tmp_path / "out", config=mlp)
    line = _refused(capsys, argv)
    assert "actor.model.model_type: 'mlp_policy'; gr00t-finetune trains GR00T N1.5" in line
    assert "Fix: pick a GR00T config, or `isaaclab-rlinf bc`" in line
    assert not (tmp_path / "out").exists()


def test_a_dataset_of_another_mapping_is_refused(tmp_path, capsys, dataset, base):
    nine_states = str(FRANKA / "isaaclab_ppo_gr00t_franka_reach.yaml")  # arm + gripper, no target
    line = _refused(capsys, finetune_argv(dataset, base, tmp_path / "out", config=nine_states))
    assert f"--dataset {str(dataset)!r} does not match the config's env.train.isaaclab" in line
    assert "state width 12 (the mapping's states: 9)" in line
    assert "Fix: record it with this config" in line
    assert not (tmp_path / "out").exists()


def test_a_dataset_with_the_state_keys_sliced_elsewhere_is_refused(tmp_path, capsys, dataset, base):
    moved = tmp_path / "moved"
    shutil.copytree(dataset, moved)
    modality = json.loads((moved / "meta/modality.json").read_text())
    modality["state"]["arm"].update(start=5, end=12)
    modality["state"]["target"].update(start=0, end=3)
    (moved / "meta/modality.json").write_text(json.dumps(modality))
    line = _refused(capsys, finetune_argv(moved, base, tmp_path / "out"))
    assert (
        "modality.json state.arm is [5, 12) of observation.state (the mapping's: [0, 7) of observation.state)"
        in line
    )
    assert "modality.json state.target is [0, 3) of observation.state (the mapping's: [9, 12)" in line
    assert not (tmp_path / "out").exists()


def test_a_base_model_path_that_is_not_gr00t_is_refused(tmp_path, capsys, dataset):
    other = tmp_path / "llama"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"model_type": "llama"}))
    line = _refused(capsys, finetune_argv(dataset, other, tmp_path / "out"))
    assert (
        f"--model_path: {str(other)!r} is a 'llama' model, not GR00T N1.5 ('gr00t_n1_5' in config.json)"
        in line
    )
    assert "Fix: pass a GR00T N1.5 model directory (`isaaclab-rlinf gr00t-init --out DIR`" in line
    assert not (tmp_path / "out").exists()

"""pi0 and pi0.5 (openpi, RLinf's ``model_type: openpi``) on the Franka Reach task, on CPU.

Real openpi and RLinf code, tiny random models (``openpi-init --tiny``: every width and depth cut).
openpi has its own venv: ``make test-openpi`` (``.venv-openpi/bin/python -m pytest tests/test_openpi.py``);
in the main venv this module is skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip(
    "openpi.models_pytorch.pi0_pytorch", reason="openpi lives in .venv-openpi: make test-openpi"
)

import torch  # noqa: E402
from helpers import ppo_loss  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

import isaaclab_rlinf  # noqa: E402
from isaaclab_rlinf.cli import main, parse_args  # noqa: E402
from isaaclab_rlinf.cli.config import build_config  # noqa: E402
from isaaclab_rlinf.models import openpi  # noqa: E402

pytestmark = [pytest.mark.openpi, pytest.mark.sim]

TASK_DIR = Path(isaaclab_rlinf.__file__).parent / "tasks/franka"
YAML = TASK_DIR / "isaaclab_ppo_openpi_pi05_franka_reach.yaml"
CONFIGS = {"pi0": TASK_DIR / "isaaclab_ppo_openpi_pi0_franka_reach.yaml", "pi05": YAML}
NUM_ENVS, CHUNK = 2, 3
VARIANTS = {"pi0": "pi0_isaaclab_rlinf", "pi05": "pi05_isaaclab_rlinf"}


def packaged_cfg(variant: str, model_path: Path | None = None):
    """The variant's packaged config as ``train`` composes it (pi0's composes pi0.5's)."""
    cfg = build_config(parse_args(["train", "--config_name", str(CONFIGS[variant])]))
    cfg.actor.model.num_action_chunks = CHUNK
    cfg.actor.model.num_steps = 2
    if model_path is not None:
        cfg.actor.model.model_path = str(model_path)
    return cfg


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def model_paths(tmp_path_factory) -> dict[str, Path]:
    """``isaaclab-rlinf openpi-init --tiny`` for the packaged config, pi0 and pi0.5: task norm stats,
    stand-in tokenizer. Both before the ``env`` fixture: each reads the task (one sim per process)."""
    paths = {}
    for name in VARIANTS:
        out = tmp_path_factory.mktemp(f"{name}_tiny")
        argv = ["openpi-init", "--config_name", str(CONFIGS[name]), "--out", str(out), "--tiny"]
        assert main(argv) == 0
        paths[name] = out
    return paths


@pytest.fixture(scope="module")
def model_path(variant, model_paths) -> Path:
    return model_paths[variant]


@pytest.fixture(scope="module")
def model(variant, model_path):
    """RLinf's own ``get_model`` on the config's actor model, with our openpi builder installed."""
    from rlinf.models import get_model

    cfg = packaged_cfg(variant, model_path)
    assert openpi.install(cfg)
    return get_model(cfg.actor.model).float()  # CPU: bf16 matmuls are slow here; the path matters


@pytest.fixture(scope="module")
def env():
    from isaaclab_rlinf.rollout import build_env, env_config

    cfg = packaged_cfg("pi05")
    block = OmegaConf.to_container(cfg.env.train.isaaclab, resolve=True)
    env_cfg = env_config(block, cfg.env.train.init_params.id, seed=3, in_process=True)
    env_cfg.init_params.env_cfg = {"camera_resolution": 224}
    env = build_env(env_cfg, NUM_ENVS)
    yield env
    env.close()


def test_openpi_init_writes_weights_task_norm_stats_and_a_stand_in_tokenizer(model_path):
    assert (model_path / "model.safetensors").is_file()
    stats = json.loads((model_path / "isaaclab_rlinf/norm_stats.json").read_text())["norm_stats"]
    state = stats["state"]
    assert {k: len(v) for k, v in state.items()} == {"mean": 9, "std": 9, "q01": 9, "q99": 9}  # 7 joints + 2
    assert state["mean"][3] < -1.0  # the Franka's elbow rests near -2.5 rad: observed, not neutral
    assert all(q99 > q01 for q01, q99 in zip(state["q01"], state["q99"], strict=True))  # openpi divides by it
    assert len(stats["actions"]["mean"]) == 7
    marker = json.loads((model_path / "isaaclab_rlinf.json").read_text())
    assert marker["tokenizer"] == "stand-in" and marker["tiny"]["vocab_size"] == 512
    assert (model_path / "openpi_data_home/big_vision/paligemma_tokenizer.model").is_file()


def test_rlinf_builds_a_tiny_model_with_our_data_transform(model, variant):
    from rlinf.models.embodiment.openpi.openpi_action_model import OpenPi0ForRLActionPrediction

    from isaaclab_rlinf.models.openpi.transforms import IsaacLabRlinfInputs, IsaacLabRlinfOutputs

    assert type(model) is OpenPi0ForRLActionPrediction
    assert model.config.pi05 is (variant == "pi05") and model.config.config_name == VARIANTS[variant]
    assert model.config.value_after_vlm is (variant == "pi05")  # pi0's critic reads the action expert
    assert sum(p.numel() for p in model.parameters()) < 1_000_000
    ins = [t for t in model._input_transform.transforms if isinstance(t, IsaacLabRlinfInputs)]
    outs = [t for t in model._output_transform.transforms if isinstance(t, IsaacLabRlinfOutputs)]
    assert len(ins) == 1 and outs == [IsaacLabRlinfOutputs(action_dim=7, gripper_sign_column=None)]


def test_task_observations_through_pi_to_env_steps(model, env):
    obs, _ = env.reset()
    assert "wrist_images" not in obs  # our env maps the wrist camera to extra_view_images
    actions, result = model.predict_action_batch(env_obs=obs, mode="train")

    # 7 joint targets per step (the env adds the gripper's zero pad); no sign snapping of joint 7
    assert actions.shape == (NUM_ENVS, CHUNK, 7) and torch.isfinite(actions).all()
    assert not torch.all(actions[..., 6].abs() == 1)
    assert result["prev_values"].shape == (NUM_ENVS, 1)
    assert result["forward_inputs"]["observation/extra_view_image"].shape == (NUM_ENVS, 1, 224, 224, 3)

    obs_list, reward, terminated, truncated, _ = env.chunk_step(actions.float())
    assert reward.shape == (NUM_ENVS, CHUNK) and torch.isfinite(reward).all()
    assert obs_list[-1]["states"].shape == (NUM_ENVS, 9)


def test_one_ppo_step_moves_the_trainable_parameters(model, env, variant):
    """RLinf's FSDP actor's micro-batch (model(...), then policy_loss) and an optimizer step."""
    cfg = packaged_cfg(variant)
    obs, _ = env.reset()
    with torch.no_grad():
        _, result = model.predict_action_batch(env_obs=obs, mode="train")
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    before = {n: p.detach().clone() for n, p in trainable.items()}
    optimizer = torch.optim.AdamW(trainable.values(), lr=1e-3)
    model.train()
    out = model(forward_inputs=result["forward_inputs"], compute_logprobs=True, compute_values=True)
    loss, _ = ppo_loss(cfg, out, result["prev_logprobs"], result["prev_values"])
    loss.backward()
    optimizer.step()
    model.eval()

    assert torch.isfinite(loss)
    moved = [n for n, p in trainable.items() if not torch.equal(p.detach(), before[n])]
    assert any(n.startswith("value_head.") for n in moved)
    assert any("gemma_expert" in n or n.startswith("action_out_proj") for n in moved)  # the policy itself
    frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
    assert any("vision_tower" in n for n in frozen)  # train_expert_only: the VLM stays as it was


def _built(cfg, skip_allowed: bool, monkeypatch):
    """RLinf's ``get_model`` for ``cfg`` through our builder; ``skip_allowed=False`` keeps the init."""
    from rlinf.models import get_model

    from isaaclab_rlinf.models.openpi import loader

    with monkeypatch.context() as m:
        if not skip_allowed:
            m.setattr(loader, "_init_skipped_if_covered", lambda cfg, tiny: contextlib.nullcontext())
        return get_model(cfg.actor.model)


def test_a_checkpoint_holding_every_tensor_builds_without_the_random_init_to_the_same_model(
    variant, model_path, monkeypatch, caplog
):
    cfg = packaged_cfg(variant, model_path)
    openpi.install(cfg)
    with caplog.at_level("INFO", logger="isaaclab_rlinf.models.openpi.loader"):
        fast = _built(cfg, True, monkeypatch)
    assert "built without the random init" in caplog.text
    reference = _built(cfg, False, monkeypatch)
    # every parameter and buffer (the computed, non-persistent ones too) as the full build has them
    for kind in ("named_parameters", "named_buffers"):
        got, want = dict(getattr(fast, kind)()), dict(getattr(reference, kind)())
        assert got.keys() == want.keys()
        assert all(torch.equal(got[k], want[k]) for k in want), kind


def _rewritten(src: Path, dst: Path, change) -> Path:
    """A copy of the model_path ``src`` whose weights are ``change(weights)``."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(src, dst)
    save_file(change(load_file(str(src / "model.safetensors"))), str(dst / "model.safetensors"))
    return dst


def test_a_checkpoint_lacking_a_tensor_keeps_the_random_init_and_says_which(
    model_paths, tmp_path, monkeypatch, caplog
):
    """RLinf loads with ``strict=False``: a skipped init would leave the lacking tensor uninitialised."""
    lacking = []

    def drop_value_head(weights):
        lacking.extend(sorted(k for k in weights if k.startswith("value_head.")))
        return {k: v for k, v in weights.items() if k not in lacking}

    cfg = packaged_cfg("pi05", _rewritten(model_paths["pi05"], tmp_path / "m", drop_value_head))
    assert lacking
    openpi.install(cfg)
    with caplog.at_level("INFO", logger="isaaclab_rlinf.models.openpi.loader"):
        _built(cfg, True, monkeypatch)
    assert f"random init kept, the checkpoint lacks {len(lacking)} tensors ({lacking[0]}, ...)" in caplog.text
    assert "built without the random init" not in caplog.text


def test_pi0_weights_under_the_pi05_config_stop_train_before_ray_with_one_line(model_paths):
    """RLinf's ``strict=False`` load would leave pi0.5's tensors that pi0 lacks at their random init."""
    path = model_paths["pi0"]
    proc = _cli("train", "--config_name", str(YAML), "--model_path", str(path))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1] == (
        f"isaaclab-rlinf train: error: actor.model.model_path: '{path}' lacks 10 tensor(s) of the model "
        "actor.model.openpi.config_name 'pi05_isaaclab_rlinf' builds (e.g. paligemma_with_expert."
        "gemma_expert.model.layers.0.input_layernorm.dense.bias); RLinf loads with strict=False and would "
        "leave them at their random init. Fix: the model_path of a 'pi05_isaaclab_rlinf' model "
        "(isaaclab-rlinf openpi-init --config_name <this config> --out DIR writes one), or "
        "actor.model.openpi.config_name of the checkpoint's model."
    )


def test_a_checkpoint_lacking_only_the_value_head_passes_the_weights_check(model_paths, tmp_path):
    """A base or SFT checkpoint has no value head: PPO trains RLinf's from its init."""
    from isaaclab_rlinf.models.openpi.weights import check_weights

    def drop_value_head(weights):
        return {k: v for k, v in weights.items() if not k.startswith("value_head.")}

    check_weights(packaged_cfg("pi05", _rewritten(model_paths["pi05"], tmp_path / "m", drop_value_head)))


def test_a_tensor_of_another_shape_is_named_with_both_shapes_before_ray(model_paths, tmp_path):
    from isaaclab_rlinf.models.openpi.weights import check_weights
    from isaaclab_rlinf.rlinf_cfg import ConfigError

    def widen(weights):
        weights["action_out_proj.bias"] = torch.zeros(33)
        return weights

    path = _rewritten(model_paths["pi05"], tmp_path / "m", widen)
    with pytest.raises(ConfigError) as err:
        check_weights(packaged_cfg("pi05", path))
    assert str(err.value) == (
        f"actor.model.model_path: '{path}' stores 1 tensor(s) with another shape than the model "
        "actor.model.openpi.config_name 'pi05_isaaclab_rlinf' builds (e.g. action_out_proj.bias: stored "
        "[33], the model's [32]); RLinf's load would fail in a worker. Fix: the model_path of a "
        "'pi05_isaaclab_rlinf' model (isaaclab-rlinf openpi-init --config_name <this config> --out DIR "
        "writes one), or actor.model.openpi.config_name of the checkpoint's model."
    )


def test_a_model_whose_coverage_cannot_be_measured_is_built_with_the_random_init(
    model_paths, monkeypatch, caplog
):
    from isaaclab_rlinf.models import init_skip

    def meta_build_fails(build, stored):
        raise NotImplementedError("Cannot copy out of meta tensor")

    monkeypatch.setattr(init_skip, "compare", meta_build_fails)
    cfg = packaged_cfg("pi05", model_paths["pi05"])
    openpi.install(cfg)
    with caplog.at_level("INFO", logger="isaaclab_rlinf.models.openpi.loader"):
        model = _built(cfg, True, monkeypatch)
    assert "random init kept, the checkpoint's coverage was not measurable: Cannot copy" in caplog.text
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_outputs_keep_the_policys_columns_and_sign_only_a_named_gripper():
    from isaaclab_rlinf.models.openpi.transforms import IsaacLabRlinfOutputs

    actions = np.linspace(-0.9, 0.9, 32 * 2).reshape(2, 32)
    assert np.array_equal(IsaacLabRlinfOutputs(action_dim=7)({"actions": actions})["actions"], actions[:, :7])
    signed = IsaacLabRlinfOutputs(action_dim=7, gripper_sign_column=6)({"actions": actions})["actions"]
    assert np.array_equal(signed[:, 6], np.sign(actions[:, 6])) and np.array_equal(
        signed[:, :6], actions[:, :6]
    )


def _cli(*argv: str) -> subprocess.CompletedProcess:
    """``isaaclab-rlinf ARGV`` in a process of its own (each builds the simulator)."""
    return subprocess.run([sys.executable, "-m", "isaaclab_rlinf", *argv], capture_output=True, text=True)


def test_the_model_alone_benchmark_times_rlinfs_predict_on_the_tasks_observations(model_paths, tmp_path):
    script = Path(__file__).resolve().parent.parent / "benchmarks/model_alone.py"
    out = tmp_path / "alone.json"
    argv = ["--config_name", str(YAML), "--model_path", str(model_paths["pi05"]), "--device", "cpu"]
    argv += ["--calls", "2", "--json", str(out), "env.train.total_num_envs=2"]
    proc = subprocess.run([sys.executable, str(script), *argv], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(out.read_text())
    assert (got["model_type"], got["num_envs"], got["action_chunk"]) == ("openpi", 2, 5)
    assert len(got["predict_s"]) == 2 and got["predict_median_s"] > 0
    assert got["env_steps_per_s"] == pytest.approx(2 * 5 / got["predict_median_s"], rel=5e-3)  # both rounded
    assert got["env_first_chunk_step_s"] > 0 and got["env_chunk_step_s"] > 0  # the predicted chunk stepped


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    """Two expert Reach episodes recorded for the pi0.5 config's mapping (cameras at 64 px: cheap, and
    the norm stats read only states and actions)."""
    out = tmp_path_factory.mktemp("recording") / "reach"
    small = "env.train.init_params.env_cfg.camera_resolution=64"
    argv = ["record", "--config_name", str(YAML), "--num_envs", "2", "--num_episodes", "2", "--no_progress"]
    proc = _cli(*argv, "--out", str(out), small)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_openpi_init_takes_the_norm_stats_from_a_recording_of_the_mapping(recording, tmp_path):
    from isaaclab_rlinf.dataset import load_arrays
    from isaaclab_rlinf.models.openpi.norm_stats import stats_from_samples

    out = tmp_path / "pi05"
    proc = _cli(
        "openpi-init", "--config_name", str(YAML), "--out", str(out), "--tiny", "--dataset", str(recording)
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"norm stats from {recording}" in proc.stdout
    stats = json.loads((out / "isaaclab_rlinf/norm_stats.json").read_text())["norm_stats"]
    states, actions, _ = load_arrays(recording)
    assert states.shape[1] == 9 and actions.shape[1] == 7
    assert stats == {"state": stats_from_samples(states), "actions": stats_from_samples(actions)}


def test_openpi_init_refuses_a_recording_of_another_mapping_in_one_line_writing_nothing(recording, tmp_path):
    out = tmp_path / "pi05"
    seven = "env.train.isaaclab.states=[{key:arm_joint_pos}]"  # the recording has 9: joints + gripper
    argv = [
        "openpi-init",
        "--config_name",
        str(YAML),
        "--out",
        str(out),
        "--tiny",
        "--dataset",
        str(recording),
    ]
    proc = _cli(*argv, seven)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f"isaaclab-rlinf openpi-init: error: --dataset {str(recording)!r} does not match the config's "
        "env.train.isaaclab and actor.model.action_dim: state width 9 (the mapping's states: 7); "
        "modality.json state.states is [0, 9) of observation.state (the mapping's: [0, 7) of "
        "observation.state). Fix: record it with this config (`isaaclab-rlinf record --config_name ...`)."
    )
    assert not out.exists()


def test_a_max_token_len_below_the_tasks_longest_prompt_is_one_line_from_the_live_check(model_paths):
    """pi0.5 with the state in its prompt: 9 discretised values at their longest, counted with the
    model_path's tokenizer (openpi-init's stand-in) against max_token_len, before Ray."""
    from isaaclab_rlinf.models.openpi.prompt import longest_prompt

    path = model_paths["pi05"]
    tokenizer = path / "openpi_data_home/big_vision/paligemma_tokenizer.model"
    length = longest_prompt(tokenizer, "move the gripper to the red ball", 9)
    key = "actor.model.openpi.max_token_len"
    argv = ["train", "--config_name", str(YAML), "--model_path", str(path)]
    proc = _cli(*argv, "+actor.model.openpi.discrete_state_input=true", f"+{key}=40")
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1] == (
        f"isaaclab-rlinf train: error: {key}: 40 is below the task's longest prompt, {length} tokens (the "
        "instruction + 9 discretised state values); openpi's tokenizer would cut it, saying so only in a "
        f"worker's log. Fix: {key}={length}, or a shorter instruction."
    )
    assert length > 40


def test_a_misspelled_openpi_key_is_one_line_exit_2_before_the_gpu_stop(capsys):
    argv = ["train", "--config_name", str(YAML), "--no_task_check", "+actor.model.openpi.noise_levle=0.3"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "actor.model.openpi.noise_levle: not a field of RLinf's OpenPi0Config" in err[0]
    assert "did you mean 'noise_level'?" in err[0]


PUBLISHED = (
    Path(
        os.environ.get(
            "ISAACLAB_RLINF_PUBLISHED_CONFIGS",
            Path(__file__).resolve().parents[2] / "shared/published_configs",
        )
    )
    / "rlinf/examples/embodiment"
)
PUBLISHED_PI05 = [
    "--config_path",
    str(PUBLISHED / "config"),
    "--config_name",
    "isaaclab_franka_stack_cube_ppo_openpi_pi05",
]


@pytest.fixture
def published(monkeypatch, tmp_path):
    """RLinf v0.3's IsaacLab stack-cube pi0.5 example config, as published (tests/fixtures/README.md)."""
    if not PUBLISHED.is_dir():
        pytest.skip(f"published configs not here ({PUBLISHED}); see tests/fixtures/README.md")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMBODIED_PATH", str(PUBLISHED))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_rlinfs_published_pi05_config_unchanged_passes_the_openpi_checks_to_the_gpu_stop(published, capsys):
    assert main(["train", *PUBLISHED_PI05]) == 3
    err = capsys.readouterr().err
    assert "served by RLinf's own env class IsaaclabStackCubeEnv" in err
    assert "isaaclab-rlinf train: error: `isaaclab-rlinf train` needs a GPU" in err


def test_the_norm_stats_of_rlinfs_own_openpi_config_are_looked_for_under_its_asset_id(
    published, tmp_path, capsys
):
    """RLinf's ``pi05_isaaclab_stack_cube`` reads them under its data's repo id, resolved by openpi."""
    (tmp_path / "ckpt").mkdir()
    assert main(["train", *PUBLISHED_PI05, f"actor.model.model_path={tmp_path / 'ckpt'}"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    missing = tmp_path / "ckpt/RLinf/IsaacLab-Stack-Cube-Data/norm_stats.json"
    assert line.startswith(
        f"isaaclab-rlinf train: error: actor.model.model_path: '{missing}' is missing; openpi normalises "
        "states and actions with it (asset id 'RLinf/IsaacLab-Stack-Cube-Data' of openpi config "
        "'pi05_isaaclab_stack_cube')."
    )

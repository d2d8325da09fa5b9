"""Launcher: pre-Ray checks, worker environment, checkpoints and log layout, and RLinf's validate_cfg.

``validate_cfg`` starts RLinf's Ray cluster (its placement checks need the node / accelerator count), so
that test runs in a subprocess: on CPU the packaged config's ``actor,env,rollout: all`` placement resolves
to one process per component, which is all validate_cfg needs. Launching workers needs a GPU (the GPU
issue covers that run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from isaaclab_rlinf import launcher
from isaaclab_rlinf.cli import parse_args
from isaaclab_rlinf.cli.config import PACKAGE_CONFIG_DIR, build_config, run_dir_name
from isaaclab_rlinf.inspection import _check_policy_obs
from isaaclab_rlinf.launcher import (
    ConfigError,
    find_latest_checkpoint,
    find_model_weights,
    preflight,
    prepare_environment,
    write_config,
)
from isaaclab_rlinf.spec import MappingError, MappingSpec

REPO = Path(__file__).resolve().parent.parent
TASK = "Isaac-RLinf-Cartpole-Camera-v0"


def compose(*argv: str):
    return build_config(parse_args(list(argv)), now=datetime(2026, 1, 2, 3, 4, 5))


def make_checkpoint(root: Path, step: int) -> Path:
    step_dir = root / "exp" / "checkpoints" / f"global_step_{step}"
    (step_dir / "actor" / "model_state_dict").mkdir(parents=True)
    (step_dir / "actor" / "model_state_dict" / "full_weights.pt").write_bytes(b"w")
    return step_dir


# --------------------------------------------------------------------------------------------------
# preflight (no Ray)


def test_preflight_accepts_the_packaged_config_without_starting_ray():
    import ray

    specs = preflight(compose("train"), PACKAGE_CONFIG_DIR)
    assert list(specs) == ["train"]
    assert specs["train"].path == "env.train.isaaclab"
    assert specs["train"].action_mapping.suffix_pad == 1
    assert not ray.is_initialized()


def test_preflight_checks_eval_when_evaluating():
    assert list(preflight(compose("play"), PACKAGE_CONFIG_DIR)) == ["eval"]
    assert list(preflight(compose("train", "runner.val_check_interval=5"), PACKAGE_CONFIG_DIR)) == [
        "train",
        "eval",
    ]


def test_preflight_registers_the_task_for_rlinf():
    from rlinf.envs import get_env_cls

    cfg = compose("train")
    preflight(cfg, PACKAGE_CONFIG_DIR)
    from isaaclab_rlinf import IsaacLabGenericEnv

    assert get_env_cls("isaaclab", cfg.env.train) is IsaacLabGenericEnv


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("env.train.env_type=maniskill", "env.train.env_type: must be 'isaaclab'"),
        ("~env.train.isaaclab", "env.train.isaaclab: missing"),
        ("env.train.total_num_envs=0", "env.train.total_num_envs: must be a positive integer"),
        ("actor.model.model_type=mlp_polcy", "actor.model.model_type: 'mlp_polcy' is not an embodied model"),
        ("actor.model.add_value_head=false", "actor.model.add_value_head: PPO"),
        ("actor.model.num_action_chunks=3", "env.train.max_steps_per_rollout_epoch: 128 is not a multiple"),
        ("actor.micro_batch_size=3000", "the global batch must be a positive multiple of the micro batch"),
        ("runner.ckpt_path=/no/such/weights.pt", "runner.ckpt_path: '/no/such/weights.pt' is not a file"),
        (
            "+env.train.isaaclab.extra_view_images=[side_camera,side_camera]",
            "camera 'side_camera' is mapped twice",
        ),
    ],
)
def test_preflight_errors_name_the_key_and_the_fix(override, message):
    with pytest.raises(ConfigError) as exc:
        preflight(compose("train", override), PACKAGE_CONFIG_DIR)
    assert message in str(exc.value)
    assert "Fix" in str(exc.value) or "Allowed" in str(exc.value)


def test_model_type_typo_suggests_the_name():
    with pytest.raises(ConfigError, match="Did you mean 'mlp_policy'"):
        preflight(compose("train", "actor.model.model_type=mlp_polcy"), PACKAGE_CONFIG_DIR)


def test_mlp_obs_dim_must_match_the_state_width():
    cfg = compose("train")
    spec = MappingSpec.from_config(cfg.env.train.isaaclab)
    _check_policy_obs(cfg, "train", 4, spec)
    with pytest.raises(MappingError, match=r"actor.model.obs_dim: .* makes 2 wide \(got obs_dim 4\)"):
        _check_policy_obs(cfg, "train", 2, spec)


# --------------------------------------------------------------------------------------------------
# accelerator


def test_require_accelerator_message(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(launcher.NoAcceleratorError) as exc:
        launcher.require_accelerator("play")
    assert exc.value.exit_code == 3
    assert "`isaaclab-rlinf play` needs a GPU" in str(exc.value)
    assert "isaaclab-rlinf inspect" in str(exc.value)


# --------------------------------------------------------------------------------------------------
# environment given to Ray workers


def test_prepare_environment_sets_the_worker_variables(tmp_path):
    env = {"PYTHONPATH": "/already/there", "NCCL_NVLS_ENABLE": "1"}
    config_dir = tmp_path / "configs"
    config_dir.mkdir()
    got = prepare_environment(tmp_path / "run" / "config.yaml", config_dir, environ=env)
    assert env["RLINF_EXT_MODULE"] == "isaaclab_rlinf"
    assert env["RLINF_CONFIG_FILE"] == str((tmp_path / "run" / "config.yaml").resolve())
    parts = env["PYTHONPATH"].split(os.pathsep)
    assert parts[0] == str(config_dir.resolve())
    assert parts[-1] == "/already/there"
    assert str(REPO) in parts  # editable checkout: workers import this package whatever their cwd
    assert (
        env["NCCL_NVLS_ENABLE"],
        env["TORCH_SYMM_MEM_DISABLE_MULTICAST"],
        env["NVSHMEM_DISABLE_NVLS"],
    ) == (
        "0",
        "1",
        "1",
    )
    assert got["RLINF_EXT_MODULE"] == "isaaclab_rlinf"


def test_rlinf_root_goes_first(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # apply_rlinf_root inserts into sys.path
    root = tmp_path / "RLinf"
    (root / "rlinf").mkdir(parents=True)
    (root / "rlinf" / "__init__.py").write_text("")
    env = {"RLINF_ROOT": str(root)}
    prepare_environment(tmp_path / "config.yaml", tmp_path, environ=env)
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(root.resolve())
    assert env["EMBODIED_PATH"] == str(root.resolve() / "examples" / "embodiment")
    assert sys.path[0] == str(root.resolve())


def test_rlinf_root_must_be_a_checkout(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(ConfigError, match="RLINF_ROOT=.*no rlinf/__init__.py"):
        launcher.apply_rlinf_root({"RLINF_ROOT": str(tmp_path)})


# --------------------------------------------------------------------------------------------------
# log directory layout, checkpoints


def test_run_dir_name():
    assert run_dir_name(TASK, datetime(2026, 1, 2, 3, 4, 5)) == f"2026-01-02_03-04-05-{TASK}"
    assert run_dir_name("a/b", datetime(2026, 1, 2, 3, 4, 5), "x y") == "2026-01-02_03-04-05-a_b-x_y"


def test_write_config_saves_the_resolved_config(tmp_path):
    cfg = compose("train", f"runner.logger.log_path={tmp_path / 'run'}")
    path = write_config(cfg, tmp_path / "run")
    assert path == tmp_path / "run" / "config.yaml"
    text = path.read_text()
    assert "${" not in text  # resolved: workers read exactly what the driver ran
    saved = OmegaConf.load(path)
    assert saved.env.train.video_cfg.video_base_dir == f"{tmp_path / 'run'}/video/train"
    # the merge key is resolved: eval's mapping is the training one plus the camera views
    assert saved.env.eval.isaaclab == {**saved.env.train.isaaclab, "main_images": "front_camera",
                                       "extra_view_images": ["side_camera"]}  # fmt: skip
    # the registry reads the task ids back from it (RLINF_CONFIG_FILE in every worker)
    from isaaclab_rlinf.registry import config_task_ids

    assert config_task_ids(path) == [TASK]


def test_checkpoint_layout_under_the_log_dir(tmp_path):
    """RLinf saves <log_path>/<experiment_name>/checkpoints/global_step_N/actor; both finders read it."""
    for step in (10, 20):
        make_checkpoint(tmp_path, step)
    assert find_latest_checkpoint(tmp_path) == (tmp_path / "exp" / "checkpoints" / "global_step_20").resolve()
    step10 = tmp_path / "exp" / "checkpoints" / "global_step_10"
    assert find_latest_checkpoint(step10) == step10.resolve()
    assert find_model_weights(step10) == (step10 / "actor" / "model_state_dict" / "full_weights.pt").resolve()
    assert find_model_weights(step10 / "actor") == find_model_weights(step10)
    assert find_model_weights(tmp_path).parent.parent.parent.name == "global_step_20"
    empty = tmp_path / "hf_model"
    empty.mkdir()
    assert find_model_weights(empty) is None


def test_find_latest_checkpoint_needs_a_directory(tmp_path):
    with pytest.raises(ConfigError, match="is not a directory"):
        find_latest_checkpoint(tmp_path / "missing")


# --------------------------------------------------------------------------------------------------
# RLinf's validate_cfg (starts a local Ray instance: in a subprocess)

VALIDATE = textwrap.dedent(
    """
    import sys
    from isaaclab_rlinf.cli import parse_args
    from isaaclab_rlinf.cli.config import build_config
    from isaaclab_rlinf.launcher import ConfigError, validate_with_rlinf, _shutdown_ray

    try:
        train = validate_with_rlinf(build_config(parse_args(["train"])))
        print("TRAIN_OK", train.runner.weight_sync_interval, train.env.train.rollout_epoch)
        from omegaconf import OmegaConf
        from isaaclab_rlinf.launcher import write_config
        saved = OmegaConf.load(write_config(train, "run"))  # what RLINF_CONFIG_FILE points at
        print("SAVED_OK", saved.runner.weight_sync_interval, saved.env.train.init_params.id)
        play = validate_with_rlinf(build_config(parse_args(["play", "--num_episodes", "128"])))
        print("PLAY_OK", play.runner.only_eval, play.env.eval.rollout_epoch)
        # the whole `train` command up to the workers: GPU check passed, launch_train recorded
        import os, torch
        from isaaclab_rlinf import launcher
        from isaaclab_rlinf.cli import main
        torch.cuda.is_available = lambda: True
        launched = []
        launcher.launch_train = lambda cfg: launched.append(cfg)
        code = main(["train", "--num_envs", "4", "--max_epochs", "2", "--run_name", "t", "--no_task_check"])
        cfg = launched[0]
        print("MAIN", code, cfg.runner.max_epochs, cfg.env.train.total_num_envs, cfg.actor.global_batch_size)
        print("FILE", os.environ["RLINF_CONFIG_FILE"] == cfg.runner.logger.log_path + "/config.yaml",
              OmegaConf.load(os.environ["RLINF_CONFIG_FILE"]).runner.max_epochs)
        print("ENV", os.environ["RLINF_EXT_MODULE"], os.environ["NCCL_NVLS_ENABLE"])
        try:
            validate_with_rlinf(build_config(parse_args(["train", "actor.micro_batch_size=3"])))
        except ConfigError as exc:
            print("REJECTED", exc)
    finally:
        _shutdown_ray()
    """
)


def test_rlinf_validate_cfg_and_the_train_command_up_to_the_workers_on_cpu(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", VALIDATE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "RAY_ADDRESS": "local",
        },  # its own Ray, not a cluster of another run
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "TRAIN_OK 1 1" in out
    assert f"SAVED_OK 1 {TASK}" in out
    assert "PLAY_OK True 2" in out
    assert "MAIN 0 2 4 128" in out  # 4 envs x 128 steps = 512 samples in 4 minibatches
    assert "FILE True 2" in out
    assert "ENV isaaclab_rlinf 0" in out
    runs = list((tmp_path / "logs" / "rlinf").iterdir())
    assert [p.name.endswith(f"-{TASK}-t") for p in runs] == [True]
    assert (runs[0] / "config.yaml").is_file()
    assert (
        "REJECTED RLinf's validate_cfg rejected the config: actor.global_batch_size (8192) must be divisible"
        in out
    )


# --------------------------------------------------------------------------------------------------
# GR00T model types: the bridge is validated in the driver, and the `gr00t` package is required


def test_preflight_runs_the_gr00t_bridge_checks():
    cfg = compose(
        "train", "--config_name", "isaaclab_ppo_gr00t_assemble_trocar", "actor.model.embodiment_tag=gr1"
    )
    with pytest.raises(
        ConfigError, match="actor.model.embodiment_tag: must equal env.train.isaaclab.embodiment_tag"
    ):
        preflight(cfg, PACKAGE_CONFIG_DIR)


def test_gr00t_model_type_needs_the_gr00t_package():
    import importlib.util

    cfg = compose("train", "--config_name", "isaaclab_ppo_gr00t_assemble_trocar")
    if importlib.util.find_spec("gr00t") is not None:
        pytest.skip("gr00t is installed here")
    with pytest.raises(launcher.LaunchError, match="`gr00t` is not installed"):
        launcher.require_model_package(cfg)
    launcher.require_model_package(compose("train"))  # mlp_policy: nothing to check

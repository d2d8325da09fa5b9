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
from isaaclab_rlinf import preflight as preflight_module
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
        ("actor.model.num_action_chunks=3", "env.train.max_steps_per_rollout_epoch: 64 is not a multiple"),
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
    assert env["PYTHONUNBUFFERED"] == "1"  # workers' log lines reach the terminal as they are written


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
        # a RLinf 0.2-era config, with the blocks upgrade_config fills: RLinf 0.3 migrates the rest itself
        from isaaclab_rlinf.launcher import upgrade_config
        old = build_config(parse_args(["train", "--config_path", sys.argv[1], "--config_name", sys.argv[2]]))
        upgrade_config(old)
        old = validate_with_rlinf(old)
        print("RLINF02_OK", old.weight_syncer.type, old.env.train.rollout_epoch,
              old.actor.fsdp_config.amp_autocast.enabled, old.rollout.sampling_params.top_k)
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
        [sys.executable, "-c", VALIDATE, *RLINF02[1::2]],
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
    assert "RLINF02_OK bucket 1 False 50" in out
    assert "MAIN 0 2 4 32" in out  # 4 envs x 64 steps = 256 samples in 8 minibatches
    assert "FILE True 2" in out
    assert "ENV isaaclab_rlinf 0" in out
    runs = list((tmp_path / "logs" / "rlinf").iterdir())
    assert [p.name.endswith(f"-{TASK}-t") for p in runs] == [True]
    assert (runs[0] / "config.yaml").is_file()
    assert (
        "REJECTED RLinf's validate_cfg rejected the config: actor.global_batch_size (4096) must be divisible"
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


def test_gr00t_model_type_needs_the_gr00t_package(monkeypatch):
    import importlib.util

    cfg = compose("train", "--config_name", "isaaclab_ppo_gr00t_assemble_trocar")
    real = importlib.util.find_spec  # gr00t hidden, installed or not (make test installs it)
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "gr00t" else real(n, *a))
    with pytest.raises(launcher.LaunchError, match="`gr00t` is not installed"):
        launcher.require_model_package(cfg)
    launcher.require_model_package(compose("train"))  # mlp_policy: nothing to check


# --------------------------------------------------------------------------------------------------
# drop-in: configs written by others run unchanged (tests/fixtures/README.md)

FIXTURES = REPO / "tests" / "fixtures"
RLINF02 = [
    "--config_path",
    str(FIXTURES / "rlinf02_style"),
    "--config_name",
    "isaaclab_ppo_mlp_cartpole_rlinf02",
]
EXAMPLES = FIXTURES / "rlinf_examples_style"
PUBLISHED = Path(
    os.environ.get("ISAACLAB_RLINF_PUBLISHED_CONFIGS", REPO.parent / "shared" / "published_configs")
)


def test_rlinf02_config_gets_rlinf03_blocks_with_one_notice_each(capsys):
    train = compose("train", *RLINF02)
    assert launcher.upgrade_config(train) == [
        capsys.readouterr().err.removeprefix("isaaclab-rlinf: note: ").strip()
    ]
    assert OmegaConf.to_container(train.weight_syncer) == preflight_module.RLINF_BUCKET_SYNCER
    assert launcher.upgrade_config(train) == []  # idempotent
    play = compose("play", *RLINF02)
    (note,) = launcher.upgrade_config(play)
    assert note.startswith("rollout.model: no model_type (RLinf 0.2-era config")
    assert play.rollout.model.model_type == "mlp_policy" and play.rollout.model.obs_dim == 4
    assert play.rollout.model.model_path == "" and "weight_syncer" not in play  # eval needs no syncer


@pytest.mark.sim
def test_rlinf02_config_runs_unchanged_to_the_gpu_stop_after_the_live_check(capsys, monkeypatch, tmp_path):
    import ray
    import torch

    from isaaclab_rlinf.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["train", *RLINF02]) == 3
    err = capsys.readouterr().err
    assert "isaaclab-rlinf: note: weight_syncer: missing (RLinf 0.2-era config" in err
    assert "`isaaclab-rlinf train` needs a GPU" in err
    assert main(["play", *RLINF02, "--no_task_check"]) == 3
    assert "isaaclab-rlinf: note: rollout.model: no model_type" in capsys.readouterr().err
    assert not ray.is_initialized() and not (tmp_path / "logs").exists()


def test_rlinf_examples_config_of_rlinfs_own_task_needs_no_isaaclab_block(capsys, monkeypatch, tmp_path):
    import torch

    from isaaclab_rlinf.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMBODIED_PATH", str(EXAMPLES))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    argv = [
        "--config_path",
        str(EXAMPLES / "config"),
        "--config_name",
        "isaaclab_franka_stack_cube_ppo_gr00t_like",
    ]
    cfg = compose("train", *argv)
    assert cfg.weight_syncer.type == "patch" and cfg.actor.model.model_type == "gr00t"
    assert preflight(cfg, EXAMPLES / "config") == {}  # no mapping, no GR00T bridge: RLinf's own class
    assert launcher.rlinf_own_splits(cfg) == ["train"]
    assert main(["train", *argv]) == 3
    err = capsys.readouterr().err
    assert (
        "isaaclab-rlinf: note: task 'Isaac-Stack-Cube-Franka-IK-Rel-Visuomotor-Rewarded-v0' is served by "
        "RLinf's own env class IsaaclabStackCubeEnv" in err
    )
    assert "`isaaclab-rlinf train` needs a GPU" in err


def test_a_run_of_rlinfs_own_tasks_gives_workers_no_config_to_rebuild_from(tmp_path):
    env = {"RLINF_CONFIG_FILE": "/stale/config.yaml"}
    got = prepare_environment(None, tmp_path, environ=env)
    assert "RLINF_CONFIG_FILE" not in env and "RLINF_CONFIG_FILE" not in got
    assert env["RLINF_EXT_MODULE"] == "isaaclab_rlinf"


@pytest.mark.parametrize(
    "task",
    [
        "Isaac-Assemble-Trocar-G129-Dex3-v0",  # IsaacLab's published RLinf YAML
        "Isaac-Assemble-Trocar-G129-Dex3-Eval-v0",
        "Isaac-Assemble-Trocar-G129-Dex3-RLinf-v0",  # its README's command line
        "Isaac-Assemble-Trocar-G129-Dex3-RLinf-Eval-v0",
        "IsaacContrib-Assemble-Trocar-G129-Dex3",  # IsaacLab 3.0.0's gymnasium ids
        "IsaacContrib-Assemble-Trocar-G129-Dex3-Eval",
    ],
)
def test_every_published_name_of_the_trocar_task_resolves(task):
    from rlinf.envs.isaaclab import REGISTER_ISAACLAB_ENVS

    from isaaclab_rlinf import IsaacLabGenericEnv
    from isaaclab_rlinf.registry import list_tasks

    cfg = compose("train", "--config_name", "isaaclab_ppo_gr00t_assemble_trocar", "--task", task)
    assert preflight_module._check_tasks(cfg, ["train", "eval"]) == set()
    row = {r.id: r for r in list_tasks()}[task]
    suffix = "G1AssembleTrocarEvalEnvCfg" if "Eval" in task else "G1AssembleTrocarEnvCfg"
    assert (
        row.spec.env_cfg_entry_point == f"isaaclab_tasks.contrib.assemble_trocar.g129_dex3_env_cfg:{suffix}"
    )
    assert REGISTER_ISAACLAB_ENVS[task] is IsaacLabGenericEnv


@pytest.mark.sim
def test_the_live_check_skips_tasks_that_need_isaac_sim_with_a_note():
    from isaaclab_rlinf.inspection import check_tasks
    from isaaclab_rlinf.spec import MappingSpec

    cfg = compose("train", "--config_name", "isaaclab_ppo_gr00t_assemble_trocar")
    specs = {"train": MappingSpec.from_config(cfg.env.train.isaaclab)}
    assert check_tasks(cfg, specs, device="cpu") == [
        "env.train.init_params.id: 'IsaacContrib-Assemble-Trocar-G129-Dex3' needs Isaac Sim, which is not "
        "started before Ray; its mapping is checked when the env workers build it."
    ]


@pytest.mark.sim
def test_the_live_check_builds_a_split_that_changes_the_task_config_on_its_own(monkeypatch):
    from isaaclab_rlinf import env as env_module
    from isaaclab_rlinf.inspection import check_tasks
    from isaaclab_rlinf.spec import MappingSpec

    builds = []
    real = env_module.make_task_env

    def recording(task, *args, env_cfg_overrides=None, **kwargs):  # the real builder, its calls recorded
        builds.append((task, env_cfg_overrides))
        return real(task, *args, env_cfg_overrides=env_cfg_overrides, **kwargs)

    monkeypatch.setattr(env_module, "make_task_env", recording)
    cfg = compose("train", "+env.eval.init_params.env_cfg.episode_length_s=3.0")
    specs = {split: MappingSpec.from_config(cfg.env[split].isaaclab) for split in ("train", "eval")}
    assert check_tasks(cfg, specs, device="cpu") == []
    assert builds == [(TASK, None), (TASK, {"episode_length_s": 3.0})]


def _published(*parts: str) -> Path:
    path = PUBLISHED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"published configs not here ({path}); see tests/fixtures/README.md")
    return path


def test_published_trocar_yaml_unchanged_reaches_the_gpu_stop_or_the_gr00t_hint(
    capsys, monkeypatch, tmp_path
):
    import shutil

    import torch

    from isaaclab_rlinf.cli import main

    yaml = _published("isaaclab", "assemble_trocar", "isaaclab_ppo_gr00t_assemble_trocar.yaml")
    shutil.copy(yaml, tmp_path / yaml.name)
    shutil.copy(FIXTURES / "published" / "gr00t_config.py", tmp_path / "gr00t_config.py")  # test double
    (tmp_path / "ckpt").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    argv = [
        "--config_path",
        str(tmp_path),
        "--config_name",
        yaml.stem,
        "--model_path",
        str(tmp_path / "ckpt"),
    ]
    code = main(["train", *argv])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("isaaclab-rlinf train: error:")]
    assert "Traceback" not in err and len(errors) == 1, err
    assert "weight_syncer: missing" in err
    gpu_stop = code == 3 and "needs a GPU" in errors[0]
    install_hint = code in (1, 2) and "`gr00t` is not installed" in errors[0]
    assert gpu_stop or install_hint, err


@pytest.mark.parametrize(
    "name", ["isaaclab_franka_stack_cube_ppo_gr00t", "isaaclab_franka_stack_cube_ppo_openpi_pi05"]
)
def test_published_rlinf_stack_cube_config_unchanged_reaches_the_gpu_stop(
    name, capsys, monkeypatch, tmp_path
):
    import torch

    from isaaclab_rlinf.cli import main

    embodied = _published("rlinf", "examples", "embodiment")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMBODIED_PATH", str(embodied))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    argv = ["--config_path", str(embodied / "config"), "--config_name", name]
    assert main(["train", *argv]) == 3
    err = capsys.readouterr().err
    assert "served by RLinf's own env class IsaaclabStackCubeEnv" in err and "needs a GPU" in err


@pytest.mark.parametrize(
    "override, named",
    [
        ([], "data_config_class 'gr00t_config:IsaacLabDataConfig': importing it failed"),
        (
            ["env.train.isaaclab.data_config_class=null", "env.eval.isaaclab.data_config_class=null"],
            "gr00t (no data_config_class in the mapping): importing it failed",
        ),
    ],
)
def test_a_gr00t_import_failing_on_another_module_is_one_line_naming_it(monkeypatch, override, named):
    from isaaclab_rlinf.models import gr00t

    def install(cfg, config_dir=None):  # test double: what gr00t.install raises without pytorch3d
        raise ImportError("No module named 'pytorch3d'", name="pytorch3d")

    monkeypatch.setattr(gr00t, "install", install)
    cfg = compose("train", "--config_name", "isaaclab_ppo_gr00t_assemble_trocar", *override)
    with pytest.raises(launcher.LaunchError) as info:
        preflight(cfg, PACKAGE_CONFIG_DIR)
    message = str(info.value)
    assert message.startswith(named) and "ImportError: No module named 'pytorch3d'" in message
    assert "Fix: install pytorch3d in this environment" in message and "\n" not in message


def test_the_worker_modules_are_imported_in_the_background_while_ray_starts():
    code = textwrap.dedent(
        """
        import sys
        from isaaclab_rlinf.launcher import WORKER_MODULES, prefetch_worker_modules
        before = [m for m in WORKER_MODULES if m in sys.modules]
        thread = prefetch_worker_modules()
        thread.join()
        print(before, thread.daemon, [m for m in WORKER_MODULES if m not in sys.modules])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[] True []"

"""``isaaclab-rlinf``: every documented argument changes the composed config as documented, errors stop
before launch with exit code 2, ``tasks`` lists the registry, ``inspect`` runs end to end on CPU.

Configs are composed for real (Hydra compose of the packaged YAML); nothing is launched. The simulator
tests (``sim``) run the embedded kitless task on CPU in this process.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from isaaclab_rlinf.cli import main, parse_args
from isaaclab_rlinf.cli.config import DEFAULT_CONFIG_NAME, PACKAGE_CONFIG_DIR, build_config
from isaaclab_rlinf.launcher import ConfigError

REPO = Path(__file__).resolve().parent.parent
TASK = "Isaac-RLinf-Cartpole-Camera-v0"
NOW = datetime(2026, 1, 2, 3, 4, 5)
STAMP = "2026-01-02_03-04-05"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Relative paths (logs/rlinf/...) land in a fresh directory per test."""
    monkeypatch.chdir(tmp_path)


def compose(*argv: str):
    return build_config(parse_args(list(argv)), now=NOW)


def sel(cfg, key):
    return OmegaConf.select(cfg, key)


def make_checkpoint(root: Path, step: int, experiment: str = "exp") -> Path:
    """The layout RLinf's EmbodiedRunner._save_checkpoint writes under runner.logger.log_path."""
    step_dir = root / experiment / "checkpoints" / f"global_step_{step}"
    weights = step_dir / "actor" / "model_state_dict" / "full_weights.pt"
    weights.parent.mkdir(parents=True)
    weights.write_bytes(b"weights")
    return step_dir


# --------------------------------------------------------------------------------------------------
# defaults, config location, overrides


def test_default_is_the_packaged_embedded_task_config():
    cfg = compose("train")
    assert sel(cfg, "env.train.init_params.id") == TASK
    assert sel(cfg, "actor.model.model_type") == "mlp_policy"
    assert sel(cfg, "runner.only_eval") is False


def test_packaged_config_trains_on_states_and_evaluates_with_both_cameras():
    cfg = compose("train")
    train = OmegaConf.to_container(cfg.env.train.isaaclab)
    eval_ = OmegaConf.to_container(cfg.env.eval.isaaclab)
    assert "main_images" not in train and "extra_view_images" not in train
    # eval is the training mapping (YAML merge key) plus the camera views
    assert eval_ == {**train, "main_images": "front_camera", "extra_view_images": ["side_camera"]}


def test_packaged_config_keeps_interpolations():
    cfg = compose("train")
    assert sel(cfg, "env.train.isaaclab.states") == [{"key": "joint_pos"}, {"key": "joint_vel"}]
    assert sel(cfg, "rollout.model.obs_dim") == sel(cfg, "actor.model.obs_dim") == 4
    assert (
        sel(cfg, "env.train.video_cfg.video_base_dir") == f"{sel(cfg, 'runner.logger.log_path')}/video/train"
    )


def test_config_path_and_config_name_pick_the_yaml(tmp_path):
    cfg = compose(
        "train",
        "--config_path",
        str(PACKAGE_CONFIG_DIR),
        "--config_name",
        "isaaclab_ppo_gr00t_assemble_trocar",
    )
    assert sel(cfg, "actor.model.model_type") == "gr00t"
    own = tmp_path / "mine"
    own.mkdir()
    text = (PACKAGE_CONFIG_DIR / f"{DEFAULT_CONFIG_NAME}.yaml").read_text()
    (own / "my_cfg.yaml").write_text(text.replace("max_epochs: 50", "max_epochs: 7"))
    assert (
        sel(compose("train", "--config_path", str(own), "--config_name", "my_cfg.yaml"), "runner.max_epochs")
        == 7
    )
    # a path to a YAML works on its own
    assert sel(compose("train", "--config_name", str(own / "my_cfg.yaml")), "runner.max_epochs") == 7


def test_missing_config_name_lists_what_exists():
    with pytest.raises(ConfigError, match=r"--config_name: no nope\.yaml .*isaaclab_ppo_mlp_cartpole_camera"):
        compose("train", "--config_name", "nope")


def test_hydra_overrides_apply_and_options_win():
    cfg = compose("train", "algorithm.update_epoch=8", "--num_envs", "4", "env.train.total_num_envs=8")
    assert sel(cfg, "algorithm.update_epoch") == 8
    assert sel(cfg, "env.train.total_num_envs") == 4


def test_bad_override_is_a_config_error():
    with pytest.raises(ConfigError, match=r"runner.no_such_key: no such key .* Fix: .*\+runner.no_such_key="):
        compose("train", "runner.no_such_key=1")
    with pytest.raises(ConfigError, match="composing 'isaaclab_ppo_mlp_cartpole_camera'.*Fix"):
        compose("train", "runner.max_epochs=[1")


def test_unknown_option_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        parse_args(["train", "--num_env", "4"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --num_env" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# one test per option


def test_task_sets_train_and_eval_ids_and_names_the_log_dir():
    cfg = compose("train", "--task", "Isaac-Cartpole-v0")
    assert sel(cfg, "env.train.init_params.id") == "Isaac-Cartpole-v0"
    assert sel(cfg, "env.eval.init_params.id") == "Isaac-Cartpole-v0"
    assert Path(sel(cfg, "runner.logger.log_path")).name == f"{STAMP}-Isaac-Cartpole-v0"


def test_task_without_config_name_uses_the_tasks_packaged_config():
    alias = (
        "Isaac-Assemble-Trocar-G129-Dex3-RLinf-v0"  # declares configs/isaaclab_ppo_gr00t_assemble_trocar.yaml
    )
    cfg = compose("train", "--task", alias)
    assert sel(cfg, "actor.model.model_type") == "gr00t"
    assert sel(cfg, "env.train.init_params.id") == sel(cfg, "env.eval.init_params.id") == alias
    # an explicit --config_name wins
    cfg = compose("train", "--task", alias, "--config_name", DEFAULT_CONFIG_NAME)
    assert sel(cfg, "actor.model.model_type") == "mlp_policy"


def test_num_envs_sets_both_splits_and_rescales_batches():
    base = compose("train")
    samples = 512 * 64  # envs x steps per epoch of the packaged config
    assert samples // sel(base, "actor.global_batch_size") == 8  # eight PPO minibatches
    cfg = compose("train", "--num_envs", "16")
    assert sel(cfg, "env.train.total_num_envs") == sel(cfg, "env.eval.total_num_envs") == 16
    assert sel(cfg, "actor.global_batch_size") == 16 * 64 // 8
    assert sel(cfg, "actor.micro_batch_size") == 16 * 64 // 8


def test_num_envs_keeps_explicit_batch_sizes():
    cfg = compose("train", "--num_envs", "8", "actor.global_batch_size=64", "actor.micro_batch_size=32")
    assert (sel(cfg, "actor.global_batch_size"), sel(cfg, "actor.micro_batch_size")) == (64, 32)


def test_seed_sets_env_seeds_and_actor_seed():
    cfg = compose("train", "--seed", "42")
    assert sel(cfg, "env.train.seed") == sel(cfg, "env.eval.seed") == sel(cfg, "actor.seed") == 42


def test_model_path_to_a_model_dir_sets_actor_and_rollout(tmp_path):
    model = tmp_path / "hf_model"
    model.mkdir()
    cfg = compose("train", "--model_path", str(model))
    assert sel(cfg, "actor.model.model_path") == sel(cfg, "rollout.model.model_path") == str(model)
    assert sel(cfg, "runner.ckpt_path") is None


def test_model_path_to_a_run_dir_loads_its_newest_weights(tmp_path):
    run = tmp_path / "run"
    make_checkpoint(run, 10)
    newest = make_checkpoint(run, 20)
    cfg = compose("play", "--model_path", str(run))
    assert sel(cfg, "runner.ckpt_path") == str(newest / "actor" / "model_state_dict" / "full_weights.pt")
    assert sel(cfg, "actor.model.model_path") == ""  # the MLP has no base weights


def test_model_path_to_a_weights_file(tmp_path):
    weights = make_checkpoint(tmp_path, 5) / "actor" / "model_state_dict" / "full_weights.pt"
    assert sel(compose("play", "--model_path", str(weights)), "runner.ckpt_path") == str(weights)


def test_model_path_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="--model_path: .* does not exist"):
        compose("play", "--model_path", str(tmp_path / "missing"))


def test_max_epochs():
    assert sel(compose("train", "--max_epochs", "3"), "runner.max_epochs") == 3


def test_resume_dir_picks_the_newest_checkpoint(tmp_path):
    run = tmp_path / "run"
    make_checkpoint(run, 10)
    make_checkpoint(run, 30)
    make_checkpoint(run, 20)
    resume = sel(compose("train", "--resume_dir", str(run)), "runner.resume_dir")
    # RLinf's EmbodiedRunner continues from int(resume_dir.split("global_step_")[-1])
    assert int(resume.split("global_step_")[-1]) == 30
    assert Path(resume, "actor").is_dir()


def test_resume_dir_without_checkpoints_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="--resume_dir: no checkpoint under"):
        compose("train", "--resume_dir", str(tmp_path))


def test_only_eval():
    assert sel(compose("train", "--only_eval"), "runner.only_eval") is True


def test_list_tasks_prints_the_table_and_exits_0(capsys):
    assert main(["train", "--list_tasks"]) == 0
    assert TASK in capsys.readouterr().out


def test_play_is_eval_only_and_named_after_the_eval_task():
    cfg = compose("play")
    assert sel(cfg, "runner.only_eval") is True
    assert Path(sel(cfg, "runner.logger.log_path")).name == f"{STAMP}-{TASK}"


def test_num_episodes_sets_eval_rollout_epochs_of_whole_episodes():
    cfg = compose("play", "--num_episodes", "100")
    envs = sel(cfg, "env.eval.total_num_envs")
    assert sel(cfg, "env.eval.rollout_epoch") == math.ceil(100 / envs)
    assert sel(cfg, "env.eval.max_steps_per_rollout_epoch") == sel(cfg, "env.eval.max_episode_steps")


def test_video_turns_on_eval_video():
    assert sel(compose("play"), "env.eval.video_cfg.save_video") is False
    assert sel(compose("play", "--video"), "env.eval.video_cfg.save_video") is True


def test_logger_backend():
    assert sel(compose("train", "--logger", "wandb"), "runner.logger.logger_backends") == ["wandb"]
    with pytest.raises(SystemExit):
        parse_args(["train", "--logger", "mlflow"])


def test_experiment_name():
    assert sel(compose("train", "--experiment_name", "e1"), "runner.logger.experiment_name") == "e1"


def test_run_name_suffixes_the_log_dir():
    cfg = compose("train", "--run_name", "try 2")
    assert Path(sel(cfg, "runner.logger.log_path")).name == f"{STAMP}-{TASK}-try_2"


# --------------------------------------------------------------------------------------------------
# log directory


def test_log_dir_is_logs_rlinf_timestamp_task_under_cwd(tmp_path):
    log = Path(sel(compose("train"), "runner.logger.log_path"))
    assert log == tmp_path / "logs" / "rlinf" / f"{STAMP}-{TASK}"
    assert not log.exists()  # composing creates nothing
    real = Path(sel(build_config(parse_args(["train"])), "runner.logger.log_path")).name
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d_\d\d-\d\d-\d\d-{TASK}", real)


def test_explicit_log_path_override_is_kept(tmp_path):
    cfg = compose("train", "runner.logger.log_path=my_logs")
    assert sel(cfg, "runner.logger.log_path") == str(tmp_path / "my_logs")


# --------------------------------------------------------------------------------------------------
# errors before launch (exit 2), no accelerator (exit 3)


def test_bad_mapping_key_type_exits_2_before_launch(capsys, tmp_path):
    code = main(["train", "env.train.isaaclab.states=[{key: 5}]"])
    err = capsys.readouterr().err
    assert code == 2
    assert "env.train.isaaclab.states[0].key: must be a non-empty observation term name (got 5)" in err
    assert not (tmp_path / "logs").exists()


def test_negative_pad_exits_2_before_launch(capsys):
    assert main(["play", "env.eval.isaaclab.action_mapping.suffix_pad=-1"]) == 2
    assert "env.eval.isaaclab.action_mapping.suffix_pad: must be a non-negative integer (got -1)" in (
        capsys.readouterr().err
    )


def test_batch_that_does_not_divide_the_rollout_exits_2(capsys):
    assert main(["train", "actor.global_batch_size=1000", "actor.micro_batch_size=1000"]) == 2
    assert "actor.global_batch_size: 1000 does not divide the 32768 samples" in capsys.readouterr().err


WARMSTART = "isaaclab_ppo_mlp_franka_reach_warmstart"


def checked(*argv: str):
    """The composed config after the checks before Ray (which set what our keys stand for)."""
    from isaaclab_rlinf.preflight import preflight

    cfg = compose(*argv)
    preflight(cfg)
    return cfg


def test_critic_warmup_epochs_become_rlinfs_optimizer_steps():
    cfg = checked("train", "--config_name", WARMSTART)  # 2 epochs
    # 4096 envs x 24 steps / global batch 24576 = 4 minibatches, x 8 update epochs = 32 steps an epoch
    assert sel(cfg, "actor.optim.critic_warmup_steps") == 2 * 32


def test_critic_warmup_epochs_count_the_epochs_of_the_run_not_of_the_packaged_sizes():
    cfg = checked("train", "--config_name", WARMSTART, "--num_envs", "1024")  # batches rescaled: 4 still
    assert sel(cfg, "actor.optim.critic_warmup_steps") == 2 * 4 * 8
    batch = ["actor.global_batch_size=12288", "actor.micro_batch_size=12288"]  # 8 minibatches
    cfg = checked("train", "--config_name", WARMSTART, *batch)
    assert sel(cfg, "actor.optim.critic_warmup_steps") == 2 * 8 * 8
    cfg = checked("train", "--config_name", WARMSTART, "algorithm.update_epoch=2")
    assert sel(cfg, "actor.optim.critic_warmup_steps") == 2 * 4 * 2


def test_critic_warmup_epochs_beside_other_critic_warmup_steps_exits_2(capsys):
    argv = ["train", "--config_name", WARMSTART, "+actor.optim.critic_warmup_steps=10"]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "isaaclab-rlinf train: error: actor.optim.critic_warmup_epochs: 2 epochs (64 optimizer steps) and "
        "actor.optim.critic_warmup_steps 10 both set. Fix: keep one: actor.optim.critic_warmup_epochs=2 or "
        "actor.optim.critic_warmup_steps=10."
    )


def test_a_negative_critic_warmup_epochs_exits_2(capsys):
    assert main(["train", "--config_name", WARMSTART, "actor.optim.critic_warmup_epochs=-1"]) == 2
    assert "actor.optim.critic_warmup_epochs: must be an integer >= 0 (got -1)" in capsys.readouterr().err


def test_unknown_task_exits_2_with_a_suggestion(capsys):
    assert main(["train", "--task", "Isaac-RLinf-Cartpole-Camera-v1"]) == 2
    err = capsys.readouterr().err
    assert "env.train.init_params.id: unknown task 'Isaac-RLinf-Cartpole-Camera-v1'" in err
    assert f"Did you mean '{TASK}'?" in err


@pytest.mark.parametrize("command", ["train", "play"])
def test_no_accelerator_stops_before_ray_and_points_to_inspect(command, capsys, monkeypatch, tmp_path):
    import ray
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main([command, "--no_task_check"]) == 3
    err = capsys.readouterr().err
    assert f"`isaaclab-rlinf {command}` needs a GPU" in err
    assert "isaaclab-rlinf inspect" in err
    assert not ray.is_initialized()
    assert not (tmp_path / "logs").exists()


# --------------------------------------------------------------------------------------------------
# tasks, python -m


def test_tasks_prints_the_registry_table(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["ID", "DISTRIBUTION", "CONFIG", "DESCRIPTION"]
    assert TASK in out and "configs/isaaclab_ppo_mlp_cartpole_camera.yaml" in out


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "isaaclab_rlinf", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert "{train,play,tasks,inspect,rollout" in proc.stdout


def test_console_script_and_package_import_from_any_directory(tmp_path):
    """The console script runs outside the checkout, where ``isaaclab_rlinf`` must import as a regular
    package (the driver calls its ``register()``)."""
    script = Path(sys.executable).with_name("isaaclab-rlinf")
    if not script.exists():
        pytest.skip("the isaaclab-rlinf console script is not installed in this environment")
    proc = subprocess.run(
        [str(script), "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.startswith("isaaclab-rlinf "), proc.stderr[-2000:]
    check = (
        "import isaaclab_rlinf; assert isaaclab_rlinf.__file__, 'namespace package'; isaaclab_rlinf.register"
    )
    proc = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, (
        "isaaclab_rlinf imports as a namespace package outside the checkout: the editable install predates "
        "isaaclab_rlinf/__init__.py. Fix: .venv/bin/python -m uv pip install --python .venv/bin/python "
        "--no-deps --reinstall-package isaaclab-rlinf -e .\n" + proc.stderr[-2000:]
    )


# --------------------------------------------------------------------------------------------------
# inspect, end to end on the embedded task (CPU)

GR00T_MAPPING = (
    "+env.eval.isaaclab.gr00t_mapping={video: {main_images: video.front, extra_view_images: [video.side]}, "
    "state: [{gr00t_key: state.pos, slice: [0, 2]}, {gr00t_key: state.vel, slice: [2, 4]}], "
    "action: [action.cart]}"
)


@pytest.mark.sim
def test_inspect_writes_contact_sheet_and_exact_key_table(tmp_path, capsys):
    from PIL import Image

    from isaaclab_rlinf.inspection import sheet_size

    out, keys = tmp_path / "out", tmp_path / "keys.json"
    argv = [
        "inspect",
        "--split",
        "eval",  # the packaged config maps the cameras for eval only
        "--num_envs",
        "2",
        "--steps",
        "3",
        "--random",
        "--out_dir",
        str(out),
        "--json",
        str(keys),
    ]
    assert main([*argv, GR00T_MAPPING]) == 0
    printed = capsys.readouterr().out

    report = json.loads(keys.read_text())
    rl, gr = report["rlinf"], report["gr00t"]
    assert (rl["main_images"]["shape"], rl["main_images"]["dtype"]) == ([2, 96, 96, 3], "uint8")
    assert (rl["extra_view_images"]["shape"], rl["extra_view_images"]["dtype"]) == (
        [2, 1, 96, 96, 3],
        "uint8",
    )
    assert (rl["states"]["shape"], rl["states"]["dtype"]) == ([2, 4], "float32")
    assert (rl["task_descriptions"]["shape"], rl["task_descriptions"]["dtype"]) == ([2], "str")
    assert 0 <= rl["main_images"]["min"] < rl["main_images"]["max"] <= 255
    assert rl["states"]["source"] == "joint_pos + joint_vel"
    assert (gr["video.front"]["shape"], gr["video.front"]["dtype"]) == ([2, 1, 96, 96, 3], "uint8")
    assert (gr["video.side"]["shape"], gr["video.side"]["dtype"]) == ([2, 1, 96, 96, 3], "uint8")
    assert (gr["state.pos"]["shape"], gr["state.pos"]["dtype"]) == ([2, 1, 2], "float32")
    assert (gr["state.vel"]["shape"], gr["state.vel"]["dtype"]) == ([2, 1, 2], "float32")
    assert gr["annotation.human.action.task_description"]["shape"] == [2]
    assert (report["env_action_dim"], report["policy_action_dim"]) == (2, 1)
    assert report["action_mapping"] == {"prefix_pad": 0, "suffix_pad": 1}
    assert json.loads((out / "inspect.json").read_text()) == report

    with Image.open(out / "contact_sheet.png") as sheet:
        sheet.load()
        # rows: main, extra[0] as RLinf; video.front, video.side as GR00T; columns: the 2 envs
        assert sheet.size == sheet_size(num_views=4, num_cols=2, height=96, width=96)
        assert sheet.mode == "RGB"
    assert "rlinf  states" in printed and "gr00t  video.front" in printed


@pytest.mark.sim
def test_inspect_wrong_mapping_exits_2_with_the_validation_error(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["inspect", "--num_envs", "2", "--steps", "1", "--out_dir", str(out)]
    assert main([*argv, "env.train.isaaclab.states=[{key: joint_pos}, {key: joint_velocity}]"]) == 2
    err = capsys.readouterr().err
    assert "env.train.isaaclab.states[1]" in err and "joint_velocity" in err
    assert not (out / "contact_sheet.png").exists()


@pytest.mark.sim
def test_inspect_json_dash_writes_only_the_json_to_stdout(tmp_path, capfd):
    """IsaacLab's, warp's and our own lines (the table) go to stderr: stdout parses as JSON whole."""
    argv = ["inspect", "--num_envs", "1", "--steps", "1", "--json", "-", "--out_dir", str(tmp_path / "out")]
    assert main(argv) == 0
    captured = capfd.readouterr()
    report = json.loads(captured.out)
    assert report["task"] == TASK and report["rlinf"]["states"]["shape"] == [1, 4]
    assert report == json.loads((tmp_path / "out" / "inspect.json").read_text())
    assert "rlinf  states" in captured.err and "[INFO]" in captured.err  # the table and IsaacLab's log

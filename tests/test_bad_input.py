"""Bad input, as a user would type it: every case exits 2 with exactly one line naming the key, the value
and the fix, before anything starts (no Ray, no log directory, no traceback).

The CLI runs in-process (``isaaclab_rlinf.cli.main``) for speed; two cases run the console entry point in a
subprocess. Static cases pass ``--no_task_check`` (their error comes before the live check anyway); the
``sim`` cases are errors only the live task shows, caught by ``train``'s check against the embedded
cartpole built with one env on CPU, before the no-accelerator stop.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from isaaclab_rlinf.cli import main
from isaaclab_rlinf.cli.config import DEFAULT_CONFIG_NAME, PACKAGE_CONFIG_DIR

REPO = Path(__file__).resolve().parent.parent
PACKAGED = (PACKAGE_CONFIG_DIR / f"{DEFAULT_CONFIG_NAME}.yaml").read_text()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMBODIED_PATH", str(REPO / "tests" / "fixtures" / "rlinf_examples_style"))


def _yaml(tmp: Path, old: str, new: str) -> str:
    """The packaged config with one edit, as a file; returns its path."""
    assert old in PACKAGED
    path = tmp / "edited.yaml"
    path.write_text(PACKAGED.replace(old, new, 1))
    return str(path)


def _checkpoint(tmp: Path, step: int) -> str:
    step_dir = tmp / "run" / "exp" / "checkpoints" / f"global_step_{step}"
    (step_dir / "actor" / "model_state_dict").mkdir(parents=True)
    (step_dir / "actor" / "model_state_dict" / "full_weights.pt").write_bytes(b"w")
    return str(tmp / "run")


def _empty_dir(tmp: Path) -> str:
    (tmp / "empty").mkdir()
    return str(tmp / "empty")


T = "--no_task_check"

# (argv, substrings the one error line must hold: the key first, then the value); `{tmp}` callables get
# the test's tmp_path.
STATIC = {
    "unknown task": (
        ["train", T, "--task", "Isaac-Nope-v0"],
        ["env.train.init_params.id", "'Isaac-Nope-v0'"],
    ),
    "task id null": (["train", T, "env.train.init_params.id=null"], ["env.train.init_params.id", "None"]),
    "env type": (["train", T, "env.train.env_type=maniskill"], ["env.train.env_type", "'maniskill'"]),
    "no mapping block": (["train", T, "~env.train.isaaclab"], ["env.train.isaaclab", "missing"]),
    "zero envs in yaml": (["train", T, "env.train.total_num_envs=0"], ["env.train.total_num_envs", "got 0"]),
    "--num_envs 0": (["train", T, "--num_envs", "0"], ["--num_envs", "got 0"]),
    "--max_epochs -1": (["train", T, "--max_epochs", "-1"], ["--max_epochs", "got -1"]),
    "--num_episodes 0": (["play", T, "--num_episodes", "0"], ["--num_episodes", "got 0"]),
    "model type typo": (
        ["train", T, "actor.model.model_type=mlp_polcy"],
        ["actor.model.model_type", "'mlp_polcy'"],
    ),
    "PPO without value head": (
        ["train", T, "actor.model.add_value_head=false"],
        ["actor.model.add_value_head", "got False"],
    ),
    "chunks do not divide steps": (
        ["train", T, "actor.model.num_action_chunks=3"],
        ["env.train.max_steps_per_rollout_epoch", "64", "(3)"],
    ),
    "micro batch above global": (
        ["train", T, "actor.micro_batch_size=5000"],
        ["actor.global_batch_size / actor.micro_batch_size", "4096 / 5000"],
    ),
    "batch does not divide epoch": (
        ["train", T, "actor.global_batch_size=1000", "actor.micro_batch_size=1000"],
        ["actor.global_batch_size", "1000", "32768"],
    ),
    "weight syncer type": (["train", T, "weight_syncer.type=nccl"], ["weight_syncer.type", "'nccl'"]),
    "ckpt_path missing": (
        ["train", T, "runner.ckpt_path=/no/such/weights.pt"],
        ["runner.ckpt_path", "'/no/such/weights.pt'"],
    ),
    "--model_path missing": (
        ["play", T, "--model_path", "/no/such/model"],
        ["--model_path", "'/no/such/model'"],
    ),
    "--resume_dir missing": (
        lambda tmp: ["train", T, "--resume_dir", str(tmp / "nope")],
        lambda tmp: ["--resume_dir", repr(str(tmp / "nope"))],
    ),
    "--resume_dir without checkpoints": (
        lambda tmp: ["train", T, "--resume_dir", _empty_dir(tmp)],
        lambda tmp: ["--resume_dir", "no checkpoint", repr(str(tmp / "empty"))],
    ),
    "--resume_dir already at --max_epochs": (
        lambda tmp: ["train", T, "--resume_dir", _checkpoint(tmp, 20), "--max_epochs", "14"],
        ["runner.max_epochs", "14", "(20,", "--max_epochs N with N > 20"],
    ),
    "--resume_dir already at runner.max_steps, max_epochs unset": (
        lambda tmp: [
            "train",
            T,
            "--resume_dir",
            _checkpoint(tmp, 20),
            "runner.max_epochs=null",
            "runner.max_steps=14",
        ],
        ["runner.max_steps", "14", "(20,", "raise or drop runner.max_steps"],
    ),
    "--config_path missing": (
        ["train", T, "--config_path", "/no/such/dir"],
        ["--config_path", "'/no/such/dir'"],
    ),
    "--config_name missing": (["train", T, "--config_name", "nope"], ["--config_name", "nope.yaml"]),
    "--config_name typo of a task's packaged config": (
        ["train", T, "--config_name", "isaaclab_ppo_cnn_franka_reech"],
        ["--config_name", "isaaclab_ppo_cnn_franka_reech.yaml", "'isaaclab_ppo_cnn_franka_reach'"],
    ),
    "--config_name typo in --config_path": (
        [
            "train",
            T,
            "--config_path",
            str(PACKAGE_CONFIG_DIR),
            "--config_name",
            "isaaclab_ppo_mlp_cartpole_camra",
        ],
        ["--config_name", "isaaclab_ppo_mlp_cartpole_camra.yaml", "'isaaclab_ppo_mlp_cartpole_camera'"],
    ),
    "override of a key that does not exist": (
        ["train", T, "runner.no_such_key=1"],
        ["runner.no_such_key", "+runner.no_such_key=VALUE"],
    ),
    "interpolation to a missing key (override)": (
        ["train", T, "+runner.extra=${runner.nope}"],
        ["runner.extra", "'${runner.nope}'", "runner.nope"],
    ),
    "interpolation to an unset env var": (
        ["inspect", "+runner.extra=${oc.env:ISAACLAB_RLINF_TEST_UNSET}"],
        ["runner.extra", "ISAACLAB_RLINF_TEST_UNSET", "${oc.env:NAME,default}"],
    ),
    "interpolation to a missing key (yaml)": (
        lambda tmp: [
            "inspect",
            "--config_name",
            _yaml(
                tmp,
                "video_base_dir: ${runner.logger.log_path}/video/train",
                "video_base_dir: ${runner.log}/v",
            ),
        ],
        ["env.train.video_cfg.video_base_dir", "'${runner.log}/v'"],
    ),
    "malformed interpolation (yaml)": (
        lambda tmp: [
            "train",
            T,
            "--config_name",
            _yaml(tmp, "max_epochs: 50", "max_epochs: ${runner.save_interval"),
        ],
        ["runner.max_epochs", "'${runner.save_interval'"],
    ),
    "state key of the wrong type": (
        ["train", T, "env.train.isaaclab.states=[{key: 5}]"],
        ["env.train.isaaclab.states[0].key", "got 5"],
    ),
    "reversed slice": (
        ["train", T, "env.train.isaaclab.states=[{key: joint_pos, slice: [2, 1]}]"],
        ["env.train.isaaclab.states[0].slice", "[2, 1]"],
    ),
    "negative pad": (
        ["play", T, "env.eval.isaaclab.action_mapping.suffix_pad=-1"],
        ["env.eval.isaaclab.action_mapping.suffix_pad", "got -1"],
    ),
    "camera mapped twice": (
        ["train", T, "+env.train.isaaclab.extra_view_images=[side_camera,side_camera]"],
        ["env.train.isaaclab.extra_view_images", "'side_camera'"],
    ),
    "unknown field in the mapping": (
        ["train", T, "+env.train.isaaclab.main_image=front_camera"],
        ["env.train.isaaclab", "main_image"],
    ),
    "inspect of RLinf's own task": (
        [
            "inspect",
            "--config_path",
            str(REPO / "tests" / "fixtures" / "rlinf_examples_style" / "config"),
            "--config_name",
            "isaaclab_franka_stack_cube_ppo_gr00t_like",
        ],
        [
            "env.train.isaaclab",
            "'Isaac-Stack-Cube-Franka-IK-Rel-Visuomotor-Rewarded-v0'",
            "IsaaclabStackCubeEnv",
        ],
    ),
    "inspect --steps -1": (["inspect", "--steps", "-1"], ["--steps / --num_envs", "-1 / 2"]),
    "rollout --num_envs 0": (["rollout", "--num_envs", "0"], ["--steps / --num_envs", "120 / 0"]),
}

# The schema of the RLinf keys the packaged workflows read (isaaclab_rlinf.rlinf_schema), by class of
# mistake; each case: (argv after the command, the key, the value as written in the error).
WRONG_TYPE = {
    "envs as a string": (["env.train.total_num_envs='64'"], "env.train.total_num_envs", "'64'"),
    "episode steps as a float": (
        ["env.train.max_episode_steps=300.5"],
        "env.train.max_episode_steps",
        "300.5",
    ),
    "auto_reset as a word": (["env.train.auto_reset=sometimes"], "env.train.auto_reset", "'sometimes'"),
    "chunks as a float": (["actor.model.num_action_chunks=1.0"], "actor.model.num_action_chunks", "1.0"),
    "learning rate as a string": (["actor.optim.lr=fast"], "actor.optim.lr", "'fast'"),
    "desired KL as a string": (
        ["actor.optim.adaptive_lr={desired_kl: small}"],
        "actor.optim.adaptive_lr.desired_kl",
        "'small'",
    ),
    "batch as a bool": (["actor.global_batch_size=true"], "actor.global_batch_size", "True"),
}
OUT_OF_RANGE = {
    "negative seed": (["env.train.seed=-1"], "env.train.seed", "-1"),
    "zero steps per rollout epoch": (
        ["env.train.max_steps_per_rollout_epoch=0"],
        "env.train.max_steps_per_rollout_epoch",
        "0",
    ),
    "gamma above 1": (["algorithm.gamma=1.5"], "algorithm.gamma", "1.5"),
    "negative gae_lambda": (["algorithm.gae_lambda=-0.1"], "algorithm.gae_lambda", "-0.1"),
    "zero learning rate": (["actor.optim.lr=0.0"], "actor.optim.lr", "0.0"),
    "zero PPO epochs": (["algorithm.update_epoch=0"], "algorithm.update_epoch", "0"),
    "negative desired KL": (
        ["actor.optim.adaptive_lr={desired_kl: -0.01}"],
        "actor.optim.adaptive_lr.desired_kl",
        "-0.01",
    ),
    "zero action width": (["actor.model.action_dim=0"], "actor.model.action_dim", "0"),
}
DISAGREEING = {
    "rollout chunks vs the actor's": (
        ["rollout.model.num_action_chunks=2", "env.train.max_steps_per_rollout_epoch=64"],
        "rollout.model.num_action_chunks",
        "2",
        "actor.model.num_action_chunks (1)",
    ),
    "rollout action width vs the actor's": (
        ["rollout.model.action_dim=2"],
        "rollout.model.action_dim",
        "2",
        "actor.model.action_dim (1)",
    ),
    "rollout model vs the actor's": (
        ["rollout.model.model_type=cnn_policy"],
        "rollout.model.model_type",
        "'cnn_policy'",
        "actor.model.model_type ('mlp_policy')",
    ),
    "task episode length vs RLinf's": (
        ["env.eval.init_params.max_episode_steps=100"],
        "env.eval.init_params.max_episode_steps",
        "100",
        "env.eval.max_episode_steps (300)",
    ),
    "env group size vs the algorithm's": (
        ["env.train.group_size=2"],
        "env.train.group_size",
        "2",
        "algorithm.group_size (1)",
    ),
}

# Errors only the live task shows: train builds it with one env on CPU and checks, as inspect does.
LIVE = {
    "unknown observation term": (
        ["env.train.isaaclab.states=[{key: joint_pos}, {key: joint_velocity}]"],
        ["env.train.isaaclab.states[1].key", "'joint_velocity'", "'joint_vel'"],
    ),
    "slice past the term's width": (
        ["env.train.isaaclab.states=[{key: joint_pos, slice: [0, 5]}, {key: joint_vel}]"],
        ["env.train.isaaclab.states[0].slice", "[0, 5]"],
    ),
    "action width": (
        ["actor.model.action_dim=2"],
        ["env.train.isaaclab.action_mapping", "policy action dim 2", "suffix_pad: 0"],
    ),
    "obs_dim width": (["actor.model.obs_dim=5"], ["actor.model.obs_dim", "got obs_dim 5", "obs_dim=4"]),
    "unknown success term": (
        ["env.train.isaaclab.success_term=succeeded"],
        ["env.train.isaaclab.success_term", "'succeeded'", "'success'"],
    ),
}


def _expect_one_line(code: int, err: str, command: str, expected: list[str], tmp: Path) -> None:
    import ray

    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line and not line.startswith("isaaclab-rlinf: note:")]
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith(f"isaaclab-rlinf {command}: error: {expected[0]}"), line
    for part in expected[1:]:
        assert part in line, (part, line)
    assert "Fix:" in line
    assert not ray.is_initialized()
    assert not (tmp / "logs").exists()


@pytest.mark.parametrize("case", list(STATIC))
def test_static_bad_input_is_one_line_exit_2(case, tmp_path, capsys):
    argv, expected = STATIC[case]
    argv = argv(tmp_path) if callable(argv) else argv
    expected = expected(tmp_path) if callable(expected) else expected
    code = main(argv)
    _expect_one_line(code, capsys.readouterr().err, argv[0], expected, tmp_path)


@pytest.mark.parametrize("case", list(WRONG_TYPE))
def test_an_rlinf_key_of_the_wrong_type_is_one_line_exit_2(case, tmp_path, capsys):
    overrides, key, value = WRONG_TYPE[case]
    code = main(["train", T, *overrides])
    _expect_one_line(code, capsys.readouterr().err, "train", [key, f"(got {value})", "must be"], tmp_path)


@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_an_rlinf_key_out_of_range_is_one_line_exit_2(case, tmp_path, capsys):
    overrides, key, value = OUT_OF_RANGE[case]
    code = main(["train", T, *overrides])
    _expect_one_line(code, capsys.readouterr().err, "train", [key, f"(got {value})", "must be"], tmp_path)


@pytest.mark.parametrize("case", list(DISAGREEING))
def test_an_rlinf_key_disagreeing_with_its_pair_is_one_line_exit_2(case, tmp_path, capsys):
    overrides, key, value, other = DISAGREEING[case]
    code = main(["train", T, "runner.val_check_interval=1", *overrides])  # eval split built too
    _expect_one_line(
        code, capsys.readouterr().err, "train", [key, f"{key}: {value} disagrees with {other}"], tmp_path
    )


@pytest.mark.sim
@pytest.mark.parametrize("case", list(LIVE))
def test_live_task_bad_input_is_one_line_exit_2_before_the_gpu_stop(case, tmp_path, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # the check runs on CPU, as on a laptop
    overrides, expected = LIVE[case]
    code = main(["train", *overrides])
    _expect_one_line(code, capsys.readouterr().err, "train", expected, tmp_path)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["train", "--num_envs", "0"], "isaaclab-rlinf train: error: --num_envs: must be a positive integer"),
        (
            ["inspect", "+runner.extra=${runner.nope}"],
            "isaaclab-rlinf inspect: error: runner.extra: cannot resolve '${runner.nope}'",
        ),
    ],
)
def test_console_entry_point_prints_the_one_line(argv, expected, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "isaaclab_rlinf", *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(Path.home())},
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout == ""
    assert [line for line in proc.stderr.splitlines() if line.strip()] == [proc.stderr.strip()]
    assert proc.stderr.startswith(expected) and "Fix:" in proc.stderr
    assert not (tmp_path / "logs").exists()


def _weights_of(task: str, tmp: Path, name: str = "full_weights.pt") -> str:
    """A ``full_weights.pt`` of the packaged MLP policy of ``task`` (what `train` or `bc` writes)."""
    import torch
    from rlinf.models import get_model

    from isaaclab_rlinf.cli import parse_args
    from isaaclab_rlinf.cli.config import build_config

    path = tmp / name
    torch.save(get_model(build_config(parse_args(["train", "--task", task])).actor.model).state_dict(), path)
    return str(path)


# another config's weights: RLinf's strict load would fail inside Ray, on the GPU, with a page of keys
MODEL_PATHS = {
    "a Reach clone for the Lift config": (
        lambda tmp: _weights_of("Isaac-RLinf-Franka-Reach-Camera-v0", tmp),
        "Isaac-RLinf-Franka-Lift-Cube-Camera-v0",
        [
            "does not fit actor.model (mlp_policy, obs_dim 28, action_dim 8)",
            "shapes differ: actor_logstd (1, 7)",
        ],
    ),
    "a file that is no state dict": (
        lambda tmp: (tmp / "full_weights.pt").write_text("not torch") and str(tmp / "full_weights.pt"),
        "Isaac-RLinf-Franka-Reach-Camera-v0",
        ["is not a state dict torch can load"],
    ),
}


@pytest.mark.parametrize("case", list(MODEL_PATHS))
def test_weights_that_do_not_fit_the_policy_are_one_line_exit_2(case, tmp_path, capsys):
    weights, task, expected = MODEL_PATHS[case]
    path = weights(tmp_path)
    code = main(["train", "--task", task, "--model_path", path, "--no_task_check"])
    _expect_one_line(
        code, capsys.readouterr().err, "train", [f"runner.ckpt_path: {path!r}", *expected], tmp_path
    )

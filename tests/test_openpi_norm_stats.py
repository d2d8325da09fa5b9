"""openpi's norm stats against the task, before Ray: ``<model_path>/isaaclab_rlinf/norm_stats.json`` must be
there and as wide as the mapping's states and ``actor.model.action_dim`` (openpi cuts wider state stats
silently, fails on narrower ones in a worker, and leaves action columns past the stats unnormalised), and
hold what the model normalises with: q01/q99 for pi0.5 (openpi asserts them in a worker), std for both,
finite, q99 not below q01.

Needs no openpi (our configs' asset id is known without it): runs in both venvs. The files are written by
our own norm-stats writer, as ``openpi-init`` writes them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import isaaclab_rlinf
from isaaclab_rlinf.cli import main
from isaaclab_rlinf.models.openpi.norm_stats import neutral_stats, write_norm_stats

YAML = Path(isaaclab_rlinf.__file__).parent / "tasks/franka/isaaclab_ppo_openpi_pi05_franka_reach.yaml"
SLICED = "env.train.isaaclab.states=[{key:arm_joint_pos,slice:[0,7]},{key:gripper_pos,slice:[0,2]}]"
FIX = (
    "Fix: `isaaclab-rlinf openpi-init --config_name <this config> --out DIR` writes a model_path with this "
    "task's norm stats (then --model_path DIR); for a trained checkpoint, put the norm stats of its "
    "training data there."
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def model_path(tmp_path: Path, state: int | None, actions: int) -> Path:
    path = tmp_path / "pi05"
    path.mkdir()
    if state is not None:
        write_norm_stats(path, "isaaclab_rlinf", neutral_stats(state), neutral_stats(actions))
    return path


def edit_stats(path: Path, key: str, field: str, values: list[float] | None) -> None:
    """Set (None: drop) one field of the norm stats ``model_path`` wrote."""
    file = path / "isaaclab_rlinf/norm_stats.json"
    stats = json.loads(file.read_text())
    if values is None:
        del stats["norm_stats"][key][field]
    else:
        stats["norm_stats"][key][field] = values
    file.write_text(json.dumps(stats))


def train(path: Path, *extra: str) -> list[str]:
    return ["train", "--config_name", str(YAML), f"actor.model.model_path={path}", *extra]


def error_line(capsys) -> str:
    (line,) = capsys.readouterr().err.strip().splitlines()
    return line.removeprefix("isaaclab-rlinf train: error: ")


def test_a_model_path_without_norm_stats_is_one_line_naming_the_file_exit_2(tmp_path, capsys):
    path = model_path(tmp_path, state=None, actions=7)
    assert main(train(path, "--no_task_check")) == 2
    assert error_line(capsys) == (
        f"actor.model.model_path: '{path}/isaaclab_rlinf/norm_stats.json' is missing; openpi normalises "
        "states and actions with it (asset id 'isaaclab_rlinf' of openpi config 'pi05_isaaclab_rlinf'). "
        + FIX
    )


def test_action_stats_narrower_than_action_dim_are_one_line_exit_2(tmp_path, capsys):
    path = model_path(tmp_path, state=9, actions=6)
    assert main(train(path, "--no_task_check")) == 2
    assert error_line(capsys) == (
        f"actor.model.model_path: '{path}/isaaclab_rlinf/norm_stats.json' does not fit the task: actions 6 "
        f"wide, actor.model.action_dim 7. {FIX}"
    )


def test_state_stats_of_another_width_than_sliced_states_are_one_line_exit_2(tmp_path, capsys):
    path = model_path(tmp_path, state=8, actions=7)
    assert main(train(path, "--no_task_check", SLICED)) == 2
    assert error_line(capsys) == (
        f"actor.model.model_path: '{path}/isaaclab_rlinf/norm_stats.json' does not fit the task: state 8 "
        f"wide, the mapping's states 9. {FIX}"
    )


def test_norm_stats_of_the_tasks_widths_pass_on_to_the_gpu_stop(tmp_path, capsys):
    path = model_path(tmp_path, state=9, actions=7)
    assert main(train(path, "--no_task_check", SLICED)) == 3
    assert "`isaaclab-rlinf train` needs a GPU" in capsys.readouterr().err


def test_a_model_path_that_is_no_local_directory_is_left_to_rlinf(capsys):
    assert main(train(Path("/path/to/pi05_franka"), "--no_task_check")) == 3  # the packaged placeholder


@pytest.mark.sim
def test_unsliced_states_are_measured_on_the_live_task(tmp_path, capsys):
    path = model_path(tmp_path, state=8, actions=7)  # arm_joint_pos (7) + gripper_pos (2) = 9
    assert main(train(path)) == 2
    assert error_line(capsys) == (
        f"actor.model.model_path: '{path}/isaaclab_rlinf/norm_stats.json' does not fit the task: state 8 "
        f"wide, the mapping's states 9. {FIX}"
    )


def test_pi05_norm_stats_without_quantiles_are_one_line_exit_2(tmp_path, capsys):
    path = model_path(tmp_path, state=9, actions=7)
    edit_stats(path, "actions", "q99", None)  # mean/std only: what openpi's pi0 statistics hold
    assert main(train(path, "--no_task_check")) == 2
    assert error_line(capsys) == (
        f"actor.model.model_path: '{path}/isaaclab_rlinf/norm_stats.json': actions.q99 is missing; openpi "
        "normalises with q01/q99 (pi0.5 normalises with quantiles) and would fail or scale wrongly in a "
        f"worker. {FIX}"
    )


def test_pi0_normalises_with_mean_and_std_and_needs_no_quantiles(tmp_path, capsys):
    path = model_path(tmp_path, state=9, actions=7)
    edit_stats(path, "actions", "q99", None)
    edit_stats(path, "state", "q01", None)
    pi0 = "actor.model.openpi.config_name=pi0_isaaclab_rlinf"
    assert main(train(path, "--no_task_check", SLICED, pi0)) == 3
    assert "`isaaclab-rlinf train` needs a GPU" in capsys.readouterr().err


def test_quantiles_whose_q99_is_below_q01_are_one_line_naming_the_dimension_exit_2(tmp_path, capsys):
    path = model_path(tmp_path, state=9, actions=7)
    edit_stats(path, "state", "q99", [1.0] * 4 + [-1.5] + [1.0] * 4)
    assert main(train(path, "--no_task_check")) == 2
    assert error_line(capsys) == (
        f"actor.model.model_path: '{path}/isaaclab_rlinf/norm_stats.json': state.q99[4] -1.5 is below "
        "state.q01[4] -1; openpi normalises with q01/q99 (pi0.5 normalises with quantiles) and would fail "
        f"or scale wrongly in a worker. {FIX}"
    )


def test_a_non_finite_statistic_is_one_line_naming_it_exit_2(tmp_path, capsys):
    path = model_path(tmp_path, state=9, actions=7)
    edit_stats(path, "actions", "std", [1.0] * 6 + [float("nan")])
    assert main(train(path, "--no_task_check")) == 2
    assert error_line(capsys).startswith(
        f"actor.model.model_path: '{path}/isaaclab_rlinf/norm_stats.json': actions.std[6] is nan; "
    )

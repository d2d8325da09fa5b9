"""Every packaged config is found by its name, wherever in the package it lives, and ``isaaclab-rlinf tasks``
lists each task's configs with the model family it trains.

Configs are composed for real (Hydra, the packaged YAML files); nothing is launched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from isaaclab_rlinf.cli import main, parse_args
from isaaclab_rlinf.cli.config import build_config, resolve_config_source
from isaaclab_rlinf.cli.packaged import PACKAGE_DIR, find_config, packaged_configs
from isaaclab_rlinf.rlinf_cfg import ConfigError

# Every YAML the package ships, by globbing the tree (not through the code under test).
PACKAGED_FILES = sorted(
    p
    for folder in ("configs", "tasks")
    for p in (PACKAGE_DIR / folder).rglob("*.yaml")
    if "assets" not in p.parts
)
REACH = "Isaac-RLinf-Franka-Reach-Camera-v0"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_the_package_ships_configs_in_more_than_one_folder():
    folders = {p.parent.relative_to(PACKAGE_DIR).as_posix() for p in PACKAGED_FILES}
    assert {"configs", "tasks/franka", "tasks/cartpole_camera"} <= folders


def test_packaged_config_names_are_unique_so_a_name_is_enough():
    names = [p.stem for p in PACKAGED_FILES]
    assert sorted(names) == sorted(set(names))
    assert {c.path for c in packaged_configs()} >= set(PACKAGED_FILES)


@pytest.mark.parametrize("path", PACKAGED_FILES, ids=[p.stem for p in PACKAGED_FILES])
def test_config_name_finds_every_packaged_config_and_composes_it_from_its_own_folder(path):
    args = parse_args(["train", "--config_name", path.stem])
    assert resolve_config_source(args) == (path.parent, path.stem)
    cfg = build_config(args)
    assert OmegaConf.select(cfg, "env.train.init_params.id")
    assert OmegaConf.select(cfg, "actor.model.model_type")


def test_a_config_that_extends_another_by_name_composes_with_it():
    cfg = build_config(parse_args(["train", "--config_name", "isaaclab_ppo_mlp_franka_reach_warmstart.yaml"]))
    assert OmegaConf.select(cfg, "env.train.init_params.id") == REACH  # from the config it extends
    assert OmegaConf.select(cfg, "actor.optim.critic_warmup_epochs") == 2  # its own


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("isaaclab_ppo_mlp_franka_reech", r"did you mean 'isaaclab_ppo_mlp_franka_reach'"),
        ("isaaclab_ppo_cnn_franka", r"did you mean 'isaaclab_ppo_cnn_franka_reach'"),
        ("nope", r"packaged: \[.*'isaaclab_ppo_gr00t_cartpole_camera'.*'isaaclab_ppo_mlp_franka_lift'"),
    ],
    ids=["typo", "prefix", "nothing_close"],
)
def test_a_missing_name_is_one_line_naming_it_and_the_close_matches(name, expected):
    with pytest.raises(ConfigError) as info:
        find_config(name)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"--config_name: no {name}.yaml among the packaged configs")
    assert re.search(expected, message), message
    assert "Fix:" in message


def test_a_missing_name_exits_2_before_anything_starts(tmp_path, capsys):
    assert main(["train", "--no_task_check", "--config_name", "isaaclab_ppo_gr00t_franka_rech"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "isaaclab-rlinf train: error: --config_name: no isaaclab_ppo_gr00t_franka_rech.yaml"
    )
    assert "'isaaclab_ppo_gr00t_franka_reach'" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "logs").exists()


def test_with_config_path_the_name_is_looked_up_in_that_folder_only(tmp_path):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "my_run.yaml").write_text(
        (PACKAGE_DIR / "configs" / "isaaclab_ppo_mlp_cartpole_camera.yaml").read_text()
    )
    args = parse_args(["train", "--config_path", str(own), "--config_name", "isaaclab_ppo_mlp_franka_reach"])
    with pytest.raises(ConfigError, match=r"^--config_name: no isaaclab_ppo_mlp_franka_reach\.yaml in "):
        resolve_config_source(args)
    args = parse_args(["train", "--config_path", str(own), "--config_name", "my_rn"])
    with pytest.raises(ConfigError, match=r"did you mean 'my_run'\?"):
        resolve_config_source(args)


def _task_blocks(out: str) -> dict[str, list[list[str]]]:
    """The CONFIGS section of ``tasks``: task id -> its lines split into columns."""
    section = out.split("CONFIGS per task", 1)[1].splitlines()[1:]
    blocks: dict[str, list[list[str]]] = {}
    for line in section:
        if line.startswith("  ") and not line.startswith("    "):
            current = blocks.setdefault(line.strip(), [])
        elif line.strip():
            current.append(line.split())
    return blocks


def test_tasks_lists_every_packaged_config_under_its_task_with_its_model_family(capsys):
    assert main(["tasks"]) == 0
    blocks = _task_blocks(capsys.readouterr().out)
    listed = {row[-1] for rows in blocks.values() for row in rows}
    assert {p.relative_to(PACKAGE_DIR).as_posix() for p in PACKAGED_FILES} <= listed
    reach = {row[-3]: row[-2] for row in blocks[REACH]}  # name -> model family
    assert reach == {
        "isaaclab_ppo_mlp_franka_reach": "mlp_policy",
        "isaaclab_ppo_mlp_franka_reach_warmstart": "mlp_policy",
        "isaaclab_ppo_cnn_franka_reach": "cnn_policy",
        "isaaclab_ppo_cnn_franka_reach_warmstart": "cnn_policy",
        "isaaclab_ppo_gr00t_franka_reach": "gr00t",
        "isaaclab_ppo_gr00t_franka_reach_states": "gr00t",
        "isaaclab_ppo_openpi_pi05_franka_reach": "openpi",
        "isaaclab_ppo_openpi_pi0_franka_reach": "openpi",
    }
    assert blocks[REACH][0][:2] == ["*", "isaaclab_ppo_mlp_franka_reach"]  # the task's default, first
    cartpole = {row[-3]: row[-2] for row in blocks["Isaac-RLinf-Cartpole-Camera-v0"]}
    assert cartpole == {
        "isaaclab_ppo_mlp_cartpole_camera": "mlp_policy",
        "isaaclab_ppo_gr00t_cartpole_camera": "gr00t",
    }


def test_every_listed_name_is_one_config_name_takes(capsys):
    assert main(["tasks"]) == 0
    names = {row[-3] for rows in _task_blocks(capsys.readouterr().out).values() for row in rows}
    for name in names:
        assert find_config(name).path.is_file()


def test_tasks_without_configs_prints_the_table_only(capsys):
    assert main(["tasks", "--no_configs"]) == 0
    out = capsys.readouterr().out
    assert "CONFIGS per task" not in out and REACH in out


def test_a_packaged_path_is_relative_to_the_package(tmp_path):
    assert (
        find_config("isaaclab_ppo_cnn_franka_reach").where
        == "tasks/franka/isaaclab_ppo_cnn_franka_reach.yaml"
    )
    assert Path(find_config("isaaclab_ppo_cnn_franka_reach").path).is_absolute()


@pytest.mark.parametrize("path", PACKAGED_FILES, ids=[p.stem for p in PACKAGED_FILES])
@pytest.mark.parametrize("command", ["train", "play"])
def test_every_packaged_config_passes_the_schema_of_the_rlinf_keys(path, command):
    from isaaclab_rlinf.preflight import env_splits
    from isaaclab_rlinf.rlinf_schema import check_rlinf_keys

    cfg = build_config(parse_args([command, "--config_name", path.stem, "runner.val_check_interval=1"]))
    check_rlinf_keys(cfg, env_splits(cfg))  # raises ConfigError on the first bad key

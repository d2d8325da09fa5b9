"""Compose a run's config: Hydra compose of a YAML + ``key=value`` overrides, then the CLI's own options.

:func:`build_config` is the whole mapping from command-line arguments to the ``DictConfig`` RLinf gets;
it starts nothing (no Ray, no simulator), so every argument is testable on its own.

What each option sets (flags win over ``key=value`` overrides of the same key):

=====================  ==============================================================================
``--task ID``          ``env.train.init_params.id`` and ``env.eval.init_params.id``; without
                       ``--config_name`` the task's own packaged config (``isaaclab-rlinf tasks``) is used
``--num_envs N``       ``env.train.total_num_envs`` and ``env.eval.total_num_envs``; for training,
                       ``actor.global_batch_size`` / ``micro_batch_size`` are rescaled so an epoch keeps
                       its number of PPO minibatches (unless given as overrides)
``--seed S``           ``env.train.seed``, ``env.eval.seed`` and ``actor.seed``
``--model_path P``     a RLinf training checkpoint (``.pt``, run dir, ``global_step_N``): its
                       ``full_weights.pt`` -> ``runner.ckpt_path``; anything else (e.g. a Hugging Face
                       model dir) -> ``actor.model.model_path`` and ``rollout.model.model_path``
``--max_epochs N``     ``runner.max_epochs``
``--resume_dir D``     ``runner.resume_dir`` = the newest ``checkpoints/global_step_N`` under ``D``
``--only_eval``        ``runner.only_eval`` = True (evaluation with ``EmbodiedEvalRunner``)
``--num_episodes N``   (play) ``env.eval.rollout_epoch`` = ceil(N / eval envs), one full episode
                       (``max_episode_steps``) per env and rollout epoch
``--video``            (play) ``env.eval.video_cfg.save_video`` = True
``--logger B``         ``runner.logger.logger_backends`` = [B]
``--experiment_name``  ``runner.logger.experiment_name``
``--run_name R``       suffix of the log directory: ``logs/rlinf/<timestamp>-<task>-<R>``
=====================  ==============================================================================

``runner.logger.log_path`` becomes ``logs/rlinf/<YYYY-mm-dd_HH-MM-SS>-<task>[-<run_name>]`` (absolute,
under the current directory) unless set as an override.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict

from ..preflight import (
    ConfigError,
    check_interpolations,
    find_latest_checkpoint,
    find_model_weights,
    rollout_size,
    select,
    task_id,
)
from .packaged import find_config

PACKAGE_CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_CONFIG_NAME = "isaaclab_ppo_mlp_cartpole_camera"
LOG_ROOT = Path("logs") / "rlinf"
TIMESTAMP_FORMAT = "%Y-%m-%d_%H-%M-%S"
LOGGER_BACKENDS = ("tensorboard", "wandb", "swanlab")

_UNSAFE = re.compile(r"[^\w.\-]+")


# --------------------------------------------------------------------------------------------------
# locating and composing


def resolve_config_source(args: argparse.Namespace) -> tuple[Path, str]:
    """``(config_dir, config_name)`` for the run.

    ``--config_name`` may carry ``.yaml`` or be a path to a YAML file (then its directory is the config
    dir unless ``--config_path`` is given). A bare name is any packaged config, wherever in the package
    it lives (:func:`~isaaclab_rlinf.cli.packaged.find_config`); with ``--config_path DIR`` it is looked
    up in ``DIR`` only. Without ``--config_name``, ``--task`` picks that task's packaged config when it
    declares one, else the embedded task's config is used.
    """
    config_path = getattr(args, "config_path", None)
    config_name = getattr(args, "config_name", None)
    task = getattr(args, "task", None)
    if config_name is None and task and config_path is None:
        found = _task_config(task)
        if found is not None:
            return found.parent, found.stem
    if config_name is None:
        config_name = DEFAULT_CONFIG_NAME
    if config_path is None:
        as_file = Path(config_name).expanduser()
        if as_file.suffix in (".yaml", ".yml") and as_file.is_file():
            return as_file.resolve().parent, as_file.stem
        found = find_config(config_name)  # any packaged config, wherever it lives (configs/, tasks/*/)
        return found.path.parent, found.name
    config_dir = Path(config_path).expanduser().resolve()
    if not config_dir.is_dir():
        raise ConfigError(
            f"--config_path: {config_path!r} is not a directory. Fix: pass the directory holding the "
            "YAML, or leave it out for the packaged configs (`isaaclab-rlinf tasks` lists them)."
        )
    name = Path(config_name).name
    for suffix in (".yaml", ".yml"):
        name = name.removesuffix(suffix)
    if not any((config_dir / f"{name}{s}").is_file() for s in (".yaml", ".yml")):
        available = sorted(p.stem for s in ("*.yaml", "*.yml") for p in config_dir.glob(s))
        close = difflib.get_close_matches(name, available, n=3, cutoff=0.6)
        options = f"did you mean {' or '.join(map(repr, close))}?" if close else f"it has {available}."
        raise ConfigError(
            f"--config_name: no {name}.yaml in --config_path {str(config_dir)!r}; {options} Fix: use one of "
            "those, or leave --config_path out for the packaged configs."
        )
    return config_dir, name


def _task_config(task: str) -> Path | None:
    try:
        from ..registry import resolve_config_path
    except ImportError:  # pragma: no cover - registry always ships
        return None
    try:
        return resolve_config_path(task)
    except (LookupError, FileNotFoundError):
        return None  # not an entry-point task, or no config: fall back to the default config


def compose(
    config_dir: str | os.PathLike, config_name: str, overrides: list[str] | None = None
) -> DictConfig:
    """Hydra compose (defaults lists, groups, ``${}`` interpolation and YAML anchors all kept)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import GrammarParseError, OmegaConfBaseException

    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(Path(config_dir).resolve()), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides or []))
    except (HydraException, OmegaConfBaseException, ValueError) as exc:
        syntax = exc if isinstance(exc, GrammarParseError) else exc.__cause__
        if isinstance(syntax, GrammarParseError):  # a malformed ${...}: name its key
            value = str(syntax).strip().splitlines()[0].removeprefix("no viable alternative at input ")
            raise ConfigError(
                f"{syntax.full_key}: malformed interpolation {value} (in {config_name}.yaml). Fix: write it "
                "as ${path.to.key} (closed with `}`), or escape a literal `${` as '\\${'."
            ) from exc
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        missing = re.match(r"Could not override '([^']+)'", first)
        if missing:  # key=value for a key the YAML does not have
            key = missing.group(1)
            raise ConfigError(
                f"{key}: no such key in {config_name}.yaml, so the override cannot set it. Fix: check the "
                f"spelling, or write +{key}=VALUE to add it."
            ) from exc
        raise ConfigError(
            f"composing {config_name!r} from {str(config_dir)!r} failed: {first.rstrip('.')}. Fix: check the "
            "override (key=value for an existing key, +key=value to add one) or the YAML's defaults list."
        ) from exc


# --------------------------------------------------------------------------------------------------
# build_config


def override_keys(overrides: list[str] | None) -> set[str]:
    """Config keys set by ``key=value`` overrides (``+``/``++`` prefixes dropped)."""
    keys = set()
    for item in overrides or []:
        if "=" in item:
            keys.add(item.split("=", 1)[0].lstrip("+~"))
    return keys


def run_dir_name(task: str, now: datetime | None = None, run_name: str | None = None) -> str:
    """``<YYYY-mm-dd_HH-MM-SS>-<task>[-<run_name>]``, with path-unsafe characters replaced by ``_``."""
    stamp = (now or datetime.now()).strftime(TIMESTAMP_FORMAT)
    parts = [stamp, _UNSAFE.sub("_", task)]
    if run_name:
        parts.append(_UNSAFE.sub("_", run_name))
    return "-".join(parts)


def default_log_dir(task: str, now: datetime | None = None, run_name: str | None = None) -> Path:
    return (LOG_ROOT / run_dir_name(task, now, run_name)).resolve()


def build_config(args: argparse.Namespace, now: datetime | None = None) -> DictConfig:
    """Compose the config named by ``args`` and apply the CLI options (module docstring table)."""
    config_dir, config_name = resolve_config_source(args)
    overrides = list(getattr(args, "overrides", None) or [])
    cfg = compose(config_dir, config_name, overrides)
    check_interpolations(cfg)
    explicit = override_keys(overrides)
    command = getattr(args, "command", "train")
    g = args.__dict__.get

    with open_dict(cfg):
        if command == "play" or g("only_eval"):
            _set(cfg, "runner.only_eval", True)
        if g("task"):
            for split in _splits(cfg):
                _set(cfg, f"env.{split}.init_params.id", g("task"))
        if g("num_envs") is not None:
            _positive(g("num_envs"), "--num_envs")
            before = rollout_size(cfg)
            for split in _splits(cfg):
                _set(cfg, f"env.{split}.total_num_envs", g("num_envs"))
            if command == "train" and not ({"actor.global_batch_size", "actor.micro_batch_size"} & explicit):
                _rescale_batches(cfg, before, rollout_size(cfg))
        if g("seed") is not None:
            for split in _splits(cfg):
                _set(cfg, f"env.{split}.seed", g("seed"))
            if select(cfg, "actor") is not None:
                _set(cfg, "actor.seed", g("seed"))
        if g("model_path"):
            _apply_model_path(cfg, g("model_path"))
        if g("max_epochs") is not None:
            _positive(g("max_epochs"), "--max_epochs")
            _set(cfg, "runner.max_epochs", g("max_epochs"))
        if g("resume_dir"):
            _set(cfg, "runner.resume_dir", str(find_latest_checkpoint(g("resume_dir"))))
        if g("num_episodes") is not None:
            _positive(g("num_episodes"), "--num_episodes")
            _apply_num_episodes(cfg, g("num_episodes"))
        if g("video"):
            _set(cfg, "env.eval.video_cfg.save_video", True)
        if g("logger"):
            if g("logger") not in LOGGER_BACKENDS:
                raise ConfigError(
                    f"--logger: {g('logger')!r} is not a logger RLinf has. "
                    f"Fix: use one of {list(LOGGER_BACKENDS)}."
                )
            _set(cfg, "runner.logger.logger_backends", [g("logger")])
        if g("experiment_name"):
            _set(cfg, "runner.logger.experiment_name", g("experiment_name"))
        if "runner.logger.log_path" in explicit:
            log_path = Path(str(select(cfg, "runner.logger.log_path"))).expanduser().resolve()
        else:
            log_path = default_log_dir(task_id(cfg), now, g("run_name"))
        _set(cfg, "runner.logger.log_path", str(log_path))
    return cfg


def _splits(cfg: DictConfig) -> list[str]:
    return [s for s in ("train", "eval") if select(cfg, f"env.{s}") is not None]


def _set(cfg: DictConfig, key: str, value: Any) -> None:
    OmegaConf.update(cfg, key, value, merge=False, force_add=True)


def _positive(value: int, flag: str) -> None:
    if not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{flag}: must be a positive integer (got {value!r}). Fix: {flag} N with N >= 1.")


def _rescale_batches(cfg: DictConfig, before: int | None, after: int | None) -> None:
    """Keep an epoch's number of PPO minibatches, and micro batches per minibatch, when envs change."""
    gbs, mbs = select(cfg, "actor.global_batch_size"), select(cfg, "actor.micro_batch_size")
    if not (before and after and isinstance(gbs, int) and isinstance(mbs, int)) or before == after:
        return
    minibatches = before // gbs if gbs and before % gbs == 0 else 1
    new_gbs = after // minibatches if after % minibatches == 0 else after
    micro_per_mini = gbs // mbs if mbs and gbs % mbs == 0 else 1
    new_mbs = new_gbs // micro_per_mini if new_gbs % micro_per_mini == 0 else new_gbs
    _set(cfg, "actor.global_batch_size", new_gbs)
    _set(cfg, "actor.micro_batch_size", new_mbs)


def _apply_model_path(cfg: DictConfig, model_path: str) -> None:
    path = Path(model_path).expanduser()
    if not path.exists():
        raise ConfigError(
            f"--model_path: {model_path!r} does not exist. Fix: pass a training run directory, a "
            "checkpoints/global_step_N directory, a full_weights.pt, or a model directory."
        )
    weights = find_model_weights(path)
    if weights is not None:
        _set(cfg, "runner.ckpt_path", str(weights))
        return
    for key in ("actor.model.model_path", "rollout.model.model_path"):
        if select(cfg, key.rsplit(".", 1)[0]) is not None:
            _set(cfg, key, str(path.resolve()))


def _apply_num_episodes(cfg: DictConfig, episodes: int) -> None:
    envs = select(cfg, "env.eval.total_num_envs")
    episode_steps = select(cfg, "env.eval.max_episode_steps")
    if not isinstance(envs, int) or not isinstance(episode_steps, int):
        raise ConfigError(
            f"--num_episodes: needs env.eval.total_num_envs and env.eval.max_episode_steps as integers (got "
            f"{envs!r} and {episode_steps!r}). Fix: set both in the YAML or as overrides."
        )
    chunks = select(cfg, "rollout.model.num_action_chunks", 1) or 1
    _set(cfg, "env.eval.rollout_epoch", math.ceil(episodes / envs))
    _set(cfg, "env.eval.max_steps_per_rollout_epoch", math.ceil(episode_steps / chunks) * chunks)

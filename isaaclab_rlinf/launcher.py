"""Launch RLinf's embodied runner (train) or eval runner (play) for a composed config.

The order is the point: everything that can be checked without Ray is checked first, in the driver
(:mod:`isaaclab_rlinf.preflight`), so a bad config fails in seconds with one message naming the key, the
value and the fix:

0. (CLI, :func:`isaaclab_rlinf.cli.config.build_config`) every ``${...}`` resolves
   (:func:`check_interpolations`).
1. :func:`preflight` (no Ray, no GPU): a RLinf 0.2-era config upgraded, then the task ids, the mapping
   blocks, the model bridges, the batch sizes, RLinf's static rules and the checkpoint paths (the list is
   in :mod:`isaaclab_rlinf.preflight`).
2. :func:`check_tasks_live`: each mapped task is built once with one env in the driver and the mapping
   checked against its first observation, as ``inspect`` does. ``--no_task_check`` skips it.
3. :func:`require_accelerator`: RLinf's actor and rollout workers need one; without it we stop here and
   point to ``isaaclab-rlinf inspect``. :func:`require_model_package`: GR00T model types need ``gr00t``.
4. :func:`prepare_environment`: the variables Ray copies to every worker (below).
5. :func:`validate_with_rlinf`: ``rlinf.config.validate_cfg``. It creates RLinf's ``Cluster`` (this starts
   a local Ray instance and RLinf's manager actors, but no worker), because its placement checks need the
   cluster's node and accelerator count. Its assertion messages are turned into the same one-line error.
6. :func:`write_config`, then :func:`launch_train` / :func:`launch_eval` exactly as RLinf's
   ``examples/embodiment/train_embodied_agent.py`` / ``eval_embodied_agent.py`` do.

So every config error comes before step 3: a GPU config can be validated on a laptop.

Environment given to the driver and (copied by RLinf's ``Cluster``) every Ray worker:

* ``RLINF_EXT_MODULE=isaaclab_rlinf``: RLinf imports it in each worker and calls ``register()``.
* ``RLINF_CONFIG_FILE=<log_dir>/config.yaml``: the resolved config; ``register()`` registers its task ids
  and the GR00T bridge rebuilds its converters from it in each worker. Unset for a config whose tasks are
  all RLinf's own (nothing of ours to rebuild).
* ``PYTHONPATH``: the config directory first (so ``data_config_class: "module:Class"`` next to the YAML
  imports in workers), after ``$RLINF_ROOT`` when set; for a source checkout (editable install) also the
  checkout, so workers import this package whatever their working directory.
* ``RLINF_ROOT`` (optional, read): a source checkout of RLinf (the directory holding ``rlinf/``). It is put
  first on ``sys.path`` (driver) and ``PYTHONPATH`` (workers), so that checkout's ``rlinf`` is used instead
  of the installed wheel, and ``EMBODIED_PATH`` defaults to ``$RLINF_ROOT/examples/embodiment`` (RLinf's
  example configs search ``${oc.env:EMBODIED_PATH}/config``), so
  ``--config_path $RLINF_ROOT/examples/embodiment/config`` composes RLinf's own configs.
* ``NCCL_NVLS_ENABLE=0``, ``TORCH_SYMM_MEM_DISABLE_MULTICAST=1``, ``NVSHMEM_DISABLE_NVLS=1``: NVLink
  multicast stays off (forced, whatever the caller's environment says).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

# The checks before Ray live in .preflight; these names stay importable from here.
from .preflight import (  # noqa: F401
    ConfigError,
    LaunchError,
    NoAcceleratorError,
    check_interpolations,
    check_tasks_live,
    find_latest_checkpoint,
    find_model_weights,
    note_rlinf_own_tasks,
    notice,
    only_eval,
    preflight,
    require_accelerator,
    require_model_package,
    rlinf_own_splits,
    rollout_size,
    select,
    step_of,
    task_id,
    upgrade_config,
)

logger = logging.getLogger(__name__)

EXT_MODULE = "isaaclab_rlinf"
CONFIG_FILE_NAME = "config.yaml"
NVLINK_MULTICAST_OFF = {
    "NCCL_NVLS_ENABLE": "0",
    "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1",
    "NVSHMEM_DISABLE_NVLS": "1",
}


# --------------------------------------------------------------------------------------------------
# environment, RLinf validation


def apply_rlinf_root(environ: dict[str, str] | None = None) -> Path | None:
    """Honour ``$RLINF_ROOT`` (see the module docstring); returns it, or None when unset."""
    environ = os.environ if environ is None else environ
    root = environ.get("RLINF_ROOT")
    if not root:
        return None
    path = Path(root).expanduser().resolve()
    if not (path / "rlinf" / "__init__.py").is_file():
        raise ConfigError(
            f"RLINF_ROOT={root!r}: no rlinf/__init__.py there. Fix: point RLINF_ROOT at a source checkout of "
            "RLinf (the directory holding rlinf/), or unset it to use the installed wheel."
        )
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    _prepend_path(environ, "PYTHONPATH", str(path))
    environ.setdefault("EMBODIED_PATH", str(path / "examples" / "embodiment"))
    return path


def _prepend_path(environ: dict[str, str], name: str, entry: str) -> None:
    parts = [p for p in environ.get(name, "").split(os.pathsep) if p and p != entry]
    environ[name] = os.pathsep.join([entry, *parts])


def _site_dirs() -> set[str]:
    import site

    dirs = set(site.getsitepackages())
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    return {str(Path(d).resolve()) for d in dirs | ({user} if user else set())}


def prepare_environment(
    config_file: str | os.PathLike | None,
    config_dir: str | os.PathLike | None,
    environ: dict[str, str] | None = None,
) -> dict[str, str]:
    """Set the variables RLinf copies to every Ray worker (module docstring); returns what was set.

    ``config_file`` None unsets ``RLINF_CONFIG_FILE`` (a run of RLinf's own tasks only)."""
    environ = os.environ if environ is None else environ
    apply_rlinf_root(environ)
    environ["RLINF_EXT_MODULE"] = EXT_MODULE
    # An editable install (source checkout): workers import this very package, whatever their cwd.
    package_root = str(Path(__file__).resolve().parent.parent)
    if package_root not in _site_dirs():
        _prepend_path(environ, "PYTHONPATH", package_root)
    if config_file is None:
        environ.pop("RLINF_CONFIG_FILE", None)
    else:
        environ["RLINF_CONFIG_FILE"] = str(Path(config_file).resolve())
    if config_dir is not None:
        config_dir = str(Path(config_dir).resolve())
        _prepend_path(environ, "PYTHONPATH", config_dir)
        if config_dir not in sys.path:
            sys.path.insert(0, config_dir)
        if environ.get("RLINF_ROOT"):  # keep the RLinf checkout first
            root = str(Path(environ["RLINF_ROOT"]).expanduser().resolve())
            _prepend_path(environ, "PYTHONPATH", root)
            sys.path.remove(root)
            sys.path.insert(0, root)
    environ.update(NVLINK_MULTICAST_OFF)
    keys = ("RLINF_EXT_MODULE", "RLINF_CONFIG_FILE", "PYTHONPATH", *NVLINK_MULTICAST_OFF)
    return {k: environ[k] for k in keys if k in environ}


def validate_with_rlinf(cfg: DictConfig) -> DictConfig:
    """``rlinf.config.validate_cfg`` (starts RLinf's Ray cluster, no workers); its errors -> ConfigError."""
    from rlinf.config import validate_cfg

    try:
        return validate_cfg(cfg)
    except (AssertionError, ValueError, NotImplementedError, KeyError) as exc:
        _shutdown_ray()
        msg = str(exc) or type(exc).__name__
        raise ConfigError(f"RLinf's validate_cfg rejected the config: {msg}") from exc


def _shutdown_ray() -> None:
    try:
        import ray

        if ray.is_initialized():
            ray.shutdown()
    except Exception:  # pragma: no cover - best effort
        pass


def write_config(cfg: DictConfig, log_dir: str | os.PathLike) -> Path:
    """Save the resolved config as ``<log_dir>/config.yaml`` (what ``RLINF_CONFIG_FILE`` points at)."""
    path = Path(log_dir) / CONFIG_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(cfg, path, resolve=True)
    return path


# --------------------------------------------------------------------------------------------------
# launch


def run(
    cfg: DictConfig, config_dir: str | os.PathLike | None, command: str = "train", task_check: bool = True
) -> Path:
    """Preflight, the live task check, accelerator check, environment, RLinf validation, then train or
    evaluate.

    Every config error comes before the accelerator check, so a GPU config can be validated on a laptop.
    Returns the log directory. Train runs ``EmbodiedRunner``; eval-only runs (``play``, ``--only_eval``)
    run ``EmbodiedEvalRunner``.
    """
    specs = preflight(cfg, config_dir)
    note_rlinf_own_tasks(cfg)
    if task_check:
        check_tasks_live(cfg, specs)
    require_accelerator(command)
    require_model_package(cfg)
    log_dir = Path(select(cfg, "runner.logger.log_path")).resolve()
    config_file = log_dir / CONFIG_FILE_NAME
    # A config of RLinf's own tasks only has no mapping for our workers' register() to read.
    prepare_environment(config_file if specs else None, config_dir)
    from . import register
    from .models.cnn_policy import provide_encoder_weights
    from .registry import RegistryError

    existed = log_dir.exists()
    provide_encoder_weights(cfg, log_dir)  # cnn_policy, empty model_path: a random encoder in the run dir
    write_config(cfg, log_dir)  # RLINF_CONFIG_FILE exists before any Ray process could read it
    try:
        cfg = validate_with_rlinf(cfg)
    except ConfigError:
        if not existed:
            shutil.rmtree(log_dir, ignore_errors=True)
        raise
    write_config(cfg, log_dir)  # as validated: what every worker sees
    try:
        register()  # again: now with RLINF_CONFIG_FILE's task ids
    except RegistryError as exc:  # a broken plugin: its tasks are missing, ours are registered
        logger.warning("%s", exc)
    logger.info("isaaclab-rlinf %s: logs, checkpoints and videos under %s", command, log_dir)
    if only_eval(cfg):
        launch_eval(cfg)
    else:
        launch_train(cfg)
    return log_dir


def _actor_worker_cls(cfg: DictConfig):
    if cfg.algorithm.loss_type == "embodied_sac":
        from rlinf.workers.actor.fsdp_sac_policy_worker import EmbodiedSACFSDPPolicy

        return EmbodiedSACFSDPPolicy
    from rlinf.workers.actor.fsdp_actor_worker import EmbodiedFSDPActor

    return EmbodiedFSDPActor


def launch_train(cfg: DictConfig):
    """RLinf's ``train_embodied_agent.py``: cluster, placement, actor/rollout/env groups, EmbodiedRunner.

    The env and rollout workers are RLinf's, handing observations over as flat tensor dicts (``workers``).
    """
    import torch.multiprocessing as mp
    from rlinf.runners.embodied_runner import EmbodiedRunner
    from rlinf.scheduler import Cluster
    from rlinf.utils.placement import HybridComponentPlacement

    from .workers import FlatObsEnvWorker, FlatObsRolloutWorker

    mp.set_start_method("spawn", force=True)
    cluster = Cluster(cluster_cfg=cfg.cluster, distributed_log_dir=cfg.runner.get("per_worker_log_path"))
    placement = HybridComponentPlacement(cfg, cluster)

    actor_group = (
        _actor_worker_cls(cfg)
        .create_group(cfg)
        .launch(cluster, name=cfg.actor.group_name, placement_strategy=placement.get_strategy("actor"))
    )
    rollout_group = FlatObsRolloutWorker.create_group(cfg).launch(
        cluster, name=cfg.rollout.group_name, placement_strategy=placement.get_strategy("rollout")
    )
    env_group = FlatObsEnvWorker.create_group(cfg).launch(
        cluster, name=cfg.env.group_name, placement_strategy=placement.get_strategy("env")
    )
    reward_group = None
    reward_cfg = cfg.get("reward", {}) or {}
    if reward_cfg.get("use_reward_model", False) and not reward_cfg.get("standalone_realworld", False):
        from rlinf.workers.reward.reward_worker import EmbodiedRewardWorker

        reward_group = EmbodiedRewardWorker.create_group(cfg).launch(
            cluster, name=cfg.reward.group_name, placement_strategy=placement.get_strategy("reward")
        )

    runner = EmbodiedRunner(
        cfg=cfg, actor=actor_group, rollout=rollout_group, env=env_group, reward=reward_group
    )
    runner.init_workers()
    runner.run()
    return runner


def launch_eval(cfg: DictConfig):
    """RLinf's ``eval_embodied_agent.py``: rollout and env groups, EmbodiedEvalRunner."""
    import torch.multiprocessing as mp
    from rlinf.runners.embodied_eval_runner import EmbodiedEvalRunner
    from rlinf.scheduler import Cluster
    from rlinf.utils.placement import HybridComponentPlacement

    from .workers import FlatObsEnvWorker, FlatObsRolloutWorker

    mp.set_start_method("spawn", force=True)
    cluster = Cluster(cluster_cfg=cfg.cluster)
    placement = HybridComponentPlacement(cfg, cluster)
    rollout_group = FlatObsRolloutWorker.create_group(cfg).launch(
        cluster, name=cfg.rollout.group_name, placement_strategy=placement.get_strategy("rollout")
    )
    env_group = FlatObsEnvWorker.create_group(cfg).launch(
        cluster, name=cfg.env.group_name, placement_strategy=placement.get_strategy("env")
    )
    runner = EmbodiedEvalRunner(cfg=cfg, rollout=rollout_group, env=env_group)
    runner.init_workers()
    runner.run()
    return runner

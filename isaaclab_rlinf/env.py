"""``IsaacLabGenericEnv``: any IsaacLab manager-based task behind RLinf's ``IsaaclabBaseEnv`` contract.

RLinf's env worker builds the class as ``cls(cfg=, num_envs=, seed_offset=, total_num_processes=,
worker_info=)`` and calls ``reset()``, ``chunk_step(actions[N, chunk, D])``, ``update_reset_state_ids()``
and ``is_start``. The class is a thin shell: the ``env.*.isaaclab`` block becomes a ``MappingSpec`` once,
and the converters in :mod:`isaaclab_rlinf.converters` do every observation and action mapping.

The simulator runs in the subprocess RLinf's ``SubProcIsaacLabEnv`` spawns. The factory given to it
closes over plain values only (task id, num_envs, seed, device) and launches IsaacLab kitless with
``launch_simulation`` (never ``AppLauncher``): with Newton physics and the Newton warp renderer no
Isaac Sim is started, on CPU or CUDA. Tasks whose config needs Kit (PhysX, RTX cameras) get Kit
started by the same call.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator
from typing import Any

import torch
from omegaconf import DictConfig, OmegaConf, open_dict
from rlinf.envs.isaaclab.isaaclab_env import IsaaclabBaseEnv

from .converters import to_isaaclab_action, to_rlinf_obs
from .spec import MappingError, MappingSpec


def default_device() -> str:
    """The simulation device used when ``init_params.device`` is not set: the worker's GPU, else CPU."""
    return "cuda:0" if torch.cuda.is_available() else "cpu"


class _KitlessApp:
    """Stands in for Isaac Sim's app object: ``close()`` exits the ``launch_simulation`` context."""

    def __init__(self, context: contextlib.AbstractContextManager):
        self._context = context

    def close(self) -> None:
        self._context.__exit__(None, None, None)


def _select_obs(mask: torch.Tensor, a: dict, b: dict) -> dict:
    """Per env, RLinf observation ``a`` where ``mask`` is set, else ``b`` (non-tensor entries from ``a``)."""
    out = {}
    for k, v in a.items():
        if isinstance(v, torch.Tensor):
            m = mask.to(v.device).view(-1, *([1] * (v.dim() - 1)))
            out[k] = torch.where(m, v, b[k])
        else:
            out[k] = v
    return out


def _gym_spec(task_id: str) -> Any:
    """gymnasium's ``EnvSpec`` of ``task_id`` in this process, else None (IsaacLab's own tasks register
    themselves in the simulator process)."""
    import gymnasium as gym

    return gym.registry.get(task_id)


class TaskProcessEnv:
    """The IsaacLab env as seen from RLinf's subprocess loop, trimmed to what crosses the process boundary.

    ``reset`` reports the env's action width and termination terms (RLinf's subprocess protocol has no
    other channel for them),
    and ``step`` returns as extras only the success flags instead of IsaacLab's whole ``extras`` dict
    (logs are pickled through a queue on every step otherwise).
    """

    def __init__(self, env: Any, success_term: str | None):
        self.env = env
        # an unknown name is reported by the parent (MappingSpec.check_success_term), from reset's info
        terms = env.termination_manager.active_terms
        self.success_term = success_term if success_term in terms else None

    @property
    def device(self) -> str:
        return self.env.device

    def reset(self, seed: int | None = None, env_ids: torch.Tensor | None = None):
        obs, _ = self.env.reset(env_ids=env_ids, seed=seed)
        info = {
            "action_dim": self.env.action_manager.total_action_dim,
            "termination_terms": list(self.env.termination_manager.active_terms),
        }
        return obs, info

    def step(self, action: torch.Tensor):
        obs, reward, terminated, truncated, _ = self.env.step(action)
        extras = {}
        if self.success_term is not None:
            extras["success"] = self.env.termination_manager.get_term(self.success_term)
        # set by IsaacLab (cfg.compute_final_obs) only in a step that reset envs; taken so none is stale
        final_obs = self.env.extras.pop("final_obs", None)
        if final_obs is not None:
            extras["final_obs"] = final_obs
        return obs, reward, terminated, truncated, extras

    def close(self) -> None:
        self.env.close()


class _FailedTaskEnv:
    """Returned by the factory when the task cannot be built, so the error reaches RLinf's worker.

    RLinf's subprocess loop builds the env outside any error handling; an exception there would kill
    the child while the parent waits on its queue forever. This stand-in answers the first reset
    with the traceback instead, and the parent raises it.
    """

    device = "cpu"

    def __init__(self, error: str):
        self.error = error

    def reset(self, seed=None, env_ids=None):
        return None, {"error": self.error}

    def close(self) -> None:
        pass


class InProcessTaskEnv:
    """The simulator in the env worker's own process, with the interface of RLinf's ``SubProcIsaacLabEnv``.

    RLinf spawns a subprocess per env because Isaac Sim's Kit wants a process of its own. Kitless
    IsaacLab (Newton physics, warp renderer) does not, and stepping it in place saves two queue
    hand-offs (and a pickle of every observation) per step. Chosen by ``init_params.in_process: true``.
    """

    def __init__(self, env_fn):
        self._env, self._app = env_fn()

    def reset(self, seed: int | None = None, env_ids: torch.Tensor | None = None):
        return self._env.reset(seed=seed, env_ids=env_ids)

    def step(self, action: torch.Tensor):
        return self._env.step(action)

    def device(self) -> str:
        return self._env.device

    def close(self) -> None:
        self._env.close()
        self._app.close()


def make_task_env(
    task_id: str,
    num_envs: int,
    seed: int,
    device: str,
    success_term: str | None = "success",
    spec: MappingSpec | None = None,
    terminal_obs: bool = False,
    env_cfg_overrides: dict[str, Any] | None = None,
    gym_spec: Any = None,
) -> tuple[TaskProcessEnv, _KitlessApp]:
    """Build an IsaacLab task kitless where its config allows; returns ``(env, app)`` as RLinf expects.

    The task must be known to gymnasium: ``isaaclab_rlinf.register()`` (RLinf's hook) registers the
    entry-point tasks in every RLinf worker, IsaacLab registers its own when ``parse_env_cfg`` imports
    ``isaaclab_tasks``. RLinf's spawned simulator subprocess runs no hook, so its factory brings the
    parent's registration along as ``gym_spec`` (gymnasium's ``EnvSpec`` of ``task_id``), registered here
    unless the id exists. (Registering through the registry here would import upwards: the registry
    imports this module for the env class it puts into RLinf's table.) With a
    ``spec``, observation groups it never reads are left out of the task (see ``drop_unread_obs_groups``).
    ``terminal_obs`` has IsaacLab compute the observation of envs it is about to reset
    (``compute_final_obs``; one more observation pass in steps that end an episode), which ``step``
    returns as ``extras["final_obs"]``. ``env_cfg_overrides`` (``init_params.env_cfg``) are set on the
    task's env config before it is built (see ``apply_env_cfg_overrides``).
    """
    import gymnasium as gym
    from isaaclab.app import launch_simulation
    from isaaclab_tasks.utils import parse_env_cfg

    if gym_spec is not None:
        gym.registry.setdefault(task_id, gym_spec)
    env_cfg = parse_env_cfg(task_id, device=device, num_envs=num_envs)
    env_cfg.seed = seed
    apply_env_cfg_overrides(env_cfg, env_cfg_overrides or {})
    if spec is not None:
        drop_unread_obs_groups(env_cfg, spec)
    if terminal_obs and hasattr(env_cfg, "compute_final_obs"):
        env_cfg.compute_final_obs = True
    if not str(device).startswith("cuda"):
        _disable_cuda_graphs(env_cfg)
    context = launch_simulation(env_cfg, {"headless": True, "device": device})
    context.__enter__()
    try:
        env = gym.make(task_id, cfg=env_cfg).unwrapped
        return TaskProcessEnv(env, success_term), _KitlessApp(context)
    except BaseException:
        context.__exit__(None, None, None)
        raise


@contextlib.contextmanager
def config_task_env(
    cfg: Any, split: str, spec: MappingSpec, num_envs: int, device: str, seed: int = 0
) -> Iterator[TaskProcessEnv]:
    """The config's ``env.<split>`` task (its ``init_params.id`` and ``init_params.env_cfg``, the
    mapping's success term) built with ``num_envs`` envs; env and app closed on exit. How the checks and
    the init commands read a task once."""
    from .rlinf_cfg import env_cfg_overrides

    task = str(OmegaConf.select(cfg, f"env.{split}.init_params.id"))
    env, app = make_task_env(
        task, num_envs, seed, device, spec.success_term, env_cfg_overrides=env_cfg_overrides(cfg, split)
    )
    try:
        yield env
    finally:
        env.close()
        app.close()


_SCALARS = (bool, int, float, str)


def apply_env_cfg_overrides(
    env_cfg: Any, overrides: dict[str, Any], path: str = "init_params.env_cfg"
) -> None:
    """Set ``{field: value}`` (dotted fields reach nested configs: ``sim.dt``) on an env config.

    An unknown field, or a value of another type than the field's (an int is accepted for a float),
    raises one :class:`MappingError` naming ``init_params.env_cfg.<field>``, the value and the fix. A
    config may define ``apply_env_cfg_overrides()`` to derive dependent fields (the Franka tasks size
    their cameras from ``camera_resolution``) and raise ``ValueError`` for a bad value; it runs after
    each field is set, so its error names that field.
    """
    hook = getattr(env_cfg, "apply_env_cfg_overrides", None)
    for key, value in overrides.items():
        parts, target = str(key).split("."), env_cfg
        for depth, part in enumerate(parts):  # down to the field's config; stop at the first unknown part
            if part.startswith("_") or not hasattr(target, part) or callable(getattr(target, part)):
                raise _unknown_field(f"{path}.{key}", value, target, parts[:depth])
            if depth < len(parts) - 1:
                target = getattr(target, part)
        name = parts[-1]
        current = getattr(target, name)
        if isinstance(current, _SCALARS) and not (
            type(value) is type(current) or (type(current) is float and type(value) is int)
        ):
            raise MappingError(
                f"{path}.{key}: expects a value of type {type(current).__name__}, like the default "
                f"{current!r} (got {value!r}). Fix: give it a value of type {type(current).__name__}."
            )
        setattr(target, name, value)
        if callable(hook):
            try:
                hook()
            except ValueError as e:
                raise MappingError(f"{path}.{key}: {e}. Fix: set a value the task accepts.") from None


def _unknown_field(where: str, value: Any, config: Any, parents: list[str]) -> MappingError:
    """The error for a field ``config`` (reached through ``parents``) lacks: it lists the fields it has,
    spelled as keys one can set (``sim.dt``), so a typo in a nested key points at its own level."""
    prefix = "".join(f"{p}." for p in parents)
    fields = getattr(config, "__dict__", {})
    known = sorted(prefix + k for k, v in fields.items() if not k.startswith("_") and not callable(v))
    owner = type(config).__name__ if config is not None else f"{prefix[:-1]} (None)"
    alternatives = f", or set one of its fields: {', '.join(known)}" if known else ""
    return MappingError(f"{where}: {owner} has no such field (got {value!r}). Fix: remove it{alternatives}.")


def drop_unread_obs_groups(env_cfg: Any, spec: MappingSpec) -> list[str]:
    """Remove from ``env_cfg`` the observation groups ``spec`` reads nothing from; returns their names.

    IsaacLab computes every group each step, and its camera terms render their sensors (lazily: a camera
    no term reads is never rendered). A states-only mapping of the embedded task rendered two cameras
    per env and step for nothing; without them a CPU step of 16 envs took 12.8 instead of 35.3 ms.
    Nothing is removed when a key does not resolve (the check against the live env then names it) or
    when the mapping reads no group at all.
    """
    from isaaclab.managers import ObservationGroupCfg, ObservationTermCfg

    def terms(group: Any) -> list[str] | None:
        if group.concatenate_terms:  # one tensor: a key names the group whole
            return None
        return [t for t, v in vars(group).items() if isinstance(v, ObservationTermCfg)]

    groups = {k: g for k, g in vars(env_cfg.observations).items() if isinstance(g, ObservationGroupCfg)}
    structure = {k: terms(g) for k, g in groups.items()}
    read = spec.groups_read(structure)
    if not read:
        return []
    unread = [k for k in groups if k not in read]
    for k in unread:
        setattr(env_cfg.observations, k, None)
    return unread


def _disable_cuda_graphs(env_cfg: Any) -> None:
    """CUDA graphs exist only on CUDA: switch them off in the physics and every camera renderer."""
    physics = getattr(env_cfg.sim, "physics", None)
    if physics is not None and hasattr(physics, "use_cuda_graph"):
        physics.use_cuda_graph = False
    for sensor in vars(env_cfg.scene).values():
        renderer = getattr(sensor, "renderer_cfg", None)
        if renderer is not None and hasattr(renderer, "use_cuda_graph"):
            renderer.use_cuda_graph = False


class IsaacLabGenericEnv(IsaaclabBaseEnv):
    """RLinf env class for any IsaacLab task; what the policy sees is set by the ``isaaclab`` block.

    Extra ``env.*`` config read here (beside RLinf's own keys): ``isaaclab`` (the mapping block),
    ``init_params.device`` (simulation device; default the worker's GPU, else CPU),
    ``init_params.in_process`` (run the simulator in this process instead of RLinf's subprocess) and
    ``init_params.env_cfg`` (``{field: value}`` set on the task's env config before it is built).
    """

    def __init__(
        self, cfg: DictConfig, num_envs: int, seed_offset: int, total_num_processes: int, worker_info
    ):
        if "isaaclab" not in cfg:
            raise MappingError(
                f"env config for task {cfg.init_params.id!r} has no `isaaclab` block; add one mapping the "
                "task's observations to main_images / extra_view_images / states (see README)."
            )
        # The worker hands us env.train or env.eval: name that node in error messages.
        self.spec = MappingSpec.from_config(cfg.isaaclab, path=f"env.{cfg._key() or '<train|eval>'}.isaaclab")
        with open_dict(cfg):
            # RLinf's base class reads the instruction from init_params; the spec is the one source.
            cfg.init_params.task_description = self.spec.task_description
        self._policy_action_dim: int | None = None
        self._step_offsets: dict[int, torch.Tensor] = {}  # chunk length -> [1..T], built once
        self._max_episode_steps = int(cfg.max_episode_steps)
        super().__init__(cfg, num_envs, seed_offset, total_num_processes, worker_info)
        # In process, a padded chunk goes to the sim device in one copy (IsaacLab would otherwise copy
        # each step's CPU slice); RLinf's subprocess receives CPU tensors through its queue as before.
        self._action_device = self.device if isinstance(self.env, InProcessTaskEnv) else None
        # RLinf's env worker reads only a chunk's last observation and infos; its RecordVideo and
        # CollectEpisode wrappers read every step's. Without them, intermediate steps skip the
        # observation mapping and the metric snapshots (their entries are None and {}, which RLinf's
        # wrappers and its own BEHAVIOR env already use for skipped steps).
        collect = cfg.get("data_collection") or {}
        self._observe_every_step = bool(cfg.video_cfg.get("save_video", False) or collect.get("enabled"))

    def _make_env_function(self):
        # Picklable values only (the frozen spec is one): the factory goes to a spawned process.
        task_id, num_envs, seed = self.isaaclab_env_id, self.num_envs, self.seed
        device = self.cfg.init_params.get("device") or default_device()
        spec, terminal_obs = self.spec, bool(self.cfg.auto_reset)  # RLinf reads final obs only then
        env_cfg = self.cfg.init_params.get("env_cfg")
        overrides = OmegaConf.to_container(env_cfg, resolve=True) if env_cfg else {}
        gym_spec = _gym_spec(task_id)  # this worker's registration (RLinf's hook ran here), for the child

        def make_env():
            try:
                return make_task_env(
                    task_id,
                    num_envs,
                    seed,
                    device,
                    spec.success_term,
                    spec,
                    terminal_obs,
                    overrides,
                    gym_spec=gym_spec,
                )
            except Exception:
                return _FailedTaskEnv(traceback.format_exc()), _FailedTaskEnv("")

        return make_env

    def _init_isaaclab_env(self):
        from rlinf.envs.isaaclab.venv import SubProcIsaacLabEnv

        in_process = bool(self.cfg.init_params.get("in_process", False))
        self.env = (InProcessTaskEnv if in_process else SubProcIsaacLabEnv)(self._make_env_function())
        obs, info = self.env.reset(seed=self.seed)
        if "error" in info:
            self.env.close()
            raise RuntimeError(
                f"building IsaacLab task {self.isaaclab_env_id!r} failed in the simulator process:\n"
                f"{info['error']}"
            )
        self.env_action_dim = int(info["action_dim"])
        # Dynamic checks against the live env, once, before any step.
        try:
            self.spec.check_success_term(info["termination_terms"])
            self.spec.validate(obs, env_action_dim=self.env_action_dim)
        except MappingError:
            self.env.close()
            raise

    def _wrap_obs(self, obs: dict) -> dict:
        return to_rlinf_obs(obs, self.spec)

    def chunk_step(self, chunk_actions: torch.Tensor):
        """RLinf's ``IsaaclabBaseEnv.chunk_step`` (same returns), with less work per step.

        The simulator is stepped ``T`` times with nothing else per step but four copies of its results
        into [N, T] buffers (it reuses its own); RLinf's per-episode bookkeeping (step counters, its
        ``max_episode_steps`` truncation, returns, success) is then done for all ``T`` steps at once,
        which is exact because RLinf restarts its counters only at a chunk's end. The padded chunk goes
        to the sim device once (in process), and intermediate steps return ``None`` observations and
        empty infos unless a video or data collection needs them (RLinf's env worker reads only the
        last).
        """
        policy_dim = chunk_actions.shape[-1]
        if policy_dim != self._policy_action_dim:
            self.spec.check_action_dims(self.env_action_dim, policy_dim)
            self._policy_action_dim = policy_dim
        actions = to_isaaclab_action(chunk_actions, self.spec, device=self._action_device)
        n, chunk = actions.shape[:2]
        rewards = torch.empty(n, chunk, device=self.device)
        terminations = torch.empty(n, chunk, dtype=torch.bool, device=self.device)
        truncations = torch.empty_like(terminations)
        successes = torch.empty_like(terminations)
        obs_list: list[dict | None] = [None] * chunk
        terminal = None  # per env IsaacLab reset in this chunk: its last observation before the reset
        for i in range(chunk):
            obs, reward, terminated, truncated, extras = self.env.step(actions[:, i])
            rewards[:, i], terminations[:, i], truncations[:, i] = reward, terminated, truncated
            if "success" in extras:
                successes[:, i] = extras["success"]
            if "final_obs" in extras:  # only in steps that reset envs
                ended = self._wrap_obs(extras["final_obs"])
                terminal = ended if terminal is None else _select_obs(terminated | truncated, ended, terminal)
            if self._observe_every_step or i == chunk - 1:
                obs_list[i] = self._wrap_obs(obs)
        if "success" not in extras:
            torch.gt(rewards, 0, out=successes)
        sim_terminations, sim_truncations = terminations, truncations  # IsaacLab reset these in its step

        offsets = self._step_offsets.get(chunk)
        if offsets is None:
            offsets = self._step_offsets[chunk] = torch.arange(
                1, chunk + 1, device=self.device, dtype=torch.int32
            )
        steps = self._elapsed_steps[:, None] + offsets
        truncations = sim_truncations | (steps >= self._max_episode_steps)
        if chunk == 1:  # no running sums needed (one kernel each instead of three)
            returns = self.returns[:, None] + rewards
            success_once = successes | self.success_once[:, None]
        else:
            returns = torch.cat((self.returns[:, None], rewards), dim=1).cumsum(dim=1)[:, 1:]
            success_once = (successes.cumsum(dim=1) > 0) | self.success_once[:, None]
        self._elapsed_steps.copy_(steps[:, -1])
        self.returns.copy_(returns[:, -1])
        self.success_once.copy_(success_once[:, -1])
        # per observed step, RLinf's metric snapshot: slices of this chunk's tensors, never written again
        infos_list = [{} for _ in range(chunk)]
        for i, obs in enumerate(obs_list):
            if obs is None:
                continue
            episode = infos_list[i]["episode"] = {"success_once": success_once[:, i], "return": returns[:, i]}
            episode["episode_len"], episode["reward"] = steps[:, i], returns[:, i] / steps[:, i]
            if self.ignore_terminations:
                episode["success_at_end"] = successes[:, i]
        if self.ignore_terminations:
            terminations = torch.zeros_like(sim_terminations)

        # RLinf reports a chunk's done flags on its last step only (a one-step chunk is already that)
        past_terminations, past_truncations = (
            (terminations.any(dim=1), truncations.any(dim=1))
            if chunk > 1
            else (terminations[:, 0], truncations[:, 0])
        )
        if self.auto_reset:
            past_dones = past_terminations | past_truncations
            if past_dones.any():
                sim_reset = (sim_terminations | sim_truncations).any(dim=1)
                last = self._handle_auto_reset(past_dones, obs_list[-1], infos_list[-1], sim_reset, terminal)
                obs_list[-1], infos_list[-1] = last
        if chunk > 1 and (self.auto_reset or self.ignore_terminations):
            terminations, truncations = torch.zeros_like(terminations), torch.zeros_like(truncations)
            terminations[:, -1], truncations[:, -1] = past_terminations, past_truncations
        return obs_list, rewards, terminations, truncations, infos_list

    def step(self, actions: torch.Tensor | None = None, auto_reset: bool = True):
        """One env step with RLinf's per-step bookkeeping (``chunk_step`` does it per chunk).

        Success comes from the task's own success term; ``truncations`` adds RLinf's own
        ``max_episode_steps`` limit to the task's time-outs.
        """
        obs, reward, terminations, truncations, extras = self.env.step(actions)
        sim_done = terminations | truncations  # IsaacLab reset these inside its step
        reward, terminations = reward.clone(), terminations.clone()  # the sim reuses its buffers
        self._elapsed_steps += 1
        truncations = (self._elapsed_steps >= self._max_episode_steps) | truncations
        success = extras["success"].to(self.device) if "success" in extras else reward > 0
        self.returns += reward
        self.success_once |= success
        obs = self._wrap_obs(obs)
        terminal = self._wrap_obs(extras["final_obs"]) if "final_obs" in extras else None
        infos = {"episode": self._episode_metrics()}
        if self.ignore_terminations:
            infos["episode"]["success_at_end"] = success.clone()
            terminations[:] = False
        if auto_reset and self.auto_reset:
            dones = terminations | truncations
            if dones.any():
                obs, infos = self._handle_auto_reset(dones, obs, infos, sim_done, terminal)
        return obs, reward, terminations, truncations, infos

    def _handle_auto_reset(self, dones, final_obs, infos, sim_reset=None, terminal=None):
        """RLinf's auto-reset, without resetting again what IsaacLab has already reset.

        RLinf's base class resets every done env; IsaacLab has reset the ones it terminated or timed
        out inside its own step (the observations it returned are already their first ones), so only
        envs done by RLinf's own ``max_episode_steps`` limit are reset here. That saves a reset and a
        full observation pass (every camera rendered again) per chunk with a finished episode. RLinf's
        episode metrics restart for every done env, and the ``final_*`` infos are as RLinf builds them.
        An env IsaacLab reset mid-chunk keeps the steps it has taken since (RLinf's own counters restart
        at the chunk's end, so its ``max_episode_steps`` counts from there, as it always did).

        ``final_observation`` is what RLinf bootstraps a truncated episode's value from. For the envs
        IsaacLab reset, ``final_obs`` (the step's observation) already belongs to the next episode;
        theirs comes from ``terminal``, the observation IsaacLab computed just before the reset.
        """
        if sim_reset is None:
            return super()._handle_auto_reset(dones, final_obs, infos)
        stale = dones & ~sim_reset
        obs = final_obs
        if stale.any():
            obs, _ = self.env.reset(env_ids=stale.nonzero().flatten())
            obs = self._wrap_obs(obs)
        self._reset_metrics(dones)
        # fresh tensors every step (a shallow copy suffices), as are the metric snapshots in infos
        final = dict(final_obs) if terminal is None else _select_obs(sim_reset, terminal, final_obs)
        return obs, {
            "final_observation": final,
            "final_info": dict(infos),
            "_final_info": dones,
            "_final_observation": dones,
            "_elapsed_steps": dones,
        }

    def _reset_metrics(self, env_idx: torch.Tensor | None = None) -> None:
        """RLinf's metric reset; a boolean mask of envs is applied without a host sync.

        RLinf's base class turns env indices into a mask and writes through it (``t[mask] = 0``),
        one nonzero-and-sync per buffer; ``masked_fill_`` needs none.
        """
        if env_idx is None or env_idx.dtype != torch.bool:
            return super()._reset_metrics(env_idx)
        for buf in (self.prev_step_reward, self.returns, self._elapsed_steps):
            buf.masked_fill_(env_idx, 0)
        for buf in (self.success_once, self.fail_once):
            buf.masked_fill_(env_idx, False)

    def _episode_metrics(self) -> dict:
        """A snapshot of RLinf's episode metrics (the live buffers keep changing)."""
        episode_len = self._elapsed_steps.clone()  # >= 1: counted before this is called
        return {
            "success_once": self.success_once.clone(),
            "return": self.returns.clone(),
            "episode_len": episode_len,
            "reward": self.returns / episode_len,
        }

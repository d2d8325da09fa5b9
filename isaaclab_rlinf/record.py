"""Record a task's scripted expert through a config's mapping into a LeRobot v2.0 dataset.

Why through the mapping: what is stored is exactly what the policy of that config will see (RLinf's
``states`` vector, the mapped camera views, the instruction) and must emit (the task's action without the
mapping's pads), so a model fine-tuned on it acts through ``train`` and ``play`` unchanged.

How: ``num_envs`` envs run the expert in rounds; each round resets every env (seed ``seed + round``) and
steps until each has finished its first episode. Per step the mapped observation and the action are
written into buffers preallocated on the sim device (no per-env work per step); at a round's end they
go to the host in one copy per buffer and each finished episode is written (parquet now, videos on a
thread pool). The env is stepped with the *padded policy action*, as a policy's would be.

``replay`` checks the labels: each round is run again from the same reset seed with the recorded
actions, and the episodes whose outcome (success or not) is reproduced are counted.

``action_noise`` (DART, Laskey et al. 2017): the env is stepped with the expert's action plus Gaussian
noise of that std, and the expert's own action is what is stored. A clone's small errors take it off
the expert's path, where plain demonstrations have no example; these visit states around the path,
each labelled with the expert's correction. It needs an expert whose action is a function of the state
(a clock-driven one would label a perturbed state with the unperturbed plan). The default is the
expert's own ``action_noise`` attribute, else 0. With noise, ``replay`` replays the executed actions.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .converters import to_isaaclab_action, to_rlinf_obs
from .dataset import DatasetWriter, Layout, check_output_dir
from .inspection import rlinf_views


@dataclass
class RecordResult:
    """What a recording produced."""

    out_dir: str
    task: str
    episodes: int = 0  # written
    expert_episodes: int = 0  # run (written or not)
    expert_successes: int = 0
    frames: int = 0
    replayed: int = 0
    replay_agreed: int = 0
    seconds: float = 0.0
    views: list[str] = field(default_factory=list)
    action_noise: float = 0.0

    @property
    def success_rate(self) -> float:
        return self.expert_successes / max(self.expert_episodes, 1)

    def summary(self) -> dict[str, Any]:
        return {**asdict(self), "expert_success_rate": round(self.success_rate, 4)}


def record(
    env_cfg: Any,
    out_dir: str | Path,
    num_episodes: int,
    num_envs: int,
    device: str = "cpu",
    seed: int = 0,
    only_success: bool = False,
    replay: bool = False,
    action_dims: dict[str, int] | None = None,
    progress: bool = True,
    action_noise: float | None = None,
) -> RecordResult:
    """Run the expert of ``env_cfg``'s task (an ``env.<split>`` node) until ``num_episodes`` are written.

    Raises:
        LookupError: the task declares no expert (before anything is built).
        DatasetError: ``out_dir`` exists and is not empty (before anything is built).
    """
    from tqdm import tqdm

    from .env import make_task_env
    from .registry import load_expert, register
    from .spec import MappingSpec

    out = check_output_dir(out_dir)
    task = env_cfg.init_params.id
    factory = load_expert(task)
    spec = MappingSpec.from_config(env_cfg.isaaclab, path=f"{env_cfg._get_full_key('isaaclab')}")
    overrides = env_cfg.init_params.get("env_cfg") or {}
    start = time.perf_counter()
    register()  # the entry-point tasks into gymnasium (make_task_env builds registered tasks only)
    penv, app = make_task_env(
        task,
        num_envs,
        seed,
        device,
        success_term=spec.success_term,
        spec=spec,
        env_cfg_overrides=dict(overrides),
    )
    try:
        env = penv.env
        expert = factory(env)
        noise = float(getattr(expert, "action_noise", 0.0) if action_noise is None else action_noise)
        rec = _Round(env, spec, penv.success_term, expert, noise)
        layout = Layout.from_spec(spec, rec.state_dim, rec.policy_dim, action_dims)
        fps = 1.0 / env.step_dt
        writer = DatasetWriter(out, layout, fps, robot_type=task)
        result = RecordResult(str(out), task, views=list(layout.views), action_noise=noise)
        bar = tqdm(total=num_episodes, unit="episode", desc="record", disable=not progress)
        rnd = 0
        while result.episodes < num_episodes:
            rec.run(seed + rnd)
            if replay:
                agreed = rec.replay(seed + rnd)
                result.replayed += len(agreed)
                result.replay_agreed += int(agreed.sum())
            host = rec.to_host()
            for i in range(num_envs):
                length, success = int(host["length"][i]), bool(host["success"][i])
                result.expert_episodes += 1
                result.expert_successes += success
                if (only_success and not success) or result.episodes >= num_episodes:
                    continue
                writer.add_episode(
                    host["states"][:length, i],
                    host["actions"][:length, i],
                    {cam: host[cam][:length, i] for cam in layout.views},
                    task=spec.task_description,
                    success=success,
                    reward=host["reward"][:length, i],
                )
                result.episodes += 1
                result.frames += length
                bar.update(1)
            bar.set_postfix(expert_success=f"{result.success_rate:.2f}")
            rnd += 1
            if only_success and rnd >= 10 and result.episodes == 0:
                raise RuntimeError(
                    f"the expert of {task} succeeded in none of {result.expert_episodes} episodes"
                )
        bar.close()
        writer.close()
    finally:
        penv.close()
        app.close()
    result.seconds = round(time.perf_counter() - start, 2)
    return result


class _Round:
    """One round of ``num_envs`` first episodes, held in buffers preallocated on the sim device."""

    def __init__(self, env: Any, spec: Any, success_term: str | None, expert: Any, noise: float = 0.0):
        self.env, self.spec, self.success_term, self.expert = env, spec, success_term, expert
        self.noise = noise
        self.n, self.device = env.num_envs, env.device
        self.horizon = int(env.max_episode_length) + 1
        am = spec.action_mapping
        width = env.action_manager.total_action_dim
        self.cols = slice(am.prefix_pad, width - am.suffix_pad)
        self.policy_dim = width - am.prefix_pad - am.suffix_pad
        obs, _ = env.reset()
        mapped = to_rlinf_obs(obs, spec)
        self.state_dim = mapped["states"].shape[-1] if "states" in mapped else 0
        t, n, dev = self.horizon, self.n, self.device
        self.buf: dict[str, torch.Tensor] = {
            "states": torch.zeros(t, n, self.state_dim, device=dev),
            "actions": torch.zeros(t, n, self.policy_dim, device=dev),
            "reward": torch.zeros(t, n, device=dev),
        }
        if noise:  # what the env was stepped with, for replay
            self.executed = torch.zeros(t, n, self.policy_dim, device=dev)
        self.cameras = spec.camera_keys
        for cam, image in zip(self.cameras, rlinf_views(mapped).values(), strict=True):
            self.buf[cam] = torch.zeros(t, *image.shape, dtype=torch.uint8, device=dev)
        self.length = torch.zeros(n, dtype=torch.long, device=dev)
        self.success = torch.zeros(n, dtype=torch.bool, device=dev)

    def _done_step(self, t: int, success: torch.Tensor, done: torch.Tensor, ended: torch.Tensor) -> None:
        """Bookkeeping after step ``t``: an env's first episode ends at its first done."""
        first = done & ~ended
        self.length[first] = t + 1
        self.success |= success & ~ended
        ended |= first

    def _success(self) -> torch.Tensor:
        tm = self.env.termination_manager
        return tm.get_term(self.success_term) if self.success_term else torch.zeros_like(self.success)

    def run(self, seed: int) -> None:
        """The expert's round: observations, actions and rewards of each env's first episode."""
        obs, _ = self.env.reset(seed=seed)
        generator = torch.Generator(device=self.device).manual_seed(seed)
        self.length.fill_(self.horizon)
        self.success.zero_()
        ended = torch.zeros_like(self.success)
        for t in range(self.horizon):
            mapped = to_rlinf_obs(obs, self.spec)
            if self.state_dim:
                self.buf["states"][t] = mapped["states"]
            for cam, image in zip(self.cameras, rlinf_views(mapped).values(), strict=True):
                self.buf[cam][t] = image
            action = self.expert()[:, self.cols]
            self.buf["actions"][t] = action
            if self.noise:
                action = action + self.noise * torch.randn(
                    action.shape, generator=generator, device=self.device
                )
                self.executed[t] = action
            obs, reward, terminated, truncated, _ = self.env.step(to_isaaclab_action(action, self.spec))
            self.buf["reward"][t] = reward
            self._done_step(t, self._success(), terminated | truncated, ended)
            if bool(ended.all()):
                break

    def replay(self, seed: int) -> torch.Tensor:
        """Replay the recorded actions from the same reset; per env, whether the outcome was reproduced."""
        recorded = self.success.clone()
        length = self.length.clone()
        self.env.reset(seed=seed)
        self.success.zero_()
        ended = torch.zeros_like(self.success)
        for t in range(int(length.max())):
            action = (self.executed if self.noise else self.buf["actions"])[t]
            _, _, terminated, truncated, _ = self.env.step(to_isaaclab_action(action, self.spec))
            self._done_step(t, self._success(), terminated | truncated, ended)
        agreed = (self.success == recorded).cpu()
        self.success.copy_(recorded)
        self.length.copy_(length)
        return agreed

    def to_host(self) -> dict[str, np.ndarray]:
        """Every buffer on the host, one copy each (only the steps any env used)."""
        used = int(self.length.max())
        host = {k: v[:used].cpu().numpy() for k, v in self.buf.items()}
        host["length"], host["success"] = self.length.cpu().numpy(), self.success.cpu().numpy()
        return host

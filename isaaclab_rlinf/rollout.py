"""A CPU-friendly rollout of a task through RLinf's env interface, with frames and episode metrics on disk.

It builds the env exactly as RLinf's ``EnvWorker`` does (``get_env_cls("isaaclab", cfg)(cfg=, num_envs=,
seed_offset=, total_num_processes=, worker_info=)``) and drives it with ``reset`` and ``chunk_step``, so
what it writes is what an RLinf policy would see. No Ray, no GPU. Actions are random or zero, or a
policy's: RLinf's own model (``get_model``) predicting in eval mode on the observations, as RLinf's
rollout worker calls it, so a trained checkpoint is judged closed loop without a GPU.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from omegaconf import DictConfig


@dataclass
class RolloutResult:
    """What a rollout produced: where its files are and the episodes that finished during it."""

    out_dir: str
    num_envs: int
    chunk_steps: int
    env_steps: int
    frames: dict[str, str] = field(default_factory=dict)  # view name -> PNG path
    episodes: list[dict] = field(default_factory=list)  # one row per finished episode
    summary: dict = field(default_factory=dict)


def env_config(
    block: dict,
    task_id: str,
    device: str = "cpu",
    max_episode_steps: int = 300,
    auto_reset: bool = True,
    seed: int = 0,
    in_process: bool = False,
) -> DictConfig:
    """A minimal ``env.train`` node: the keys RLinf's IsaaclabBaseEnv reads, plus our ``isaaclab`` block.

    Returned as a child of a full ``env.train`` tree, so error messages name ``env.train.isaaclab``.
    """
    from omegaconf import OmegaConf

    train = {
        "env_type": "isaaclab",
        "seed": seed,
        "auto_reset": auto_reset,
        "use_rel_reward": False,
        "ignore_terminations": False,
        "max_episode_steps": max_episode_steps,
        "reward_coef": 1.0,
        "video_cfg": {"save_video": False},
        "init_params": {"id": task_id, "device": device, "in_process": in_process},
        "isaaclab": block,
    }
    return OmegaConf.create({"env": {"train": train}}).env.train


def build_env(env_cfg: DictConfig, num_envs: int):
    """Build our registered env class for ``env_cfg`` the way RLinf's EnvWorker does."""
    from rlinf.envs import get_env_cls

    import isaaclab_rlinf

    isaaclab_rlinf.register()
    env_cls = get_env_cls("isaaclab", env_cfg)
    return env_cls(cfg=env_cfg, num_envs=num_envs, seed_offset=0, total_num_processes=1, worker_info=None)


def _contact_sheet(frames: list[np.ndarray]) -> np.ndarray:
    """Rows are time, columns are envs: [T, N, H, W, C] → one [T*H, N*W, C] image."""
    stack = np.stack(frames)  # [T, N, H, W, C]
    t, n, h, w, c = stack.shape
    return stack.transpose(0, 2, 1, 3, 4).reshape(t * h, n * w, c)


def run_rollout(
    env_cfg: DictConfig,
    out_dir: str | Path,
    num_envs: int = 4,
    chunk_steps: int = 60,
    action_chunk: int = 1,
    random_actions: bool = True,
    policy: Callable[[dict], torch.Tensor] | None = None,
    frame_every: int = 10,
    max_envs_in_frames: int = 4,
    seed: int = 0,
) -> RolloutResult:
    """Step ``env_cfg``'s task ``chunk_steps`` times; write frames per view and metrics under ``out_dir``."""
    from PIL import Image

    from .inspection import rlinf_views

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = build_env(env_cfg, num_envs)
    try:
        pads = env.spec.action_mapping
        policy_dim = env.env_action_dim - pads.prefix_pad - pads.suffix_pad
        generator = torch.Generator().manual_seed(seed)
        obs, _ = env.reset()
        frames: dict[str, list[np.ndarray]] = {}
        episodes: list[dict] = []
        for step in range(chunk_steps):
            if step % frame_every == 0:
                for name, images in rlinf_views(obs).items():
                    frames.setdefault(name, []).append(images[:max_envs_in_frames].cpu().numpy())
            shape = (num_envs, action_chunk, policy_dim)
            if policy is not None:
                actions = policy(obs)
            elif random_actions:
                actions = torch.rand(shape, generator=generator) * 2 - 1
            else:
                actions = torch.zeros(shape)
            obs_list, _, terminations, truncations, infos_list = env.chunk_step(actions)
            obs = obs_list[-1]
            done = (terminations | truncations)[:, -1]
            if done.any():
                episode = infos_list[-1].get("final_info", infos_list[-1])["episode"]
                for i in done.nonzero().flatten().tolist():
                    episodes.append(
                        {
                            "env": i,
                            "end_step": (step + 1) * action_chunk,
                            **{k: float(v[i]) for k, v in episode.items()},
                        }
                    )
    finally:
        env.close()

    result = RolloutResult(str(out), num_envs, chunk_steps, chunk_steps * action_chunk, episodes=episodes)
    for name, sheets in frames.items():
        path = out / f"{name}.png"
        Image.fromarray(_contact_sheet(sheets)).save(path)
        result.frames[name] = str(path)
    first: dict[int, dict] = {}  # each env's first episode: what a success rate over N envs means
    for e in episodes:
        first.setdefault(e["env"], e)
    result.summary = {
        "first_episodes": len(first),
        "first_episode_success_rate": float(np.mean([e["success_once"] for e in first.values()]))
        if first
        else None,
        "episodes": len(episodes),
        "success_rate": float(np.mean([e["success_once"] for e in episodes])) if episodes else None,
        "mean_return": float(np.mean([e["return"] for e in episodes])) if episodes else None,
        "mean_episode_len": float(np.mean([e["episode_len"] for e in episodes])) if episodes else None,
    }
    (out / "metrics.json").write_text(json.dumps(asdict(result), indent=2))
    return result


def rlinf_policy(model_cfg: DictConfig, ckpt_path: str | None) -> Callable[[dict], torch.Tensor]:
    """RLinf's model for ``model_cfg`` (``actor.model``) with the weights at ``ckpt_path`` (strict), as a
    callable: RLinf observations -> the action chunk [N, chunks, D] ``predict_action_batch`` gives in eval."""
    from rlinf.models import get_model

    model = get_model(model_cfg)
    if ckpt_path:  # checked to fit first (models.weights.check_weights_fit, as `train` does)
        model.load_state_dict(torch.load(ckpt_path, map_location="cpu"))
    model.eval()

    @torch.no_grad()
    def act(obs: dict) -> torch.Tensor:
        chunk, _ = model.predict_action_batch(
            obs, mode="eval", calculate_logprobs=False, calculate_values=False
        )
        return torch.as_tensor(chunk).float()

    return act

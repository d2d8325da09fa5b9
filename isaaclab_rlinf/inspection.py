"""``isaaclab-rlinf inspect``: what the policy will receive from a config's task, on CPU, without Ray.

It builds the task with the same code the RLinf env worker runs (:func:`isaaclab_rlinf.env.make_task_env`,
in this process; with every observation group, so a wrong key's error lists all terms), checks the
``isaaclab`` block against the live env (:meth:`MappingSpec.validate`, with the model's action width),
steps it with zero or uniform random actions padded by
:func:`~isaaclab_rlinf.converters.to_isaaclab_action`, and maps every observation with
:func:`~isaaclab_rlinf.converters.to_rlinf_obs` (and :func:`~isaaclab_rlinf.converters.to_gr00t_obs` when
the block has ``gr00t_mapping``). It writes:

* ``contact_sheet.png``: one row per camera view as RLinf receives it (``main_images``,
  ``extra_view_images[i]``) and as GR00T receives it (``video.*``), one column per env (the first
  ``max_envs_shown``), each row under a label naming the key and the IsaacLab term it comes from;
* ``inspect.json`` (and ``--json PATH``): every mapped key with shape, dtype and value range (over the
  reset and every step), plus the task's action widths;

and returns the same as an :class:`InspectReport` whose :meth:`~InspectReport.table` is what the CLI
prints. A wrong mapping raises :class:`~isaaclab_rlinf.spec.MappingError` naming the YAML path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from .rlinf_cfg import env_cfg_overrides
from .spec import MappingError, MappingSpec

# contact sheet geometry (pixels): images are scaled by SCALE, separated by PAD, each row under a label
SCALE = 2
PAD = 4
LABEL_H = 14
BACKGROUND = (32, 32, 32)
TEXT = (235, 235, 235)


@dataclass
class KeyStats:
    """One mapped key: shape/dtype of the last observation, min/max over every observation seen."""

    shape: list[int]
    dtype: str
    min: float | None = None
    max: float | None = None
    source: str = ""


@dataclass
class InspectReport:
    task: str
    split: str
    num_envs: int
    steps: int
    random_actions: bool
    device: str
    env_action_dim: int
    policy_action_dim: int
    action_mapping: dict[str, int]
    rlinf: dict[str, KeyStats] = field(default_factory=dict)
    gr00t: dict[str, KeyStats] = field(default_factory=dict)
    contact_sheet: str = ""
    json_path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        """Aligned text table of every mapped key, then the action widths."""
        rows = [("SIDE", "KEY", "SHAPE", "DTYPE", "MIN", "MAX", "FROM")]
        for side, keys in (("rlinf", self.rlinf), ("gr00t", self.gr00t)):
            for name, s in keys.items():
                rows.append((side, name, str(s.shape), s.dtype, _num(s.min), _num(s.max), s.source))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows
        ]
        am = self.action_mapping
        lines.append(
            f"action: policy [{self.num_envs}, {self.policy_action_dim}] + prefix_pad {am['prefix_pad']} + "
            f"suffix_pad {am['suffix_pad']} -> env [{self.num_envs}, {self.env_action_dim}]"
        )
        return "\n".join(line.rstrip() for line in lines)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


# --------------------------------------------------------------------------------------------------
# stats


def _update(stats: dict[str, KeyStats], name: str, value: Any, source: str) -> None:
    if isinstance(value, torch.Tensor):
        shape, dtype = list(value.shape), str(value.dtype).removeprefix("torch.")
        lo = float(value.min()) if value.numel() else None
        hi = float(value.max()) if value.numel() else None
    elif isinstance(value, (list, tuple)):
        shape, dtype, lo, hi = (
            [len(value)],
            "str" if all(isinstance(v, str) for v in value) else "list",
            None,
            None,
        )
    else:
        shape, dtype, lo, hi = [], type(value).__name__, None, None
    old = stats.get(name)
    if old is not None and old.min is not None and lo is not None:
        lo, hi = min(old.min, lo), max(old.max, hi)
    stats[name] = KeyStats(shape=shape, dtype=dtype, min=lo, max=hi, source=source)


def _sources(spec: MappingSpec) -> tuple[dict[str, str], dict[str, str]]:
    """Which IsaacLab term (or RLinf key) each RLinf (GR00T) key comes from, for the table and labels."""
    rl = {"task_descriptions": "task_description"}
    if spec.main_images:
        rl["main_images"] = spec.main_images
    if spec.extra_view_images:
        rl["extra_view_images"] = " | ".join(spec.extra_view_images)
    if spec.states:
        rl["states"] = " + ".join(
            s.key + (f"[{s.slice[0]}:{s.slice[1]}]" if s.slice else "") for s in spec.states
        )
    gr: dict[str, str] = {}
    gm = spec.gr00t_mapping
    if gm is not None:
        if gm.main_images:
            gr[gm.main_images] = f"main_images ({spec.main_images})"
        for i, key in enumerate(gm.extra_view_images):
            gr[key] = f"extra_view_images[{i}] ({spec.extra_view_images[i]})"
        for k in gm.state:
            gr[k.gr00t_key] = f"states[:, {k.slice[0]}:{k.slice[1]}]"
        gr[gm.language_key] = "task_descriptions"
    return rl, gr


# --------------------------------------------------------------------------------------------------
# contact sheet


def rlinf_views(obs: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    """Every camera view of an RLinf observation as uint8 [N,H,W,C], by name.

    ``main_images``, then ``wrist_images_<i>`` and ``extra_view_images_<i>`` for each view ``i`` of the
    stacked keys (``wrist_images`` may be [N,H,W,C] or [N,V,H,W,C]). ``inspect`` and ``rollout`` both
    draw from this.
    """
    views: dict[str, torch.Tensor] = {}
    if obs.get("main_images") is not None:
        views["main_images"] = obs["main_images"]
    for name in ("wrist_images", "extra_view_images"):
        images = obs.get(name)
        if images is not None:
            images = images if images.dim() == 5 else images.unsqueeze(1)
            for v in range(images.shape[1]):
                views[f"{name}_{v}"] = images[:, v]
    return views


def camera_views(
    rlinf_obs: dict, gr00t_obs: dict | None, spec: MappingSpec
) -> list[tuple[str, torch.Tensor]]:
    """``(label, uint8 [N,H,W,C])`` for every camera view, RLinf's first, then GR00T's.

    Labels name the key and the IsaacLab term it comes from (``RLinf extra_view_images[0] <- side``).
    """
    views: list[tuple[str, torch.Tensor]] = []
    for name, images in rlinf_views(rlinf_obs).items():
        key, _, index = name.rpartition("_")
        if name == "main_images":
            label = f"RLinf main_images <- {spec.main_images}"
        elif key == "extra_view_images":
            label = f"RLinf extra_view_images[{index}] <- {spec.extra_view_images[int(index)]}"
        else:
            label = f"RLinf {key}[{index}]"
        views.append((label, images))
    if gr00t_obs is not None and spec.gr00t_mapping is not None:
        gm = spec.gr00t_mapping
        keys = list(gm.video_keys)
        for key in keys:
            views.append((f"GR00T {key} [B,1,H,W,C] (frame 0)", gr00t_obs[key][:, 0]))
    return views


def sheet_size(num_views: int, num_cols: int, height: int, width: int, scale: int = SCALE) -> tuple[int, int]:
    """``(width, height)`` in pixels of a contact sheet with this many rows (views) and columns (envs)."""
    w = num_cols * width * scale + (num_cols + 1) * PAD
    h = num_views * (LABEL_H + height * scale + PAD) + PAD
    return w, h


def contact_sheet(views: list[tuple[str, torch.Tensor]], max_envs: int = 4, scale: int = SCALE):
    """A Pillow image: one labelled row per view, one column per env (the first ``max_envs``)."""
    from PIL import Image, ImageDraw

    if not views:
        raise ValueError("no camera views to draw")
    n, h, w = views[0][1].shape[0], views[0][1].shape[1], views[0][1].shape[2]
    cols = min(n, max_envs)
    size = sheet_size(len(views), cols, h, w, scale)
    sheet = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    y = PAD
    for label, images in views:
        draw.text((PAD, y + 1), label, fill=TEXT)
        y += LABEL_H
        frames = images[:cols].detach().to("cpu").numpy()
        for c in range(cols):
            frame = frames[c]
            if frame.shape[-1] == 1:
                frame = np.repeat(frame, 3, axis=-1)
            tile = Image.fromarray(np.ascontiguousarray(frame[..., :3])).resize(
                (w * scale, h * scale), Image.NEAREST
            )
            sheet.paste(tile, (PAD + c * (w * scale + PAD), y))
        y += h * scale + PAD
    return sheet


# --------------------------------------------------------------------------------------------------
# the inspection


def _policy_action_dim(cfg: DictConfig, split: str) -> int | None:
    model = "rollout.model" if split == "eval" else "actor.model"
    value = OmegaConf.select(cfg, f"{model}.action_dim", default=None)
    return int(value) if isinstance(value, int) else None


def _check_policy_obs(cfg: DictConfig, split: str, state_dim: int, spec: MappingSpec) -> None:
    """An MLP policy reads ``states`` only: its ``obs_dim`` must equal the mapped state width."""
    model = "rollout.model" if split == "eval" else "actor.model"
    if OmegaConf.select(cfg, f"{model}.model_type", default=None) != "mlp_policy":
        return
    obs_dim = OmegaConf.select(cfg, f"{model}.obs_dim", default=None)
    if obs_dim != state_dim:
        raise MappingError(
            f"{model}.obs_dim: the MLP policy reads `states`, which {spec.path}.states makes {state_dim} "
            f"wide (got obs_dim {obs_dim!r}). Fix: {model}.obs_dim={state_dim}, or change the states."
        )


def check_against_task(cfg: DictConfig, split: str, spec: MappingSpec, obs: dict, info: dict) -> int:
    """Check ``env.<split>``'s mapping against a live task's first observation; returns its action width.

    The success term exists, every key resolves, slices fit, cameras are images, the action widths add
    up with the model's ``action_dim``, an MLP policy's ``obs_dim`` equals the state width, and each model
    family's ``check_live`` passes. Raises :class:`MappingError` naming the YAML path (a family's check may
    raise ``ConfigError``). ``inspect`` and the launcher's check before Ray run this.
    """
    env_dim = int(info["action_dim"])
    spec.check_success_term(info["termination_terms"])
    spec.validate(obs, env_action_dim=env_dim, policy_action_dim=_policy_action_dim(cfg, split))
    _check_policy_obs(cfg, split, spec.resolve(obs).state_dim, spec)
    from .models.families import active_families

    for family in active_families(cfg):  # e.g. a GR00T checkpoint's camera resolution, openpi's norm stats
        if family.check_live is not None:
            family.check_live(cfg, split, obs)
    return env_dim


def task_needs_kit(task: str, device: str) -> bool:
    """True when IsaacLab would start Isaac Sim for ``task`` (PhysX, or RTX cameras): its config, scanned
    the way ``launch_simulation`` decides, without launching anything."""
    from isaaclab.app.sim_launcher import scan
    from isaaclab_tasks.utils import parse_env_cfg

    from . import register

    register()
    env_cfg = parse_env_cfg(task, device=device, num_envs=1)
    return bool(scan(env_cfg, {"headless": True, "device": device}).needs_kit)


def check_tasks(cfg: DictConfig, specs: Mapping[str, MappingSpec], device: str = "cpu") -> list[str]:
    """Build each split's task once with one env and run :func:`check_against_task` for every split.

    Splits naming the same task with the same ``init_params.env_cfg`` share one build; an eval split that
    changes the task's config (e.g. its camera resolution) is checked against a build of its own. Tasks
    that need Isaac Sim are not built (a note says so; their mapping is checked when the env workers build
    them). Returns the notes. Raises :class:`MappingError` on the first mapping that does not fit.
    """
    from .env import config_task_env

    by_build: dict[tuple[str, str], list[str]] = {}
    for split in specs:
        task = str(OmegaConf.select(cfg, f"env.{split}.init_params.id"))
        overrides = json.dumps(env_cfg_overrides(cfg, split), sort_keys=True, default=str)
        by_build.setdefault((task, overrides), []).append(split)
    notes = []
    for (task, _), splits in by_build.items():
        if task_needs_kit(task, device):
            keys = " and ".join(f"env.{s}.init_params.id" for s in splits)
            notes.append(
                f"{keys}: {task!r} needs Isaac Sim, which is not started before Ray; its mapping is checked "
                "when the env workers build it."
            )
            continue
        seed = int(OmegaConf.select(cfg, f"env.{splits[0]}.seed", default=0) or 0)
        with config_task_env(cfg, splits[0], specs[splits[0]], 1, device, seed) as env:
            obs, info = env.reset(seed=seed)
            for split in splits:
                check_against_task(cfg, split, specs[split], obs, info)
    return notes


def inspect_config(
    cfg: DictConfig,
    out_dir: str | Path,
    *,
    split: str = "train",
    num_envs: int = 2,
    steps: int = 10,
    random_actions: bool = False,
    seed: int | None = None,
    device: str = "cpu",
    max_envs_shown: int = 4,
    json_path: str | Path | None = None,
) -> InspectReport:
    """Build, validate, step and map the config's ``env.<split>`` task; write the sheet and the JSON."""
    from . import register
    from .converters import to_gr00t_obs, to_isaaclab_action, to_rlinf_obs
    from .env import config_task_env
    from .registry import rlinf_env_class

    env_key = f"env.{split}"
    block = OmegaConf.select(cfg, f"{env_key}.isaaclab", default=None)
    if block is None:
        task = str(OmegaConf.select(cfg, f"{env_key}.init_params.id", default=None))
        register()
        own = rlinf_env_class(task)
        if own is not None:
            raise MappingError(
                f"{env_key}.isaaclab: none, as {task!r} is served by RLinf's own env class {own.__name__}, "
                "which converts its observations itself; inspect shows isaaclab mappings only. Fix: inspect "
                "a config with an isaaclab block (train and play run this one as it is)."
            )
        raise MappingError(
            f"{env_key}.isaaclab: missing. Fix: add the mapping block (see the packaged configs)."
        )
    spec = MappingSpec.from_config(block, path=f"{env_key}.isaaclab")
    task = OmegaConf.select(cfg, f"{env_key}.init_params.id")
    if seed is None:
        seed = int(OmegaConf.select(cfg, f"{env_key}.seed", default=0) or 0)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    register()
    with config_task_env(cfg, split, spec, num_envs, device, seed) as env:
        obs, info = env.reset(seed=seed)
        env_dim = check_against_task(cfg, split, spec, obs, info)
        policy_dim = env_dim - spec.action_mapping.prefix_pad - spec.action_mapping.suffix_pad

        rl_src, gr_src = _sources(spec)
        rlinf_stats: dict[str, KeyStats] = {}
        gr00t_stats: dict[str, KeyStats] = {}
        generator = torch.Generator().manual_seed(seed)

        def observe(raw: dict) -> tuple[dict, dict | None]:
            rl = to_rlinf_obs(raw, spec)
            for k, v in rl.items():
                _update(rlinf_stats, k, v, rl_src.get(k, ""))
            gr = to_gr00t_obs(rl, spec) if spec.gr00t_mapping is not None else None
            for k, v in (gr or {}).items():
                _update(gr00t_stats, k, v, gr_src.get(k, ""))
            return rl, gr

        rl, gr = observe(obs)
        for _ in range(steps):
            shape = (num_envs, policy_dim)
            action = torch.rand(shape, generator=generator) * 2 - 1 if random_actions else torch.zeros(shape)
            obs, *_ = env.step(to_isaaclab_action(action, spec, device=env.device))
            rl, gr = observe(obs)

        report = InspectReport(
            task=str(task),
            split=split,
            num_envs=num_envs,
            steps=steps,
            random_actions=random_actions,
            device=str(device),
            env_action_dim=env_dim,
            policy_action_dim=policy_dim,
            action_mapping=asdict(spec.action_mapping),
            rlinf=rlinf_stats,
            gr00t=gr00t_stats,
        )
        views = camera_views(rl, gr, spec)
        if views:
            sheet_path = out / "contact_sheet.png"
            contact_sheet(views, max_envs=max_envs_shown).save(sheet_path)
            report.contact_sheet = str(sheet_path)

    report.json_path = str(out / "inspect.json")
    text = json.dumps(report.to_dict(), indent=2)
    Path(report.json_path).write_text(text)
    if json_path is not None:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(text)
    return report

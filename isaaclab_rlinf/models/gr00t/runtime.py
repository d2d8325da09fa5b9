"""What GR00T N1.5 needs from its process before a model is built: offline hub, attention, import stand-ins.

Isaac-GR00T's ``n1.5-release`` source assumes a CUDA machine with ``flash-attn`` and ``pytorch3d``:

* the Eagle backbone's ``config.json`` asks for ``flash_attention_2``; ``modeling_eagle2_5_vl.py`` forces
  it on the SigLIP vision tower; ``radio_model.py`` imports ``flash_attn`` at module top and, at import,
  reads the CUDA device capability and replaces timm's ``Attention.forward`` process-wide with a
  flash-attention kernel (RADIO is not the N1.5 vision tower; the module is imported for its config
  class only);
* ``gr00t/data/transform/state_action.py`` imports ``pytorch3d.transforms`` at module top for
  ``RotationTransform``, which only data configs with ``target_rotations`` build;
* ``gr00t/utils/video.py`` imports ``av`` (PyAV, 125 MiB installed) at module top to read dataset videos,
  which RL on a simulator never does. (``decord`` stays a real dependency: transformers checks every
  import of the Eagle processor's remote code before loading it.)

:func:`prepare` applies the choice of ``actor.model.attn_implementation`` when the model is built, without
editing gr00t's files: the Eagle config is loaded through a wrapper around ``AutoConfig`` in gr00t's
``eagle_backbone`` module that sets the attention on it and its sub-configs; :func:`apply_attention` sets
it again on every sub-model once built (the SigLIP override happens inside the constructor). With
``sdpa``/``eager`` the process-wide timm patch is undone right after ``radio_model`` is imported. A user
with ``flash-attn`` installed gets ``flash_attention_2`` by default (GR00T's own choice).

Stand-ins: only when ``flash_attn`` / ``pytorch3d`` / ``av`` are NOT installed, a module of that name is
put in ``sys.modules`` so that the import lines above succeed; every function in it raises ``ImportError``
saying which package to install, so a real call is never hidden. ``HF_HUB_OFFLINE=1``: the one hub call
(``snapshot_download`` in ``GR00T_N1_5.from_pretrained``) falls back to the local path.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sys
import types
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)

ATTN_IMPLEMENTATIONS = ("sdpa", "flash_attention_2", "eager")
STAND_IN_MARK = "__isaaclab_rlinf_stand_in__"

# module -> (names gr00t imports from it, why gr00t imports it, what a real call needs)
_STAND_INS: dict[str, tuple[tuple[str, ...], str]] = {
    "flash_attn": ((), "gr00t's radio_model.py imports it at module top"),
    "flash_attn.flash_attn_interface": (
        ("flash_attn_unpadded_qkvpacked_func", "flash_attn_varlen_qkvpacked_func"),
        "RADIO vision attention (not the N1.5 vision tower)",
    ),
    "flash_attn.bert_padding": (("pad_input", "unpad_input"), "RADIO vision attention"),
    "pytorch3d": ((), "gr00t/data/transform/state_action.py imports pytorch3d.transforms at module top"),
    "pytorch3d.transforms": (
        (),  # RotationTransform looks functions up with getattr: any name
        "RotationTransform (a data config with target_rotations)",
    ),
    "av": ((), "gr00t/utils/video.py imports it at module top to read dataset videos (not called here)"),
}
_ANY_NAME = ("pytorch3d.transforms", "av")  # stand-ins that answer every public name with a raising function


def flash_attn_installed() -> bool:
    """True when the real ``flash_attn`` distribution is installed (not our stand-in)."""
    mod = sys.modules.get("flash_attn")
    if mod is not None and getattr(mod, STAND_IN_MARK, False):
        return False
    try:
        return importlib.util.find_spec("flash_attn") is not None
    except (ImportError, ValueError):
        return False


def resolve_attn_implementation(value: str | None, path: str = "actor.model.attn_implementation") -> str:
    """The attention to build GR00T with: ``value``, else flash-attn when installed, else sdpa."""
    from ...spec import MappingError

    if value is None:
        return "flash_attention_2" if flash_attn_installed() else "sdpa"
    if value not in ATTN_IMPLEMENTATIONS:
        raise MappingError(
            f"{path}: unknown attention implementation (got {value!r}). "
            f"Allowed: {list(ATTN_IMPLEMENTATIONS)}."
        )
    if value == "flash_attention_2" and not flash_attn_installed():
        raise MappingError(
            f"{path}: flash_attention_2 needs the flash-attn package, which is not installed "
            f"(got {value!r}). Fix: set {path}: sdpa, or install flash-attn (no PyPI wheel: build it)."
        )
    return value


def _stand_in(name: str, names: tuple[str, ...], why: str) -> types.ModuleType:
    package = name.split(".")[0]

    def missing(*_args: Any, **_kwargs: Any) -> Any:
        raise ImportError(
            f"{package} is not installed; isaaclab-rlinf put an import-only stand-in for `{name}` because "
            f"{why}, and this call needs the real package. Install {package}, or avoid the feature."
        )

    mod = types.ModuleType(name, f"isaaclab-rlinf import-only stand-in for {name} ({why}); see docs/gr00t.md")
    mod.__spec__ = importlib.util.spec_from_loader(name, loader=None, origin="isaaclab-rlinf stand-in")
    if "." not in name:
        mod.__path__ = []  # a package, so that its submodules import
    setattr(mod, STAND_IN_MARK, True)
    for attr in names:
        setattr(mod, attr, missing)
    if name in _ANY_NAME:

        def any_function(attr: str) -> Any:  # e.g. every rotation function, looked up by name
            if attr.startswith("__"):
                raise AttributeError(attr)
            return missing

        mod.__getattr__ = any_function
    return mod


def install_import_stand_ins() -> list[str]:
    """Put the stand-ins of :data:`_STAND_INS` in ``sys.modules`` for packages that are not installed.

    Returns the module names stood in for (empty when flash-attn and pytorch3d are both installed)."""
    added = []
    for name, (names, why) in _STAND_INS.items():
        package = name.split(".")[0]
        if name in sys.modules:
            continue
        if package not in sys.modules:
            try:
                if importlib.util.find_spec(package) is not None:
                    continue  # the real package: never shadowed
            except (ImportError, ValueError):
                pass
        elif not getattr(sys.modules[package], STAND_IN_MARK, False):
            continue
        mod = _stand_in(name, names, why)
        sys.modules[name] = mod
        if "." in name:
            setattr(sys.modules[package], name.split(".", 1)[1], mod)
        added.append(name)
    if added:
        logger.info("GR00T: import-only stand-ins for %s (packages not installed)", ", ".join(added))
    return added


@contextlib.contextmanager
def _radio_import_guard(attn_implementation: str) -> Iterator[None]:
    """Around the first import of gr00t's Eagle modules: let ``radio_model``'s import-time flash patch run on
    a machine without CUDA, and undo its process-wide timm patch unless flash-attention is chosen."""
    import torch

    try:
        from timm.models import vision_transformer as vit
    except ImportError:  # pragma: no cover - gr00t imports timm anyway
        vit = None
    saved = dict(vars(vit.Attention)) if vit is not None else {}
    real_capability = torch.cuda.get_device_capability
    if not torch.cuda.is_available():
        # radio_model calls it at import only to decide whether to warn; there is no device to ask.
        torch.cuda.get_device_capability = lambda *a, **k: (8, 0)
    try:
        yield
    finally:
        torch.cuda.get_device_capability = real_capability
        if vit is not None and attn_implementation != "flash_attention_2":
            for attr in ("forward", "inner_attn", "_flash_attn"):
                if attr in saved:
                    type.__setattr__(vit.Attention, attr, saved[attr])
                elif attr in vars(vit.Attention):
                    type.__delattr__(vit.Attention, attr)


def _set_config_attention(config: Any, attn_implementation: str) -> None:
    for cfg in (config, getattr(config, "vision_config", None), getattr(config, "text_config", None)):
        if cfg is not None:
            cfg._attn_implementation = attn_implementation


class _EagleAutoConfig:
    """Stands for ``transformers.AutoConfig`` inside gr00t's ``eagle_backbone`` module only: loads the
    Eagle config as GR00T does, then sets the chosen attention implementation on it."""

    def __init__(self, real: Any, attn_implementation: str, eagle: dict[str, int] | None = None):
        self.real, self.attn_implementation, self.eagle = real, attn_implementation, dict(eagle or {})

    def from_pretrained(self, *args: Any, **kwargs: Any) -> Any:
        with _radio_import_guard(self.attn_implementation):
            config = self.real.from_pretrained(*args, **kwargs)
        _set_config_attention(config, self.attn_implementation)
        # depth of a tiny random checkpoint (checkpoint.py records it); widths never change
        if "vision_layers" in self.eagle:
            config.vision_config.num_hidden_layers = int(self.eagle["vision_layers"])
        if "text_layers" in self.eagle:
            config.text_config.num_hidden_layers = int(self.eagle["text_layers"])
        return config

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def prepare(attn_implementation: str | None = None, eagle: dict[str, int] | None = None) -> str:
    """Make this process ready to build GR00T N1.5; returns the attention implementation in use.

    ``eagle``: backbone depth of a tiny random checkpoint (:func:`.checkpoint.eagle_overrides`). Idempotent;
    the last call's choices hold for models built afterwards."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # albumentations asks PyPI for news at import
    try:
        from huggingface_hub import constants

        constants.HF_HUB_OFFLINE = True  # read at import; the variable alone is too late once imported
    except ImportError:  # pragma: no cover
        pass
    attn = resolve_attn_implementation(attn_implementation)
    install_import_stand_ins()
    from .tags import _apply_rlinf_embodiment_patch

    # RLinf's first step too: gr00t must see RLinf's EmbodimentTag before gr00t.data.schema is imported
    # (its pydantic models bind the tag enum at import); importing eagle_backbone below imports it.
    _apply_rlinf_embodiment_patch()
    from gr00t.model.backbone import eagle_backbone

    real = eagle_backbone.AutoConfig
    eagle_backbone.AutoConfig = _EagleAutoConfig(getattr(real, "real", real), attn, eagle)
    return attn


def apply_attention(model: Any, attn_implementation: str) -> None:
    """Set the attention implementation on every sub-model's config (transformers reads it per forward)."""
    from transformers import PretrainedConfig

    for module in model.modules():
        cfg = getattr(module, "config", None)
        if isinstance(cfg, PretrainedConfig) and hasattr(cfg, "_attn_implementation"):
            if cfg._attn_implementation in ATTN_IMPLEMENTATIONS:
                cfg._attn_implementation = attn_implementation

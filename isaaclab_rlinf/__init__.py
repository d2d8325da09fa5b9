"""isaaclab-rlinf: RL fine-tuning of VLAs on IsaacLab tasks with RLinf's distributed runner.

``import isaaclab_rlinf`` is cheap: heavy modules (isaaclab, rlinf, torch) load on first use of the
names below. ``register()`` is the hook RLinf calls in every Ray worker when
``RLINF_EXT_MODULE=isaaclab_rlinf``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> defining module (loaded lazily)
_EXPORTS = {
    "MappingSpec": "spec",
    "MappingError": "spec",
    "to_rlinf_obs": "converters",
    "to_gr00t_obs": "converters",
    "to_isaaclab_action": "converters",
    "TaskSpec": "registry",
    "list_tasks": "registry",
    "IsaacLabGenericEnv": "env",
}

if TYPE_CHECKING:
    from .converters import to_gr00t_obs, to_isaaclab_action, to_rlinf_obs
    from .env import IsaacLabGenericEnv
    from .registry import TaskSpec, list_tasks
    from .spec import MappingError, MappingSpec

__all__ = [*_EXPORTS, "register", "__version__"]


def register() -> None:
    """Register every entry-point task with gymnasium and RLinf (RLinf's ``RLINF_EXT_MODULE`` hook).

    When ``RLINF_CONFIG_FILE`` names a config, also runs the ``install`` of its model families
    (:mod:`isaaclab_rlinf.models.family`: the GR00T bridge's converters, embodiment tag and builder; the CNN
    policy's builder; our openpi builder; a plugin's own) into RLinf's tables: workers need them, and RLinf
    calls only this.
    """
    from .models.families import install_from_env
    from .registry import register as _register

    _register()
    install_from_env()


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'isaaclab_rlinf' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)

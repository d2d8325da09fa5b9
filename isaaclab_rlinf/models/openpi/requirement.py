"""Is openpi (RLinf's ``rlinf-openpi`` with its own transformers) importable, and how to install it if not.

openpi lives in its own venv (``.venv-openpi``, ``make install-openpi``): its transformers 4.53.2
(``rlinf-transformer-openpi``) and GR00T N1.5's 4.51.3 cannot share one. Every path that needs openpi
(the model builder, ``openpi-init``, the launcher's check before Ray) asks here first, so a run in the
wrong venv stops with the one command that fixes it instead of an ImportError inside a Ray worker.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from typing import Any

__all__ = ["INSTALL_HINT", "OpenpiNotInstalledError", "require_openpi", "require_openpi_for"]

INSTALL_HINT = (
    "Install it with `make install-openpi` (scripts/install_openpi.sh: a second venv, .venv-openpi) and run "
    "`.venv-openpi/bin/isaaclab-rlinf ...` from there."
)


class OpenpiNotInstalledError(ImportError):
    """openpi (``rlinf-openpi``) or its patched transformers (``rlinf-transformer-openpi``) is missing."""


def require_openpi() -> None:
    """Raise :class:`OpenpiNotInstalledError` (one line, with the install command) unless openpi's PyTorch
    pi0/pi0.5 and openpi's transformers are both installed here. Cheap: metadata and module specs only."""
    try:
        found = importlib.util.find_spec("openpi") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise OpenpiNotInstalledError(
            "actor.model.model_type: openpi needs openpi (rlinf-openpi), not installed in this venv. "
            + INSTALL_HINT,
            name="openpi",
        )
    try:
        importlib.metadata.version("rlinf-transformer-openpi")
    except importlib.metadata.PackageNotFoundError:
        raise OpenpiNotInstalledError(
            "actor.model.model_type: openpi needs openpi's transformers (rlinf-transformer-openpi 4.53.2); "
            f"this venv has another one (GR00T's .venv cannot hold both). {INSTALL_HINT}",
            name="transformers",
        ) from None


def require_openpi_for(cfg: Any) -> None:
    """The launcher's check before Ray: for a ``model_type: openpi`` config without openpi here, raise
    ``LaunchError`` with :func:`require_openpi`'s one line (a worker would fail much later, in an import)."""
    from omegaconf import OmegaConf

    from ...rlinf_cfg import LaunchError, model_key

    if OmegaConf.select(cfg, f"{model_key(cfg)}.model_type") != "openpi":
        return
    try:
        require_openpi()
    except OpenpiNotInstalledError as exc:
        raise LaunchError(str(exc)) from exc

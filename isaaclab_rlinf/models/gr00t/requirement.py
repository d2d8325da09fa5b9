"""Is the ``gr00t`` package (Isaac-GR00T) of a GR00T generation importable, and how to install it if not.

``gr00t`` is not on PyPI, so every path that needs it (the model builder, a random checkpoint, the
launcher's check before Ray) asks here first and gets the install instructions in the error. A leaf of
:mod:`isaaclab_rlinf.models.gr00t`: the loader and the checkpoint writer both import it, neither the other
for it.
"""

from __future__ import annotations

import importlib.util

__all__ = ["Gr00tNotInstalledError", "require_gr00t"]

# model_type -> (generation, a module only that generation of gr00t has, how to install it).
# Sources: RLinf's requirements/install.sh (install_gr00t_model / _n1d6 / _n1d7).
_GENERATIONS: dict[str, tuple[str, str, str]] = {
    "gr00t": (
        "N1.5",
        "gr00t.experiment.data_config",
        "make install-gr00t GR00T_SRC=PATH (PATH: a clone of https://github.com/RLinf/Isaac-GR00T, branch "
        "n1.5-release, or its .tar.gz; scripts/install_gr00t.sh does the same for any venv)",
    ),
    "gr00t_n1d6": (
        "N1.6",
        "gr00t.configs.model.gr00t_n1d6",
        "git clone -b n1.6.1-release https://github.com/RLinf/Isaac-GR00T.git && "
        "pip install -e Isaac-GR00T --no-deps && "
        "pip install -r <RLinf repo>/requirements/embodied/models/gr00t_n1d6.txt",
    ),
    "gr00t_n1d7": (
        "N1.7",
        "gr00t.configs.model.gr00t_n1d7",
        "git clone -b n1.7-release https://github.com/NVIDIA/Isaac-GR00T.git && "
        "pip install -e Isaac-GR00T --no-deps && "
        "pip install -r <RLinf repo>/requirements/embodied/models/gr00t_n1d7.txt",
    ),
}


class Gr00tNotInstalledError(ImportError):
    """The ``gr00t`` package (Isaac-GR00T) of the configured generation cannot be imported."""


def require_gr00t(model_type: str = "gr00t") -> None:
    """Raise :class:`Gr00tNotInstalledError` (with install instructions) unless the ``gr00t`` package of
    ``model_type``'s generation imports. Cheap when it is there; the launcher may call it in the driver."""
    generation, marker, how = _GENERATIONS[model_type]
    hint = (
        f"GR00T {generation} (actor.model.model_type: {model_type}) needs the `gr00t` package "
        f"(Isaac-GR00T), which is not on PyPI. Install the version RLinf documents into this environment: "
        f"{how}. See docs/gr00t.md."
    )
    try:
        found = importlib.util.find_spec("gr00t") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise Gr00tNotInstalledError(f"`gr00t` is not installed. {hint}", name="gr00t")
    try:
        ok = importlib.util.find_spec(marker) is not None
    except ModuleNotFoundError as exc:  # a parent package of the marker is missing: another generation
        if not exc.name or not marker.startswith(exc.name):
            raise Gr00tNotInstalledError(
                f"`gr00t` is installed but `{marker}` fails to import: {exc}. {hint}"
            ) from exc
        ok = False
    except ImportError as exc:
        raise Gr00tNotInstalledError(
            f"`gr00t` is installed but `{marker}` fails to import: {exc}. {hint}"
        ) from exc
    if not ok:
        raise Gr00tNotInstalledError(
            f"the installed `gr00t` is not the {generation} generation (no `{marker}`). {hint}", name=marker
        )


def _reraise_if_gr00t_missing(exc: ImportError, model_type: str) -> None:
    if (getattr(exc, "name", None) or "").split(".")[0] == "gr00t":
        try:
            require_gr00t(model_type)
        except Gr00tNotInstalledError as missing:
            raise missing from exc

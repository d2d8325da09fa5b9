"""The pieces a :class:`~isaaclab_rlinf.spec.MappingSpec` is made of, and its error.

The leaf of the mapping modules: :mod:`isaaclab_rlinf.spec_yaml` (parsing, static checks) builds these
and :mod:`isaaclab_rlinf.spec` (the spec and its checks against a live observation) holds them, so both
import this module and neither imports the other back (``spec`` -> ``spec_yaml`` -> ``spec_parts``).
:class:`MappingError` and :func:`_error` are the one message format of every mapping error: YAML path,
offending value, what exists, the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_LANGUAGE_KEY = "annotation.human.action.task_description"


class MappingError(ValueError):
    """The ``isaaclab`` mapping block does not fit the config schema or the live env.

    The message names the YAML path, the offending value, what exists / is allowed, and the fix.
    """


_NO_VALUE = object()


def _error(
    path: str, problem: str, got: Any = _NO_VALUE, *, allowed: str | None = None, fix: str | None = None
) -> MappingError:
    """Build a :class:`MappingError` in the one message format used everywhere."""
    msg = f"{path}: {problem}"
    if got is not _NO_VALUE:
        text = repr(got)
        msg += f" (got {text if len(text) <= 200 else text[:197] + '...'})"
    msg += "."
    if allowed:
        msg += f" {_sentence(allowed[0].upper() + allowed[1:])}"
    if fix:
        msg += f" Fix: {_sentence(fix)}"
    return MappingError(msg)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"did you mean {close[0]!r}?" if close else ""


# --------------------------------------------------------------------------------------------------
# dataclasses
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateTerm:
    """One state entry: an observation term, whole (``slice=None``) or its columns ``[start, end)``."""

    key: str
    slice: tuple[int, int] | None = None


@dataclass(frozen=True)
class Gr00tStateKey:
    """A GR00T ``state.*`` key taken as columns ``[start, end)`` of the concatenated RLinf state."""

    gr00t_key: str
    slice: tuple[int, int]


@dataclass(frozen=True)
class Gr00tMapping:
    """How RLinf observations become GR00T keys, and the order GR00T action keys are concatenated."""

    main_images: str | None = None
    extra_view_images: tuple[str, ...] = ()
    state: tuple[Gr00tStateKey, ...] = ()
    action: tuple[str, ...] = ()
    language: str | None = None

    def __post_init__(self) -> None:
        for name in ("extra_view_images", "state", "action"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def language_key(self) -> str:
        return self.language or DEFAULT_LANGUAGE_KEY

    @property
    def video_keys(self) -> tuple[str, ...]:
        """Every GR00T video key, the main view's first (the order of RLinf's views)."""
        return tuple(k for k in (self.main_images, *self.extra_view_images) if k)


@dataclass(frozen=True)
class ActionMapping:
    """Zero columns put before / after the policy's action to fill the env's action vector."""

    prefix_pad: int = 0
    suffix_pad: int = 0

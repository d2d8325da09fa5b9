"""What :func:`~.bridge.install` put in place in this process, per GR00T model type.

The bridge writes it; the N1.5 model builder (:mod:`.loader`, called by RLinf's ``get_model``) reads the
embodiment tag id and data config from it. Its own module so that the bridge imports the loader and
never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...spec import MappingSpec


@dataclass(frozen=True)
class Gr00tInstall:
    """What :func:`install` put in place for one GR00T model type (kept per process)."""

    model_type: str
    spec: MappingSpec
    obs_converter_type: str
    embodiment_tag: str
    embodiment_tag_id: int | None
    data_config_class: str | None
    config_dir: str | None


_INSTALLED: dict[str, Gr00tInstall] = {}

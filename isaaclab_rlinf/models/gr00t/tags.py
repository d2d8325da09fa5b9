"""GR00T embodiment tags and ids: the config's ``embodiment_tag`` / ``embodiment_tag_id`` win over RLinf's.

RLinf's mapping gives ``new_embodiment`` the id 10, while GR00T N1.5 checkpoints post-trained on
``new_embodiment`` use 31 (upstream Isaac-GR00T's value). RLinf's loader swaps its mapping into gr00t
(``Patcher``), so the id is set in RLinf's mapping, in place, and again on the loaded transform. New tags
become members of RLinf's ``EmbodimentTag``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)


def _add_enum_member(enum_cls: Any, value: str) -> None:
    """Add ``value`` to RLinf's closed ``EmbodimentTag`` enum, in place.

    Unavoidable patch, kept here only: RLinf swaps this class into gr00t (``Patcher``) and both RLinf's
    policies (``EmbodimentTag(tag)``) and gr00t's metadata schema validate tags against it, so a new
    robot's tag must be a member. Extending in place keeps every reference to the class valid; call it
    before gr00t builds its pydantic schemas (``install`` runs before any model is built).
    """
    if value in enum_cls._value2member_map_:
        return
    name = "".join(c if c.isalnum() else "_" for c in value.upper())
    while name in enum_cls._member_map_ or hasattr(enum_cls, name):
        name += "_"
    member = object.__new__(enum_cls)
    member._name_, member._value_ = name, value
    member.__objclass__ = enum_cls
    member._sort_order_ = len(enum_cls._member_names_)
    enum_cls._member_map_[name] = member
    enum_cls._value2member_map_[value] = member
    enum_cls._member_names_.append(name)
    type.__setattr__(enum_cls, name, member)  # EnumType.__setattr__ forbids adding members


def register_embodiment_tag(tag: str, tag_id: int | None) -> None:
    """Make ``tag`` a valid GR00T embodiment tag and, when ``tag_id`` is given, map it to that id.

    The id is written into RLinf's ``EMBODIMENT_TAG_MAPPING`` in place (it is the dict RLinf's loader
    installs as gr00t's mapping), overriding RLinf's value (``new_embodiment`` -> 10).
    """
    from rlinf.models.embodiment.gr00t import embodiment_tags

    _add_enum_member(embodiment_tags.EmbodimentTag, tag)
    if tag_id is None:
        return
    mapping = embodiment_tags.EMBODIMENT_TAG_MAPPING
    if mapping.get(tag) != tag_id:
        if tag in mapping:
            logger.info(
                "GR00T embodiment tag %r: id %s (config) replaces RLinf's %s", tag, tag_id, mapping[tag]
            )
        mapping[tag] = tag_id


def embodiment_id(tag: str) -> int:
    """The projector id RLinf's loader will give gr00t for ``tag`` (RLinf's ``EMBODIMENT_TAG_MAPPING``)."""
    from rlinf.models.embodiment.gr00t.embodiment_tags import EMBODIMENT_TAG_MAPPING

    return EMBODIMENT_TAG_MAPPING[tag]


def _apply_rlinf_embodiment_patch() -> None:
    """RLinf's own first step of loading a GR00T model (``gr00t_n1d5/__init__.py: get_model``): make gr00t
    use RLinf's ``EmbodimentTag`` and ``EMBODIMENT_TAG_MAPPING``."""
    from rlinf.utils.patcher import Patcher

    Patcher.clear()
    Patcher.add_patch(
        "gr00t.data.embodiment_tags.EmbodimentTag",
        "rlinf.models.embodiment.gr00t.embodiment_tags.EmbodimentTag",
    )
    Patcher.add_patch(
        "gr00t.data.embodiment_tags.EMBODIMENT_TAG_MAPPING",
        "rlinf.models.embodiment.gr00t.embodiment_tags.EMBODIMENT_TAG_MAPPING",
    )
    Patcher.apply()


def _force_embodiment_id(transform: Any, tag: str, tag_id: int) -> None:
    """Set ``tag -> tag_id`` on every transform that maps tags to ids (gr00t's ``GR00TTransform`` copies
    its mapping when built, so this holds whatever the import order was)."""
    for t in getattr(transform, "transforms", None) or [transform]:
        mapping = getattr(t, "embodiment_tag_mapping", None)
        if isinstance(mapping, Mapping) and mapping.get(tag) != tag_id:
            t.embodiment_tag_mapping = {**mapping, tag: tag_id}

"""Without openpi (GR00T's .venv), an openpi config stops before Ray with the line that installs it."""

from __future__ import annotations

import importlib.util

import pytest
from omegaconf import OmegaConf

from isaaclab_rlinf.models.openpi import OpenpiNotInstalledError, require_openpi, require_openpi_for
from isaaclab_rlinf.rlinf_cfg import LaunchError

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("openpi") is not None, reason="openpi is installed here (.venv-openpi)"
)


def test_an_openpi_config_without_openpi_is_one_line_naming_make_install_openpi():
    cfg = OmegaConf.create({"actor": {"model": {"model_type": "openpi"}}})
    with pytest.raises(LaunchError) as err:
        require_openpi_for(cfg)
    message = str(err.value)
    assert "\n" not in message and "make install-openpi" in message and ".venv-openpi" in message
    with pytest.raises(OpenpiNotInstalledError):
        require_openpi()


def test_other_model_types_are_not_asked_for_openpi():
    require_openpi_for(OmegaConf.create({"actor": {"model": {"model_type": "gr00t"}}}))

"""The style and the terminal tables stay light: the command line imports them freely."""

from __future__ import annotations

import pytest

from cli_runner import imported_by

HEAVY = ("numpy", "pandas", "scipy", "xarray", "plotly", "matplotlib", "panel")


@pytest.mark.parametrize("module", ["detente.present", "detente.present.style",
                                    "detente.present.tables"])
def test_module_imports_no_heavy_library(module):
    assert imported_by(f"import {module}", HEAVY) == []


def test_figures_import_plotly_only_when_drawing():
    assert "plotly" not in imported_by("import detente.present.figures", ("plotly",))

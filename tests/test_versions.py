"""The installed front-end libraries are ones the page-side controller was tested with.

``live/controller.js`` relies on details of bqplot's, bqscales', ipywidgets' and
anywidget's front ends (docs/architecture.md, "Other libraries' details we rely on");
pyproject.toml bounds them to the tested versions. A run on other versions must say so
plainly instead of passing or failing somewhere obscure.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
FRONT_ENDS = ("bqplot", "bqscales", "ipywidgets", "anywidget")


def declared() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return {r.name: r for r in requirements}


@pytest.mark.parametrize("name", FRONT_ENDS)
def test_front_end_library_is_in_the_tested_range(name: str) -> None:
    requirement = declared()[name]
    assert requirement.specifier, f"pyproject.toml gives {name} no version range"
    assert any(spec.operator == "<" for spec in requirement.specifier), (
        f"pyproject.toml gives {name} no upper bound: the controller relies on its front end")
    installed = metadata.version(name)
    assert requirement.specifier.contains(installed, prereleases=True), (
        f"{name} {installed} is installed, but digitheat-widget was tested with {name}"
        f"{requirement.specifier}: the page-side controller may not work with it "
        f"(see docs/architecture.md)")

"""The installed front-end libraries are ones the page-side controller was tested with.

``js/src/page/`` (its ``compat.js``) relies on details of bqplot's, bqscales', ipywidgets' and
anywidget's front ends (docs/architecture.md, "Other libraries' details we rely on");
pyproject.toml bounds them to the tested versions. A run on other versions must say so
plainly instead of passing or failing somewhere obscure, and so must a grid built beside
them (digitheat_widget/versions.py) instead of drawing nothing.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest
from ipywidgets import HTML
from packaging.requirements import Requirement
from packaging.version import Version

from digitheat_widget import DigitHeatmapGrid, versions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
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


# ------------------------------------------------------- what a person sees on others


def dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(map(str, numbers))


@pytest.mark.parametrize("name", FRONT_ENDS)
def test_the_package_knows_the_ranges_pyproject_declares(name: str) -> None:
    """digitheat_widget/versions.py's TESTED (what the grid checks at run time, without
    packaging) says what pyproject.toml says."""
    low, high = versions.TESTED[name]
    bounds = {spec.operator: Version(spec.version) for spec in declared()[name].specifier}
    assert bounds == {">=": Version(dotted(low)), "<": Version(dotted(high))}, (
        f"pyproject.toml says {name}{declared()[name].specifier}, versions.TESTED says "
        f"{versions.tested_range(name)}")


def test_the_installed_front_ends_are_tested_ones_at_run_time_too() -> None:
    assert versions.untested() == {}


@pytest.mark.parametrize("version, tested", [
    ("0.13.0", True), ("0.13.1", True), ("0.13.2rc1", True), ("0.12.9", False),
    ("0.14.0", False), ("0.14.0a1", False), ("1.0", False), (None, False),
])
def test_untested_tells_versions_outside_the_range(version: str | None, tested: bool) -> None:
    installed = {name: dotted(low) for name, (low, _) in versions.TESTED.items()}
    installed["bqplot"] = version
    assert versions.untested(installed) == ({} if tested else {"bqplot": version})


def test_an_untested_version_is_named_in_python_and_in_the_page(
        monkeypatch: pytest.MonkeyPatch, recorder) -> None:
    """Instead of a grid that may stay blank: a warning, and a line above the grid that
    any ipywidgets front end shows (a plain HTML widget)."""
    monkeypatch.setattr(versions, "installed_untested", lambda: {"bqplot": "0.14.0"})
    said = (r"bqplot 0\.14\.0 is installed, but digitheat-widget was tested with "
            r"bqplot>=0\.13\.0,<0\.14\. To get tested ones: pip install 'bqplot>=0\.13\.0,<0\.14'")
    with recorder.capture() as cap, pytest.warns(versions.UntestedVersionWarning, match=said):
        grid = DigitHeatmapGrid()
    notice = grid.children[0]
    assert isinstance(notice, HTML)
    assert "bqplot 0.14.0 is installed" in notice.value and "&lt;0.14" in notice.value
    opened = [e.data["state"] for e in cap.opens if e.data["state"].get("_model_name") == "HTMLModel"]
    assert [state["value"] for state in opened] == [notice.value]
    grid.show_controls = True  # a rebuilt list of children keeps the notice first
    assert grid.children[0] is notice and grid.children[2] is grid.controls
    grid.close()
    assert notice.comm is None


def test_tested_versions_show_no_notice(recorder) -> None:
    grid = DigitHeatmapGrid()
    assert not any(isinstance(child, HTML) for child in grid.children)
    grid.close()


def test_the_lowest_versions_run_pins_every_runtime_dependency_to_its_lower_bound() -> None:
    """scripts/test.sh's second run installs what scripts/lowest_versions.py prints: one
    `name==lower bound` per runtime dependency, the front ends' equal to versions.TESTED."""
    pins = dict(pin.split("==") for pin in lowest_versions().lowest_pins())
    assert list(pins) == list(declared())
    for name, (low, _) in versions.TESTED.items():
        assert Version(pins[name]) == Version(dotted(low)), (name, pins[name])


def test_a_dependency_without_a_lower_bound_stops_the_lowest_versions_run(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["numpy>=1.23.2", "bqplot<0.14"]\n')
    with pytest.raises(SystemExit, match=r"'bqplot<0\.14' needs one '>=' lower bound"):
        lowest_versions().lowest_pins(pyproject)


def lowest_versions():
    """scripts/lowest_versions.py as a module."""
    import importlib.util

    script = PYPROJECT.parent / "scripts" / "lowest_versions.py"
    spec = importlib.util.spec_from_file_location("lowest_versions", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

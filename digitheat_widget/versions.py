"""Whether the installed front-end libraries are versions this package was tested with.

The page-side modules (``js/src/page/``) rely on details of bqplot's, bqscales',
ipywidgets' and anywidget's front ends, all in ``js/src/page/compat.js`` (docs/architecture.md,
"Other libraries' details we rely on"). pip keeps them in the ranges pyproject.toml declares, but ``--no-deps``, a later
``pip install bqplot==...`` or a conda environment can bring in another version, and then a
grid may draw nothing at all. So the grid says so, in words, where the person looks: a
warning in Python and a line above the grid in the page.

``TESTED`` must say what pyproject.toml says (tests/test_versions.py checks it): the lowest
versions are the ones ``scripts/test.sh``'s lowest-versions run installs, the upper bounds
the next minor (bqplot, bqscales, anywidget) or major (ipywidgets) version, not yet tested.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re

#: distribution -> (lowest tested release, first untested release), as in pyproject.toml.
TESTED: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "ipywidgets": ((8, 0, 1), (9,)),
    "bqplot": ((0, 13, 0), (0, 14)),
    "bqscales": ((0, 3, 3), (0, 4)),
    "anywidget": ((0, 9, 0), (1,)),
}


def release(version: str) -> tuple[int, ...]:
    """The release numbers a version string starts with: '0.13.1' -> (0, 13, 1),
    '8.1.0rc1' -> (8, 1, 0)."""
    match = re.match(r"\d+(\.\d+)*", version.strip())
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def _dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in numbers)


def tested_range(name: str) -> str:
    low, high = TESTED[name]
    return f">={_dotted(low)},<{_dotted(high)}"


class UntestedVersionWarning(UserWarning):
    """A front-end library is installed at a version digitheat-widget was not tested with."""


@functools.cache
def installed_untested() -> dict[str, str | None]:
    """:func:`untested` for what is installed, looked up once per process."""
    return untested()


def untested(installed: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """The front-end libraries installed at a version outside ``TESTED``, each with its
    installed version (None: not installed); {} when all are tested ones. ``installed``
    (name -> version or None) replaces the lookup of installed versions, for tests."""
    found = {}
    for name, (low, high) in TESTED.items():
        if installed is not None:
            version = installed.get(name)
        else:
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                version = None
        if version is None or not low <= release(version) < high:
            found[name] = version
    return found


def notice(found: dict[str, str | None]) -> str:
    """What the grid says when ``found`` (from :func:`untested`) is not empty."""
    what = "; ".join(
        f"{name} {version} is installed, but digitheat-widget was tested with "
        f"{name}{tested_range(name)}" if version is not None
        else f"{name} is not installed (digitheat-widget needs {name}{tested_range(name)})"
        for name, version in found.items())
    command = " ".join(f"'{name}{tested_range(name)}'" for name in found)
    return (f"digitheat-widget may draw nothing, or draw wrongly, with these versions: {what}. "
            f"To get tested ones: pip install {command}")

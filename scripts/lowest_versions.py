"""Print the lowest versions pyproject.toml's runtime dependencies allow, one `name==version`
a line: the constraints scripts/test.sh's second run installs, so that what the ranges
promise is what is tested. Every runtime dependency must have a `>=` lower bound.

    python scripts/lowest_versions.py > lowest.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def lowest_pins(pyproject: Path = PYPROJECT) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for text in project["dependencies"]:
        requirement = Requirement(text)
        lows = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(lows) != 1:
            raise SystemExit(f"pyproject.toml: {text!r} needs one '>=' lower bound, the "
                             f"version the lowest-versions run installs")
        pins.append(f"{requirement.name}=={lows[0]}")
    return pins


if __name__ == "__main__":
    print("\n".join(lowest_pins()))

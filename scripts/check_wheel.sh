#!/usr/bin/env bash
# Build the wheel as a fresh machine would (isolated build: hatchling runs the JS build in
# js/, which needs Node.js >= 18 and npm), install it into a clean venv (no system
# site-packages) and export the default grid to HTML from there. Fails unless the page
# exists, holds the runtime, and is within the size budget.
#
#   bash scripts/check_wheel.sh            # builds from the working tree
#   FRESH=1 bash scripts/check_wheel.sh    # from a clean clone of HEAD: no node_modules,
#                                          # no built files, as on a new machine
#   KEEP=1 ...                             # keep the temp dir (wheel, venv, page)
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=1500000

work="$(mktemp -d)"
if [ "${KEEP:-0}" = 1 ]; then
    echo "== work dir: $work (kept)"
else
    trap 'rm -rf "$work"' EXIT
fi

src_dir="."
if [ "${FRESH:-0}" = 1 ]; then
    git clone -q --depth 1 "file://$PWD" "$work/src"
    src_dir="$work/src"
    echo "== clean clone of $(git rev-parse --short HEAD) in $src_dir"
fi

# uv (as scripts/test.sh uses) builds and installs in seconds where pip took half a minute:
# the same isolated build from pyproject.toml's [build-system], the same clean venv, the
# dependencies resolved from the package index (uv's cache serves what it already holds).
python -m uv --version >/dev/null 2>&1 || {
    echo "== installing uv"; python -m pip install -q --disable-pip-version-check uv; }

echo "== building the wheel (isolated; runs npm install + npm run build in js/)"
# Only the wheel (no sdist). npm takes the packages its cache holds without asking the
# registry whether they are the newest (the lockfile pins them anyway).
npm_config_prefer_offline=true python -m uv build --wheel --out-dir "$work/dist" "$src_dir" \
    >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
wheel="$(ls "$work"/dist/digitheat_widget-*.whl)"
grep -q "npm run build" "$work/build.log" || { echo "FAIL: the wheel build did not run npm"; exit 1; }
echo "   $(basename "$wheel") (npm build ran)"
listing="$(python -m zipfile -l "$wheel")"
for artifact in runtime.js runtime.css runtime-controls.js runtime-controls.css \
        runtime-controls-more.js runtime-controls-more.css runtime-manifest.json; do
    grep -q "digitheat_widget/static/$artifact" <<<"$listing" || {
        echo "FAIL: the wheel has no digitheat_widget/static/$artifact"; exit 1; }
done

echo "== installing it into a clean venv"
python -m uv venv -q --python "$(python -c 'import sys; print(sys.executable)')" "$work/venv"
python -m uv pip install --python "$work/venv/bin/python" "$wheel" \
    >"$work/install.log" 2>&1 || { tail -40 "$work/install.log"; exit 1; }

echo "== exporting the default grid from that venv"
cd "$work"  # away from the source tree, so the installed package is the one imported
"$work/venv/bin/python" - "$BUDGET" <<'EOF'
import gzip
import sys
from pathlib import Path

import digitheat_widget
from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.export.html import grid_to_html

budget = int(sys.argv[1])
installed = Path(digitheat_widget.__file__).resolve()
assert Path(sys.prefix).resolve() in installed.parents, f"imported from {installed}, not the venv"
grid = DigitHeatmapGrid()
page = Path("grid.html")
if hasattr(grid, "to_html"):
    grid.to_html(page)
else:
    grid_to_html(grid, page)
raw = page.read_bytes()
assert raw.startswith(b"<!DOCTYPE html>"), "not an HTML page"
assert b"digitheatEmbed" in raw and b'data-amd-module="bqplot"' in raw, "runtime missing"
size, packed = len(raw), len(gzip.compress(raw, 9))
print(f"   {page.resolve()}: {size:,} bytes ({packed:,} gzipped), budget {budget:,}")
assert size <= budget, f"page is {size:,} bytes, over the {budget:,} budget"
EOF
# The command line as a user types it (the unit tier calls main() in-process).
echo "== python -m digitheat_widget from that venv"
"$work/venv/bin/python" -m digitheat_widget -o "$work/grid.png"
python - "$work/grid.png" <<'EOF'
import sys
from pathlib import Path
head = Path(sys.argv[1]).read_bytes()[:8]
assert head == b"\x89PNG\r\n\x1a\n", f"not a PNG: {head!r}"
EOF
echo "== OK"

#!/usr/bin/env bash
# Set up a fresh machine and run every test: Python-side, notebooks, and the browser suite
# (JupyterLab 4 and Notebook 7 in Debian's Chromium). Safe to run again: each step skips
# what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "== installing Debian's chromium (browser tests)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "== /usr/bin/chromium missing and not root: browser tests will skip (run: sudo apt-get install chromium)"
    fi
fi

echo "== installing the package with its test dependencies"
python -m pip install -q --disable-pip-version-check -e ".[test]"

echo "== lint: ruff (pyproject.toml's [tool.ruff])"
python -m ruff check .

echo "== running the tests (tiers: tests/unit, tests/pages, tests/lab, tests/pipelines)"
# Two workers (pytest-xdist), a test file each at a time (module fixtures stay whole); the
# unit tier, first, also runs the page code's node tests and type check
# (tests/unit/test_golden_cases.py). --durations: the slowest tests stay visible in every
# run (CI's budget is 12 minutes). The documentation site's build
# (tests/pipelines/test_docs_site.py; the test extra brings the docs extra) executes the
# notebooks of notebooks/ and fails on any cell that raises, so here they are not run a
# second time by test_notebooks.py (the lowest-versions run below still runs them there).
python -m pytest -n 2 --dist loadfile --durations=25 \
    --deselect tests/pipelines/test_notebooks.py::test_notebook_runs_without_errors "$@"

# The lowest versions pyproject.toml's runtime dependencies allow (scripts/lowest_versions.py
# reads them from the ranges), in a second environment, with the test tools at the newest
# versions that go with them: the Python-side tests and a browser smoke test (the default
# grid drawn in JupyterLab, then changed from Python). A change that needs a newer dependency
# fails here, not on a user's machine. LOWEST=0 skips it (never in CI).
if [ "${LOWEST:-1}" != 0 ]; then
    echo "== the lowest allowed versions: building a second environment"
    lowest_started=$(date +%s)
    python -m pip install -q --disable-pip-version-check uv
    LOWEST_ENV="${TMPDIR:-/tmp}/digitheat-lowest"
    python scripts/lowest_versions.py > "$LOWEST_ENV.txt"
    python -m uv venv -q --clear --python "$(python -c 'import sys; print(sys.executable)')" "$LOWEST_ENV"
    # Only wheels (an sdist build of an old numpy would take minutes); the page runtime in
    # digitheat_widget/static/ was built by the install above (SKIP_JUPYTER_BUILDER).
    SKIP_JUPYTER_BUILDER=1 python -m uv pip install -q --python "$LOWEST_ENV/bin/python" \
        --only-binary :all: --constraint "$LOWEST_ENV.txt" -e ".[test]"
    echo "== the lowest allowed versions: $(tr '\n' ' ' < "$LOWEST_ENV.txt")"
    # The unit tier, the exported pages (the page's front ends at their lowest versions)
    # but the page-CSS checks of themes and axe, the notebooks and the picture fallback run
    # in a kernel, and a JupyterLab smoke test. Left out: the wheel (it builds its own
    # clean environment), the thousand grids (tests/unit/test_lifecycle.py makes the same
    # closing checks on single grids), and the Sphinx and nbconvert builds, whose tools
    # are the same in both environments.
    # ipywidgets < 8.0.5 opens comms with ipykernel's deprecated Comm: one warning per widget.
    PATH="$LOWEST_ENV/bin:$PATH" "$LOWEST_ENV/bin/python" -m pytest -p no:cacheprovider \
        -W "ignore:The \`ipykernel.comm.Comm\` class has been deprecated:DeprecationWarning" \
        -n 2 --dist loadfile --durations=10 \
        tests/unit tests/pages \
        --ignore=tests/pages/test_themes.py --ignore=tests/pages/test_axe.py \
        tests/pipelines/test_display_fallback.py tests/pipelines/test_notebooks.py \
        "tests/lab/test_lab.py::test_default_grid_renders_like_the_reference" \
        "tests/lab/test_lab.py::test_vmax_and_data_changes_recolour_the_page"
    echo "== the lowest-versions run took $(( $(date +%s) - lowest_started )) s"
fi

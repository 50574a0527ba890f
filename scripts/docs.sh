#!/usr/bin/env bash
# Build the documentation site into docs/_build/html (or the folder given as $1), with
# warnings as errors. myst-nb executes the pages with examples and the notebooks, and
# keeps them in docs/_build/jupyter_cache: a second build executes only what changed.
# Pages are read in parallel (-j auto: a process per core), so notebooks execute side by
# side: most of a notebook's time is waiting (kernel start, a cluster, a paced loop).
# DOCS_INSTALL=0 skips the install step (the test suite's environment already has it);
# DOCS_JOBS sets the processes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${DOCS_INSTALL:-1}" != 0 ]; then
    python -m pip install -q --disable-pip-version-check -e ".[docs]"
fi
out="${1:-docs/_build/html}"
started=$(date +%s)
python -m sphinx -b html -W --keep-going -q -j "${DOCS_JOBS:-auto}" docs "$out"
echo "== docs built in $(( $(date +%s) - started )) s: $out/index.html"

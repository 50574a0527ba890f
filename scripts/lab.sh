#!/usr/bin/env bash
# Install the package and open JupyterLab on the quickstart notebook (the widget on its
# bundled sample data).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -e ".[test]"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)  # JupyterLab refuses to start as root otherwise
# default_url, not a file argument: the URL JupyterLab prints (and opens) is then the
# notebook's own, so a copied link opens the quickstart instead of the Launcher.
exec python -m jupyter lab --LabApp.default_url=/lab/tree/notebooks/quickstart.ipynb \
    "${extra[@]}" "$@"

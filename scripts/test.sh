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

echo "== running the tests"
python -m pytest "$@"

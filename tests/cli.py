"""The command line (``python -m digitheat_widget``) run in this process: ``main(argv)`` is
what the module runs, so the unit tier needs no interpreter start per case (the entry point
itself runs from an installed wheel in scripts/check_wheel.sh, tests/pipelines)."""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from digitheat_widget.__main__ import main


@dataclass
class CliResult:
    """What a shell would see: the exit status and the two output streams."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: object, cwd: Path, quiet_warnings: bool = False) -> CliResult:
    """``python -m digitheat_widget ARGS`` in ``cwd``; ``quiet_warnings`` as
    ``PYTHONWARNINGS=ignore`` would make it."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                warnings.catch_warnings():
            if quiet_warnings:
                warnings.simplefilter("ignore")
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(previous)
    return CliResult(code, out.getvalue(), err.getvalue())

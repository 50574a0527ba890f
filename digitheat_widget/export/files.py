"""Writing an export to a file: whole or not at all. Its own module, so every exporter
(``html.py``, the grid's ``save``, the command line) imports it from one place below them
all, and no exporter imports the package that imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike[str], content: bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all: into a temporary file beside it,
    then renamed over it. A full disk or a file-size limit leaves the previous file as
    it was (a truncated export would destroy a good one)."""
    target = Path(path)
    if not target.parent.is_dir():  # say so of the path asked for, not of our temporary
        raise FileNotFoundError(2, "No such file or directory", str(target))
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        # mkstemp makes the file private (0600); an export is handed out (a web server,
        # a shared folder), so it gets the mode open() would give: 0666 less the umask,
        # but always readable and writable by its owner (Pyodide reports a umask of 0777,
        # which open() there ignores: 0666 & ~0777 made a file no one could read back).
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(temporary, (0o666 & ~umask) | 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

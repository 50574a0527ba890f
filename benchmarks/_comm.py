"""A recording comm: every widget opened in this process talks to it instead of a kernel.

Same idea as tests/conftest.py (replace ``comm.create_comm``), but it keeps no message,
only counts and sizes, and it pays the kernel's serialisation cost on every message:
``ipykernel``'s ``Comm.publish_msg`` runs ``json_clean`` on the content and the session
packs it with ``jupyter_client``'s ``json_packer``. So a timed assignment includes turning
the change into bytes, as it would in a real kernel; only the socket write is missing.

Bytes counted per message: the packed JSON content ``{"data": ..., "comm_id": ...}``
(plus ``target_name`` on open) and the binary buffers. The Jupyter message header, parent
header and metadata (about 600 bytes per message on the wire) are not counted.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import comm
from jupyter_client.session import json_packer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ipykernel.jsonutil import json_clean


@dataclass
class Tally:
    opens: int = 0
    sends: int = 0
    json_bytes: int = 0
    buffer_bytes: int = 0
    sizes: list[int] = field(default_factory=list)  # bytes of each send, in order

    @property
    def messages(self) -> int:
        return self.opens + self.sends

    @property
    def total_bytes(self) -> int:
        return self.json_bytes + self.buffer_bytes


def _buffer_bytes(buffers: Any) -> int:
    return sum(memoryview(b).nbytes for b in (buffers or []))


class _RecordingComm:
    kernel = "recording"  # ipywidgets' Widget._send only sends when the comm has a kernel

    def __init__(self, recorder: Recorder, **kwargs: Any) -> None:
        self.comm_id = kwargs.get("comm_id") or uuid4().hex
        self.recorder = recorder
        content = {"data": kwargs.get("data") or {}, "comm_id": self.comm_id,
                   "target_name": kwargs.get("target_name", "")}
        size = len(json_packer(json_clean(content)))
        tally = recorder.tally
        tally.opens += 1
        tally.json_bytes += size
        tally.buffer_bytes += _buffer_bytes(kwargs.get("buffers"))

    def open(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, callback: Any) -> None:
        self.callback = callback

    def on_close(self, callback: Any) -> None:
        self.close_callback = callback

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        size = len(json_packer(json_clean({"data": data or {}, "comm_id": self.comm_id})))
        tally = self.recorder.tally
        tally.sends += 1
        tally.json_bytes += size
        extra = _buffer_bytes(buffers)
        tally.buffer_bytes += extra
        tally.sizes.append(size + extra)

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass


class Recorder:
    """Install with :meth:`install`; read what one operation sent with :meth:`count`."""

    def __init__(self) -> None:
        self.tally = Tally()

    def install(self) -> None:
        comm.create_comm = self.create_comm

    def create_comm(self, **kwargs: Any) -> _RecordingComm:
        return _RecordingComm(self, **kwargs)

    def reset(self) -> Tally:
        """Start a new tally; return the one that was running."""
        done, self.tally = self.tally, Tally()
        return done

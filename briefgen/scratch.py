"""Bytes a build sets aside on disk until later in the same build, read back by key.

Owns one unnamed file in a folder of the caller's choice (the build's cache folder): gone when
closed, or when the process ends however it ends. Values are appended and read back by their
offset, in this process or in the workers it forks: they inherit the open file, and a read that
names its offset moves no process's position. For what a first build makes per brief and reads
again a few times: held in memory, it takes memory for the whole build, and a forked worker that
reads it copies every memory page it touches. Must not know what the bytes are.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

_LENGTH_BITS = 32  # a value's place is one int: its offset above, its length below


class ScratchBytes(Mapping[str, bytes]):
    """Bytes by key, kept in an unnamed file until `close`. A file that cannot be made or written
    (a full disk) costs memory, not the build: what it does not take is held here instead."""

    def __init__(self, folder: Path) -> None:
        self._places: dict[str, int] = {}
        self._held: dict[str, bytes] = {}
        self._end = 0
        self._file: Any = None
        if hasattr(os, "pwrite"):  # not on Windows: values are held in memory there
            try:
                self._file = tempfile.TemporaryFile(dir=folder, prefix="scratch-")  # noqa: SIM115 (closed by close)
            except OSError:
                pass
        self._writable = self._file is not None

    def put(self, key: str, data: bytes) -> None:
        """Set `data` aside under `key` (a key put again reads as its last value)."""
        self._places.pop(key, None)
        self._held.pop(key, None)
        if self._writable and len(data) < 1 << _LENGTH_BITS:
            try:
                written = 0
                while written < len(data):
                    written += os.pwrite(self._file.fileno(), memoryview(data)[written:], self._end + written)
            except OSError:
                self._writable = False  # what the file holds stays readable; what comes next is held here
            else:
                self._places[key] = self._end << _LENGTH_BITS | len(data)
                self._end += len(data)
                return
        self._held[key] = data

    def __getitem__(self, key: str) -> bytes:
        place = self._places.get(key)
        if place is None:
            return self._held[key]
        offset, length = place >> _LENGTH_BITS, place & ((1 << _LENGTH_BITS) - 1)
        data = os.pread(self._file.fileno(), length, offset)
        if len(data) != length:
            raise OSError(f"the build's scratch file ended early: {len(data)} of {length} bytes at {offset}")
        return data

    def __contains__(self, key: object) -> bool:
        return key in self._places or key in self._held

    def __iter__(self) -> Iterator[str]:
        yield from self._places
        yield from self._held

    def __len__(self) -> int:
        return len(self._places) + len(self._held)

    def close(self) -> None:
        """Let the file go (and with it every value in it): read after this, they are missing."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._writable = False
        self._places.clear()
        self._held.clear()

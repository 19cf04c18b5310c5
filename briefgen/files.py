"""Replacing one file whole: written beside it, then renamed over it, so no reader sees it half written.

Owns that one move for the files briefgen keeps outside the output folder's
writer (sidecars the import edits, the photo cache). Must not import other
briefgen modules.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_file(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Put `data` at `path` in one rename (with `mode`, else the umask's); raises OSError, leaving nothing behind."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""User-facing errors: one exception type, shown like a compiler.

Owns `BriefgenError` and `ErrorList`. Must not import other briefgen modules.
Every problem a person can fix is a `BriefgenError` carrying the file, the
line (1-based, when known) and a hint; the CLI prints them as
``path:line: message`` and exits 1, never with a traceback.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


class BriefgenError(Exception):
    """A problem in the user's input, with where it is and what to do."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Errors cross process boundaries in parallel builds: keep every field.
        return (self.__class__, (self.message, self.path, self.line, self.hint))

    def location(self) -> str:
        """``path:line`` (or just ``path``), or '' when the error has no file."""
        if self.path is None:
            return ""
        return f"{shown(self.path)}:{self.line}" if self.line else shown(self.path)

    def format_message(self) -> str:
        """The error as printed: ``path:line: message`` then an indented hint."""
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, str]:
        return (str(self.path or ""), self.line or 0, self.message)

    def __str__(self) -> str:
        return self.format_message()


def cannot_read(path: Path | str, exc: OSError) -> BriefgenError:
    """A file or folder of the site the system will not let briefgen read, located, with what to do."""
    kind = "folder" if isinstance(exc, IsADirectoryError) or Path(path).is_dir() else "file"
    if isinstance(exc, PermissionError):
        hint = f"let this user read it (chmod u+r{'x' if kind == 'folder' else ''}), or remove it"
        return BriefgenError(f"cannot read {kind}: permission denied", path, hint=hint)
    return BriefgenError(f"cannot read {kind}: {exc.strerror or exc}", path)


def cannot_write(path: Path | str, exc: OSError, what: str) -> BriefgenError:
    """A folder briefgen must write in and may not, located, with what to do."""
    hint = (f"{what}: make {path} writable by this user, or choose another output folder with --out"
            if isinstance(exc, PermissionError) else what)
    return BriefgenError(f"cannot write in {path}: {exc.strerror or exc}", path, hint=hint)


def shown(path: Path | str) -> str:
    """A path as printed: relative to the working folder when inside it, else as it is.

    The build reads a site by its absolute path (so that every spelling of it shares one build
    cache); its messages still name `content/a.md` when run from the site's folder.
    """
    text = str(path)
    if os.path.isabs(text):
        try:
            here = os.getcwd()
        except OSError:  # the working folder was deleted
            return text
        if text.startswith(here.rstrip(os.sep) + os.sep):
            return os.path.relpath(text, here)
    return text


class ErrorList(BriefgenError):
    """Several problems found in one pass, reported together."""

    def __init__(self, errors: Sequence[BriefgenError]) -> None:
        self.errors = sorted(errors, key=BriefgenError.sort_key)
        count = len(self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''}")

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (self.__class__, (self.errors,))

    def format_message(self) -> str:
        return "\n".join(error.format_message() for error in self.errors)


@dataclass(frozen=True)
class BuildWarning:
    """A likely mistake that does not stop the build."""

    message: str
    path: Path | None = None
    line: int | None = None
    kind: str = "other"  # what kind of finding it is (see findings.py): `check` groups by it

    def format_message(self) -> str:
        where = f"{shown(self.path)}:{self.line}" if self.path and self.line else shown(self.path) if self.path else ""
        return f"{where}: warning: {self.message}" if where else f"warning: {self.message}"


class ErrorCollector:
    """Collects every error of a stage so they can be raised together."""

    def __init__(self) -> None:
        self.errors: list[BriefgenError] = []

    def add(self, error: BriefgenError) -> None:
        if isinstance(error, ErrorList):
            self.errors.extend(error.errors)
        else:
            self.errors.append(error)

    def extend(self, errors: Iterable[BriefgenError]) -> None:
        for error in errors:
            self.add(error)

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ErrorList(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean ...' hint for a misspelt key, or None."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None

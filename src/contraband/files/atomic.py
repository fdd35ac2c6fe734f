"""Files that appear whole or not at all: written beside the target, renamed on success."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO


class AtomicFile:
    """A file written beside `target` and renamed onto it on `commit()`; `discard()` (or an
    exception in a `with` block) removes it and leaves the target as it was."""

    def __init__(self, target: Path) -> None:
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=target.parent
        )
        self.temporary = Path(name)
        self.file: IO[bytes] = os.fdopen(handle, "wb")

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.chmod(self.temporary, _mode_for(self.target))
        os.replace(self.temporary, self.target)

    def discard(self) -> None:
        self.file.close()
        self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def check_writable(target: Path, what: str) -> None:
    """InputError unless `target` can be written: not a directory, in a directory that exists
    (or can be made) and is writable. Checked before long work starts, not after it."""
    from contraband.errors import InputError

    if target.is_dir():
        raise InputError(f"{what} {target}: is a directory; give a file name")
    if target.exists() and not target.is_file():
        raise InputError(f"{what} {target}: not a regular file (a device or a pipe?)")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{what} {target}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{what} {target}: cannot write in {parent}")


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or what a new file would get (mkstemp makes 0600)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask

"""The disk cache: what is slow to make (a compiled term index, a validated 10,000-item
pack) kept as a pickle named by a hash of everything it is made from, so an entry is never
stale: any change gives a new name. A file that cannot be read is made again and replaced.

Entries are pickles, so the cache must be as trusted as the code: an entry is loaded only
when it and its directory belong to the user running contraband and no one else can write
them (as ssh treats its keys); anything else is ignored, and what it held is made afresh
(and not stored there). A cache that cannot be written is a slower start, never an error.

The directory is the `cache_dir` setting (`CONTRABAND_CACHE_DIR`; default:
`$XDG_CACHE_HOME/contraband` or `~/.cache/contraband`); an empty value turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


def cache_directory() -> Path | None:
    """Where entries are kept; None when the cache is turned off."""
    from contraband.settings import settings

    return settings().cache_dir


def cached(name: str, kind: type[T], make: Callable[[], T], directory: Path | None = None) -> T:
    """The entry `name` of the cache if it holds a `kind`, else `make()` (stored there)."""
    directory = directory if directory is not None else cache_directory()
    if directory is None:
        return make()
    path = directory / name
    if directory.exists() and not _private(directory):
        return make()  # someone else could have written it: do not trust it
    try:
        if _private(path):
            with path.open("rb") as f:
                entry = pickle.load(f)
            if isinstance(entry, kind):
                return entry
    except Exception:  # a missing or damaged entry is made again, whatever the damage
        pass
    made = make()
    _store(path, made)
    return made


def code_fingerprint(folders: Iterable[str], libraries: Iterable[str]) -> str:
    """The Python version, the source of these packages of contraband, and the versions of
    these libraries: what an entry's pickled layout and content can depend on."""
    digest = hashlib.sha256(sys.version.encode())  # unicodedata's version comes with Python
    for folder in folders:
        for source in sorted((_PACKAGE / folder).glob("*.py")):
            digest.update(f"{folder}/{source.name}".encode())
            digest.update(source.read_bytes())
    for library in libraries:
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=?".encode())
    return digest.hexdigest()


def _private(path: Path) -> bool:
    """Owned by this user, not a link, and writable by no one else."""
    try:
        status = path.lstat()
    except OSError:
        return False
    return (
        not stat.S_ISLNK(status.st_mode)
        and status.st_uid == os.getuid()
        and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _store(path: Path, entry: object) -> None:
    """Write atomically: a concurrent reader sees the old file or the new one, never half."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as f:
            pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
    except OSError:
        pass

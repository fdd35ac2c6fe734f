"""A disk cache of compiled term indexes: a scan with a known pack starts in a fraction of a
second instead of the seconds a build takes (canonicalizing the 100,000-word dictionary and
compiling the Hyperscan database).

An entry is named by a hash of everything the index is made from: the terms (with items,
languages and exceptions), the source of the text and matching code, and the versions of the
libraries whose data or format it embeds. Any change gives a new name, so an entry is never
stale; a file that cannot be read is rebuilt and replaced. Entries are pickles, so the cache
must be as trusted as the code: an entry is loaded only when it and its directory belong to
the user running contraband and no one else can write them (as ssh treats its keys); anything
else is ignored and the index is built afresh (and not stored there).

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
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from contraband.matching.index import TermIndex
from contraband.matching.terms import Term

#: Bump when the pickled layout of TermIndex changes in a way the source hash cannot see.
FORMAT = "contraband-term-index/1"
_LIBRARIES = ("hyperscan", "wordfreq", "confusable-homoglyphs")


def cache_directory() -> Path | None:
    """Where compiled indexes are kept; None when the cache is turned off."""
    from contraband.settings import settings

    return settings().cache_dir


def index_key(terms: Sequence[Term]) -> str:
    """The cache name of the index of `terms` (a SHA-256, hex)."""
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(_code_fingerprint().encode())
    for term in terms:
        fields = (term.text, term.item_id, term.language, term.exceptions, term.ambiguous)
        digest.update(repr((*fields, term.sense)).encode())
    return digest.hexdigest()


def cached_index(terms: Sequence[Term], directory: Path | None = None) -> TermIndex:
    """The index of `terms`, from the cache when it holds one, else built (and stored)."""
    directory = directory if directory is not None else cache_directory()
    if directory is None:
        return TermIndex.build(terms)
    path = directory / f"index-{index_key(terms)}.pickle"
    if directory.exists() and not _private(directory):
        return TermIndex.build(terms)  # someone else could have written it: do not trust it
    try:
        if _private(path):
            with path.open("rb") as f:
                index = pickle.load(f)
            if isinstance(index, TermIndex):
                return index
    except Exception:  # a missing or damaged entry is rebuilt, whatever the damage
        pass
    index = TermIndex.build(terms)
    _store(path, index)
    return index


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


def _store(path: Path, index: TermIndex) -> None:
    """Write atomically (a concurrent reader sees the old file or the new one, never half);
    a cache that cannot be written is only a slower start, never an error."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as f:
            pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
    except OSError:
        pass


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The source of the text and matching packages, and the library versions they embed."""
    digest = hashlib.sha256(sys.version.encode())  # unicodedata's version comes with Python
    package = Path(__file__).resolve().parent.parent
    for folder in ("text", "matching"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=?".encode())
    return digest.hexdigest()

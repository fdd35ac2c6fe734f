"""Compiled term indexes in the disk cache (`contraband.cache`): a scan with a known pack
starts in a fraction of a second instead of the seconds a build takes (canonicalizing the
100,000-word dictionary and compiling the Hyperscan database).

An entry is named by a hash of everything the index is made from: the terms (with items,
languages and exceptions), the source of the text and matching code, and the versions of the
libraries whose data or format it embeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from contraband.cache import cache_directory, cached, code_fingerprint
from contraband.matching.index import TermIndex
from contraband.matching.terms import Term

__all__ = ["cache_directory", "cached_index", "index_key"]

#: Bump when the pickled layout of TermIndex changes in a way the source hash cannot see.
FORMAT = "contraband-term-index/1"
_LIBRARIES = ("hyperscan", "wordfreq", "confusable-homoglyphs")


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
    name = f"index-{index_key(terms)}.pickle"
    return cached(name, TermIndex, lambda: TermIndex.build(terms), directory)


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    return code_fingerprint(("text", "matching"), _LIBRARIES)

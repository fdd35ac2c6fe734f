"""The matching keys of many texts at once: one buffer, a few C-level passes per batch.

A catalog scan keys hundreds of thousands of texts, and most of them need nothing but the
cheap transforms. `read_keys` runs those per text, then one Hyperscan scan over all the
texts says which few have work for the costly, prefiltered transforms (leetspeak, separator
runs) and which have words cut apart by punctuation; only those run the rest of the pipeline
on their own. The keys are joined into one buffer with whitespace collapsed by numpy, ready
for one literal scan and for token work in bulk.

The promise, held by a property test: the key of text i in the buffer is `key_bytes(text)`,
byte for byte, and `cut_apart` holds i exactly when `canonical.cut_apart` finds a run in it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from contraband.text.canonical import cut_apart as _cut_apart
from contraband.text.transforms import (
    PIPELINE,
    PREFILTERS,
    SPACING_TABLE,
    PrefilteredTransform,
    Spacing,
    Transform,
)

_ENCODING = "utf-8"
_ERRORS = "surrogatepass"
#: Between two texts in a batch: "\x00\x00" is a token of its own in the buffer, never part of
#: a text's key (the field separator is one NUL, and no transform makes one).
BREAK = "\n\x00\x00\n"
_BREAK_BYTES = BREAK.encode()
_SPACE = 0x20
_NUL = 0x00


@dataclass(frozen=True, slots=True)
class KeyBatch:
    """The keys of a batch of texts in one buffer.

    `buffer` is b" " + key-body 0 + b" \\x00\\x00 " + key-body 1 + ... + b" ": every run of
    spaces is one space, so text i's key (`key(i)`) is buffer[starts[i] - 1 : ends[i] + 1].
    `array` is the same bytes as a numpy view. `cut_apart` holds the texts with a word cut
    apart by punctuation ("k-et-am-in-e").
    """

    buffer: bytes
    array: npt.NDArray[np.uint8]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    cut_apart: frozenset[int]

    def __len__(self) -> int:
        return len(self.starts)

    def key(self, i: int) -> bytes:
        """Text i's key, as `canonical.key_bytes` makes it."""
        return b" " + self.buffer[self.starts[i] : self.ends[i]] + b" "

    def text_at(self, offset: int) -> int:
        """The text whose key holds buffer byte `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1


def read_keys(texts: Sequence[str], pipeline: tuple[Transform, ...] = PIPELINE) -> KeyBatch:
    """The keys of `texts` (none may contain two NULs in a row) as one `KeyBatch`."""
    if not texts:
        return KeyBatch(b" ", np.frombuffer(b" ", np.uint8), (), (), frozenset())
    stages = _Stages.of(pipeline)
    staged = [stages.front_ascii(text) if text.isascii() else stages.front(text) for text in texts]
    encoded = [s.encode(_ENCODING, _ERRORS) for s in staged]
    costly, cut = _prefiltered(encoded)
    for i, s in enumerate(staged):
        if i in costly or not (stages.after_ascii_identity and s.isascii()):
            final = stages.finish(s, i in costly)
            if final is not s:
                encoded[i] = final.encode(_ENCODING, _ERRORS)
                cut.discard(i)
                if _cut_apart(final):
                    cut.add(i)
    joined = b" " + _BREAK_BYTES.join(encoded) + b" "
    array = _collapse_spaces(np.frombuffer(joined.translate(SPACING_TABLE), np.uint8))
    buffer = array.tobytes()
    starts, ends = _bodies(array, len(texts))
    return KeyBatch(buffer, array, starts, ends, frozenset(cut))


@dataclass(frozen=True, slots=True)
class _Stages:
    """A pipeline cut where batches need it: the cheap transforms before the first
    prefiltered one (all, or those that can change ASCII text), and the rest (`Spacing`
    aside), each marked prefiltered or not."""

    before: tuple[Transform, ...]
    before_ascii: tuple[Transform, ...]
    after: tuple[tuple[Transform, bool], ...]
    after_ascii_identity: bool  # the rest, prefilters aside, leaves ASCII text as it is

    @classmethod
    def of(cls, pipeline: tuple[Transform, ...]) -> _Stages:
        cached = _STAGES.get(pipeline)
        if cached is None:
            cut = next(
                i for i, t in enumerate(pipeline) if isinstance(t, PrefilteredTransform | Spacing)
            )
            before = pipeline[:cut]
            after = tuple((t, isinstance(t, PrefilteredTransform)) for t in pipeline[cut:-1])
            cached = _STAGES[pipeline] = cls(
                before,
                tuple(t for t in before if not t.ascii_identity),
                after,
                all(t.ascii_identity for t, prefiltered in after if not prefiltered),
            )
        return cached

    def front(self, text: str) -> str:
        for transform in self.before:
            text = transform.apply(text)
        return text

    def front_ascii(self, text: str) -> str:
        for transform in self.before_ascii:
            text = transform.apply(text)
        return text

    def finish(self, text: str, costly: bool) -> str:
        """The rest of the pipeline. A prefiltered transform leaves a text its prefilter did
        not match as it is, so while the text is unchanged those are skipped."""
        for at, (transform, prefiltered) in enumerate(self.after):
            if costly:
                return _apply(self.after[at:], text)
            if prefiltered:
                continue
            changed = transform.apply(text)
            if changed is not text and changed != text:
                return _apply(self.after[at + 1 :], changed)
        return text


_STAGES: dict[tuple[Transform, ...], _Stages] = {}


def _apply(transforms: Sequence[tuple[Transform, bool]], text: str) -> str:
    for transform, _ in transforms:
        text = transform.apply(text)
    return text


def _prefiltered(encoded: list[bytes]) -> tuple[set[int], set[int]]:
    """(texts with work for a prefiltered transform, texts with a word cut apart), from one
    scan of them all joined."""
    buffer = _BREAK_BYTES.join(encoded)
    starts = []
    at = 0
    for chunk in encoded:
        starts.append(at)
        at += len(chunk) + len(_BREAK_BYTES)
    costly: set[int] = set()
    cut: set[int] = set()
    for name, end in PREFILTERS.ends(buffer):
        # A match ends inside its text, or on the break's first byte (a pattern may close
        # on the character after the text); either way it belongs to the text before.
        text = bisect.bisect_right(starts, end - 1) - 1
        (cut if name == "cut_apart" else costly).add(text)
    return costly, cut


def _collapse_spaces(array: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Every run of spaces made one space (the key's words are single-spaced)."""
    word = array != _SPACE
    keep = word.copy()
    keep[1:] |= word[:-1]
    keep[0] = True  # the buffer's leading space
    collapsed: npt.NDArray[np.uint8] = array[keep]
    return collapsed


def _bodies(array: npt.NDArray[np.uint8], count: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Start and end of each text's key body, from where the breaks stand."""
    nul = array == _NUL
    breaks = np.flatnonzero(nul[:-1] & nul[1:])
    if len(breaks) != count - 1:
        raise ValueError("a text in the batch holds two NULs in a row")
    starts = [1, *(breaks + 3).tolist()]
    ends = [*(breaks - 1).tolist(), len(array) - 1]
    return tuple(starts), tuple(ends)

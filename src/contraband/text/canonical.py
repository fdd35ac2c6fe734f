"""Canonical form of a text: the matching key, and (on demand) its offset map to the original.

`key(text)` is the hot path: a handful of C-level passes, no offsets. `track(text)` runs the
same transforms as edits and returns a `CanonicalText` whose every key character knows the
original characters it came from and which transforms touched it. The matcher calls `track`
only for the rare listings that hit, so evidence costs nothing on clean listings.

The key is padded with one space at each end, so a term " vape pen " matches on word
boundaries with a plain literal search.
"""

from __future__ import annotations

from dataclasses import dataclass

from contraband.text.chars import Flag
from contraband.text.transforms import (
    CUT_APART,
    PIPELINE,
    PREFILTERS,
    Edit,
    Spacing,
    Transform,
)

_ENCODING = "utf-8"
_ERRORS = "surrogatepass"  # lone surrogates in hostile input must not crash the hot path


def key_bytes(text: str) -> bytes:
    """The matching key of `text` as UTF-8 (what the literal scan reads): hot path."""
    return key_tokens(text)[0]


def key_tokens(text: str, pipeline: tuple[Transform, ...] = PIPELINE) -> tuple[bytes, list[bytes]]:
    """The matching key as UTF-8, and its words (the matcher needs both; one split)."""
    return read_key(text, pipeline)[:2]


def read_key(
    text: str, pipeline: tuple[Transform, ...] = PIPELINE
) -> tuple[bytes, list[bytes], str]:
    """The matching key as UTF-8, its words, and the text just before `Spacing` made words of
    it (punctuation still in place: `cut_apart` reads it)."""
    for transform in pipeline[:-1]:
        text = transform.apply(text)
    tokens = Spacing.tokens(text.encode(_ENCODING, _ERRORS))
    return b" " + b" ".join(tokens) + b" ", tokens, text


def cut_apart(spaced: str) -> list[tuple[int, int]]:
    """Words cut apart by punctuation in `spaced` (the third part of `read_key`): (first
    token, token count) of each run of 3+ short fragments glued by punctuation, no space
    between ("k-et-am-in-e"). One C-level prefilter scan, usually already made."""
    if not PREFILTERS(spaced, "cut_apart"):
        return []
    runs = []
    for match in CUT_APART.finditer(spaced):
        before = Spacing.tokens(spaced[: match.start()].encode(_ENCODING, _ERRORS))
        runs.append((len(before), len(Spacing.tokens(match.group().encode()))))
    return runs


def key(text: str) -> str:
    """The matching key of `text`: canonical, space-padded, no offsets."""
    return key_bytes(text).decode(_ENCODING, _ERRORS)


def decode(b: bytes) -> str:
    """Decode a key (or a prefix of one) produced by `key_bytes`."""
    return b.decode(_ENCODING, _ERRORS)


@dataclass(frozen=True, slots=True)
class CanonicalText:
    """A key with, per key character, the original [start, end) and the transforms applied."""

    original: str
    key: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    flags: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) that key[start:end] came from (end > start)."""
        return self.starts[start], self.ends[end - 1]

    def span_flags(self, start: int, end: int) -> int:
        """The union of the transforms applied to key[start:end]."""
        out = 0
        for f in self.flags[start:end]:
            out |= f
        return out


def track(text: str, pipeline: tuple[Transform, ...] = PIPELINE) -> CanonicalText:
    """Canonicalize `text` keeping the offset map and transform flags (slow path)."""
    s = text
    starts = list(range(len(text)))
    ends = list(range(1, len(text) + 1))
    flags = [0] * len(text)
    for transform in pipeline:
        edits = list(transform.edits(s))
        if edits:
            s, starts, ends, flags = _apply_tracked(s, starts, ends, flags, edits)
    n = len(text)
    first = starts[0] if starts else 0
    last = ends[-1] if ends else n
    return CanonicalText(
        original=text,
        key=" " + s + " ",
        starts=(first, *starts, last),
        ends=(first, *ends, last),
        flags=(0, *flags, 0),
    )


def _apply_tracked(
    s: str,
    starts: list[int],
    ends: list[int],
    flags: list[int],
    edits: list[Edit],
) -> tuple[str, list[int], list[int], list[int]]:
    if all(b - a == 1 and len(text) == 1 for a, b, text, _ in edits):
        # Only characters replaced one for one (case, look-alikes): offsets stay as they are.
        chars = list(s)
        flags = flags.copy()
        for a, _, text, edit_flag in edits:
            chars[a] = text
            flags[a] |= int(edit_flag)
        return "".join(chars), starts, ends, flags
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    new_flags: list[int] = []
    pending = 0  # flags of deleted characters, given to the next kept character
    pos = 0
    for a, b, text, edit_flag in edits:
        flag = int(edit_flag)  # plain int arithmetic: IntFlag operators are slow Python calls
        if a > pos:
            out.append(s[pos:a])
            new_starts.extend(starts[pos:a])
            new_ends.extend(ends[pos:a])
            new_flags.extend(flags[pos:a])
            if pending:
                new_flags[-(a - pos)] |= pending
                pending = 0
        merged = flag
        for f in flags[a:b]:
            merged |= f
        if not text:
            if out and new_flags and out[-1][-1:].isalnum():
                new_flags[-1] |= merged
            else:
                pending |= merged
        elif len(text) == b - a:
            out.append(text)
            new_starts.extend(starts[a:b])
            new_ends.extend(ends[a:b])
            new_flags.extend((f | flag | pending) for f in flags[a:b])
            pending = 0
        else:
            out.append(text)
            new_starts.extend([starts[a]] * len(text))
            new_ends.extend([ends[b - 1]] * len(text))
            new_flags.extend([merged | pending] * len(text))
            pending = 0
        pos = b
    if pos < len(s):
        out.append(s[pos:])
        new_starts.extend(starts[pos:])
        new_ends.extend(ends[pos:])
        new_flags.extend(flags[pos:])
        if pending:
            new_flags[-(len(s) - pos)] |= pending
    return "".join(out), new_starts, new_ends, new_flags


__all__ = [
    "CanonicalText",
    "Flag",
    "cut_apart",
    "decode",
    "key",
    "key_bytes",
    "key_tokens",
    "read_key",
    "track",
]

"""Tokens known to need no reading, checked for a whole batch of keys in a few numpy passes.

Nearly every token of a listing is an ordinary word, and a token that is not one reads as a
term word only rarely. Asking a Python set about each of a catalog's billions of tokens costs
more than everything else in a scan, so a batch's tokens are looked up together: each token
of up to 16 bytes is exactly its first eight bytes, its last eight and its length; those are
mixed into a 64-bit hash and looked up in a direct-mapped table holding the hashes of known
tokens (the dictionary, and tokens already found to read as no term word). Longer tokens are
always reported unknown: the matcher keeps its own answer for them.

The mixing keys are drawn at random per vocabulary, so no input can be made to collide on
purpose; a chance collision (about one in 2**63 per token and known hash) would make an
unknown token look known.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

_SPACE = 0x20
EXACT_UP_TO = 16  # bytes: a longer token is never looked up, always unknown
_BITS = 21  # 2M slots (16 MB): the dictionary fills ~3%, learned tokens up to a quarter
_LEARNED_MAX = 1 << (_BITS - 2)
_SLOT_SHIFT = np.uint64(64 - _BITS)
_FMIX_1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)
_LENGTH_SHIFT = np.uint64(56)
#: The low n bytes of a little-endian word, by n (0-8): a short token's own bytes.
_HEAD_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], np.uint64)


class Vocabulary:
    """A set of tokens (bytes without spaces) that answers for all tokens of a buffer at once."""

    def __init__(self, known: Iterable[bytes]) -> None:
        self._keys = (np.uint64(secrets.randbits(64)),)
        self._short_inner = _mix(np.array([self._keys[0]], np.uint64))[0]  # no last eight
        self._known = [token for token in known if 0 < len(token) <= EXACT_UP_TO]
        self._reset()

    def _reset(self) -> None:
        """The table holds the known tokens only (learned ones forgotten)."""
        self._table = np.zeros(1 << _BITS, np.uint64)
        self._overflow: set[int] = set()
        self._learned = 0
        buffer = b" " + b" ".join(self._known) + b" "
        _, _, hashes = self.tokens(np.frombuffer(buffer, np.uint8))
        self._insert(hashes)

    def tokens(
        self, array: npt.NDArray[np.uint8]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.uint64]]:
        """(starts, ends, hashes) of the tokens of `array`: bytes that begin and end with a
        space and hold no two spaces in a row. A token longer than `EXACT_UP_TO` hashes to
        0, which nothing known has."""
        spaces = np.flatnonzero(array == _SPACE)
        starts, ends = spaces[:-1] + 1, spaces[1:]
        lengths = ends - starts
        padded = np.concatenate((array, np.zeros(8, np.uint8)))
        # Every 8-byte window of the buffer as a little-endian integer (an unaligned view).
        windows = np.ndarray((len(array) + 1,), dtype="<u8", buffer=padded.data, strides=(1,))
        head = windows[starts] & _HEAD_MASKS[np.minimum(lengths, 8)]
        # The last eight bytes matter only for the few tokens longer than eight.
        inner = np.full(len(starts), self._short_inner, np.uint64)
        longer = np.flatnonzero(lengths > 8)
        inner[longer] = _mix(windows[ends[longer] - 8] ^ self._keys[0])
        with np.errstate(over="ignore"):
            hashes = _mix(head ^ inner ^ (lengths.astype(np.uint64) << _LENGTH_SHIFT))
        hashes |= np.uint64(1)  # never 0, the mark of an empty slot
        hashes[longer[lengths[longer] > EXACT_UP_TO]] = 0
        return starts, ends, hashes

    def unknown(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
        """Indexes of the `hashes` that are not in the vocabulary."""
        slots = (hashes >> _SLOT_SHIFT).astype(np.intp)
        candidates = np.flatnonzero((self._table[slots] != hashes) | (hashes == 0))
        if not self._overflow or not len(candidates):
            return candidates
        overflow = self._overflow
        keep = [int(h) not in overflow for h in hashes[candidates].tolist()]
        unknown: npt.NDArray[np.intp] = candidates[np.array(keep, dtype=bool)]
        return unknown

    def learn(self, hashes: npt.NDArray[np.uint64]) -> None:
        """Add tokens (by hash) found to need no reading; forget them all when too many."""
        hashes = hashes[hashes != 0]
        if self._learned + len(hashes) > _LEARNED_MAX:
            self._reset()
        self._learned += len(hashes)
        self._insert(hashes)

    def _insert(self, hashes: npt.NDArray[np.uint64]) -> None:
        for value in hashes.tolist():
            slot = value >> (64 - _BITS)
            held = int(self._table[slot])
            if held == 0:
                self._table[slot] = value
            elif held != value:
                self._overflow.add(value)


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser (a bijection): every input bit moves every output bit."""
    values = values ^ (values >> _SHIFT)
    with np.errstate(over="ignore"):
        values *= _FMIX_1
        values ^= values >> _SHIFT
        values *= _FMIX_2
    values ^= values >> _SHIFT
    return values

"""Find every term of an index in a listing's fields, with evidence in the original text.

The hot path builds one matching key for all fields, scans it once for literals and looks at
the few tokens that are not ordinary words. Only when something is found does the slow path
re-canonicalize with offsets (`text.track`) to say where, how and how surely.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import filterfalse, product, takewhile
from typing import Any

import hyperscan
import numpy as np
from rapidfuzz.distance import OSA

from contraband.matching.hit import CONTEXT, Distortion, Hit
from contraband.matching.index import (
    FUZZY_EDITS_MAX,
    FUZZY_ONE_EDIT_FROM,
    FUZZY_TWO_EDITS_FROM,
    PHRASE_SKELETON_TYPO_FROM,
    SCRAMBLED_FROM,
    SCRAMBLED_TYPO_FROM,
    SHORT_TYPO_LETTERS,
    SKELETON_FROM,
    SKELETON_TYPO_FROM,
    SOUNDS_FROM,
    LiteralKind,
    TermIndex,
    allowed_edits,
    collapse,
    deletes,
    loose_scramble_key,
    scramble_deletions,
    scramble_key,
    skeleton,
    sound_key,
)
from contraband.matching.vocabulary import Vocabulary
from contraband.text import (
    DELIBERATE,
    FIELD_SEPARATOR,
    PIPELINE,
    PIPELINE_AT_AS_C,
    CanonicalText,
    Flag,
    cut_apart,
    decode,
    flag_names,
    read_key,
    track,
)
from contraband.text.batch import BREAK, KeyBatch, read_keys
from contraband.text.transforms import Transform

_JOINER = "\n" + FIELD_SEPARATOR + "\n"
_FRAGMENTS_MAX = 8  # fragments joined at most
#: Letters a phrase's words need, when each is read only as a weak reading (a short
#: skeleton, a short misspelling), for the phrase to count.
_WEAK_PHRASE_LETTERS = 7
_SEPARATOR_TOKEN = FIELD_SEPARATOR.encode()
_SENTENCE_END = re.compile(r"[.!?]\s")
_BREAK_TOKEN = BREAK.strip().encode()  # between two listings' keys in a batch
_TOKEN = re.compile(rb"[^ ]+")
_MAX_AMBIGUOUS = 4  # '1' positions tried both ways; beyond that, all-i and all-l only
_CACHE_LIMIT = 200_000
_BATCH_FROM = 8  # listings: fewer are screened one by one (a batch has a fixed cost)

#: A pseudo-flag, never in evidence: the hit is a written form of a term with digits; the
#: leetspeak the key applied to it is the term's own digits when the text spells the term.
WRITTEN_FORM = 1 << 29

_LITERAL_FLAGS = {
    LiteralKind.EXACT: 0,
    LiteralKind.JOINED: Flag.JOINED,
    LiteralKind.SPLIT: Flag.SPLIT,
    LiteralKind.WRITTEN: Flag.JOINED | WRITTEN_FORM,
    LiteralKind.SKELETON: Flag.VOWELS,
}

#: Confidence that a span really is the term, by what had to be undone to see it.
_FLAG_CONFIDENCE = tuple(
    (int(flag), confidence)
    for flag, confidence in {
        Flag.SPLIT: 0.85,
        Flag.STRETCH: 0.9,
        Flag.SEPARATOR: 0.95,
        Flag.LEET: 0.95,
        Flag.JOINED: 0.95,
        Flag.CONFUSABLE: 0.97,
        Flag.DIGITS: 0.7,
    }.items()
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A term seen in the key: key span [start, end), flags the hit layer added, edits."""

    term: int
    start: int
    end: int
    flags: int = 0
    edits: int = 0


@dataclass(frozen=True, slots=True)
class _BatchTables:
    """A matcher's tables for `find_many`."""

    vocabulary: Vocabulary  # ordinary words and learned inert tokens, looked up in bulk
    material: bytes  # every term word and joined term: a token inside none splits none
    radius: int  # how far from a token `find` may look for the rest of a term around it


# A token-level match before it is placed in the key: term, first token, token count, flags, edits
_TokenMatch = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Listing:
    """A listing's fields as given, their cleaned texts, and those joined into one text."""

    fields: Sequence[tuple[str, str]]
    texts: list[str]
    raw: str


#: The best hit found so far per (field, span start, span end, term).
_Best = dict[tuple[int, int, int, int], Hit]


class Matcher:
    """Finds terms of a `TermIndex` in listings. Not thread-safe: one per thread (matchers
    share the index; each has its own Hyperscan scratch space and token cache)."""

    def __init__(self, index: TermIndex) -> None:
        self.index = index
        self._token_cache: dict[bytes, tuple[tuple[bytes, int, int], ...]] = {}
        self._inert_cache: dict[bytes, bool] = {}
        database = index.database
        self._scratch = hyperscan.Scratch(database) if database is not None else None
        self._batches: _BatchTables | None = None  # made by the first `find_many`

    def find(self, fields: Sequence[tuple[str, str]], short_typos: bool = False) -> list[Hit]:
        """Every term in `fields` ((name, text) pairs), in field and position order.
        `short_typos`: ordinary words one edit from a 4-letter term ("jul" for "juul") are
        read as its misspellings too; only worth it where the caller knows the listing's
        context may support them (its category is the term's item's): in a big pack, most
        listings hold such a word."""
        return self._find(fields, None, short_typos)

    def _find(
        self, fields: Sequence[tuple[str, str]], known: bytes | None, short_typos: bool = False
    ) -> list[Hit]:
        """`find`, given the listing's key when a batch made it already and no word of
        it is cut apart (`known`)."""
        texts = [_clean(text) for _, text in fields]
        listing = _Listing(fields, texts, _JOINER.join(texts))
        best: _Best = {}
        key = self._read(best, listing, PIPELINE, known=known, short_typos=short_typos)
        if "@" in listing.raw:  # rare: read it as c too ("@bd oil"), SpamAssassin's other reading
            self._read(best, listing, PIPELINE_AT_AS_C, unless=key, short_typos=short_typos)
        if not best:
            return []
        return _drop_contained([best[slot] for slot in sorted(best)])

    def _read(
        self,
        best: _Best,
        listing: _Listing,
        pipeline: tuple[Transform, ...],
        unless: bytes | None = None,
        known: bytes | None = None,
        short_typos: bool = False,
    ) -> bytes:
        """Find terms in the key `pipeline` makes of the listing (skipped when it is
        `unless`; `known` when it is made already, with no word cut apart), adding their
        hits to `best`. Returns the key."""
        if known is not None:
            kb, words, runs = known, known.split(), []
        else:
            kb, words, spaced = read_key(listing.raw, pipeline)
            runs = cut_apart(spaced)  # rare: a word cut apart ("k-et-am-in-e")
        if kb == unless:
            return kb
        literal = self._literal_candidates(kb)
        tokens = self._token_candidates(words)
        if short_typos and not self.index.short_word_typos.keys().isdisjoint(words):
            tokens.extend(self._short_word_typos(words))
        for run in runs:
            tokens.extend(self._fragment_run(words, *run))
        if literal or tokens:
            self._evidence(best, listing, kb, literal, tokens, pipeline)
        return kb

    def find_many(self, listings: Sequence[Sequence[tuple[str, str]]]) -> list[list[Hit]]:
        """`[self.find(fields) for fields in listings]`, in a fraction of the time.

        The listings' keys are made together (`text.read_keys`), scanned for literals in
        one pass, and their tokens checked against the vocabulary in bulk; only the few
        listings where something may be found go through `find`, which says what.
        """
        if len(listings) < _BATCH_FROM:
            return [self.find(fields) for fields in listings]
        raws = [_JOINER.join([_clean(text) for _, text in fields]) for fields in listings]
        batch = read_keys(raws)
        suspects = set(batch.cut_apart)
        suspects.update(i for i, raw in enumerate(raws) if "@" in raw)
        suspects.update(batch.text_at(end - 1) for _, end in self._literal_candidates(batch.buffer))
        suspects.update(self._with_readable_tokens(batch))
        return [
            (self._find(fields, None if i in batch.cut_apart else batch.key(i)))
            if i in suspects
            else []
            for i, fields in enumerate(listings)
        ]

    def _with_readable_tokens(self, batch: KeyBatch) -> set[int]:
        """Listings of `batch` where a token that is no known word may read as a term: each
        such token is tried with its neighbours, as `find` would try it. A token that can
        never read as a term word nor be part of one is learned as known."""
        tables = self._batch_tables()
        vocabulary = tables.vocabulary
        starts, ends, hashes = vocabulary.tokens(batch.array)
        unknown = vocabulary.unknown(hashes).tolist()
        if not unknown:
            return set()
        buffer = batch.buffer
        found: set[int] = set()
        inert: list[int] = []
        radius = tables.radius
        for k in unknown:
            if self._inert(buffer[starts[k] : ends[k]]):
                inert.append(k)
                continue
            text = batch.text_at(int(starts[k]))
            if text in found:
                continue
            first, last = max(0, k - radius), min(len(starts), k + radius + 1)
            window = [
                buffer[a:b]
                for a, b in zip(starts[first:last].tolist(), ends[first:last].tolist(), strict=True)
            ]
            window = _own_tokens(window, k - first)
            if self._token_candidates(window):
                found.add(text)
        if inert:
            vocabulary.learn(np.unique(hashes[inert]))
        return found

    def _batch_tables(self) -> _BatchTables:
        """What only batches need, made once (tens of milliseconds: not for a matcher that
        screens one listing at a time)."""
        if self._batches is None:
            index = self.index
            self._batches = _BatchTables(
                vocabulary=Vocabulary([*index.dictionary, _BREAK_TOKEN]),
                material=b"\n".join({*index.word_terms, *index.joined_terms}),
                radius=max((len(words) for words in index.term_words), default=1) + 2,
            )
        return self._batches

    def _inert(self, token: bytes) -> bool:
        """A number, or a token that reads as no term word and is inside none."""
        inert = self._inert_cache.get(token)
        if inert is None:
            if len(self._inert_cache) > _CACHE_LIMIT:
                self._inert_cache.clear()
            inert = self._inert_cache[token] = (
                token.isdigit()
                or token in self.index.dictionary  # a long word: the vocabulary never knows it
                or (not self._word_matches(token) and token not in self._batch_tables().material)
            )
        return inert

    # --- hot path -------------------------------------------------------------------------

    def _literal_candidates(self, kb: bytes) -> list[tuple[int, int]]:
        """(literal id, byte end) of every literal in the key."""
        database = self.index.database
        if database is None:
            return []
        found: list[tuple[int, int]] = []

        def on_match(pattern: int, start: int, end: int, flags: int, context: Any) -> None:
            found.append((pattern, end))

        database.scan(kb, match_event_handler=on_match, scratch=self._scratch)
        return found

    def _fragment_run(self, tokens: list[bytes], first: int, count: int) -> Iterator[_TokenMatch]:
        """A term word cut into fragments of 1-3 letters glued by punctuation (tokens
        [first, first + count): "k-et-am-in-e", "s)il)en)cer"), read back whole: any window
        of them, joined, that is a term word as written, disguised or shuffled (misspelled
        too when cut into 3+ fragments). A word of 4 letters so read ("sf:r:l oil") only
        beside its term's other words."""
        for start in range(first, first + count - 1):
            for end in range(start + 2, min(first + count, start + _FRAGMENTS_MAX) + 1):
                window = tokens[start:end]
                joined = b"".join(window)
                if len(joined) <= SKELETON_FROM or not self._cut_apart(window):
                    continue
                if any(map(self._whole_term, window)):
                    continue
                readings = [(joined, 0), *((w, f) for w, f, _ in self._word_matches(joined))]
                fuzzy_ok = end - start >= 3
                short = len(joined) < SCRAMBLED_FROM
                for word, flags in readings:
                    if flags & NEEDS_CONTEXT or (flags & Flag.FUZZY and not fuzzy_ok):
                        continue
                    # a misspelled short word ("t.ih.e.r"): only beside its term's other words
                    alone = not short and not (flags & Flag.FUZZY and len(joined) < 6)
                    yield from self._place_window(tokens, start, end, word, flags, alone)

    def _place_window(
        self, tokens: list[bytes], start: int, end: int, word: bytes, flags: int, alone: bool
    ) -> Iterator[_TokenMatch]:
        """Terms with `word` in tokens[start:end], their other words on either side (as
        `_around` reads them: "t.a.b.le.t pu-n-che-s"); `alone`: a one-word term may be the
        word itself."""
        for term, position in self.index.word_terms.get(word, ()):
            if len(self.index.term_words[term]) == 1 and not alone:
                continue
            placed = self._around(tokens, start, end, term, position, flags | Flag.SPLIT, 0)
            if placed is not None:
                yield placed

    def _around(
        self,
        tokens: list[bytes],
        start: int,
        end: int,
        term: int,
        position: int,
        flags: int,
        edits: int,
    ) -> _TokenMatch | None:
        """`term` placed with its word `position` read in tokens[start:end], if its other
        words stand on either side, each in a token of its own or in fragments that join to
        it ("rplc r*i*f*le": "rif le"), disguised the same way or another. A phrase whose
        words are all weak readings (an ordinary word that is a word's skeleton) needs
        letters enough not to be chance ("csn chtng dvc")."""
        words = self.index.term_words[term]
        weak = int(bool(flags & NEEDS_CONTEXT))
        bounds = [start, end]  # of the tokens read so far
        for side, expected_words in ((0, words[:position][::-1]), (1, words[position + 1 :])):
            for expected in expected_words:
                read = self._word_at(tokens, bounds[side], expected, backwards=side == 0)
                if read is None:
                    return None
                count, seen, more = read
                bounds[side] += count if side else -count
                flags, edits, weak = flags | seen, edits + more, weak + bool(seen & NEEDS_CONTEXT)
        first, last = bounds
        written = sum(map(len, tokens[first:last]))
        if weak < len(words) or (len(words) >= 2 and written >= _WEAK_PHRASE_LETTERS):
            return term, first, last - first, flags & ~NEEDS_CONTEXT, edits
        return None

    def _word_at(
        self, tokens: list[bytes], at: int, word: bytes, backwards: bool = False
    ) -> tuple[int, int, int] | None:
        """How `word` stands from tokens[at] on (or, `backwards`, just before tokens[at]):
        (tokens it takes, flags, edits); None if it does not. One token read as the word
        (`_token_reads_as`), or fragments that join to it as written, shuffled or disguised
        letter for letter (`_pieces_read_as`), within the field."""
        pieces = tokens[max(0, at - _FRAGMENTS_MAX) : at][::-1] if backwards else tokens[at:]
        pieces = list(takewhile(lambda t: t != _SEPARATOR_TOKEN, pieces[:_FRAGMENTS_MAX]))
        if not pieces:
            return None
        seen = self._token_reads_as(pieces[0], word)
        if seen is not None:
            return 1, *seen
        count = self._pieces_read_as(pieces, word, backwards)
        return None if count is None else (count, int(Flag.SPLIT), 0)

    def _pieces_read_as(
        self, pieces: Sequence[bytes], word: bytes, backwards: bool = False
    ) -> int | None:
        """How many of `pieces` (in reading order, or from the last when `backwards`) join
        to `word`'s length and read as it; None if none do."""
        joined = b""
        for count, piece in enumerate(pieces, start=1):
            joined = piece + joined if backwards else joined + piece
            if len(joined) < len(word):
                continue
            if len(joined) > len(word):
                return None
            if joined == word or any(
                candidate == word and not flags & (Flag.FUZZY | NEEDS_CONTEXT)
                for candidate, flags, _ in self._word_matches(joined)
            ):
                return count
            return None
        return None

    def _cut_apart(self, window: list[bytes]) -> bool:
        """Three short ordinary words in a row seldom spell a term word of 6+ letters; for a
        5-letter one, a fragment must be a lone letter or no word ("k", "cer"): a run of
        short ordinary words ("for men and") is left alone."""
        if sum(map(len, window)) >= 6:
            return True
        return any(len(t) == 1 or t not in self.index.dictionary for t in window)

    def _token_candidates(self, tokens: list[bytes]) -> list[_TokenMatch]:
        triggers = set(filterfalse(self.index.dictionary.__contains__, tokens))
        if triggers:  # numbers are never disguised words (the field separator is in the
            triggers = {t for t in triggers if not t.isdigit()}  # dictionary, so never here)
        if not triggers:
            return []
        out: list[_TokenMatch] = []
        joined = self.index.joined_terms
        for i, token in enumerate(tokens):
            if token in triggers:
                for word, flags, edits in self._word_matches(token):
                    out.extend(self._place(tokens, i, word, flags, edits))
                out.extend(self._split_words(tokens, i))
                for term in joined.get(token, ()):  # a multi-word term run together
                    if len(self.index.term_words[term]) > 1:
                        out.append((term, i, 1, int(Flag.JOINED), 0))
        return out

    def _word_matches(self, token: bytes) -> tuple[tuple[bytes, int, int], ...]:
        """Term words `token` may stand for: (word, flags, edits). Cached per token."""
        cached = self._token_cache.get(token)
        if cached is not None:
            return cached
        if len(self._token_cache) > _CACHE_LIMIT:
            self._token_cache.clear()
        result = tuple(
            (word.encode(), flags, edits)
            for word, flags, edits in self._compute_word_matches(decode(token))
        )
        self._token_cache[token] = result
        return result

    def _compute_word_matches(self, token: str) -> Iterator[tuple[str, int, int]]:
        """Only called for tokens that are not ordinary words."""
        if len(token) > 2 * self.index.longest_word + FUZZY_EDITS_MAX:
            # No reading ("rn" -> m halves it at most) nor misspelling of a token this long is
            # a term word; only stretching shortens more. Bounds the work on hostile input.
            if token.isalpha():
                yield from self._stretched(token, collapse(token))
            return
        readings = list(_readings(token))
        word_terms = self.index.word_terms
        for variant, flags in readings:
            if variant.encode() in word_terms:
                yield variant, flags, 0
        if "i" in token and token.isalpha():
            # Capital I standing for l ("SKUII", "𝐼" folds to "i"): the look-alike UTS #39
            # itself maps to l. Only for tokens that are not words, so "oil" stays "oil".
            for variant in _ambiguous_variants(token, "i"):
                if variant != token and variant.encode() in word_terms:
                    yield variant, Flag.CONFUSABLE, 0
        if len(token) >= 3 and token.isalpha():
            yield from self._stretched_readings(token)
            yield from self._scrambled(token)
            yield from self._scrambled_misspelled(token)
            yield from self._skeleton_misspelled(token)
            yield from self._short_misspellings(token)
            yield from self._sounds_like(token)
        # Misspelled as well as disguised ("aapsu1es"): the token and a few of its readings.
        longest = self.index.longest_word + FUZZY_EDITS_MAX
        for variant, flags in [(token, 0), *readings][:_MISSPELLED_READINGS]:
            if 4 <= len(variant) <= longest and variant.isalpha():
                yield from self._misspellings(variant, flags & ~NEEDS_CONTEXT)
        for variant, flags in readings[:_MISSPELLED_READINGS]:  # shuffled and disguised
            if variant.isalpha():
                for word, more, edits in self._scrambled(variant):
                    if not (more & Flag.VOWELS and flags & Flag.DIGITS):  # "35cm", "n15"
                        yield word, (flags & ~NEEDS_CONTEXT) | more, edits
                if not flags & Flag.DIGITS:  # stretched and leet ("sssw1ttttchblade")
                    for word, more, edits in self._stretched_readings(variant):
                        yield word, flags | more, edits

    def _stretched_readings(self, token: str) -> Iterator[tuple[str, int, int]]:
        """Term words `token` is with letters repeated: alone, and, with two letters or more
        repeated (a double letter of the language, "Perros", is none), misspelled or
        scrambled too. All read on its letters collapsed, made once."""
        stretched = collapse(token)
        if stretched == token:
            return
        yield from self._stretched(token, stretched)
        if len(token) - len(stretched) >= 2:
            yield from self._stretched_misspelled(stretched)
            yield from self._stretched_scrambled(stretched)

    def _stretched(self, token: str, stretched: str) -> Iterator[tuple[str, int, int]]:
        """Term words `token` (`stretched` collapsed) is with letters repeated ("vaaape")."""
        for word in self.index.collapsed_words.get(stretched, ()):
            if _stretches(token, word):
                yield word, Flag.STRETCH, 0

    def _stretched_misspelled(self, stretched: str) -> Iterator[tuple[str, int, int]]:
        """Term words a token with letters repeated (`stretched`: its letters collapsed) is,
        misspelled too ("vaaporivzzzer")."""
        if len(stretched) < FUZZY_ONE_EDIT_FROM - 1:
            return
        found = set()
        if len(stretched) >= FUZZY_ONE_EDIT_FROM:
            for word, flags, edits in self._misspellings(stretched, Flag.STRETCH):
                found.add(word)
                yield word, flags, edits
        # the word's own double letters collapsed too ("aassssautl": "asautl" of "asault"),
        # its first letter kept ("Footless" is no "bottles")
        index = self.index
        candidates = _one_edit_apart(
            stretched,
            deletes(stretched, 1) - {stretched},
            index.collapsed_deletions,
            index.collapsed_words,
        )
        for word in sorted(candidates - found):
            bare = collapse(word)
            if (
                len(bare) >= FUZZY_ONE_EDIT_FROM
                and bare != stretched
                and bare[0] == stretched[0]
                and OSA.distance(stretched, bare, score_cutoff=1) <= 1
            ):
                yield word, Flag.STRETCH | Flag.FUZZY, 1

    def _stretched_scrambled(self, stretched: str) -> Iterator[tuple[str, int, int]]:
        """Term words a token with letters repeated (`stretched`: its letters collapsed) is
        with its inner letters shuffled ("ttaaakata"), or its vowels dropped ("crrrssbbw"):
        read on the term's letters collapsed too."""
        if len(stretched) < SKELETON_FROM:
            return
        index = self.index
        for word in index.collapsed_scrambled.get(scramble_key(stretched), ()):
            bare = collapse(word)
            if bare != stretched and OSA.distance(stretched, bare, score_cutoff=2) > 1:
                yield word, Flag.STRETCH | Flag.SCRAMBLED, 0
        if skeleton(stretched) == stretched:
            for word in index.collapsed_skeletons.get(stretched, ()):
                yield word, Flag.STRETCH | Flag.VOWELS, 0

    def _scrambled_misspelled(self, token: str) -> Iterator[tuple[str, int, int]]:
        """Term words of `SCRAMBLED_TYPO_FROM` letters or more that `token` is with its inner
        letters shuffled and one of them added, dropped or replaced ("ibrfuwpen"): their
        scramble keys differ by one inner letter. A plain shuffle or a plain misspelling is
        read elsewhere."""
        if len(token) < SCRAMBLED_FROM - 1:
            return
        index = self.index
        own = scramble_key(token)
        candidates = _one_edit_apart(
            own, scramble_deletions(token), index.scrambled_deletions, index.scrambled
        )
        for word in sorted(candidates):
            if len(word) < SCRAMBLED_FROM or scramble_key(word) == own:
                continue
            if abs(len(word) - len(token)) > 1:
                continue
            if OSA.distance(token, word, score_cutoff=2) > allowed_edits(word):
                # two chances at once, shuffle and slip: as likely a name as a disguise, so
                # a misspelling (review, no points), not a deliberate distortion; a short
                # word only beside its phrase's other words
                short = NEEDS_CONTEXT if len(word) < SCRAMBLED_TYPO_FROM else 0
                yield word, Flag.FUZZY | short, 1
        if len(token) >= SCRAMBLED_TYPO_FROM:
            # the same letters, the last one slipped one place in ("hffdacusn": shuffled, and
            # its last two swapped); any other move makes a name as often ("Henrio")
            for word in index.loosely_scrambled.get(loose_scramble_key(token), ()):
                if token[-2] == word[-1] != token[-1] and word not in candidates:
                    yield word, Flag.FUZZY, 1

    def _skeleton_misspelled(self, token: str) -> Iterator[tuple[str, int, int]]:
        """Term words whose skeleton of `SKELETON_TYPO_FROM` letters or more `token` is,
        misspelled by one letter ("frpwrks" for "fireworks"), or of a phrase's word with
        `PHRASE_SKELETON_TYPO_FROM` letters or more, beside its other words ("plpc badge"):
        a misspelling (review, no points), for a string of consonants is as often a code as
        a disguise."""
        if len(token) < PHRASE_SKELETON_TYPO_FROM - 1 or skeleton(token) != token:
            return
        # a short one ("plpc" for "police"): only beside the phrase's other words
        context = NEEDS_CONTEXT if len(token) < SKELETON_TYPO_FROM - 1 else 0
        index = self.index
        candidates = _one_edit_apart(
            token, deletes(token, 1) - {token}, index.skeleton_deletions, index.skeletons
        )
        for word in sorted(candidates):
            bare = skeleton(word)
            if bare != token and OSA.distance(token, bare, score_cutoff=1) <= 1:
                yield word, Flag.FUZZY | context, 1

    def _scrambled(self, token: str) -> Iterator[tuple[str, int, int]]:
        """Term words `token` is with its inner letters shuffled ("cociane", "ktemaine") or
        its vowels dropped ("hrn", "grnd"). One adjacent swap is a typo, left to
        `_misspellings`; shuffling more is deliberate."""
        if len(token) >= SCRAMBLED_FROM:
            for word in self.index.scrambled.get(scramble_key(token), ()):
                if word != token and OSA.distance(token, word, score_cutoff=2) > 1:
                    yield word, Flag.SCRAMBLED, 0
        if len(token) >= SKELETON_FROM and skeleton(token) == token:
            for word in self.index.skeletons.get(token, ()):
                yield word, Flag.VOWELS, 0

    def _sounds_like(self, token: str) -> Iterator[tuple[str, int, int]]:
        """Term words `token` is respelled as it sounds ("kokaine", "amunishun", "efedrin"),
        beyond the edits a misspelling may have: a misspelling too (review, no points)."""
        if len(token) < SOUNDS_FROM:
            return
        for word in self.index.sounds.get(sound_key(token), ()):
            edits = OSA.distance(token, word, score_cutoff=FUZZY_EDITS_MAX + 1)
            if word != token and edits > allowed_edits(word):
                yield word, Flag.FUZZY, edits

    def _short_misspellings(self, token: str) -> Iterator[tuple[str, int, int]]:
        """3-4 letter words of multi-word terms one edit away ("aard" for the "card" of
        "cloned credit card"): evidence only beside the term's other words; and 4-letter
        terms ("weex" for "weed"): a misspelling the decision keeps only in context."""
        if len(token) > FUZZY_ONE_EDIT_FROM:
            return
        for variant in deletes(token, 1):
            for word in self.index.short_deletions.get(variant, ()):
                if word != token and OSA.distance(token, word, score_cutoff=1) <= 1:
                    yield word, Flag.FUZZY | NEEDS_CONTEXT, 1

    def _misspellings(self, token: str, flags: int) -> Iterator[tuple[str, int, int]]:
        """Term words within the allowed edits of `token` (symmetric deletion, then OSA)."""
        index = self.index
        depth = 2 if len(token) >= FUZZY_TWO_EDITS_FROM - 2 else 1
        seen: set[str] = set()
        for variant in deletes(token, depth):
            for word in index.deletion_table.get(variant, ()):
                if word in seen or word == token:
                    continue
                seen.add(word)
                limit = allowed_edits(word)
                distance = OSA.distance(token, word, score_cutoff=limit)
                if distance <= limit:
                    yield word, flags | Flag.FUZZY, distance

    def _place(
        self, tokens: list[bytes], i: int, word: bytes, flags: int, edits: int
    ) -> Iterator[_TokenMatch]:
        """Terms containing `word` whose other words stand around token i.

        The other words may be disguised too ("kiddddooo scares"), each on its own.
        """
        for term, position in self.index.word_terms.get(word, ()):
            words = self.index.term_words[term]
            if flags & NEEDS_CONTEXT and len(words) == 1:
                if flags & ~NEEDS_CONTEXT != Flag.FUZZY or len(word) != SHORT_TYPO_LETTERS:
                    continue
                # a 4-letter term one edit away: a misspelling, for the decision to weigh
                yield term, i, 1, Flag.FUZZY, edits
                continue
            placed = self._around(tokens, i, i + 1, term, position, flags, edits)
            if placed is not None:
                yield placed

    def _short_word_typos(self, tokens: list[bytes]) -> Iterator[_TokenMatch]:
        """Ordinary words one edit from a 4-letter term ("jul" for "juul", "suns" for
        "snus"): misspellings the decision keeps only where the context says so."""
        typos = self.index.short_word_typos
        for i, token in enumerate(tokens):
            for word in typos.get(token, ()):
                yield from self._place(tokens, i, word, Flag.FUZZY | NEEDS_CONTEXT, 1)

    def _token_reads_as(self, token: bytes, word: bytes) -> tuple[int, int] | None:
        """(flags, edits) if `token` is `word`, as written or disguised; None otherwise. An
        ordinary word is read only as the word's skeleton, beside the phrase's other words
        ("csn" of "csn chtng dvc"; alone it is the phrase's weakest reading)."""
        if token == word:
            return 0, 0
        if token in self.index.dictionary:
            return (Flag.VOWELS | NEEDS_CONTEXT, 0) if token == _skeleton(word) else None
        for candidate, flags, edits in self._word_matches(token):
            if candidate == word:
                return flags, edits
        return None

    def _split_words(self, tokens: list[bytes], i: int) -> Iterator[_TokenMatch]:
        """Terms written across 2-3 tokens around token i ("e cig arette", "her oin")."""
        for first in range(max(0, i - 2), i + 1):
            for count in (2, 3):
                last = first + count
                if last <= i or last > len(tokens):
                    continue
                window = tokens[first:last]
                if _SEPARATOR_TOKEN in window or any(map(self._whole_term, window)):
                    continue
                joined = b"".join(window)
                for term in self.index.joined_terms.get(joined, ()):
                    if tuple(window) != self.index.term_words[term]:
                        yield term, first, count, Flag.SPLIT, 0
                yield from self._split_term_word(tokens, first, count, joined)
                yield from self._split_scrambled(tokens, first, last, joined)

    def _split_scrambled(
        self, tokens: list[bytes], first: int, last: int, joined: bytes
    ) -> Iterator[_TokenMatch]:
        """A term word shuffled, or without its vowels, and cut in two or three
        ("cni*c*o*a*e": the separators join "coae"; "e_p_h_d_rn": "ephd rn"). A skeleton of
        4 letters so cut only beside its phrase's other words. (Shuffled and misspelled
        too, the pieces are too often a brand and a word: "FNF Red" read as "friend".)"""
        text = decode(joined)
        alone = len(joined) >= SCRAMBLED_FROM
        if alone:
            for word in self.index.scrambled.get(scramble_key(text), ()):
                if OSA.distance(text, word, score_cutoff=2) > 1:
                    yield from self._place_window(
                        tokens, first, last, word.encode(), Flag.SCRAMBLED, True
                    )
        if len(joined) > SKELETON_FROM and skeleton(text) == text:
            for word in self.index.skeletons.get(text, ()):
                yield from self._place_window(
                    tokens, first, last, word.encode(), Flag.VOWELS, alone
                )

    def _whole_term(self, token: bytes) -> bool:
        """Is `token` a one-word term as written? Then it is no fragment of another word
        ("Vape/E-cig" is "vape" and "e-cig", not "vapee" read back as "vape")."""
        return any(
            len(self.index.term_words[term]) == 1 for term in self.index.joined_terms.get(token, ())
        )

    def _split_term_word(
        self, tokens: list[bytes], first: int, count: int, joined: bytes
    ) -> Iterator[_TokenMatch]:
        """A word of a multi-word term split across tokens[first:first+count] ("pol ice
        baton"): the term's other words must stand, exactly, on either side."""
        for term, position in self.index.word_terms.get(joined, ()):
            words = self.index.term_words[term]
            if len(words) == 1:
                continue  # single-word terms are in joined_terms
            start = first - position
            end = first + count + len(words) - position - 1
            if start < 0 or end > len(tokens):
                continue
            before = tokens[start:first]
            after = tokens[first + count : end]
            if tuple(before) == words[:position] and tuple(after) == words[position + 1 :]:
                yield term, start, end - start, Flag.SPLIT, 0

    # --- evidence (slow path, only for listings that hit) ----------------------------------

    def _evidence(
        self,
        best: _Best,
        listing: _Listing,
        kb: bytes,
        literal: list[tuple[int, int]],
        token_matches: list[_TokenMatch],
        pipeline: tuple[Transform, ...],
    ) -> None:
        """Add the hits of one key (made by `pipeline`) to `best`, the best hit per span."""
        to_char = _char_offsets(kb)
        candidates, exceptions = self._literal_spans(literal, to_char)
        candidates.extend(_place_tokens(kb, token_matches, to_char))
        tracks = _FieldTracks(listing, decode(kb), pipeline)
        for cand in candidates:
            if _excepted(cand, exceptions.get(cand.term, ())):
                continue
            field, hit = self._hit(cand, tracks, listing.fields)
            if cand.flags & Flag.SPLIT and _SENTENCE_END.search(hit.text):
                continue  # "Seal. Ing": a sentence ends between the halves, no word is split
            if _code_misread(hit):
                continue
            slot = (field, *hit.span, cand.term)
            previous = best.get(slot)
            if previous is None or hit.score > previous.score:
                best[slot] = hit

    def _literal_spans(
        self, literal: list[tuple[int, int]], to_char: Any
    ) -> tuple[list[_Candidate], dict[int, list[tuple[int, int]]]]:
        candidates: list[_Candidate] = []
        exceptions: dict[int, list[tuple[int, int]]] = {}
        for pattern, byte_end in literal:
            byte_start = byte_end - self.index.literal_lengths[pattern]
            start, end = to_char(byte_start), to_char(byte_end)
            if self.index.literals[pattern].startswith(" "):
                start, end = start + 1, end - 1
            for term, kind in self.index.targets[pattern]:
                if kind == LiteralKind.EXCEPTION:
                    exceptions.setdefault(term, []).append((start, end))
                else:
                    candidates.append(_Candidate(term, start, end, _LITERAL_FLAGS[kind]))
        return candidates, exceptions

    def _hit(
        self, cand: _Candidate, tracks: _FieldTracks, fields: Sequence[tuple[str, str]]
    ) -> tuple[int, Hit]:
        field = tracks.field_of(cand.start)
        canonical, key_shift, text_shift = tracks.locate(field, cand.start, cand.end)
        start, end = cand.start - key_shift, cand.end - key_shift
        original_start, original_end = canonical.original_span(start, end)
        span = (original_start - text_shift, original_end - text_shift)
        flags = canonical.span_flags(start, end) | cand.flags
        term = self.index.terms[cand.term]
        whole = fields[field][1]
        text = whole[span[0] : span[1]]  # as written, NULs included
        if flags & WRITTEN_FORM:
            flags &= ~WRITTEN_FORM
            if _alphanumerics(text) == _alphanumerics(term.text):
                flags &= ~Flag.LEET  # "AR15" is the term as written, not leetspeak
            else:
                flags |= Flag.LEET  # its letters and digits differ from the term's: "AR1S"
        return (
            field,
            Hit(
                item_id=term.item_id,
                term=term.text,
                field=fields[field][0],
                span=span,
                text=text,
                canonical=canonical.key[start:end],
                transforms=tuple(flag_names(flags)),
                distortion=_distortion(flags),
                score=_score(flags, cand.edits, len(b" ".join(self.index.term_words[cand.term]))),
                edits=cand.edits,
                ambiguous=self.index.ambiguous[cand.term],
                commonplace=self.index.commonplace[cand.term],
                ordinary=self.index.ordinary[cand.term],
                before=whole[max(0, span[0] - CONTEXT) : span[0]],
                after=whole[span[1] : span[1] + CONTEXT],
            ),
        )


class _FieldTracks:
    """Offset maps for the fields that hit, each field tracked on its own.

    Tracking (`text.track`) is the costly part of evidence, and a hit is usually in one
    field: a title is a tenth of a listing. A field's own key is its segment of the
    listing's key, except when look-alike folding depends on another field's script (a
    genuinely Cyrillic description); a field whose key differs is read from one tracking
    of the whole listing instead. In a long field, only a window of text around the
    hit is tracked (`_window`), checked against the field's key.
    """

    def __init__(self, listing: _Listing, key: str, pipeline: tuple[Transform, ...]) -> None:
        self.texts = listing.texts
        self.raw = listing.raw
        self.key = key
        self.pipeline = pipeline
        self.separators = _positions(key, FIELD_SEPARATOR)
        self._tracked: dict[int, tuple[CanonicalText, int, int]] = {}
        self._windows: dict[int, list[tuple[int, int, tuple[CanonicalText, int, int]]]] = {}
        self._whole: CanonicalText | None = None

    def field_of(self, position: int) -> int:
        """The field whose segment of the key holds `position`."""
        return bisect.bisect_left(self.separators, position)

    def locate(self, field: int, start: int, end: int) -> tuple[CanonicalText, int, int]:
        """(canonical text, key offset to subtract, original offset to subtract) for key
        span [start, end) of `field`."""
        found = self._tracked.get(field)
        if found is not None:
            return found
        windows = self._windows.setdefault(field, [])
        for low, high, window in windows:
            if low <= start and end <= high:
                return window
        text = self.texts[field]
        if len(text) >= _WINDOW_FROM and len(windows) < _WINDOWS_MAX:
            for margin in _WINDOW_MARGINS:
                located = self._window(field, start, end, margin)
                if located is not None:
                    return located
        found = self._tracked[field] = self._track(field)
        return found

    def _bounds(self, field: int) -> tuple[int, int]:
        """[first, last) of the field's key body in the listing's key."""
        first = self.separators[field - 1] + 2 if field else 1
        last = self.separators[field] - 1 if field < len(self.separators) else len(self.key) - 1
        return first, last

    def _window(
        self, field: int, start: int, end: int, margin: int
    ) -> tuple[CanonicalText, int, int] | None:
        """Track only the text around key span [start, end): cut at spaces between words
        of 2+ letters (no transform reads across such a cut), about `margin` characters
        either side of where the span should be. Used only if the keys of the text before,
        in and after the window make the field's key exactly; None otherwise."""
        text = self.texts[field]
        first, last = self._bounds(field)
        scale = len(text) / max(last - first, 1)  # an ASCII key is about as long as its text
        low = _cut_before(text, int((start - first) * scale) - margin)
        high = _cut_after(text, int((end - first) * scale) + margin)
        if low <= 0 and high >= len(text):
            return None
        before, after = self._body(text[:low]), self._body(text[high:])
        window = track(text[low:high], self.pipeline)
        body = self.key[first:last]
        inner = window.key[1:-1]
        expected = " ".join(part for part in (before, inner, after) if part)
        at = first + len(before) + (1 if before else 0)
        if expected != body or not (at <= start and end <= at + len(inner)):
            return None
        located = (window, at - 1, -low)
        self._windows[field].append((at, at + len(inner), located))
        return located

    def _body(self, text: str) -> str:
        return decode(read_key(text, self.pipeline)[0])[1:-1] if text.strip() else ""

    def _track(self, field: int) -> tuple[CanonicalText, int, int]:
        first, last = self._bounds(field)
        alone = track(self.texts[field], self.pipeline)
        if alone.key == " " + self.key[first:last] + " ":
            return alone, first - 1, 0
        if self._whole is None:
            self._whole = track(self.raw, self.pipeline)
            if self._whole.key != self.key:  # the two faces of a transform disagree: a bug
                raise AssertionError("canonical key and tracked key differ")
        return self._whole, 0, sum(len(t) + len(_JOINER) for t in self.texts[:field])


_WINDOW_FROM = 240  # characters: a shorter field is tracked whole
_WINDOW_MARGINS = (40, 160)  # characters around the span, tried in turn
_WINDOWS_MAX = 3  # per field: a field with hits all over it is tracked whole, once
#: A space between two words of 2+ letters or digits: nothing reads across it.
_CUT = re.compile(r"(?<=[A-Za-z0-9]{2}) +(?=[A-Za-z0-9]{2})")


def _cut_before(text: str, at: int) -> int:
    """The last cut at or before `at` (0 if none)."""
    if at <= 0:
        return 0
    cuts = [m.end() for m in _CUT.finditer(text, max(0, at - 80), at)]
    return cuts[-1] if cuts else 0


def _cut_after(text: str, at: int) -> int:
    """The first cut at or after `at` (the end of the text if none)."""
    if at >= len(text):
        return len(text)
    found = _CUT.search(text, at, at + 80)
    return found.start() if found else len(text)


def _own_tokens(window: list[bytes], at: int) -> list[bytes]:
    """The tokens of `window` that belong to the same listing as window[at]."""
    first = max((i + 1 for i in range(at) if window[i] == _BREAK_TOKEN), default=0)
    last = next((i for i in range(at + 1, len(window)) if window[i] == _BREAK_TOKEN), len(window))
    return window[first:last]


def _alphanumerics(text: str) -> str:
    """`text` case-folded, letters and digits only: "AR-15" and "ar15" are the same."""
    return "".join(c for c in text.casefold() if c.isalnum())


def _positions(text: str, char: str) -> list[int]:
    """Every index of `char` in `text` (a C-level search per occurrence)."""
    out: list[int] = []
    at = text.find(char)
    while at != -1:
        out.append(at)
        at = text.find(char, at + 1)
    return out


def _clean(text: str) -> str:
    """The field text with the internal field separator replaced (same length, same offsets)."""
    return text.replace(FIELD_SEPARATOR, " ") if FIELD_SEPARATOR in text else text


def _char_offsets(kb: bytes) -> Any:
    """A function from byte offsets in the key to character offsets."""
    if kb.isascii():
        return lambda offset: offset
    return lambda offset: len(decode(kb[:offset]))


def _place_tokens(kb: bytes, matches: list[_TokenMatch], to_char: Any) -> Iterator[_Candidate]:
    """Token matches as key spans (character offsets)."""
    if not matches:
        return
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(kb)]
    for term, first, count, flags, edits in matches:
        start, end = spans[first][0], spans[first + count - 1][1]
        yield _Candidate(term, to_char(start), to_char(end), flags, edits)


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Drop a hit inside a longer hit of the same item ("vape" inside "vape pen").

    One sort and sweep per field and item, so a listing with tens of thousands of hits (a
    term repeated through a 200,000-character title) costs n log n, not n squared.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for index, hit in enumerate(hits):
        groups.setdefault((hit.field, hit.item_id), []).append(index)
    dropped: set[int] = set()
    for indices in groups.values():
        indices.sort(key=lambda i: (hits[i].span[0], -hits[i].span[1]))
        reach_start, reach_end = -1, -1  # the earliest-starting hit that reaches furthest
        for index in indices:
            start, end = hits[index].span
            if end < reach_end or (end == reach_end and reach_start < start):
                dropped.add(index)
            elif end > reach_end:
                reach_start, reach_end = start, end
    return [hit for index, hit in enumerate(hits) if index not in dropped]


def _excepted(cand: _Candidate, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < cand.end and cand.start < end for start, end in spans)


#: Digits that the key left as written (their word had no leet shape: "80ng", "da8", "9p5")
#: but that a token-level reading may take as letters, when the term confirms it.
_DIGIT_LETTERS = str.maketrans("0345789", "oeastbg")
#: A pseudo-flag, never in evidence: this word alone is weak evidence (digits read as letters
#: in a short word: "gh8" is no proof of "ghb"; one edit in a 3-4 letter word: "aard"). It
#: counts only inside a multi-word term whose other words stand as they should.
NEEDS_CONTEXT = 1 << 30
_STANDS_ALONE_FROM = 5
#: How many readings of a token are also tried as misspellings (each costs a table probe).
_MISSPELLED_READINGS = 8


def _one_edit_apart(
    key: str,
    dropped: set[str],
    deletions: dict[str, tuple[str, ...]],
    keys: dict[str, tuple[str, ...]],
) -> set[str]:
    """Term words whose key is one letter from `key` (symmetric deletion): `dropped` is
    `key` with a letter dropped in turn, `deletions` the terms' keys so, `keys` them whole."""
    return {
        *deletions.get(key, ()),  # the token lacks a letter
        *(w for k in dropped for w in deletions.get(k, ())),  # one replaced
        *(w for k in dropped for w in keys.get(k, ())),  # one too many
    }


def _readings(token: str) -> Iterator[tuple[str, int]]:
    """`token` read with its ambiguous spellings undone: (variant, flags), bounded.

    '1' is i or l; "rn" may be m (SpamAssassin's "rnethadone"), "vv" w: leetspeak. Digits
    the key kept (a token shaped like a number or a model code: "r19", "80ng") may be
    letters too, but that reading is uncertain: `Flag.DIGITS`, not deliberate.
    """
    bases = [(token, int(Flag.LEET))]
    if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        read = token.translate(_DIGIT_LETTERS)
        if read != token:
            bases.append((read, Flag.DIGITS | NEEDS_CONTEXT))
    for base, flags in bases:
        for variant in _double_variants(base):
            ambiguous = "1" in variant and sum(c.isalpha() for c in variant) >= 2
            for final in _ambiguous_variants(variant, "1") if ambiguous else (variant,):
                if final != token:
                    weak = flags & NEEDS_CONTEXT and len(final) < _STANDS_ALONE_FROM
                    context = NEEDS_CONTEXT if weak else 0
                    yield final, (flags & ~NEEDS_CONTEXT) | context


#: Letters written as two others: SpamAssassin's "rn" for m, and "vv" for w.
_DOUBLES = {"rn": "m", "vv": "w"}


def _double_variants(token: str) -> Iterator[str]:
    """`token`, and with its double-letter spellings read as one letter: each alone (up to
    four), and all."""
    yield token
    pairs = [(m.start(), m.group()) for m in _DOUBLE.finditer(token)]
    if not pairs:
        return
    if 1 < len(pairs) <= _MAX_AMBIGUOUS:
        for position, pair in pairs:
            yield token[:position] + _DOUBLES[pair] + token[position + 2 :]
    yield _DOUBLE.sub(_read_double, token)


_DOUBLE = re.compile("|".join(_DOUBLES))


def _read_double(match: re.Match[str]) -> str:
    return _DOUBLES[match.group()]


#: Terms this short (letters and spaces) are read through two guesses only from a word
#: written with symbols (`_spelled_with_symbols`).
SHORT_TERM = 5

_SYMBOL_READINGS = frozenset({"leetspeak", "digits_read_as_letters"})


#: A model number's shape: a few letters, then three digits or more ("AM4384", "CM420"); a
#: word in leetspeak mixes them ("c0c41n3", "3c574sy").
_MODEL_NUMBER = re.compile(r"[^\W\d_]{0,4}\d{3,}[^\W\d_]{0,2}")


def _code_misread(hit: Hit) -> bool:
    """A code or a word beside punctuation ("PA++", "@home", "35cm") read as a short or
    everyday term by taking its symbols for letters and then misspelling or dropping vowels
    as well: two guesses on a token that is no word written with symbols."""
    transforms = set(hit.transforms)
    if not transforms & _SYMBOL_READINGS or not transforms & {"misspelling", "vowels_dropped"}:
        return False
    written = "".join(c for c in hit.text if c.isspace() or c.isalnum() or c.isprintable())
    written = "".join(c for c in written if unicodedata.category(c)[0] != "M")
    tokens = [w for w in written.split() if not w.isalpha()]
    if any(_MODEL_NUMBER.fullmatch(w) for w in tokens):
        return True  # a model number ("AM4384" read as "amaeba", then misspelled): any term
    if not (hit.ambiguous or len(hit.term) <= SHORT_TERM):  # "$arun", "gr0w lugh+": disguises
        return False
    return not all(_spelled_with_symbols(w) for w in tokens)


def _spelled_with_symbols(token: str) -> bool:
    """Is `token` a word written with some symbols or digits ("c0cain3"), rather than a code
    or a word beside punctuation ("PA++", "@home", "tab3", "am4384")? Only such a token is
    read as a misspelled disguise: mostly letters, with a symbol inside the word or a digit
    at an end of a word of four letters or more ("rifl3")."""
    letters = sum(c.isalpha() for c in token)
    if letters <= len(token) - letters:
        return False
    if not all(c.isalpha() for c in token[1:-1]):
        return True
    return letters >= 4 and (token[0].isdigit() or token[-1].isdigit())


def _ambiguous_variants(token: str, ambiguous: str) -> Iterator[str]:
    """`token` with each `ambiguous` character ('1', or 'i' for a capital I) read as i or l
    (bounded: beyond four positions, all i or all l)."""
    positions = [i for i, c in enumerate(token) if c == ambiguous]
    if len(positions) > _MAX_AMBIGUOUS:
        yield token.replace(ambiguous, "i")
        yield token.replace(ambiguous, "l")
        return
    chars = list(token)
    for choice in product("il", repeat=len(positions)):
        for position, letter in zip(positions, choice, strict=True):
            chars[position] = letter
        yield "".join(chars)


def _runs(word: str) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for ch in word:
        if runs and runs[-1][0] == ch:
            runs[-1] = (ch, runs[-1][1] + 1)
        else:
            runs.append((ch, 1))
    return runs


def _stretches(token: str, word: str) -> bool:
    """True when `token` is `word` with some letters repeated more (never fewer) times."""
    a, b = _runs(token), _runs(word)
    return len(a) == len(b) and all(
        ca == cb and na >= nb for (ca, na), (cb, nb) in zip(a, b, strict=True)
    )


_DELIBERATE = int(DELIBERATE)
_UNCERTAIN = int(Flag.FUZZY | Flag.DIGITS)


def _distortion(flags: int) -> Distortion:
    if flags & _DELIBERATE:
        return Distortion.DELIBERATE
    if flags & _UNCERTAIN:
        return Distortion.TYPO
    return Distortion.NONE


def _score(flags: int, edits: int, length: int) -> float:
    """Confidence in [0, 1] that the span is the term."""
    score = 1.0
    for flag, confidence in _FLAG_CONFIDENCE:
        if flags & flag:
            score *= confidence
    if edits:
        score *= max(0.5, 1.0 - 1.5 * edits / max(length, 1))
    return round(score, 3)


def _skeleton(word: bytes) -> bytes:
    """A word without its vowels but the first letter ("bulk" -> "blk", "opium" -> "opm")."""
    return word[:1] + word[1:].translate(None, b"aeiou")

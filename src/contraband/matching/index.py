"""The term index: compiled once from a list of terms, pickled and shipped to workers.

Two layers, chosen by measurement (bench/throughput.py):

- **Literals** on the canonical key, through Hyperscan: every term padded with spaces
  (" vape pen ", so it only matches whole words), its run-together form (" vapepen "), its
  words split in two ("cross bow"), the keys of a term with digits written whole ("AR15"
  reads "ar1s") and the exception phrases. One C-level scan per listing finds every exact,
  leet, look-alike, invisible-character, styled-letter and separated spelling, since the key
  has undone those.
- **Token tables** for the few tokens that are not ordinary words: stretched letters
  ("vaaape"), inner letters shuffled ("ktemaine"), vowels dropped ("hrn"), words cut into
  fragments ("k-et-am-in-e"), misspellings (one edit for words of 5+ letters, two for 9+,
  transpositions counted as one, through a symmetric-deletion table; one edit for 3-4 letter
  words of multi-word terms, counted only beside the other words), ambiguous readings
  ("a1cohol", "rnethadone", "80ng") and split words ("e cig arette"). Ordinary words never
  reach this layer, so "heroine" stays innocent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from itertools import product
from typing import Any

import hyperscan

from contraband.matching.dictionary import (
    common_words,
    commonplace_words,
    everyday_words,
    marketplace_words,
    ordinary_words,
)
from contraband.matching.terms import Term, check_term
from contraband.text import FIELD_SEPARATOR, key
from contraband.text.chars import script_of

#: Fuzzy matching: allowed edits by term-word length (shorter words get none).
FUZZY_ONE_EDIT_FROM = 5
FUZZY_TWO_EDITS_FROM = 9
#: A one-word term this long is read one edit away too ("weex" for "weed"), as a misspelling
#: that needs a word of its item's sense or its category (decision.engine) to count.
SHORT_TYPO_LETTERS = 4
FUZZY_EDITS_MAX = 2
_RUN = re.compile(r"(.)\1+")


class LiteralKind(IntEnum):
    EXACT = 0
    JOINED = 1  # a multi-word term written as one word ("vapepen")
    EXCEPTION = 2
    SPLIT = 3  # a word of the term split in two ("va pe", "cross bow")
    WRITTEN = 4  # a term with digits as sellers write it whole ("AR15" reads "ar1s" in the key)
    SKELETON = 5  # a word of a multi-word term without its vowels, itself a word ("coca pst")


def allowed_edits(word: str) -> int:
    """How many edits a misspelling of `word` may have."""
    if len(word) >= FUZZY_TWO_EDITS_FROM:
        return FUZZY_EDITS_MAX
    return 1 if len(word) >= FUZZY_ONE_EDIT_FROM else 0


def deletes(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to `depth` characters of `word`."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def scramble_key(word: str) -> str:
    """`word` with its inner letters sorted, first and last kept: the same for "cocaine" and
    "cociane" (the shuffle people read through, the Zeroé benchmark's first attack)."""
    return word[0] + "".join(sorted(word[1:-1])) + word[-1]


def loose_scramble_key(word: str) -> str:
    """`word` with all letters but the first sorted: the same for a shuffle that moved the
    last letter too ("hffdacusn", "handcuffs")."""
    return word[0] + "".join(sorted(word[1:]))


def scramble_deletions(word: str) -> set[str]:
    """`word`'s scramble key with each inner letter dropped in turn: two words whose inner
    letters differ by one letter added, dropped or replaced share one of these."""
    key_ = scramble_key(word)
    inner = key_[1:-1]
    return {key_[0] + inner[:i] + inner[i + 1 :] + key_[-1] for i in range(len(inner))}


_VOWELS = re.compile(r"(?<!^)[aeiou]")


def skeleton(word: str) -> str:
    """`word` without its vowels, but its first letter: "heroin" -> "hrn", "grenade" -> "grnd"."""
    return _VOWELS.sub("", word)


#: English spellings of one sound, and what `sound_key` writes for them (in this order).
_SOUNDS = [
    (re.compile(r"tion"), "shun"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"th"), "t"),
    (re.compile(r"wh"), "w"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"qu"), "kw"),
    (re.compile(r"q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"([aeiou])[aeiou]*"), r"\1"),
    (re.compile(r"(?<=.)[aeiou]$"), ""),
]


def sound_key(word: str) -> str:
    """How `word` sounds, roughly: English's alternative spellings of one sound written one
    way, doubled letters single, every run of vowels its first vowel, a final vowel dropped
    ("cocaine", "kokaine", "cokaeen" -> "kokan"; "ammunition", "amunishun" -> "amunishun").
    Vowels keep their letter: "fleec" is not "flakka"."""
    for pattern, sound in _SOUNDS:
        word = pattern.sub(sound, word)
    return word


#: Term words this long or longer are found respelled as they sound.
SOUNDS_FROM = 5

#: Skeletons this long or longer are found misspelled too ("frpwrks" for "fireworks").
SKELETON_TYPO_FROM = 6
#: A phrase's word whose skeleton is this long or longer is found misspelled too, beside the
#: phrase's other words ("plpc badge").
PHRASE_SKELETON_TYPO_FROM = 3
#: Term words this long or longer are found shuffled and misspelled at once ("ibrfuwpen");
#: shorter ones (of `SCRAMBLED_FROM` letters) only beside their phrase's other words
#: ("gslps bong"): alone, two slips in five letters make a name ("Dongre") as often.
SCRAMBLED_TYPO_FROM = 6
#: Term words this long or longer are found scrambled or without vowels.
SCRAMBLED_FROM = 5
#: A skeleton must keep this many letters and drop at least two ("hrn" keeps 3 of "heroin").
SKELETON_FROM = 3


def one_edit(word: str) -> set[str]:
    """Every string of lower-case letters one edit from `word`: a letter dropped, two
    swapped, one replaced or one added."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    dropped = {a + b[1:] for a, b in cuts if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    replaced = {a + c + b[1:] for a, b in cuts if b for c in letters}
    added = {a + c + b for a, b in cuts for c in letters}
    return (dropped | swapped | replaced | added) - {word}


def _short_word_typos(
    term_words: Sequence[tuple[str, ...]], dictionary: frozenset[str], vocabulary: set[str]
) -> dict[bytes, tuple[bytes, ...]]:
    """Ordinary words of 3+ letters one edit from a one-word term of `SHORT_TYPO_LETTERS`
    letters, that are no term word themselves: the token layer skips ordinary words, so
    these are looked up apart."""
    out: dict[bytes, list[bytes]] = defaultdict(list)
    for words in term_words:
        if len(words) != 1 or len(words[0]) != SHORT_TYPO_LETTERS or not words[0].isalpha():
            continue
        for variant in one_edit(words[0]):
            if len(variant) >= 3 and variant in dictionary and variant not in vocabulary:
                out[variant.encode()].append(words[0].encode())
    return {w: tuple(sorted(set(v))) for w, v in out.items()}


def collapse(word: str) -> str:
    """`word` with every run of a repeated character reduced to one ("vaaappe" -> "vape")."""
    return _RUN.sub(r"\1", word)


@dataclass(slots=True)
class TermIndex:
    """Everything the matcher needs, built once by `TermIndex.build`."""

    terms: tuple[Term, ...]
    term_words: tuple[tuple[bytes, ...], ...]
    literals: tuple[str, ...]
    literal_lengths: tuple[int, ...]
    targets: tuple[tuple[tuple[int, LiteralKind], ...], ...]
    word_terms: dict[bytes, tuple[tuple[int, int], ...]]
    joined_terms: dict[bytes, tuple[int, ...]]
    collapsed_words: dict[str, tuple[str, ...]]
    deletion_table: dict[str, tuple[str, ...]]
    short_deletions: dict[str, tuple[str, ...]]
    scrambled: dict[str, tuple[str, ...]]
    #: Term words of `SCRAMBLED_TYPO_FROM` letters or more (of `SCRAMBLED_FROM` in a
    #: phrase) by their scramble keys with one inner letter dropped: shuffled and
    #: misspelled too ("ibrfuwpen").
    scrambled_deletions: dict[str, tuple[str, ...]]
    skeletons: dict[str, tuple[str, ...]]
    #: Skeletons of `SKELETON_TYPO_FROM` letters or more (of `PHRASE_SKELETON_TYPO_FROM` in
    #: a phrase) with one letter dropped: a word without its vowels and misspelled too
    #: ("frpwrks").
    skeleton_deletions: dict[str, tuple[str, ...]]
    #: Term words whose letters collapsed ("asault" of "assault") have `FUZZY_ONE_EDIT_FROM`
    #: letters or more, by those with one letter dropped: stretched and misspelled
    #: ("aassssautl").
    collapsed_deletions: dict[str, tuple[str, ...]]
    #: Term words by the scramble key, and by the skeleton, of their letters collapsed:
    #: stretched and shuffled ("ttaaakata"), or stretched without vowels ("crrrssbbw").
    collapsed_scrambled: dict[str, tuple[str, ...]]
    #: Term words of `SCRAMBLED_TYPO_FROM` letters or more by `loose_scramble_key`: shuffled
    #: with the last letter slipped one place in ("hffdacusn" for "handcuffs").
    loosely_scrambled: dict[str, tuple[str, ...]]
    collapsed_skeletons: dict[str, tuple[str, ...]]
    #: Term words (of SOUNDS_FROM letters or more) by `sound_key`: respelled as they sound.
    sounds: dict[str, tuple[str, ...]]
    dictionary: frozenset[bytes]
    #: Ordinary words one edit from a 4-letter one-word term ("jul" from "juul", "suns"
    #: from "snus"): read as that term only for the decision to weigh in context.
    short_word_typos: dict[bytes, tuple[bytes, ...]] = field(default_factory=dict)
    #: Per term: it has ordinary senses too (set in the pack, or made only of ordinary words).
    ambiguous: tuple[bool, ...] = ()
    #: Per term: every word of it is a common everyday word ("soft", "blue jeans"), so its
    #: ordinary sense is the likelier one where nothing in the listing says otherwise.
    commonplace: tuple[bool, ...] = ()
    #: Per term: every word of it is an ordinary word of a marketplace language ("slipper",
    #: "caviar", "chinos"), so a misspelling of it is most often a variant spelling or a
    #: brand ("Sipper", "Cavier"), and found as written it may mean that word.
    ordinary: tuple[bool, ...] = ()
    longest_word: int = 0  # of any term: bounds the work on a hostile, very long token
    database: Any = None

    @classmethod
    def build(cls, terms: Iterable[Term], dictionary: frozenset[str] | None = None) -> TermIndex:
        """Compile `terms`; `dictionary` defaults to the 100,000 commonest English words."""
        terms = tuple(terms)
        if dictionary is None:
            dictionary = ordinary_words()
        term_words = tuple(check_term(t) for t in terms)
        common = common_words()
        everyday = everyday_words()
        literal_targets: dict[str, list[tuple[int, LiteralKind]]] = defaultdict(list)
        word_terms: dict[str, list[tuple[int, int]]] = defaultdict(list)
        joined: dict[str, list[int]] = defaultdict(list)
        for i, (term, words) in enumerate(zip(terms, term_words, strict=True)):
            literal_targets[_literal(words)].append((i, LiteralKind.EXACT))
            if len(words) > 1 and (not _spaced(words) or _ordinary("".join(words), dictionary)):
                # Run together ("vapepen"): a token the token layer reads itself, unless it
                # is an ordinary word (which the token layer never looks at).
                literal_targets[_literal(("".join(words),))].append((i, LiteralKind.JOINED))
            for written in _written_forms(words):
                literal_targets[_literal(written)].append((i, LiteralKind.WRITTEN))
            for split in _split_variants(words, common, dictionary):
                honest = _compound(split, words, everyday)
                kind = LiteralKind.JOINED if honest else LiteralKind.SPLIT
                literal_targets[_literal(split)].append((i, kind))
            for skeletal in _skeleton_variants(words, dictionary):
                literal_targets[_literal(skeletal)].append((i, LiteralKind.SKELETON))
            for exception in term.exceptions:
                exception_words = check_term(Term(exception, term.item_id))
                literal_targets[_literal(exception_words)].append((i, LiteralKind.EXCEPTION))
            if _spaced(words):
                for position, word in enumerate(words):
                    word_terms[word].append((i, position))
                joined["".join(words)].append(i)
        vocabulary = set(word_terms)
        collapsed: dict[str, list[str]] = defaultdict(list)
        deletion_table: dict[str, list[str]] = defaultdict(list)
        # 3-4 letter words of multi-word terms, and 4-letter terms: one edit, in context
        short_deletions: dict[str, list[str]] = defaultdict(list)
        multi_word = {w for words in term_words if len(words) > 1 for w in words}
        scrambled: dict[str, list[str]] = defaultdict(list)
        scrambled_deletions: dict[str, list[str]] = defaultdict(list)
        skeletons: dict[str, list[str]] = defaultdict(list)
        skeleton_deletions: dict[str, list[str]] = defaultdict(list)
        collapsed_deletions: dict[str, list[str]] = defaultdict(list)
        collapsed_scrambled: dict[str, list[str]] = defaultdict(list)
        collapsed_skeletons: dict[str, list[str]] = defaultdict(list)
        loosely_scrambled: dict[str, list[str]] = defaultdict(list)
        sounds: dict[str, list[str]] = defaultdict(list)
        for word in vocabulary:
            if len(word) >= SOUNDS_FROM and word.isalpha():
                sounds[sound_key(word)].append(word)
            if len(word) >= 3 and word.isalpha():
                collapsed[bare_letters := collapse(word)].append(word)
                if len(bare_letters) >= FUZZY_ONE_EDIT_FROM:
                    for variant in deletes(bare_letters, 1) - {bare_letters}:
                        collapsed_deletions[variant].append(word)
            if len(word) >= SCRAMBLED_FROM and word.isalpha():
                scrambled[scramble_key(word)].append(word)
                collapsed_scrambled[scramble_key(collapse(word))].append(word)
                if len(word) >= SCRAMBLED_TYPO_FROM:
                    loosely_scrambled[loose_scramble_key(word)].append(word)
                if len(word) >= SCRAMBLED_TYPO_FROM or word in multi_word:
                    for variant in scramble_deletions(word):
                        scrambled_deletions[variant].append(word)
                bare = skeleton(word)
                if len(bare) >= SKELETON_FROM and len(word) - len(bare) >= 2:
                    skeletons[bare].append(word)
                    collapsed_skeletons[collapse(bare)].append(word)
                    if len(bare) >= SKELETON_TYPO_FROM or (
                        len(bare) >= PHRASE_SKELETON_TYPO_FROM and word in multi_word
                    ):
                        for variant in deletes(bare, 1):
                            skeleton_deletions[variant].append(word)
            edits = allowed_edits(word)
            if edits and word.isalpha():
                for variant in deletes(word, edits):
                    deletion_table[variant].append(word)
            elif word.isalpha() and (
                len(word) == SHORT_TYPO_LETTERS or (len(word) >= 3 and word in multi_word)
            ):
                for variant in deletes(word, 1):
                    short_deletions[variant].append(word)
        short_word_typos = _short_word_typos(term_words, dictionary, vocabulary)
        literals = tuple(literal_targets)
        index = cls(
            terms=terms,
            term_words=tuple(tuple(w.encode() for w in words) for words in term_words),
            literals=literals,
            literal_lengths=tuple(len(lit.encode()) for lit in literals),
            targets=tuple(tuple(v) for v in literal_targets.values()),
            word_terms={w.encode(): tuple(v) for w, v in word_terms.items()},
            joined_terms={w.encode(): tuple(v) for w, v in joined.items()},
            collapsed_words={w: tuple(sorted(v)) for w, v in collapsed.items()},
            deletion_table={w: tuple(sorted(v)) for w, v in deletion_table.items()},
            short_deletions={w: tuple(sorted(v)) for w, v in short_deletions.items()},
            scrambled={w: tuple(sorted(v)) for w, v in scrambled.items()},
            scrambled_deletions={w: tuple(sorted(set(v))) for w, v in scrambled_deletions.items()},
            skeletons={w: tuple(sorted(v)) for w, v in skeletons.items()},
            skeleton_deletions={w: tuple(sorted(set(v))) for w, v in skeleton_deletions.items()},
            collapsed_deletions={w: tuple(sorted(set(v))) for w, v in collapsed_deletions.items()},
            collapsed_scrambled={w: tuple(sorted(v)) for w, v in collapsed_scrambled.items()},
            collapsed_skeletons={w: tuple(sorted(v)) for w, v in collapsed_skeletons.items()},
            loosely_scrambled={w: tuple(sorted(v)) for w, v in loosely_scrambled.items()},
            sounds={w: tuple(sorted(v)) for w, v in sounds.items()},
            # The field separator too: it stands between fields in every key, never a word.
            dictionary=frozenset(w.encode() for w in dictionary) | {FIELD_SEPARATOR.encode()},
            short_word_typos=short_word_typos,
            ambiguous=tuple(
                t.ambiguous if t.ambiguous is not None else _everyday(t, words, everyday)
                for t, words in zip(terms, term_words, strict=True)
            ),
            commonplace=tuple(all(w in commonplace_words() for w in words) for words in term_words),
            # a term the pack says has no other sense (`ambiguous: false`) is no word of a
            # language, whatever the word lists say ("tramadol" is in them)
            ordinary=tuple(
                t.ambiguous is not False
                and all(w in dictionary or w in marketplace_words() for w in words)
                for t, words in zip(terms, term_words, strict=True)
            ),
            longest_word=max((len(w) for w in vocabulary), default=0),
        )
        index.database = _compile(index.literals)
        return index

    def __getstate__(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in self.__slots__ if name != "database"}
        state["database"] = hyperscan.dumpb(self.database) if self.literals else None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            if name != "database":
                object.__setattr__(self, name, value)
        blob = state["database"]
        self.database = _load(blob) if blob is not None else None


#: Two-letter words common enough that a split ending in one is ordinary text.
_SHORT = "an as at be by do go he if in is it me my no of on or so to up us we am id ok tv uk"
COMMON_SHORT_WORDS = frozenset((_SHORT + " ad al ex hi lo oh pm re vs").split())


def _skeleton_variants(
    words: tuple[str, ...], dictionary: frozenset[str]
) -> Iterator[tuple[str, ...]]:
    """A multi-word term with one word's vowels dropped where that leaves an ordinary word
    ("coca pst", "stun btn", "opm poppy pods"): the token layer never reads ordinary words,
    so these are literals; the term's other words make them evidence. Other skeletons
    ("grnd") are the token layer's."""
    if len(words) < 2 or not _spaced(words):
        return
    for k, word in enumerate(words):
        if len(word) < SCRAMBLED_FROM or not word.isalpha():
            continue
        bare = skeleton(word)
        if len(word) - len(bare) >= 2 and len(bare) >= 2 and bare in dictionary:
            yield (*words[:k], bare, *words[k + 1 :])


def _compound(split: tuple[str, ...], words: tuple[str, ...], everyday: frozenset[str]) -> bool:
    """Is `split` a compound written as its two words ("cross bow", "basket ball", "multi
    rotor"): an honest spelling, not a disguise? Both halves everyday words of three letters
    or more; "st un gun", "ket amine" and "via gra" are disguises."""
    halves = [w for w in split if w not in words]
    return len(halves) == 2 and all(len(h) >= 3 and h in everyday for h in halves)


def _split_variants(
    words: tuple[str, ...], common: frozenset[str], dictionary: frozenset[str]
) -> Iterator[tuple[str, ...]]:
    """The term with one word split in two ("via gra", "cross bow", "gla ss bong").

    The token layer finds splits with a fragment that is not an ordinary word; these literals
    find the rest, where both fragments are words. For a one-word term, a split into two
    common words ("hero in") or one with a two-letter function word ("an other") is ordinary
    text: skipped. A multi-word term keeps them: its other words are the context ("go ld bars",
    "st un gun").
    """
    if not _spaced(words):
        return
    in_context = len(words) > 1
    for k, word in enumerate(words):
        if len(word) < 4 or not word.isalpha():
            continue
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if not in_context and (head in COMMON_SHORT_WORDS or tail in COMMON_SHORT_WORDS):
                continue
            if not in_context and head in common and tail in common:
                continue
            if not (_ordinary(head, dictionary) and _ordinary(tail, dictionary)):
                continue  # a fragment that is no word: the token layer joins it back
            yield (*words[:k], head, tail, *words[k + 1 :])


def _ordinary(fragment: str, dictionary: frozenset[str]) -> bool:
    """Is `fragment` a token the token layer never looks at (a word, or a number)?"""
    return fragment in dictionary or fragment.isdigit()


def _everyday(term: Term, words: tuple[str, ...], everyday: frozenset[str]) -> bool:
    """Does a term of everyday words have ordinary senses too?

    One everyday word ("speed", "snow") does, and so does a number ("420", "777"). Everyday
    words together mostly name the thing itself ("pepper spray", "assault rifle"), but
    street names are phrases of another sense ("blue jeans", "northern lights", "christmas
    tree"): where the item says which words show its sense (`Term.sense`), a phrase of
    everyday words with none of them is ambiguous ("crack pipe" for paraphernalia whose
    sense words include "pipe" is not).
    """
    if all(_number(w) for w in words):  # "420", "30s": a model number, a size, a decade
        return True
    if not all(w in everyday for w in words):
        return False
    if len(words) == 1:
        return True
    return bool(term.sense) and not set(words) & set(term.sense)


def _number(word: str) -> bool:
    """A number, or one in the plural ("30s", "1990s")."""
    return word.isdigit() or (word[:-1].isdigit() and word.endswith("s"))


def _written_forms(words: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The keys of a term with digits written with some of its words run together.

    The key reads digits inside a word as letters ("ar15" -> "ar1s", "5meo" -> "smeo"), so
    "AR15", "5MeO-DMT" or "cesium137", honest spellings of "ar-15", "5-meo-dmt" and
    "cesium-137", would never meet the term's own key. Each way of joining neighbouring words
    is canonicalized like any text, and searched when it reads differently.
    """
    if not _spaced(words) or not any(c.isdigit() for word in words for c in word):
        return
    plain = {words, ("".join(words),)}
    for glue in product(("", " "), repeat=len(words) - 1):
        written = words[0] + "".join(g + w for g, w in zip(glue, words[1:], strict=True))
        canonical = tuple(key(written).split())
        if canonical not in plain:
            plain.add(canonical)
            yield canonical


def _spaced(words: Sequence[str]) -> bool:
    """False for terms in scripts written without spaces (Chinese, Japanese, Thai...)."""
    if all(w.isascii() for w in words):
        return True
    return not any(script_of(c) == "NOSPACE" for w in words for c in w)


def _literal(words: Sequence[str]) -> str:
    """The literal searched in the key: padded with spaces unless the script has none."""
    return " " + " ".join(words) + " " if _spaced(words) else "".join(words)


def _compile(literals: Sequence[str]) -> Any:
    if not literals:
        return None
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    expressions = [lit.encode("utf-8") for lit in literals]
    database.compile(
        expressions=expressions,
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=[0] * len(expressions),
        literal=True,
    )
    return database


def _load(blob: bytes) -> Any:
    database = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
    database.scratch = hyperscan.Scratch(database)
    return database

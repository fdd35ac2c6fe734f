"""Per-character Unicode facts the canonical form needs, computed once per code point and cached.

Python's `unicodedata` gives categories and decompositions but not scripts, default-ignorable
code points or confusables, so those are derived here:

- *default ignorable* follows the Unicode definition (DerivedCoreProperties): format characters
  (Cf, minus the prepended concatenation marks), variation selectors, tag characters, the
  combining grapheme joiner, Hangul fillers and the reserved default-ignorable ranges;
- *script* is read from the character name's first word (LATIN, CYRILLIC, GREEK, ...), which is
  exact for the letters that matter here and needs no extra data;
- *confusable target* is the ASCII letter a non-ASCII letter is visually confusable with, from
  the UTS #39 data shipped by `confusable_homoglyphs`.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from enum import IntFlag
from functools import lru_cache
from importlib import resources


class Flag(IntFlag):
    """What a transform did to a character; the union over a hit's span is its evidence."""

    CASE = 1
    ACCENT = 2
    COMPAT = 4  # ligatures and other compatibility forms (honest typography)
    STYLED = 8  # fullwidth, mathematical, circled/enclosed letters (deliberate)
    INVISIBLE = 16
    CONFUSABLE = 32
    LEET = 64
    SEPARATOR = 128
    STRETCH = 256
    SPLIT = 512
    JOINED = 1024
    FUZZY = 2048
    DIGITS = 4096  # a number-like token read as letters ("r19" as rig): may be honest
    SCRAMBLED = 8192  # inner letters shuffled, first and last kept ("cociane")
    VOWELS = 16384  # vowels dropped ("hrn" for heroin, "grnd" for grenade)


#: Flags that are evidence of malice: an honest seller does not type these.
DELIBERATE = (
    Flag.STYLED
    | Flag.INVISIBLE
    | Flag.CONFUSABLE
    | Flag.LEET
    | Flag.SEPARATOR
    | Flag.STRETCH
    | Flag.SPLIT
    | Flag.SCRAMBLED
    | Flag.VOWELS
)

#: Transform names as they appear in evidence, in pipeline order.
FLAG_NAMES: dict[Flag, str] = {
    Flag.INVISIBLE: "invisible_removed",
    Flag.STYLED: "styled_letters",
    Flag.COMPAT: "compatibility_form",
    Flag.ACCENT: "accents_removed",
    Flag.CASE: "case_folded",
    Flag.CONFUSABLE: "lookalike_folded",
    Flag.SEPARATOR: "separators_joined",
    Flag.LEET: "leetspeak",
    Flag.STRETCH: "stretched_letters",
    Flag.SPLIT: "split_word_joined",
    Flag.JOINED: "run_together_split",
    Flag.SCRAMBLED: "scrambled_letters",
    Flag.VOWELS: "vowels_dropped",
    Flag.FUZZY: "misspelling",
    Flag.DIGITS: "digits_read_as_letters",
}


#: The same, as plain ints: IntFlag operators are Python-level calls.
_FLAG_NAMES_BY_INT = tuple((int(flag), name) for flag, name in FLAG_NAMES.items())


def flag_names(flags: int) -> list[str]:
    """The evidence names of `flags`, in pipeline order."""
    return [name for flag, name in _FLAG_NAMES_BY_INT if flags & flag]


_OTHER_DEFAULT_IGNORABLE = (
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0}
    | set(range(0x180B, 0x1810))
    | set(range(0xFE00, 0xFE10))
    | set(range(0x1BCA0, 0x1BCA4))
    | set(range(0x1D173, 0x1D17B))
    | set(range(0xE0000, 0xE1000))
    | set(range(0x2060, 0x2070))
    | set(range(0xFFF0, 0xFFF9))
)
# Cf characters that are visible marks rather than ignorable formatting.
_PREPENDED_MARKS = {
    0x0600,
    0x0601,
    0x0602,
    0x0603,
    0x0604,
    0x0605,
    0x06DD,
    0x070F,
    0x0890,
    0x0891,
    0x08E2,
    0x110BD,
    0x110CD,
    0xFFF9,
    0xFFFA,
    0xFFFB,
}

# Compatibility tags whose folding undoes a *styled* letter (a disguise), as opposed to
# <compat> ligatures and the like, which honest typography produces.
_STYLED_TAGS = {
    "<font>",
    "<wide>",
    "<narrow>",
    "<circle>",
    "<square>",
    "<super>",
    "<sub>",
    "<small>",
}


def is_default_ignorable(cp: int) -> bool:
    """True for code points Unicode says to render invisibly (zero-width, bidi, tags, VS...)."""
    if cp in _OTHER_DEFAULT_IGNORABLE:
        return True
    if cp in _PREPENDED_MARKS or 0x13430 <= cp <= 0x1345F:  # visible: Egyptian format marks
        return False
    return unicodedata.category(chr(cp)) == "Cf"


@lru_cache(maxsize=65536)
def script_of(ch: str) -> str:
    """The script of a letter, by name ('LATIN', 'CYRILLIC', ...); '' for non-letters."""
    if not ch.isalpha():
        return ""
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    if first in (
        "FULLWIDTH",
        "HALFWIDTH",
        "MATHEMATICAL",
        "CIRCLED",
        "PARENTHESIZED",
        "SQUARED",
        "NEGATIVE",
        "MODIFIER",
        "SUPERSCRIPT",
        "SUBSCRIPT",
    ):
        return "LATIN" if "LATIN" in name else first
    if first in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR"):
        return "NOSPACE"
    return first


# UTS #39 prototypes that the packaged data lacks or resolves to another letter, for letters
# seen in disguises (Arabic, Hebrew, Coptic, Armenian, Myanmar, Malayalam, NKo, Runic...).
_SUPPLEMENT = {
    "ا": "l",
    "ٱ": "l",
    "ו": "l",
    "ן": "l",
    "ߊ": "l",
    "ᛁ": "l",
    "ǀ": "l",
    "ӏ": "l",
    "Ӏ": "l",
    "ه": "o",
    "ہ": "o",
    "ھ": "o",
    "ە": "o",
    "ס": "o",
    "ⲟ": "o",
    "Ⲟ": "O",
    "ϭ": "o",
    "ዐ": "o",
    "ט": "v",
    "ⲓ": "i",
    "Ⲓ": "l",
    "ւ": "i",
    "ս": "u",
    "Ս": "U",
    "ⳏ": "p",
    "ϸ": "p",
    "ⲣ": "p",
    "င": "c",
    "ၚ": "c",
    "ട": "s",
    "ⲩ": "y",
    "ш": "w",
    "ƿ": "p",
    "ƽ": "s",
    "ꮪ": "s",
    "ꮃ": "w",
    "Ꮃ": "W",
    "Ꮪ": "S",
    "Ꭵ": "i",
    "ꭵ": "i",
    "ꮁ": "r",
    "ꬲ": "e",
    "ꬽ": "o",
    "ι": "i",
}


@lru_cache(maxsize=1)
def _confusable_targets() -> dict[str, str]:
    """Non-ASCII character -> the lowercase ASCII letter it is confusable with (UTS #39)."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    table: dict[str, str] = {}
    for ch, entries in json.loads(raw).items():
        if len(ch) != 1 or ch.isascii() or not ch.isalpha():
            continue
        targets = [e["c"] for e in entries if len(e["c"]) == 1 and e["c"].isascii()]
        letters = [t for t in targets if t.isalpha()]
        if letters:
            # Prefer the letter of the same case ('о' ~ 'o', 'В' ~ 'B'); the key is
            # case-folded later anyway.
            same_case = [t for t in letters if t.isupper() == ch.isupper()]
            table[ch] = min(same_case or letters)
    table.update(_SUPPLEMENT)
    return table


@lru_cache(maxsize=1)
def lookalike_letters() -> frozenset[str]:
    """Every non-ASCII letter that imitates a Latin one."""
    return frozenset(_confusable_targets())


def confusable_target(ch: str) -> str | None:
    """The ASCII letter `ch` imitates, or None when it imitates none."""
    return _confusable_targets().get(ch)


#: Non-ASCII punctuation that sellers use as letter separators, folded to ASCII '.'.
_DOTS = set("·•∙‧・⋅●◦")
_APOSTROPHES = set("’‘ʼ`´")
# Symbols and letters that spam writers use for Latin letters (Apache SpamAssassin's
# replace-tags classes) and that Unicode does not list as confusables.
_SYMBOL_LETTERS = {
    "§": "s",
    "¦": "s",
    "£": "l",
    "¤": "e",
    "¥": "y",
    "×": "x",
    "µ": "u",
    "þ": "p",
    "Þ": "p",
    "ø": "o",
    "Ø": "o",
    "Ð": "d",
    "ð": "o",  # SpamAssassin's o; Icelandic eth otherwise (harmless unless it spells a term)
    "Æ": "a",  # SpamAssassin's a; the ligature "ae" otherwise
    "æ": "a",
    "ƒ": "f",
    "¢": "c",
    "€": "e",
}


def _fold_char(ch: str) -> tuple[str, int]:
    """Fold one character: ignorable -> '', compatibility forms and accents undone.

    Case is left alone here: look-alikes are recognised by their original case ('В' looks
    like 'B', 'в' like nothing), so case folding is a later transform.

    Non-ASCII punctuation and symbols become a space (dashes '-' and middle dots '.', which
    the separator transform reads), so after folding every non-word character is ASCII.
    Symbols (™, ℃) are not decomposed: "TM" would glue letters onto the word before.
    Returns the folded text and the flags saying what was undone.
    """
    cp = ord(ch)
    if is_default_ignorable(cp):
        return "", Flag.INVISIBLE
    category = unicodedata.category(ch)
    if category in ("Mn", "Me"):
        return "", Flag.ACCENT
    if ch in _SYMBOL_LETTERS:
        return _SYMBOL_LETTERS[ch], Flag.LEET
    flags = 0
    out = ch
    decomposition = unicodedata.decomposition(ch)
    if decomposition:
        nfkd = unicodedata.normalize("NFKD", ch)
        stripped = "".join(c for c in nfkd if not unicodedata.combining(c))
        if stripped and (category[0] in "LN" or len(stripped) == 1) and stripped != ch:
            out = stripped
            tag = decomposition.split(" ", 1)[0]
            if tag in _STYLED_TAGS:
                flags |= Flag.STYLED
            elif tag.startswith("<"):
                flags |= Flag.COMPAT
            else:
                flags |= Flag.ACCENT
            if len(out) > 1:  # "¼" -> "1⁄4": each part folded as a character of its own
                parts = [_fold_char(c) for c in out]
                return "".join(p for p, _ in parts), flags | _union(f for _, f in parts)
    if not out.isascii() and len(out) == 1 and not _is_word_char(out):
        if out in _DOTS:
            return ".", 0
        if out in _APOSTROPHES:
            return "'", 0
        return ("-" if unicodedata.category(out) == "Pd" else " "), 0
    return out, flags


def _union(flags: Iterable[int]) -> int:
    out = 0
    for flag in flags:
        out |= flag
    return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


class FoldTable(dict[int, str]):
    """A `str.translate` table filled lazily: each code point is folded the first time seen.

    `str.translate` looks code points up with `__getitem__`, so `__missing__` fills the table
    on demand and the hot path stays in C for every character seen before.
    """

    def __missing__(self, cp: int) -> str:
        folded, flags = _fold_char(chr(cp))
        self[cp] = folded
        FOLD_FLAGS[cp] = flags
        return folded


#: cp -> flags of its fold (filled alongside FOLD_TABLE).
FOLD_FLAGS: dict[int, int] = {}
FOLD_TABLE = FoldTable()


def fold_flags(ch: str) -> int:
    """Flags of `ch`'s fold (computing the fold if it was never seen)."""
    cp = ord(ch)
    if cp not in FOLD_FLAGS:
        FOLD_TABLE[cp]
    return FOLD_FLAGS[cp]

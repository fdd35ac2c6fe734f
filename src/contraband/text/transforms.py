"""The ordered transforms that turn a listing's text into its matching key.

Each transform has two faces that must agree: `apply(s)` is the hot path (C-level `translate`
and `re.sub`) and `edits(s)` lists the same change as (start, end, replacement, flags) edits so
that `canonical.track` can keep an offset map back to the original text. A property test holds
every transform to `apply(s) == replay(s, edits(s))`.

Application order (each step sees the previous step's output):

1. `Fold`: default-ignorable characters removed; compatibility forms (fullwidth, mathematical,
   circled, ligatures) and accents undone; spam symbols read as letters (§ -> s). Non-ASCII
   characters only. Risk: none for matching (a folded key is never displayed).
2. `LookalikeFold`: letters of another script that imitate Latin ones (UTS #39 confusables) are
   folded to Latin, but only in words that mix scripts, or in words written wholly in look-alikes
   of a script the text never genuinely uses (no letter of that script without a Latin twin).
   Genuine Cyrillic/Greek text has such letters (я, и, λ) and is left alone. Risk: a one-word
   genuine text made only of look-alikes ("сор") reads as Latin ("cop").
3. `SymbolLetters`: letters drawn with several symbols (SpamAssassin's "\\/" for v and "><"
   for x; "|\\/|" for m, "|<" for k...) where they touch a letter or digit. Risk: a
   symbol pair glued to a word ("size><", "a\\/b") gains a letter; harmless unless that
   spells a term.
4. `SeparatorJoin`: runs of 3+ single letters split by one repeated separator (`.`, `-`, `_`,
   `*`, `/`, `·`, `•`, `~` or spaces) are joined: "v.a.p.e", "v a p e". Risk: initialisms and
   size lists ("s m l") are joined too; harmless unless the join spells a term.
5. `Leetspeak`, before and after the separator join (symbols among letters are letters, not
   separators: "d!e"; joined letters can spell a leet word: "v.4.p.3"). 0->o 3->e 4/@->a
   5/$->s 7/+->t 8->b 9->g, ? inside a word -> i; the ambiguous 1, ! and | become `1`, which
   the matcher reads as i or l. `PIPELINE_AT_AS_C` reads @ as c instead (SpamAssassin's
   other reading), for the matcher's second look at the rare listings with an @. Digits
   count only in words with 2+ letters and a leet shape, so "4 pack", "12v" and "500mg" stay
   numbers; a symbol (@ $ | + ! ?) among letters is never part of a number, so one letter
   is enough ("$e+", "r|9").
   Risk: model numbers such as "usb3" read as "usbe"; harmless unless that spells a term.
6. `Spacing`: every run of non-word characters (punctuation, whitespace, underscores) becomes
   one space, so terms match on word boundaries. Risk: none.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

import hyperscan

from contraband.text.chars import (
    FOLD_TABLE,
    Flag,
    confusable_target,
    fold_flags,
    lookalike_letters,
    script_of,
)

#: Separates screened fields inside one key; never produced by any transform.
FIELD_SEPARATOR = "\x00"


class Edit(NamedTuple):
    """Replace s[start:end] by `text`; `flags` say what kind of change it is."""

    start: int
    end: int
    text: str
    flags: int


class Transform(ABC):
    """One step of the canonical pipeline."""

    name: str
    #: True when the transform leaves every ASCII text as it is (batches skip it there).
    ascii_identity: bool = False

    @abstractmethod
    def apply(self, s: str) -> str:
        """The transformed text (hot path)."""

    @abstractmethod
    def edits(self, s: str) -> Iterable[Edit]:
        """The same transformation as ordered, non-overlapping edits of `s`."""


class RegexTransform(Transform):
    """A transform defined by a pattern and a pure replacement function of the match."""

    pattern: re.Pattern[str]
    flags: int = 0

    @abstractmethod
    def replace(self, match: re.Match[str]) -> str:
        """The replacement for one match (may return the match unchanged)."""

    def apply(self, s: str) -> str:
        return self.pattern.sub(self.replace, s)

    def edits(self, s: str) -> Iterator[Edit]:
        for match in self.pattern.finditer(s):
            text = self.replace(match)
            if text != match.group():
                yield from self.split_edit(match, text)

    def split_edit(self, match: re.Match[str], text: str) -> Iterator[Edit]:
        """One edit for the whole match; same-length changes are split per character."""
        original = match.group()
        start = match.start()
        if len(text) == len(original):
            for i, (old, new) in enumerate(zip(original, text, strict=True)):
                if old != new:
                    yield Edit(start + i, start + i + 1, new, self.flags)
        else:
            yield Edit(start, match.end(), text, self.flags)


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")


_FEW_CHARS = 8  # distinct non-ASCII characters folded by replace; more, by one regex pass
_ASCII_BYTES = bytes(range(128))


def non_ascii_chars(s: str) -> str:
    """The non-ASCII characters of `s`, in order (C-level passes: faster than a regex)."""
    return (
        s.encode("utf-8", "surrogatepass")
        .translate(None, _ASCII_BYTES)
        .decode("utf-8", "surrogatepass")
    )


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(FOLD_TABLE)


class Fold(Transform):
    """Non-ASCII characters through the fold table (invisible removed, compatibility forms
    and accents undone); ASCII text passes untouched."""

    name = "fold"
    ascii_identity = True

    def apply(self, s: str) -> str:
        if s.isascii():
            return s
        chars = set(non_ascii_chars(s))
        if len(chars) > _FEW_CHARS:
            return _NON_ASCII_RUN.sub(_fold_run, s)
        changes = [(c, FOLD_TABLE[ord(c)]) for c in chars]
        if not all(folded.isascii() or folded == c for c, folded in changes):
            return _NON_ASCII_RUN.sub(_fold_run, s)  # a fold into another foldable character
        # A few distinct characters, each folded into ASCII: one C-level replace each.
        for c, folded in changes:
            if folded != c:
                s = s.replace(c, folded)
        return s

    def edits(self, s: str) -> Iterator[Edit]:
        if s.isascii():
            return
        for match in _NON_ASCII_CHAR.finditer(s):
            ch = match.group()
            folded = FOLD_TABLE[ord(ch)]
            if folded != ch:
                yield Edit(match.start(), match.end(), folded, fold_flags(ch))


class TitleParts(RegexTransform):
    """A "|" that separates title parts is a space: between two plain words (letters in one
    case, or capitalized) where the next starts a capitalized word ("HCL|Ketamine") or a
    lower-case word ends before a capital ("Micro|SD", "Pharma|EU"), or between a plain
    word and a number ("Ketamine|99%"). Read before case is folded, which is what tells
    them apart; one inside a word ("ket|amine", "CO|CAINE", "c|alis", "þÆngo|În", "r3fr|93r")
    may stand for a letter, and leetspeak reads it."""

    name = "title_parts"
    pattern = re.compile(r"(?<![^\s|/,;:()\[\]])([^\s|]*)\|(?=([^\s|]*))")

    def apply(self, s: str) -> str:
        return self.pattern.sub(self.replace, s) if "|" in s else s

    def edits(self, s: str) -> Iterator[Edit]:
        if "|" in s:
            yield from super().edits(s)

    def replace(self, match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        end = match.end()
        if not left:  # "Toy |Soft": before a capitalized or upper-case word
            separates = _plain_word(right) and not right.islower()
        elif not right:  # "Mug| Blue": after a word, before a space (not "fu||")
            separates = _plain_word(left) and (
                end == len(match.string) or match.string[end].isspace()
            )
        else:
            separates = _plain_word(left) and (
                (
                    _plain_word(right)
                    and (right.istitle() or (left[-1].islower() and right.isupper()))
                )
                or bool(_NUMBER.fullmatch(right))
            )
        return left + " " if separates else match.group()


def _plain_word(word: str) -> bool:
    """Two or more letters, in one case or capitalized ("heroin", "HCL", "Ketamine")."""
    return (
        len(word) >= 2 and word.isalpha() and (word.islower() or word.isupper() or word.istitle())
    )


_NUMBER = re.compile(r"[0-9]{2,}[.,0-9]*[^\w]*")


class Case(Transform):
    """Case folded (full Unicode case folding: 'ß' -> 'ss'), after look-alikes are read."""

    name = "case"

    def apply(self, s: str) -> str:
        return s.lower() if s.isascii() else s.casefold()

    def edits(self, s: str) -> Iterator[Edit]:
        for match in _MAY_CHANGE_CASE.finditer(s):
            ch = match.group()
            folded = ch.casefold()
            if folded != ch:
                yield Edit(match.start(), match.end(), folded, Flag.CASE)


_MAY_CHANGE_CASE = re.compile(r"[A-Z\x80-\U0010ffff]")


_NON_ASCII_WORD = re.compile(r"[^\W_]*[^\x00-\x7f][^\W_]*")


class LookalikeFold(Transform):
    name = "lookalike"
    ascii_identity = True

    def apply(self, s: str) -> str:
        if not _has_foreign_letters(s):
            return s
        replace = self._replacer(s)
        return _NON_ASCII_WORD.sub(replace, s)

    def edits(self, s: str) -> Iterator[Edit]:
        if not _has_foreign_letters(s):
            return
        replace = self._replacer(s)
        for match in _NON_ASCII_WORD.finditer(s):
            start = match.start()
            for i, (old, new) in enumerate(zip(match.group(), replace(match), strict=True)):
                if old != new:
                    yield Edit(start + i, start + i + 1, new, Flag.CONFUSABLE)

    @staticmethod
    def _replacer(s: str) -> Callable[[re.Match[str]], str]:
        genuine = _genuine_scripts(s)

        def replace(match: re.Match[str]) -> str:
            word = match.group()
            lookalikes = [c for c in word if _is_lookalike(c)]
            if not lookalikes:
                return word
            plain = any(  # a Latin letter that is itself (ASCII, or ß, æ, ł...)
                c.isalpha() and script_of(c) == "LATIN" and not _is_lookalike(c) for c in word
            )
            if not plain and any(script_of(c) in genuine for c in word if c.isalpha()):
                return word  # a word of a script this text genuinely writes in
            return "".join(_latin(c) if _is_lookalike(c) else c for c in word)

        return replace


def _latin(c: str) -> str:
    """The Latin letter `c` imitates, in `c`'s own case (the key is case-folded later)."""
    return confusable_target(c) or c


def _is_lookalike(c: str) -> bool:
    """A non-ASCII letter that imitates a Latin one (of any script, Latin's own included:
    dotless i, ɑ, ʀ, ꜱ...)."""
    return c in lookalike_letters()


def _has_foreign_letters(s: str) -> bool:
    """Does `s` contain a look-alike letter (the only case with work to do)?"""
    if s.isascii():
        return False
    return not lookalike_letters().isdisjoint(non_ascii_chars(s))


def _genuine_scripts(s: str) -> set[str]:
    """Scripts that `s` really writes in: those with a letter that imitates no Latin letter.

    Genuine Russian or Greek text always has such letters (я, и, λ, π); a word made only of
    look-alikes, in a text with no genuine letter of its script, is a disguise (UTS #39's
    whole-script confusable).
    """
    return {
        script_of(c)
        for c in set(s)
        if not c.isascii() and c.isalpha() and confusable_target(c) is None
    } - {"LATIN"}  # Latin is what look-alikes imitate: never a reason to keep them


_CONTRACTION = re.compile(r"'(?<=[^\W\d_]')(?:s|t|d|m|ll|re|ve)(?![^\W_])")


class Contractions(RegexTransform):
    """English clitics are dropped ("who's" -> "who", "don't" -> "don"): they are never terms,
    and as stray one-letter words they would be joined into false ones ("i'd c" -> "idc")."""

    name = "contractions"
    pattern = _CONTRACTION

    def apply(self, s: str) -> str:
        return self.pattern.sub("", s) if "'" in s else s

    def edits(self, s: str) -> Iterator[Edit]:
        if "'" in s:
            yield from super().edits(s)

    def replace(self, match: re.Match[str]) -> str:
        return ""


#: Letters drawn with two to four symbols, longest first so "|\\/|" is m, not "|v|".
SYMBOL_LETTERS = {
    "|\\/|": "m",
    "/\\/\\": "m",
    "|\\|": "n",
    "/\\/": "n",
    "|-|": "h",
    "\\/": "v",
    "><": "x",
    "|<": "k",
}
_DRAWN = "|".join(re.escape(k) for k in sorted(SYMBOL_LETTERS, key=len, reverse=True))
_NEXT_TO = r"[^\W_]|[@$!|+?]"  # a letter, a digit or a leet symbol
_DRAWN_ONE = re.compile(_DRAWN)
_DRAWN_LETTER = re.compile(rf"(?<={_NEXT_TO})(?:{_DRAWN})+|(?:{_DRAWN})+(?=(?:{_NEXT_TO}))")


class SymbolLetters(RegexTransform):
    """Letters drawn with several symbols ("\\/4pe", "><anax"), where they touch a word."""

    name = "symbol_letters"
    pattern = _DRAWN_LETTER
    flags = Flag.LEET

    def apply(self, s: str) -> str:
        return self.pattern.sub(self.replace, s) if _may_draw(s) else s

    def edits(self, s: str) -> Iterator[Edit]:
        if _may_draw(s):
            yield from super().edits(s)

    def replace(self, match: re.Match[str]) -> str:
        return _DRAWN_ONE.sub(_drawn_letter, match.group())


def _drawn_letter(match: re.Match[str]) -> str:
    return SYMBOL_LETTERS[match.group()]


def _may_draw(s: str) -> bool:
    """Cheap test: every drawn letter has a backslash, a '<' or a '|'."""
    return "\\" in s or "<" in s or "|" in s


# A run of 3+ single letters or digits, each a word of its own, split by non-word characters.
_SINGLE_RUN = re.compile(r"(?<![^\W_])[^\W_](?![^\W_])(?:(?:[^\w\x00]|_)+[^\W_](?![^\W_])){2,}")
_GAP = re.compile(r"(?:[^\w\x00]|_)+")


def _single_groups(letters: list[str], gaps: list[str]) -> list[tuple[int, int]]:
    """Which letters of a run to join: [(first, last)] inclusive index ranges.

    Letters linked by one and the same separator form a group ("v.a.p.e" in "a v.a.p.e", so
    the article stays a word); the longest groups are taken first. A group joined by spaces
    needs 3+ letters, one joined by punctuation 2+ ("d.c" in "i d.c" reads "i dc", not
    "idc"). Letters left over, when 3+ stand in a row, are joined too: the key has only
    spaces between them, so joining them now keeps the key a fixed point.
    """
    segments: list[tuple[int, int, str]] = []
    i = 0
    while i < len(gaps):
        j = i
        while j < len(gaps) and gaps[j] == gaps[i]:
            j += 1
        segments.append((i, j, gaps[i]))
        i = j
    segments.sort(key=lambda seg: (seg[0] - seg[1], " " in seg[2], seg[0]))
    taken = [False] * len(letters)
    groups: list[tuple[int, int]] = []
    for first, last, gap in segments:
        while first <= last and taken[first]:
            first += 1
        while last >= first and taken[last]:
            last -= 1
        needed = 2 if gap.strip(" \t") else 3
        if last - first + 1 >= needed and not any(taken[first : last + 1]):
            groups.append((first, last))
            taken[first : last + 1] = [True] * (last - first + 1)
    leftovers = [n for n, used in enumerate(taken) if not used]
    for start, end in _consecutive(leftovers):
        if end - start >= 2:
            groups.append((start, end))
    return sorted(groups)


def _consecutive(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """Maximal ranges of consecutive integers in sorted `numbers`."""
    start = prev = None
    for n in numbers:
        if start is None or prev is None or n != prev + 1:
            if start is not None and prev is not None:
                yield start, prev
            start = n
        prev = n
    if start is not None and prev is not None:
        yield start, prev


class Prefilters:
    """Hyperscan regexes that must match before a costly Python regex is worth running.

    Most listings have nothing for the separator or leet transforms to do; one C-level scan
    says so for both in about a microsecond. The result for the last text scanned is kept,
    so consecutive transforms that see the same string object share one scan. `apply` and
    `edits` both consult it, so the two faces of a transform still agree. The scratch space
    and the last result are per thread (the service screens in a thread pool).
    """

    def __init__(self, patterns: Sequence[tuple[str, bytes, Veto | None]]) -> None:
        self.names = tuple(name for name, _, _ in patterns)
        self._patterns = [pattern for _, pattern, _ in patterns]
        self._vetoes = tuple(veto for _, _, veto in patterns)
        self._database = self._compile(single=True)
        self._every_match: hyperscan.Database | None = None
        self._local = threading.local()

    def _compile(self, single: bool) -> hyperscan.Database:
        """All patterns in one database; `single`: one report per pattern, except where a
        veto may drop a match (a later one must still be seen)."""
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=self._patterns,
            ids=list(range(len(self._patterns))),
            elements=len(self._patterns),
            flags=[
                hyperscan.HS_FLAG_SINGLEMATCH if single and veto is None else 0
                for veto in self._vetoes
            ],
        )
        return database

    def __call__(self, s: str, name: str) -> bool:
        local = self._local
        last: tuple[str, frozenset[str]] | None = getattr(local, "last", None)
        if last is not None and last[0] is s:
            return name in last[1]
        scratch = getattr(local, "scratch", None)
        if scratch is None:
            scratch = local.scratch = hyperscan.Scratch(self._database)
        found: set[str] = set()
        data = s.encode("utf-8", "surrogatepass")
        names, vetoes = self.names, self._vetoes

        def on_match(pattern: int, start: int, end: int, *_: object) -> None:
            veto = vetoes[pattern]
            if veto is None or not veto(data, end):
                found.add(names[pattern])

        self._database.scan(data, match_event_handler=on_match, scratch=scratch)
        local.last = (s, frozenset(found))
        return name in found

    def ends(self, buffer: bytes) -> list[tuple[str, int]]:
        """(pattern name, end offset) of every match in `buffer`: one scan over many texts
        joined (`text.batch`) says which of them have work for which transform."""
        local = self._local
        database = getattr(self, "_every_match", None)
        if database is None:
            database = self._every_match = self._compile(single=False)
        scratch = getattr(local, "batch_scratch", None)
        if scratch is None:
            scratch = local.batch_scratch = hyperscan.Scratch(database)
        found: list[tuple[str, int]] = []
        names, vetoes = self.names, self._vetoes

        def on_match(pattern: int, start: int, end: int, *_: object) -> None:
            veto = vetoes[pattern]
            if veto is None or not veto(buffer, end):
                found.append((names[pattern], end))

        database.scan(buffer, match_event_handler=on_match, scratch=scratch)
        return found


#: (the bytes scanned, where a match ends) -> True to ignore that match.
Veto = Callable[[bytes, int], bool]


class PrefilteredTransform(RegexTransform):
    def apply(self, s: str) -> str:
        return self.pattern.sub(self.replace, s) if PREFILTERS(s, self.name) else s

    def edits(self, s: str) -> Iterator[Edit]:
        if PREFILTERS(s, self.name):
            yield from super().edits(s)


_SINGLE = rb"[a-z0-9]"
_GAP_BYTES = rb"[^a-z0-9\x00\x80-\xff]+"


class SeparatorJoin(PrefilteredTransform):
    name = "separators"
    pattern = _SINGLE_RUN
    flags = Flag.SEPARATOR

    def replace(self, match: re.Match[str]) -> str:
        return replay(match.group(), self._gap_edits(match.group(), 0))

    def split_edit(self, match: re.Match[str], text: str) -> Iterator[Edit]:
        # One deletion per separator, so every kept letter keeps its own offset.
        return self._gap_edits(match.group(), match.start())

    def _gap_edits(self, run: str, base: int) -> Iterator[Edit]:
        gaps = list(_GAP.finditer(run))
        letters = _GAP.split(run)
        for first, last in _single_groups(letters, [g.group() for g in gaps]):
            for gap in gaps[first:last]:
                yield Edit(base + gap.start(), base + gap.end(), "", self.flags)


_LEET_MAP = str.maketrans(
    {
        "0": "o",
        "3": "e",
        "4": "a",
        "@": "a",
        "5": "s",
        "$": "s",
        "7": "t",
        "+": "t",
        "8": "b",
        "9": "g",
        "!": "1",
        "|": "1",
        "?": "i",
    }
)
_LEET_CHARS = set("0134579@$+!|8?")
_T = r"(?:[^\W_]|[@$!|+?])"  # a character of a leet token (underscore separates words)
_LEET_TOKEN = re.compile(rf"(?<!{_T}){_T}*?(?:[^\W\d_][0-9@$!|+?]|[0-9@$!|+?][^\W\d_]){_T}*")
_LEET_SYMBOL_RUN = re.compile(r"([@$!|+?]+)")
# Where a digit or symbol sits among letters when it stands for one (the same shapes, on ASCII,
# make the prefilter): inside a word (v4pe, h3r01n), between digits (5el15, 410nz0), before
# four letters (5ilden4fil) or after three (vap3). Ordinals, units and short model codes
# (10th, 500mg, 12v, mp3, ps4) have none of these shapes and stay as written.
_K = "[0134579@$+8]"  # characters that stand for letters anywhere in a word
_L = r"[^\W\d_]"
_LEET_SHAPE = re.compile(
    f"{_L}[0134579@$+8!|?]+{_L}"  # inside a word: v4pe, h3r01n, v!agra, kn?fe
    f"|{_K}{_L}{{2,}}{_K}"  # between: 5el15, 410nz0, 8ud$
    f"|{_K}{_L}{{4}}"  # before four letters: 5ildenafil
    f"|^{_K}{_L}{{2,3}}$"  # a short word led by one: 4nd, 7ow (not 3rd, nor 500mg)
    f"|{_L}{{3}}{_K}"  # after three letters: vap3, bow$
    f"|{_L}{{2}}[|]"  # a pipe for l or i after letters: fu||
    f"|{_L}{{2}}{_K}{{2}}"  # two letters then two: pu1$3
    f"|^[@$+|]{_L}{{2}}"  # a symbol first: @mmo, $nus, +hc, |ens
)
# Numbers with a unit, a time or an ordinal suffix stay numbers: 3rd, 10th, 9pm, 8gb, 5kg.
_UNITS = "st nd rd th am pm gb mb kb tb kg mg ml cm mm km kw hz oz lb ft pc mp px hp ah kv db"
_SUFFIXES_2 = (_UNITS + " in yr hr cc").split()
_SUFFIXES_3 = "pcs mah yrs hrs min sec gsm mph ppm ghz mhz khz kwh ltr".split()  # noqa: SIM905
_ORDINAL = re.compile(r"[0-9]+(?:s|" + "|".join(_SUFFIXES_2 + _SUFFIXES_3) + ")")


_KB = rb"[0134579@$+8]"
_LEET_PREFILTER = (
    rb"[a-z][0134579@$+8!|?]+[a-z]|" + _KB + rb"[a-z]{2,}" + _KB + rb"|" + _KB + rb"[a-z]{4}"
    rb"|(?:^|[^a-z0-9])" + _KB + rb"[a-z]{3}(?:[^a-z0-9]|$)"
    rb"|[a-z]{2}[|]|[a-z]{3}" + _KB + rb"|[a-z]{2}" + _KB + _KB + rb"|[@$+|][a-z]|"
    rb"[a-z][@$+|]|(?:^|[^a-z0-9!?])[!?]+[a-z]|[a-z0-9@$+|][!?]+[a-z0-9@$+|]"
)
#: A two-letter word led by a leet digit ("4nd", "7ow"), unless the letters are a unit or an
#: ordinal ("3rd", "9pm": `_number_with_unit` vetoes those matches).
_LEET_SHORT_PREFILTER = rb"(?:^|[^a-z0-9])" + _KB + rb"[a-z]{2}(?:[^a-z0-9]|$)"
_UNIT_PAIRS = frozenset(suffix.encode() for suffix in _SUFFIXES_2)
_LOWER = range(0x61, 0x7B)


def _number_with_unit(data: bytes, end: int) -> bool:
    """The short word that ends at `end` is a number with a unit ("3rd", "9pm", "8gb")."""
    letters = data[end - 2 : end] if data[end - 1] in _LOWER else data[end - 3 : end - 1]
    return letters in _UNIT_PAIRS


# "great!" is not "great1" and "what?" not "whati"; but "bow$" is "bows", "fu||" is "full"
_LEET_EDGES = "!?"


class Leetspeak(PrefilteredTransform):
    """Leet undone; `at` is the letter "@" stands for (a, or c in SpamAssassin's classes)."""

    name = "leetspeak"
    pattern = _LEET_TOKEN
    flags = Flag.LEET

    def __init__(self, at: str = "a") -> None:
        self.table = _LEET_MAP if at == "a" else {**_LEET_MAP, ord("@"): at}

    def replace(self, match: re.Match[str]) -> str:
        token = match.group()
        # A "|" with a space on its outer side separates title parts ("Toy |Soft", "Mug|
        # Blue"): it is no letter. Only a "|" inside a word may be one ("c|alis").
        # a "|" that separates title parts is a space already (`TitleParts`)
        return _leet_word(token, self.table)


def _leet_word(token: str, table: dict[int, str] = _LEET_MAP) -> str:
    """`token` with leet undone, if it is a leet word; else each symbol-separated part.

    Symbols that are not letters here become spaces in the key, and the key is read again
    as words; deciding part by part exactly as that second reading would keeps the key a
    fixed point.
    """
    lead = token[: len(token) - len(token.lstrip(_LEET_EDGES))]
    if lead in ("!", "?"):
        lead = ""  # one "!" or "?" before a letter is an i ("!d card"); "!!!" is emphasis
    body = token[len(lead) :]
    core = body.rstrip(_LEET_EDGES)
    tail = body[len(core) :]
    if _is_leet(core):
        return lead + core.translate(table) + tail
    parts = _LEET_SYMBOL_RUN.split(core)
    if len(parts) == 1:
        return token
    return (
        lead
        + "".join(part if i % 2 else _leet_word(part, table) for i, part in enumerate(parts))
        + tail
    )


def _is_leet(core: str) -> bool:
    """Is `core` a word spelled with digits or symbols (not a number, model or unit)?

    A symbol among letters (@ $ | +, or ! ? inside a word) is never part of an ordinary
    word, a number or a model code, so one letter is enough ("r|9", "$e+", "!d"). Digits
    alone need two letters and a leet shape, so "12v", "mp3" and "500mg" stay as written.
    """
    leet = sum(1 for c in core if c in _LEET_CHARS)
    if not leet or _ORDINAL.fullmatch(core) is not None or _SEPARATED.fullmatch(core):
        return False
    letters = sum(1 for c in core if c.isalpha())
    if not _LEET_SYMBOLS.isdisjoint(core):
        return letters >= 1 and leet <= 2 * letters + 2
    return letters >= 2 and leet <= 2 * letters + 1 and _LEET_SHAPE.search(core) is not None


_LEET_SYMBOLS = frozenset("@$|+!?")
# Single letters joined by one repeated | or + are a separated word ("v|a|p|e", "a+b+c"),
# left for the separator transform; with two letters the symbol is a letter ("d!e"), and
# @, $, ! and ? always are ("x@n@x").
_SEPARATED = re.compile(r"[^\W_](?P<symbol>[|+])[^\W_](?:(?P=symbol)[^\W_])+")


#: The longest fragment of a word cut apart read back (a term word is seldom longer).
FRAGMENT_MAX = 24

#: ASCII punctuation: what may glue the fragments of a word cut apart.
_PUNCTUATION = r"!-/:-@\[-`{-~"
_TOKEN_CHAR = "a-z0-9\x00\x80-\U0010ffff"  # what `Spacing` keeps inside a token
#: A word cut apart by punctuation, no space between: 3+ fragments of letters or digits
#: ("k-et-am-in-e", "s)il)en)cer", "pse.udo.ep.hedrin.e"). Ordinary text writes words with
#: spaces between; the runs it glues ("up-to-date", "u.s.a", "sh-83-vc1": 0.8% of retail
#: titles) are read back only where a window of them joined is a term word.
CUT_APART = re.compile(
    rf"(?<![{_TOKEN_CHAR}])[a-z0-9]{{1,{FRAGMENT_MAX}}}"
    rf"(?:[{_PUNCTUATION}]+[a-z0-9]{{1,{FRAGMENT_MAX}}}){{2,}}(?![{_TOKEN_CHAR}])"
)
_CUT_APART_BYTES = (
    rb"(?:^|[^a-z0-9\x00\x80-\xff])[a-z0-9]{1,%d}(?:[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]+"
    rb"[a-z0-9]{1,%d}){2,}(?:[^a-z0-9\x00\x80-\xff]|$)" % (FRAGMENT_MAX, FRAGMENT_MAX)
)

PREFILTERS = Prefilters(
    [
        ("cut_apart", _CUT_APART_BYTES, None),
        (
            SeparatorJoin.name,
            rb"(?:^|[^a-z0-9\x80-\xff])"
            + _SINGLE
            + _GAP_BYTES
            + _SINGLE
            + _GAP_BYTES
            + _SINGLE
            + rb"(?:[^a-z0-9\x80-\xff]|$)",
            None,
        ),
        (Leetspeak.name, _LEET_PREFILTER, None),
        (Leetspeak.name, _LEET_SHORT_PREFILTER, _number_with_unit),
    ]
)

SPACING_TABLE = bytes(i if (i >= 0x80 or i == 0 or chr(i).isalnum()) else 0x20 for i in range(256))
# Non-word characters: ASCII other than letters, digits and NUL (all else is part of a word).
# Written as the ASCII ranges themselves: a small positive class is a fast bitmap test.
_NON_WORD_CLASS = r"\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f"
_NON_WORD_NOT_SPACE = r"\x01-\x1f\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f"
_NON_WORD = re.compile(f"[{_NON_WORD_CLASS}]+")
#: A run of non-word characters other than one space: two or more, or one that is no space.
_NOT_ONE_SPACE = re.compile(f"[{_NON_WORD_CLASS}]{{2,}}|[{_NON_WORD_NOT_SPACE}]")


class Spacing(Transform):
    """Every run of non-word characters becomes one space; none at either end.

    Runs after `Fold`, when every non-word character left is ASCII, so the hot path is a
    bytes translate and split.
    """

    name = "spacing"

    def apply(self, s: str) -> str:
        return self.apply_bytes(s.encode("utf-8", "surrogatepass")).decode("utf-8", "surrogatepass")

    @staticmethod
    def apply_bytes(b: bytes) -> bytes:
        return b" ".join(Spacing.tokens(b))

    @staticmethod
    def tokens(b: bytes) -> list[bytes]:
        """The words of UTF-8 text `b` (folded), split at every run of non-word characters."""
        return b.translate(SPACING_TABLE).split()

    def edits(self, s: str) -> Iterator[Edit]:
        # A lone space between words is already what the key has: only other runs (and a
        # lone space at either end) are edits, so ordinary prose costs a few, not one a word.
        if s[:1] == " " and s[1:2] != " ":
            yield Edit(0, 1, "", 0)
        for match in _NOT_ONE_SPACE.finditer(s):
            at_edge = match.start() == 0 or match.end() == len(s)
            yield Edit(match.start(), match.end(), "" if at_edge else " ", 0)
        if len(s) > 1 and s[-1] == " " and s[-2] != " ":
            yield Edit(len(s) - 1, len(s), "", 0)


#: The pipeline, in application order.
PIPELINE: tuple[Transform, ...] = (
    Fold(),
    LookalikeFold(),
    TitleParts(),
    Case(),
    Contractions(),
    SymbolLetters(),
    Leetspeak(),  # first, so leet symbols are read as letters, not as separators ("d!e")
    SeparatorJoin(),
    Leetspeak(),  # again, on the words the separators joined ("v.4.p.3")
    LookalikeFold(),  # again: joining letters or symbols can make a new mixed-script word
    Spacing(),
)

#: The pipeline reading "@" as c instead of a (SpamAssassin's "@bd oil"); the matcher runs it
#: too on the rare listings with an "@".
PIPELINE_AT_AS_C: tuple[Transform, ...] = tuple(
    Leetspeak(at="c") if isinstance(transform, Leetspeak) else transform for transform in PIPELINE
)


def replay(s: str, edits: Iterable[Edit]) -> str:
    """Apply `edits` to `s` (reference implementation used by tests and tracking)."""
    out: list[str] = []
    pos = 0
    for edit in edits:
        out.append(s[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(s[pos:])
    return "".join(out)

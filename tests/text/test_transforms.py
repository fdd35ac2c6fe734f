"""Each transform, as a table of cases; and the contract between its two faces."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.text.transforms import (
    PIPELINE,
    PIPELINE_AT_AS_C,
    Case,
    Contractions,
    Fold,
    Leetspeak,
    LookalikeFold,
    SeparatorJoin,
    Spacing,
    SymbolLetters,
    replay,
)

# Text made of the characters the transforms care about, so properties explore them.
INTERESTING = st.text(
    alphabet=st.sampled_from(
        [
            *"abcdeilopsvxyzAEIOV0134579@$!|+._-*/~ ,;'\n",
            "\u200b",
            "\u00ad",
            "\u202e",
            "а",
            "е",
            "о",
            "р",
            "с",
            "я",
            "ｖ",
            "𝐯",
            "ⓥ",
            "é",
            "\u0301",
            "™",
            "·",
            "–",
            "’",
            "ﬁ",
            "\x00",
            "ᏸ",
            "İ",
            "ß",
        ]
    ),
    max_size=60,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VAPE", "VAPE"),  # ASCII untouched: case is a later transform
        ("ＶＡＰＥ", "VAPE"),
        ("𝐯𝐚𝐩𝐞", "vape"),
        ("ⓥⓐⓟⓔ", "vape"),
        ("v\u200ba\u200cp\u200de\ufeff", "vape"),
        ("v\u00ada\u202epe", "vape"),
        ("café", "cafe"),
        ("ﬁsh", "fish"),
        ("Brand™", "Brand "),
        ("Россия", "Россия"),
        ("§ale", "sale"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert Fold().apply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vаре", "vape"),  # mixed Latin + Cyrillic: folded
        ("ѵаре kit", "vape kit"),  # whole word of look-alikes in Latin text: folded
        ("россия сор", "россия сор"),  # genuine Russian (я, и): left alone
        ("αλφα", "αλφα"),  # genuine Greek
        ("plain ascii", "plain ascii"),
        ("ВАТ", "BAT"),  # Cyrillic capitals imitating Latin ones
        ("vɑpe", "vape"),  # a Latin-script look-alike (ɑ)
    ],
)
def test_lookalike_fold(text: str, expected: str) -> None:
    """Look-alikes are read in their own case: 'В' imitates 'B'; lowercase 'в' nothing."""
    assert LookalikeFold().apply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("who's here", "who here"),
        ("don't", "don"),
        ("o'neill", "o'neill"),
        ("i'd c", "i c"),
    ],
)
def test_contractions(text: str, expected: str) -> None:
    assert Contractions().apply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v.a.p.e", "vape"),
        ("v a p e", "vape"),
        ("v-a-p-e", "vape"),
        ("v_a_p_e", "vape"),
        ("v*a*p*e", "vape"),
        ("v/a/p/e", "vape"),
        ("v ~ a ~ p ~ e", "vape"),
        ("e - c i g", "e - cig"),
        ("buy a v.a.p.e", "buy a vape"),  # the article stays a word
        ("i d.c", "i dc"),
        ("ab cd ef", "ab cd ef"),  # not single letters
        ("4 pack", "4 pack"),
    ],
)
def test_separator_join(text: str, expected: str) -> None:
    assert SeparatorJoin().apply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v4pe", "vape"),
        ("v4p3", "vape"),
        ("h3r01n", "hero1n"),  # ambiguous 1 kept for the matcher to read as i or l
        ("v!agra", "v1agra"),
        ("$pice", "spice"),
        ("c0ca1ne", "coca1ne"),
        ("5ilden4fil", "sildenafil"),
        ("vap3", "vape"),
        ("bow$", "bows"),
        ("great!", "great!"),  # trailing punctuation is not a letter
        ("4 pack", "4 pack"),  # numbers stay numbers
        ("12v", "12v"),
        ("500mg", "500mg"),
        ("10th", "10th"),
        ("mp3", "mp3"),
        ("ps4", "ps4"),
        ("4x13", "4x13"),
        ("d!e", "d1e"),  # a symbol among letters is a letter, even with one letter left
        ("$e+", "set"),
        ("r|9", "r1g"),
        ("kn?fe", "knife"),
        ("!d card", "1d card"),  # one leading ! is an i
        ("!!!sale!!!", "!!!sale!!!"),  # several are emphasis
        ("what? now", "what? now"),
        ("v|a|p|e", "v|a|p|e"),  # single letters and one repeated symbol: separators
    ],
)
def test_leetspeak(text: str, expected: str) -> None:
    assert Leetspeak().apply(text) == expected


def test_at_sign_may_be_read_as_c() -> None:
    assert Leetspeak().apply("@bd v@pe") == "abd vape"
    assert Leetspeak(at="c").apply("@bd v@pe") == "cbd vcpe"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\/ape", "vape"),
        ("><anax", "xanax"),
        ("|\\/|eth", "meth"),
        ("c\\/\\/", "cvv"),  # a run of drawn letters
        ("a \\/ b", "a \\/ b"),  # touching no word: punctuation
        ("5 >< 3", "5 >< 3"),
    ],
)
def test_symbol_letters(text: str, expected: str) -> None:
    assert SymbolLetters().apply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a, b!  c", "a b c"),
        ("  lead", "lead"),
        ("x_y", "x y"),
        ("a\x00b", "a\x00b"),
    ],
)
def test_spacing(text: str, expected: str) -> None:
    assert Spacing().apply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("VaPe", "vape"), ("STRASSE Straße", "strasse strasse")]
)
def test_case(text: str, expected: str) -> None:
    assert Case().apply(text) == expected


@pytest.mark.parametrize(
    "transform",
    [*PIPELINE, *(t for t in PIPELINE_AT_AS_C if t not in PIPELINE)],  # + leet with @ as c
    ids=lambda t: t.name,
)
@given(text=INTERESTING)
@settings(max_examples=300, deadline=None)
def test_edits_replay_to_apply(transform: object, text: str) -> None:
    """The hot path and the offset-tracking path of every transform give the same text."""
    assert replay(text, transform.edits(text)) == transform.apply(text)  # type: ignore[attr-defined]


@pytest.mark.parametrize("transform", PIPELINE, ids=lambda t: t.name)
@given(text=st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_edits_replay_to_apply_on_any_unicode(transform: object, text: str) -> None:
    assert replay(text, transform.edits(text)) == transform.apply(text)  # type: ignore[attr-defined]

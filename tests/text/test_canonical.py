"""The canonical key and its offset map: tables and Hypothesis properties."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contraband.text import Flag, key, track
from tests.text.test_transforms import INTERESTING

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u200e"]
LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Buy V.A.P.E now!", " buy vape now "),
        ("ｅ－ｃｉｇ", " e cig "),
        ("h3r01n", " hero1n "),
        ("12V 4 pack, 500mg", " 12v 4 pack 500mg "),
        ("", "  "),
    ],
)
def test_key(text: str, expected: str) -> None:
    assert key(text) == expected


def test_track_maps_back_to_the_original() -> None:
    text = "Buy v\u200b4p3 now"
    canonical = track(text)
    start = canonical.key.index("vape")
    assert canonical.original_span(start, start + 4) == (4, 9)
    flags = canonical.span_flags(start, start + 4)
    assert flags & Flag.INVISIBLE and flags & Flag.LEET


@given(text=INTERESTING)
@settings(max_examples=400, deadline=None)
def test_key_is_idempotent(text: str) -> None:
    assert key(key(text)) == key(text)


@given(text=st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_random_unicode_never_crashes_and_tracks(text: str) -> None:
    canonical = track(text)
    assert canonical.key == key(text)
    assert len(canonical.starts) == len(canonical.key)


@given(text=INTERESTING)
@settings(max_examples=400, deadline=None)
def test_offsets_are_monotone_and_inside_the_original(text: str) -> None:
    canonical = track(text)
    starts, ends = canonical.starts, canonical.ends
    assert all(0 <= s <= e <= len(text) for s, e in zip(starts, ends, strict=True))
    assert list(starts) == sorted(starts)
    assert list(ends) == sorted(ends)


WORDS = st.sampled_from(["vape", "cocaine", "sildenafil", "heroin", "laser pointer"])


@given(word=WORDS, data=st.data())
@settings(max_examples=200, deadline=None)
def test_invisible_characters_never_change_the_key(word: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(word)))
    mark = data.draw(st.sampled_from(INVISIBLES))
    assert key(word[:position] + mark + word[position:]) == key(word)


@given(word=WORDS, data=st.data())
@settings(max_examples=200, deadline=None)
def test_lookalikes_inside_a_latin_word_never_change_the_key(
    word: str, data: st.DataObject
) -> None:
    positions = [i for i, c in enumerate(word) if c in LOOKALIKES]
    assume(positions)
    chosen = data.draw(st.lists(st.sampled_from(positions), min_size=1, unique=True))
    disguised = "".join(LOOKALIKES[c] if i in chosen else c for i, c in enumerate(word))
    assert key("buy " + disguised) == key("buy " + word)

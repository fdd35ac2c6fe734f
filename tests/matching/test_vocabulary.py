"""The vocabulary answers for every token of a buffer at once, exactly for tokens it knows."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.matching.vocabulary import EXACT_UP_TO, Vocabulary

KNOWN = [b"a", b"the", b"vape", b"eightchr", b"ninechars", b"exactlysixteen16", b"\x00"]


def _unknown(vocabulary: Vocabulary, tokens: list[bytes]) -> list[bytes]:
    buffer = b" " + b" ".join(tokens) + b" "
    starts, ends, hashes = vocabulary.tokens(np.frombuffer(buffer, np.uint8))
    assert [buffer[s:e] for s, e in zip(starts, ends, strict=True)] == tokens
    return [tokens[i] for i in vocabulary.unknown(hashes)]


@pytest.mark.parametrize(
    ("token", "known"),
    [
        (b"the", True),
        (b"th", False),  # a prefix of a known word
        (b"thee", False),
        (b"eightchr", True),
        (b"eightchs", False),
        (b"ninechars", True),
        (b"ninechar5", False),  # differs only in the last byte
        (b"xinechars", False),  # differs only in the first byte
        (b"exactlysixteen16", True),
        (b"exactlysixteen17", False),
        (b"exactlyseventeen", False),
        (b"\x00", True),
    ],
)
def test_known_tokens_and_near_misses(token: bytes, known: bool) -> None:
    vocabulary = Vocabulary(KNOWN)
    assert _unknown(vocabulary, [b"a", token, b"the"]) == ([] if known else [token])


def test_long_tokens_are_always_unknown_and_never_learned() -> None:
    long = b"x" * (EXACT_UP_TO + 1)
    vocabulary = Vocabulary([*KNOWN, long])
    buffer = b" " + long + b" "
    _, _, hashes = vocabulary.tokens(np.frombuffer(buffer, np.uint8))
    vocabulary.learn(hashes)
    assert _unknown(vocabulary, [long]) == [long]


def test_learned_tokens_become_known() -> None:
    vocabulary = Vocabulary(KNOWN)
    buffer = b" zorblax 4000 "
    _, _, hashes = vocabulary.tokens(np.frombuffer(buffer, np.uint8))
    vocabulary.learn(hashes[:1])
    assert _unknown(vocabulary, [b"zorblax", b"4000"]) == [b"4000"]


TOKEN = st.binary(min_size=1, max_size=24).filter(lambda b: b" " not in b)


@given(known=st.lists(TOKEN, max_size=30), asked=st.lists(TOKEN, min_size=1, max_size=30))
@settings(max_examples=200, deadline=None)
def test_unknown_is_exactly_the_tokens_not_known(known: list[bytes], asked: list[bytes]) -> None:
    vocabulary = Vocabulary(known)
    short_known = {t for t in known if len(t) <= EXACT_UP_TO}
    assert _unknown(vocabulary, asked) == [t for t in asked if t not in short_known]

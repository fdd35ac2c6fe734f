"""Keys made in a batch are the keys made one by one, byte for byte."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.text import cut_apart, key_bytes, read_key
from contraband.text.batch import read_keys
from tests.text.test_transforms import INTERESTING

CASES = [
    "",
    "   ",
    "Vape pen, 2 pcs",
    "v.4.p.3 kit",  # separators, then leetspeak
    "k-et-am-in-e",  # a word cut apart
    "ｖａｐｅ and vаpе",  # fullwidth, look-alikes
    "Кирилица текст",  # genuine Cyrillic stays
    "\n\x00\nfield two\n\x00\n",  # the matcher's field joiner
    "I'd say... it's great!",
    "a" * 3000,
    "x|y|z S|M|L",
]


def _check(texts: list[str]) -> None:
    batch = read_keys(texts)
    assert len(batch) == len(texts)
    for i, text in enumerate(texts):
        assert batch.key(i) == key_bytes(text), (i, text)
        assert (i in batch.cut_apart) == bool(cut_apart(read_key(text)[2])), (i, text)
        start, end = batch.starts[i], batch.ends[i]
        if end > start:
            assert batch.text_at(start) == i and batch.text_at(end - 1) == i


def test_batch_keys_equal_single_keys() -> None:
    _check(CASES)
    _check(list(reversed(CASES)))


def test_empty_batch() -> None:
    assert len(read_keys([])) == 0


def test_a_text_holding_the_break_is_refused() -> None:
    with pytest.raises(ValueError, match="two NULs"):
        read_keys(["a\x00\x00b", "c"])


@given(texts=st.lists(st.one_of(INTERESTING, st.text(max_size=60)), min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_batch_keys_equal_single_keys_on_any_text(texts: list[str]) -> None:
    texts = [t.replace("\x00", " ") for t in texts]  # a NUL run would be a break
    _check(texts)

"""`find_many` says exactly what `find` says, listing by listing, and learns as it goes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.matching import Matcher, TermIndex
from tests.matching.test_matcher import FOUND, INNOCENT
from tests.text.test_transforms import INTERESTING

Fields = list[tuple[str, str]]


def _listings(texts: list[str]) -> list[Fields]:
    return [[("title", t), ("description", f"about {t} here"), ("keywords", "")] for t in texts]


def _same(index: TermIndex, listings: list[Fields]) -> None:
    one, many = Matcher(index), Matcher(index)
    assert many.find_many(listings) == [one.find(fields) for fields in listings]


def test_the_table_cases_read_the_same_in_a_batch(index: TermIndex) -> None:
    texts = [written for written, *_ in FOUND] + list(INNOCENT)
    _same(index, _listings(texts))
    _same(index, _listings(texts * 3))  # tokens learned in one batch serve the next


def test_a_batch_learns_inert_tokens_without_losing_live_ones(index: TermIndex) -> None:
    matcher = Matcher(index)
    first = _listings(["zorblax 4000 gadget", "her oin kit"] * 10)
    assert [bool(h) for h in matcher.find_many(first)] == [False, True] * 10
    again = _listings(["zorblax gadget", "nice her oin here", "cocaien"] * 10)
    assert [bool(h) for h in matcher.find_many(again)] == [False, True, True] * 10


WORDS = st.sampled_from(
    [
        "vape",
        "her",
        "oin",
        "co",
        "ca",
        "ine",
        "the",
        "and",
        "pen",
        "laser",
        "pointer",
        "k-et",
        "am-in-e",
        "h3r01n",
        "cociane",
        "hrn",
        "x@n@x",
        "mushrooms",
        "ice",
        "cream",
        "\u200b",
        "ｖａｐｅ",
        "a",
        "b",
        "c",
        "12",
        "zzq",
        "verylongwordthatisnothing",
        "sales@abd.com",
    ]
)
TEXT = st.one_of(
    st.lists(WORDS, max_size=8).map(" ".join),
    st.lists(WORDS, max_size=8).map("".join),
    INTERESTING,
)


@given(texts=st.lists(TEXT, min_size=8, max_size=40))
@settings(max_examples=150, deadline=None)
def test_find_many_equals_find_on_random_and_adversarial_listings(
    index: TermIndex, texts: list[str]
) -> None:
    _same(index, _listings(texts))

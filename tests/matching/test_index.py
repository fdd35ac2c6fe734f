"""Building the index: term validation, tables, empty input."""

import pytest

from contraband.matching import Matcher, Term, TermError, TermIndex
from contraband.matching.index import _written_forms, allowed_edits, collapse, deletes


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no letters"), ("!!!", "no letters"), ("one two three four five", "at most 4")],
)
def test_unusable_terms_are_rejected_with_their_item(text: str, message: str) -> None:
    with pytest.raises(TermError, match=message) as error:
        TermIndex.build([Term(text, "item-x")], dictionary=frozenset())
    assert "item-x" in str(error.value)


def test_an_empty_index_matches_nothing() -> None:
    index = TermIndex.build([], dictionary=frozenset())
    assert Matcher(index).find([("title", "vape")]) == []


@pytest.mark.parametrize(
    ("word", "edits"), [("vape", 0), ("pills", 1), ("cocaine", 1), ("sildenafil", 2)]
)
def test_allowed_edits_grow_with_length(word: str, edits: int) -> None:
    assert allowed_edits(word) == edits


def test_deletes_and_collapse() -> None:
    assert deletes("abc", 1) == {"abc", "bc", "ac", "ab"}
    assert collapse("vaaappe") == "vape"


def test_same_term_for_two_items_reports_both() -> None:
    index = TermIndex.build(
        [Term("ice", "meth"), Term("ice", "frozen-goods")], dictionary=frozenset()
    )
    hits = Matcher(index).find([("title", "pure ice")])
    assert sorted(h.item_id for h in hits) == ["frozen-goods", "meth"]


@pytest.mark.parametrize(
    ("words", "forms"),
    [
        (("ar", "15"), {("ar1s",)}),  # "ar15" reads "ar1s" in a key
        (("5", "meo", "dmt"), {("smeo", "dmt"), ("smeodmt",), ("5", "meodmt")}),
        (("cesium", "137"), {("cesium1et",)}),
        (("9mm", "ammo"), {("gmmammo",)}),  # 9 before four letters reads as g
        (("vape", "pen"), set()),  # no digits: the run-together literal covers it
    ],
)
def test_terms_with_digits_are_also_searched_as_written_whole(
    words: tuple[str, ...], forms: set[tuple[str, ...]]
) -> None:
    assert set(_written_forms(words)) == forms


@pytest.mark.parametrize(
    ("term", "ambiguous", "ordinary"),
    [
        (Term("30s", "oxy"), True, False),  # a number in the plural: a decade, a size
        (Term("420", "cannabis"), True, False),
        (Term("helix", "cannabis"), False, True),  # a word of a language
        (Term("helix", "cannabis", ambiguous=False), False, False),  # the pack says: no other
    ],
)
def test_what_the_index_reads_a_term_as(term: Term, ambiguous: bool, ordinary: bool) -> None:
    index = TermIndex.build([term], dictionary=frozenset({"helix"}))
    assert (index.ambiguous[0], index.ordinary[0]) == (ambiguous, ordinary)


def test_ordinary_words_reach_rarer_long_words_but_not_rarer_short_ones() -> None:
    from contraband.matching.dictionary import ordinary_words

    words = ordinary_words()
    # British spellings and brands sellers write are no misspellings of a term...
    assert {"energise", "beanies", "sparkler"} <= words
    # ...but a rare short token may be a term written short ("ccn" for cocaine)
    assert "ccn" not in words

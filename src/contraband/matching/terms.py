"""Terms to find: phrases of one to four words, each belonging to an item."""

from __future__ import annotations

from dataclasses import dataclass, field

from contraband.errors import ContrabandError
from contraband.text import key


@dataclass(frozen=True, slots=True)
class Term:
    """A phrase that identifies an item, with the phrases that cancel an overlapping hit.

    `exceptions` are innocent phrases that contain or overlap the term ("mushrooms" for
    "shrooms", "ice cream" for "ice"): a hit inside an exception's span is dropped.
    """

    text: str
    item_id: str
    language: str = "en"
    exceptions: tuple[str, ...] = field(default=())
    #: The term has ordinary senses too; None: decided by the index (ordinary words only).
    ambiguous: bool | None = None
    #: Words that show a listing means the item (its context words): a phrase of everyday
    #: words with none of them, in an item that has them, names something else too.
    sense: tuple[str, ...] = field(default=())

    @property
    def words(self) -> tuple[str, ...]:
        """The canonical words of the term, as they appear in a matching key."""
        return tuple(key(self.text).split())


class TermError(ContrabandError):
    """A term that cannot be matched (empty once canonical, or too long). The policy loader
    runs the same check on every term and exception, so a pack that loads always builds."""

    code = "term_invalid"
    http_status = 422


MAX_TERM_WORDS = 4


def check_term(term: Term) -> tuple[str, ...]:
    """The term's canonical words, or TermError naming what is wrong."""
    words = term.words
    if not words:
        raise TermError(f"term {term.text!r} of item {term.item_id!r} has no letters or digits")
    if len(words) > MAX_TERM_WORDS:
        raise TermError(
            f"term {term.text!r} of item {term.item_id!r} has {len(words)} words; "
            f"at most {MAX_TERM_WORDS} are allowed"
        )
    return words

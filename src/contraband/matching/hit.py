"""A hit: one occurrence of a term in a listing's text, with its evidence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Distortion(StrEnum):
    """How the seller wrote the term.

    - NONE: literally (case, accents and ligatures do not count);
    - TYPO: only a misspelling, or a number-like token read as letters ("dab r19"): either
      may be honest, so it goes to review, never to points;
    - DELIBERATE: invisible characters, mixed scripts, digits or symbols inside a word,
      separators between letters, stretched letters, styled letters or a split word.
    """

    NONE = "none"
    TYPO = "typo"
    DELIBERATE = "deliberate"


#: Characters of the field kept on each side of a hit, for a reader.
CONTEXT = 60


@dataclass(frozen=True, slots=True)
class Hit:
    """One term found in one field. `span` is [start, end) in the field's original text."""

    item_id: str
    term: str
    field: str
    span: tuple[int, int]
    text: str
    canonical: str
    transforms: tuple[str, ...]
    distortion: Distortion
    score: float
    edits: int = 0
    ambiguous: bool = False  # the term has ordinary senses too: context decides
    commonplace: bool = False  # and they are the likelier ones (`TermIndex.commonplace`)
    ordinary: bool = False  # the term is made of dictionary words (`TermIndex.ordinary`)
    before: str = ""  # the field text just before `span` (up to `CONTEXT` characters)
    after: str = ""  # and just after it: the evidence reads in its own words

    def as_dict(self) -> dict[str, object]:
        return {
            "item_id": self.item_id,
            "term": self.term,
            "field": self.field,
            "span": list(self.span),
            "text": self.text,
            "canonical": self.canonical,
            "transforms": list(self.transforms),
            "distortion": self.distortion.value,
            "score": self.score,
        }

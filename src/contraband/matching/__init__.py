"""Term matching: an index compiled once from terms, and a matcher that finds them with evidence."""

from contraband.matching.hit import Distortion, Hit
from contraband.matching.index import TermIndex
from contraband.matching.matcher import Matcher
from contraband.matching.terms import Term, TermError

__all__ = ["Distortion", "Hit", "Matcher", "Term", "TermError", "TermIndex"]

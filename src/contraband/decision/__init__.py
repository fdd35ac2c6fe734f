"""Decisions: from the terms found in a listing to a verdict, by the policy pack's rules.

The verdict itself is the contract in `contraband.verdict`; this package only builds it.
"""

from contraband.decision.certificates import (
    NO_CERTIFICATES,
    Certificate,
    CertificateBook,
    InMemoryCertificates,
)
from contraband.decision.engine import CategoryPrediction, ItemPrediction, decide, item_words

__all__ = [
    "NO_CERTIFICATES",
    "CategoryPrediction",
    "Certificate",
    "CertificateBook",
    "InMemoryCertificates",
    "ItemPrediction",
    "decide",
    "item_words",
]

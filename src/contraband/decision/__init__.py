"""Decisions: from the terms found in a listing to a verdict, by the policy pack's rules."""

from contraband.decision.certificates import (
    NO_CERTIFICATES,
    Certificate,
    CertificateBook,
    InMemoryCertificates,
)
from contraband.decision.engine import CategoryPrediction, decide
from contraband.decision.verdict import Action, Finding, FindingKind, Verdict, error_verdict

__all__ = [
    "NO_CERTIFICATES",
    "Action",
    "CategoryPrediction",
    "Certificate",
    "CertificateBook",
    "Finding",
    "FindingKind",
    "InMemoryCertificates",
    "Verdict",
    "decide",
    "error_verdict",
]

"""The penalty ledger: points, sanctions, appeals and certificates, by the pack's rules."""

from contraband.ledger.recording import RecordSummary
from contraband.ledger.rules import Charge, Offence, SanctionEvent, SanctionKind, replay
from contraband.ledger.service import Ledger
from contraband.ledger.views import SellerView

__all__ = [
    "Charge",
    "Ledger",
    "Offence",
    "RecordSummary",
    "SanctionEvent",
    "SanctionKind",
    "SellerView",
    "replay",
]

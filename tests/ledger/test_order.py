"""Any split and order of the same verdicts, recorded at one instant, gives the same standing:
the order of infringements at one time comes from the facts (their ids), not from files."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.ledger import Ledger
from contraband.ledger.memory import MemoryStore
from contraband.policy import load_pack
from contraband.verdict import Verdict
from tests.conftest import DEFAULT_PACK
from tests.ledger.helpers import START, verdict

PACK = load_pack(DEFAULT_PACK)
KINDS = [
    ("prohibited_item", "prescription-drugs", 6.0),
    ("prohibited_item", "cocaine", 48.0),
    ("keyword_distortion", "e-cigarettes", 1.0),
    ("controlled_item", "fireworks", 0.5),
    ("prohibited_item", "stun-guns", 2.0),
]

verdict_sets = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, len(KINDS) - 1)), min_size=1, max_size=25
).map(
    lambda rows: [
        verdict(f"L{i}", f"S{seller}", KINDS[k][2], KINDS[k][0], KINDS[k][1])
        for i, (seller, k) in enumerate(rows)
    ]
)


def _standing(parts: list[list[Verdict]]) -> dict[str, object]:
    at = START + dt.timedelta(hours=3)
    with Ledger(MemoryStore(), PACK) as ledger:
        for part in parts:
            ledger.record(part, START)
        sellers = sorted({v.seller_id for part in parts for v in part})
        views = {s: ledger.seller(s, at) for s in sellers}
    return {
        seller: (
            view.active_points,
            sorted((e.listing_id, e.rule, e.points) for e in view.entries),
            sorted((s.kind, s.threshold, s.start, s.end) for s in view.sanctions),
        )
        for seller, view in views.items()
    }


@settings(max_examples=60, deadline=None)
@given(verdicts=verdict_sets, data=st.data())
def test_any_split_and_order_gives_the_same_standing(
    verdicts: list[Verdict], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(verdicts))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(verdicts)), max_size=3)))
    parts = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(verdicts)], strict=True)]
    assert _standing(parts) == _standing([verdicts])

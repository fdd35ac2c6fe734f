"""Incremental rescans: which of a previous run's verdicts still hold, and why the rest do not.

A verdict depends on the listing's content, on the terms found in it (the whole term index),
on the rules of the items found (their grade, certificate, categories; their measures and
those measures' states on the day), and on the pack's rules, country groups and categories.
A previous verdict is carried forward when the listing's content hash is the same and none
of what it depends on changed; everything else is screened again. Rescans record, beside each
verdict, the items the matcher found (`matched_items`), even those that gave no finding (a
drone where no drone measure applied yet): a new measure on drones must reach them.

What the plan cannot see, it does not carry: a changed term index (terms, exceptions,
namesakes, context words), or another category or item model, re-screens every listing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from contraband.matching.cache import index_key
from contraband.policy import PolicyPack
from contraband.policy.diff import Change, diff_packs
from contraband.screening import pack_terms


@dataclass(frozen=True, slots=True)
class CarryPlan:
    """Which previous verdicts carry forward to a rescan under a pack on a day: one of the
    same record, with no error, carries unless `everything`, or something was found in it
    and `matched`, or one of `items` was found in it (the rescan's Spark condition)."""

    everything: bool  # the term index changed: nothing carries
    matched: bool  # a pack-wide rule changed: every listing where something was found
    items: frozenset[str]  # listings where one of these was found are screened again
    reasons: tuple[str, ...]


def carry_plan(
    old: PolicyPack,
    new: PolicyPack,
    old_days: Iterable[dt.date],
    new_day: dt.date,
    models_changed: bool = False,
) -> CarryPlan:
    """The plan for a rescan under `new` on `new_day` of verdicts made under `old` on
    `old_days` (the distinct days of the previous run); `models_changed`: the category or
    item model is not the one the previous run screened with (or either run had one the
    other had not)."""
    changes = diff_packs(old, new).changes
    if _terms_may_differ(changes) and index_key(pack_terms(old)) != index_key(pack_terms(new)):
        return CarryPlan(True, True, frozenset(), ("the terms changed: every listing",))
    if models_changed:  # a model reads every listing, term or none
        return CarryPlan(True, True, frozenset(), ("the models changed: every listing",))
    reasons: list[str] = []
    items: set[str] = set()
    matched = False
    for change in changes:
        if change.section == "item":  # its terms are the index's: here its rules, its name
            items.add(change.id)
            reasons.append(change.words())
        elif change.section == "measure":
            items.update(_measure_items(old, change.id) | _measure_items(new, change.id))
            reasons.append(change.words())
        elif change.section in ("rules", "pack") and change.id != "name":
            matched = True
            reasons.append(change.words())
    days = sorted(set(old_days))
    for measure in new.measures:
        states = {measure.state_on(day) for day in days}
        if states and states != {measure.state_on(new_day)}:
            items.update(measure.items)
            reasons.append(f"measure {measure.id} is {measure.state_on(new_day).value} now")
    return CarryPlan(False, matched, frozenset(items), tuple(reasons))


def _terms_may_differ(changes: Iterable[Change]) -> bool:
    """The term index is made from the items and the pack's namesakes and context words
    (`pack_terms`): with none of them changed it is the same, and a pack of thousands of
    terms need not be read twice to say so."""
    return any(c.section == "item" or c.section == "pack" for c in changes)


def _measure_items(pack: PolicyPack, measure_id: str) -> set[str]:
    return {i for m in pack.measures if m.id == measure_id for i in m.items}

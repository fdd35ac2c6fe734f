"""The messages the ledger leaves in the outbox for a seller, and when it leaves them.

Texts are templates (`string.Template`, filled from the facts), kept here in one table so
wording changes in one place and translations can replace the table. Whether a sanction
notifies is the pack's word: its ladder step's `notify`, and only from `notify_at_points`.
"""

from __future__ import annotations

import datetime as dt
from string import Template

from contraband.ledger.model import Notification
from contraband.ledger.rules import SanctionEvent, SanctionKind
from contraband.policy import Rules

TEMPLATES = {
    "sanction_subject": Template("Penalty points: $what"),
    "sanction_body": Template(
        "Your active penalty points reached $threshold, which brings $what.$extra "
        "You may appeal an infringement within $appeal_days days of it."
    ),
    "lifted_subject": Template("Your $kind has been lifted"),
    "lifted_body": Template("The $kind of $start was lifted on $day: $cause.$restored"),
    "appeal_subject": Template("Your appeal $appeal_id was $status"),
    "appeal_body": Template("$reason"),
    "measure_subject": Template("A new rule affects your listing $listing_id from $effective"),
    "measure_body": Template(
        "$reason. From $effective your listing $listing_id will be hidden where the rule "
        "applies, and a listing that disguises the product will cost a penalty point. "
        "Until then nothing changes and no points are charged; a listing you edit or "
        "withdraw before that date costs nothing."
    ),
}

_WHAT = {
    SanctionKind.SEVERE_WARNING: "a severe warning",
    SanctionKind.RESTRICTION: "a restriction until $end (search results and storefront blocked)",
    SanctionKind.REMOVAL: "the removal of all products",
    SanctionKind.TERMINATION: "the termination of your membership",
}


def notifies(rules: Rules, kind: str, threshold: float) -> bool:
    """Does a sanction of `kind` at `threshold` send the seller a notice under `rules`?

    A sanction notifies when its ladder step says so and its threshold is at least
    `notify_at_points`; a termination by grade (not on the ladder) always notifies.
    """
    if threshold < rules.notify_at_points and kind != SanctionKind.TERMINATION:
        return False
    for step in rules.ladder:
        if step.sanction == kind and step.points == threshold:
            return step.notify
    return kind == SanctionKind.TERMINATION


def sanction_imposed(
    seller_id: str, sanction_id: str, event: SanctionEvent, rules: Rules, at: dt.datetime
) -> Notification:
    end = event.end.date().isoformat() if event.end else "further notice"
    what = Template(_WHAT[event.kind]).substitute(end=end)
    extra = (
        " All products are removed; no new listings or edits." if event.remove_all_products else ""
    )
    return Notification(
        f"sanction:{sanction_id}",
        seller_id,
        "email",
        TEMPLATES["sanction_subject"].substitute(what=what),
        TEMPLATES["sanction_body"].substitute(
            threshold=f"{event.threshold:g}",
            what=what,
            extra=extra,
            appeal_days=rules.appeal_days,
        ),
        at,
    )


def sanction_lifted(
    seller_id: str,
    sanction_id: str,
    kind: str,
    start: dt.datetime,
    products_restored: bool,
    cause: str,
    at: dt.datetime,
) -> Notification:
    name = kind.replace("_", " ")
    return Notification(
        f"lifted:{sanction_id}:{at.isoformat()}",
        seller_id,
        "email",
        TEMPLATES["lifted_subject"].substitute(kind=name),
        TEMPLATES["lifted_body"].substitute(
            kind=name,
            start=start.date().isoformat(),
            day=at.date().isoformat(),
            cause=cause,
            restored=" Your products are restored." if products_restored else "",
        ),
        at,
    )


def appeal_decided(
    seller_id: str, appeal_id: str, status: str, reason: str, at: dt.datetime
) -> Notification:
    return Notification(
        f"appeal:{appeal_id}",
        seller_id,
        "email",
        TEMPLATES["appeal_subject"].substitute(appeal_id=appeal_id, status=status),
        TEMPLATES["appeal_body"].substitute(reason=reason),
        at,
    )


def measure_announced(
    seller_id: str,
    listing_id: str,
    measure_id: str,
    content_hash: str,
    effective: str,
    reason: str,
    at: dt.datetime,
) -> Notification:
    """A seller's listing is affected by a measure announced but not yet in force: said once
    per measure, listing and content (recording it again sends nothing new)."""
    return Notification(
        f"measure:{measure_id}:{listing_id}:{content_hash}"[:200],
        seller_id,
        "email",
        TEMPLATES["measure_subject"].substitute(listing_id=listing_id, effective=effective),
        TEMPLATES["measure_body"].substitute(
            reason=reason.rstrip("."), listing_id=listing_id, effective=effective
        ),
        at,
    )

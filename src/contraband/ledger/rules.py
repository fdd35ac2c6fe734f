"""The penalty rules as one pure function: a seller's infringements in, charges and sanctions out.

Everything the ledger stores about points and sanctions is derived by `replay`, from the
seller's standing (not overturned) infringements in time order, so the ledger is always
exactly what the rules say: an appeal that overturns an infringement is a replay without it
("as if it had never been charged"); recording the same verdict twice changes nothing.

The rules, all numbers from the pack (`Rules`):

- each infringement proposes its points (grade, circumvention, measure or controlled);
- the first controlled-item violation costs `controlled_first_violation_points` (0);
- no points accrue while an account penalty (a restriction, or termination) is running;
- a cap window opens at the first charge and lasts `daily_cap_hours` (24): at most
  `daily_cap_points` (12) are charged in it, except a charge of `daily_cap_exempt_at` (48);
- every charge counts for `record_days` (365) from its infringement's time, rolling, per entry;
- each ladder step fires once when the active total crosses its threshold upwards; a charge
  that crosses several thresholds at once brings the gravest of them only;
- an infringement of the `termination_grade` (A+: "48 points and immediate closure") closes
  the account whatever the points: even while a restriction runs, when it is charged 0.

Infringements at the same instant are taken in the order of their ids, which are derived
from the facts (listing, content, rule): any split or order of the same verdicts gives the
same ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from contraband.policy import LadderStep, Rules


class SanctionKind(StrEnum):
    SEVERE_WARNING = "severe_warning"
    RESTRICTION = "restriction"
    REMOVAL = "removal"
    TERMINATION = "termination"


@dataclass(frozen=True, slots=True)
class Offence:
    """A standing infringement, as the rules see it."""

    infringement_id: str
    at: dt.datetime
    points: float
    controlled: bool = False
    terminates: bool = False  # of the termination grade: the account closes whatever the points


@dataclass(frozen=True, slots=True)
class Charge:
    infringement_id: str
    at: dt.datetime
    proposed: float
    points: float
    expires_at: dt.datetime
    reason: str


@dataclass(frozen=True, slots=True)
class SanctionEvent:
    kind: SanctionKind
    threshold: float
    start: dt.datetime
    end: dt.datetime | None
    remove_all_products: bool
    trigger: str  # the infringement whose charge crossed the threshold


def replay(offences: list[Offence], rules: Rules) -> tuple[list[Charge], list[SanctionEvent]]:
    """Charges and sanctions that `offences` produce under `rules` (deterministic)."""
    charges: list[Charge] = []
    sanctions: list[SanctionEvent] = []
    window_start: dt.datetime | None = None
    window_used = 0.0
    controlled_seen = 0
    record = dt.timedelta(days=rules.record_days)
    cap_span = dt.timedelta(hours=rules.daily_cap_hours)
    for offence in sorted(offences, key=lambda o: (o.at, o.infringement_id)):
        at = offence.at
        proposed = offence.points
        reason = ""
        if offence.controlled:
            if controlled_seen == 0:
                proposed = rules.controlled_first_violation_points
                reason = "first controlled-item violation"
            controlled_seen += 1
        penalty = _running_penalty(sanctions, at)
        if penalty is not None:
            points, reason = 0.0, f"no points accrue while the account {penalty} runs"
        elif proposed >= rules.daily_cap_exempt_at:
            points = proposed  # "unless 48 are issued"
        elif proposed > 0:
            if window_start is None or at >= window_start + cap_span:
                window_start, window_used = at, 0.0
            points = max(0.0, min(proposed, rules.daily_cap_points - window_used))
            window_used += points
            if points < proposed:
                reason = (
                    f"daily cap: at most {rules.daily_cap_points:g} points in the "
                    f"{rules.daily_cap_hours} h after {window_start.isoformat()}"
                )
        else:
            points = 0.0
        before = active_points(charges, at)
        charges.append(
            Charge(offence.infringement_id, at, offence.points, points, at + record, reason)
        )
        after = before + points
        crossed = [step for step in rules.ladder if before < step.points <= after]
        if offence.terminates and not _terminated(sanctions):
            sanctions.append(_termination(rules, at, offence.infringement_id))
        elif crossed:  # a charge that crosses several thresholds brings the gravest step only
            sanctions.append(_sanction(crossed[-1], at, offence.infringement_id))
    return charges, sanctions


def active_points(charges: list[Charge], at: dt.datetime) -> float:
    """Points on record at `at`: every charge counts from its time for the record period."""
    return sum(c.points for c in charges if c.at <= at < c.expires_at)


def _running_penalty(sanctions: list[SanctionEvent], at: dt.datetime) -> str | None:
    for sanction in sanctions:
        if sanction.kind == SanctionKind.TERMINATION and sanction.start <= at:
            return "termination"
        if (
            sanction.kind == SanctionKind.RESTRICTION
            and sanction.start <= at
            and sanction.end is not None
            and at < sanction.end
        ):
            return "restriction"
    return None


def _terminated(sanctions: list[SanctionEvent]) -> bool:
    return any(s.kind == SanctionKind.TERMINATION for s in sanctions)


def _termination(rules: Rules, at: dt.datetime, trigger: str) -> SanctionEvent:
    """The account closed by an infringement of the termination grade: the ladder's
    termination step, or a plain one if the ladder has none."""
    for step in rules.ladder:
        if step.sanction == SanctionKind.TERMINATION:
            return _sanction(step, at, trigger)
    return SanctionEvent(SanctionKind.TERMINATION, 0.0, at, None, True, trigger)


def _sanction(step: LadderStep, at: dt.datetime, trigger: str) -> SanctionEvent:
    kind = SanctionKind(step.sanction)
    end = at + dt.timedelta(days=step.days) if step.days else None
    if kind == SanctionKind.SEVERE_WARNING:
        end = at
    return SanctionEvent(kind, step.points, at, end, step.remove_all_products, trigger)

"""Decisions on the test pack: timing, country scope, each kind of finding, points."""

import datetime as dt
from typing import Any

import pytest

from contraband.decision import Certificate, InMemoryCertificates, decide
from contraband.listing import parse_listing
from contraband.matching import Distortion, Hit
from contraband.policy import PolicyPack
from contraband.screening import Screener
from contraband.verdict import Action, to_builtins

D = dt.date


def verdict(screener: Screener, day: dt.date, title: str, **fields: Any) -> Any:
    row = {"id": "L1", "seller_id": "S1", "title": title, **fields}
    return screener.screen(parse_listing(row), day)


def kinds(v: Any) -> list[tuple[str, str | None, str]]:
    return [(f.kind.value, f.measure_id, f.action.value) for f in v.findings]


# (date, title, countries, category, action, blocked, points, circumvention)
CASES = [
    # country measure timing
    (D(2019, 12, 1), "Vape kit", ["US", "DE"], "", Action.ALLOW, (), 0, False),  # draft
    (D(2020, 1, 15), "Vape kit", ["US", "DE"], "", Action.ALLOW, (), 0, False),  # announced
    (D(2020, 3, 1), "Vape kit", ["US", "DE"], "", Action.RESTRICT, ("US",), 0, False),
    # country scope
    (D(2020, 3, 1), "Vape kit", ["DE", "FR"], "", Action.ALLOW, (), 0, False),
    (D(2020, 3, 1), "Vape kit", ["US"], "", Action.REMOVE, ("US",), 0, False),
    (D(2020, 3, 1), "Vape kit", ["AE", "DE"], "", Action.RESTRICT, ("AE",), 0, False),  # group
    (D(2020, 3, 1), "Vape kit", [], "", Action.RESTRICT, ("AE", "QA", "SA", "US"), 0, False),
    (D(2022, 5, 2), "Vape kit", ["DE"], "", Action.REMOVE, ("DE",), 6, False),  # ALL + points
    # circumvention by keyword distortion
    (D(2020, 3, 1), "V4pe kit", ["US", "DE"], "", Action.REMOVE, ("US",), 1, True),
    (D(2020, 3, 1), "v\u200bape kit", ["US"], "", Action.REMOVE, ("US",), 1, True),
    (D(2020, 3, 1), "V4pe kit", ["DE"], "", Action.ALLOW, (), 0, False),  # nothing to evade
    # circumvention by misplaced category (special-control category)
    (
        D(2020, 3, 1),
        "Vape kit",
        ["DE"],
        "Consumer Electronics > Chargers",
        Action.REMOVE,
        (),
        1,
        True,
    ),
    (
        D(2020, 3, 1),
        "Vape kit",
        ["DE"],
        "Consumer Electronics > Electronic Cigarettes",
        Action.ALLOW,
        (),
        0,
        False,
    ),
    # prohibited items
    (D(2020, 3, 1), "Cocaine 1g", [], "", Action.REMOVE, (), 48, False),
    (D(2020, 3, 1), "C0caine 1g", [], "", Action.REMOVE, (), 49, True),
    (D(2020, 3, 1), "Cocaien 1g", [], "", Action.REVIEW, (), 0, False),  # typo: review only
    # controlled items
    (
        D(2020, 3, 1),
        "Fireworks cake",
        [],
        "Gifts & Crafts > Fireworks",
        Action.REVIEW,
        (),
        0.5,
        False,
    ),
    (D(2020, 3, 1), "Fireworks cake", [], "Home & Garden", Action.REMOVE, (), 1.5, True),
    # restrict measure (documents)
    (D(2020, 3, 1), "Laser pointer", ["AU", "US"], "", Action.RESTRICT, ("AU",), 0, False),
    # expiry
    (D(2017, 6, 1), "Drone kit", ["BB"], "", Action.REMOVE, ("BB",), 0, False),
    (D(2019, 6, 1), "Drone kit", ["BB"], "", Action.ALLOW, (), 0, False),
    # nothing
    (D(2020, 3, 1), "Cotton shirt", [], "Apparel", Action.ALLOW, (), 0, False),
]


@pytest.mark.parametrize(
    ("day", "title", "countries", "category", "action", "blocked", "points", "circumvention"),
    CASES,
)
def test_decisions(
    mini_screener: Screener,
    day: dt.date,
    title: str,
    countries: list[str],
    category: str,
    action: Action,
    blocked: tuple[str, ...],
    points: float,
    circumvention: bool,
) -> None:
    v = verdict(mini_screener, day, title, countries=countries, category=category)
    assert (v.action, v.blocked_countries, v.points, v.circumvention) == (
        action,
        blocked,
        points,
        circumvention,
    ), kinds(v)


def test_announced_measure_is_a_finding_without_action(mini_screener: Screener) -> None:
    v = verdict(mini_screener, D(2022, 4, 20), "Vape kit", countries=["DE"])
    assert ("country_measure", "VAPE-BAN", "allow") in kinds(v)
    announced = next(f for f in v.findings if f.measure_id == "VAPE-BAN")
    assert announced.effective == "2022-05-01" and announced.measure_state == "announced"


def test_certificates_lift_controls(mini_pack: PolicyPack) -> None:
    book = InMemoryCertificates(
        [
            Certificate("S1", "fireworks", (), D(2021, 1, 1)),
            Certificate("S1", "lasers", ("AU",), D(2021, 1, 1)),
        ]
    )
    screener = Screener(mini_pack, certificates=book)
    fireworks = verdict(
        screener, D(2020, 3, 1), "Fireworks cake", category="Gifts & Crafts > Fireworks"
    )
    assert fireworks.action == Action.ALLOW and fireworks.points == 0
    laser = verdict(screener, D(2020, 3, 1), "Laser pointer", countries=["AU", "US"])
    assert laser.action == Action.ALLOW
    expired = verdict(
        screener, D(2021, 6, 1), "Fireworks cake", category="Gifts & Crafts > Fireworks"
    )
    assert expired.action == Action.REVIEW


def test_evidence_is_in_the_listing_text(mini_screener: Screener) -> None:
    title = "Best v\u200b4pe kit"
    v = verdict(mini_screener, D(2020, 3, 1), title, countries=["US"])
    distortion = next(f for f in v.findings if f.kind.value == "keyword_distortion")
    assert distortion.field == "title"
    assert title[slice(*distortion.span)] == distortion.text == "v\u200b4pe"
    assert distortion.canonical == "vape"
    assert "invisible_removed" in distortion.transforms and "leetspeak" in distortion.transforms
    assert distortion.measure_id == "US-VAPE"
    data = to_builtins(v)
    assert data["policy_version"] == "mini-1" and data["content_hash"]
    assert set(data["findings"][0]) >= {
        "kind",
        "item_id",
        "measure_id",
        "field",
        "span",
        "text",
        "canonical",
        "transforms",
        "score",
    }


def test_content_hash_tracks_screened_fields_only(mini_screener: Screener) -> None:
    a = parse_listing({"id": "1", "title": "x", "updated_at": "2020-01-01"})
    b = parse_listing({"id": "1", "title": "x", "updated_at": "2021-01-01"})
    c = parse_listing({"id": "1", "title": "y"})
    assert a.content_hash() == b.content_hash() != c.content_hash()


def test_item_misplacement_without_measure_or_special_category_goes_to_review(
    mini_screener: Screener,
) -> None:
    """A laser pointer filed outside its category where no measure applies: review, 0 points."""
    v = verdict(
        mini_screener, D(2020, 3, 1), "Laser pointer", countries=["DE"], category="Home & Garden"
    )
    assert (v.action, v.points, v.circumvention) == (Action.REVIEW, 0, False)
    finding = v.findings[0]
    assert finding.kind.value == "misplaced_category"
    assert finding.category is not None
    assert finding.category.expected == ("Lights & Lighting > Laser Pointers",)


def test_designated_category_covers_its_descendants(mini_screener: Screener) -> None:
    v = verdict(
        mini_screener,
        D(2020, 3, 1),
        "Drone kit",
        countries=["DE"],
        category="Toys & Hobbies > Drones > Racing",
    )
    assert v.action == Action.ALLOW and v.findings == ()


@pytest.mark.parametrize(
    ("transforms", "said"),
    [
        (("misspelling",), "may be a misspelling of 'cocaine'"),
        (("digits_read_as_letters",), "or be a model number"),
    ],
)
def test_uncertain_hits_go_to_review_saying_why(
    mini_pack: PolicyPack, transforms: tuple[str, ...], said: str
) -> None:
    """A misspelling, or a number-like token read as letters, may be honest: review, no
    points, and the reason names the doubt."""
    hit = Hit(
        item_id="cocaine",
        term="cocaine",
        field="title",
        span=(0, 7),
        text="c0ca1n3",
        canonical="cocaine",
        transforms=transforms,
        distortion=Distortion.TYPO,
        score=0.7,
    )
    listing = parse_listing({"id": "L1", "seller_id": "S1", "title": "c0ca1n3 1g"})
    v = decide(listing, [hit], mini_pack, D(2020, 3, 1))
    assert (v.action, v.points, v.circumvention) == (Action.REVIEW, 0, False)
    assert said in v.findings[0].reason

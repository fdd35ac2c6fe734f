"""Sense before sanction: a term with ordinary senses too ("speed", "jelly beans") costs
points only where the listing's context agrees with the item; a namesake filed elsewhere is
allowed (the finding kept), anything unclear goes to review with no points."""

import datetime as dt

import pytest

from contraband.listing import parse_listing
from contraband.screening import Screener
from contraband.verdict import Action

DAY = dt.date(2020, 3, 1)

# (title, category, action, points, sense of the amphetamine finding)
CASES = [
    # everyday word, no sense of the item: a namesake where it is filed elsewhere
    ("Speed skipping rope for fitness", "Toys & Hobbies", Action.ALLOW, 0, "namesake"),
    ("Hot Wheels speed track set", "Toys & Hobbies", Action.ALLOW, 0, "namesake"),
    ("Jelly Beans gourmet candy 500 assorted", "Home & Garden", Action.ALLOW, 0, "namesake"),
    # no category to judge by: a reviewer decides, no points
    ("Speed", "", Action.REVIEW, 0, "unclear"),
    # a disguise with no word of the item's sense: review, never allowed, no points
    ("Sp33d racer kit", "Toys & Hobbies", Action.REVIEW, 0, "unclear"),
    # the context agrees: the rules apply in full
    ("Speed 10 grams pure", "Toys & Hobbies", Action.REMOVE, 49, "confirmed"),  # + misfiled
    ("Speed pills", "", Action.REMOVE, 48, "confirmed"),
    ("Bennies and cocaine", "", Action.REMOVE, 48, "unclear"),  # cocaine decides, not bennies
    ("Bennies", "Health & Medical > Medicines", Action.REMOVE, 48, "confirmed"),
    ("Sp33d powder", "", Action.REMOVE, 49, "confirmed"),  # disguised, in context: +1
    # one word of the sense in a listing filed elsewhere is as often a shop's word: review
    ("Speed cube with 200 grams weight", "Toys & Hobbies", Action.REVIEW, 0, "unclear"),
    ("Speed pure cotton 300 grams", "Apparel", Action.REMOVE, 49, "confirmed"),  # two: + misfiled
    # no category: a common word in a described listing is read in its common sense
    ("Moomins speed racer car toy, red", "", Action.ALLOW, 0, "namesake"),
    ("Speed 1 g", "", Action.REVIEW, 0, "unclear"),  # nothing else to go by
    # an honest styling of an everyday word is no disguise ("Spppeed" as a brand's spelling)
    ("Spppeed Racer die-cast car", "Toys & Hobbies", Action.ALLOW, 0, "namesake"),
    # the item's own name is never ambiguous
    ("Amphetamine", "Toys & Hobbies", Action.REMOVE, 49, None),
]


# (title, category, action, points, sense of the heroin finding): the pack's heroin item has
# the street names "blue jeans" and "tar pipe", neither marked, and the context `drugs`.
PHRASES = [
    # a street name that is a phrase of everyday words is ambiguous too
    ("Slim fit blue jeans for men", "Apparel", Action.ALLOW, 0, "namesake"),
    ("Blue jeans 3 grams pure", "", Action.REMOVE, 48, "confirmed"),
    # a phrase with a word of the item's sense (pipe: the pack's `drugs` words) names the item
    ("Tar pipe", "Apparel", Action.REMOVE, 48, None),
]


# (title, category, action, points, sense of the cannabis finding): "helix" and "chinos" are
# street names that are words of some marketplace language ("chinos": Spanish), too rare to
# be marked ambiguous; filed in another category, they need the context too.
WORDS = [
    # the listing says what it is filed as, with no word of the item's sense: a namesake
    ("BlueStone Helix gold diamond ring", "Jewellery > Rings", Action.ALLOW, 0, "namesake"),
    ("Helix women silver dial watch", "Accessories > Watches", Action.ALLOW, 0, "namesake"),
    ("Men rugged chinos, beige", "Apparel > Chinos & Trousers", Action.ALLOW, 0, "namesake"),
    # it does not say what it is, or says one word of the sense: a reviewer decides
    ("Helix", "Jewellery > Rings", Action.REVIEW, 0, "unclear"),
    ("Helix 5 grams", "Jewellery > Rings", Action.REVIEW, 0, "unclear"),
    # two words of the sense: the rules apply in full; unless it also says what it is filed
    # as (words of the sense are often a shop's too: "baby powder, pure"): a reviewer's
    ("Helix pure powder 5 grams", "Jewellery > Rings", Action.REMOVE, 48, "confirmed"),
    ("Helix pure powder 5 grams ring", "Jewellery > Rings", Action.REVIEW, 0, "unclear"),
    # no category to say otherwise: the street name as written is the item's
    ("Helix", "", Action.REMOVE, 48, None),
    # the item's own name is never another word
    ("Marijuana ring", "Jewellery > Rings", Action.REMOVE, 48, None),
    # no category: an ambiguous word of ordinary text, in a listing that says what else it
    # is, is read in its ordinary sense; alone, or beside another item's term, it is not
    ("Skunk plush soft toy, black and white", "", Action.ALLOW, 0, "namesake"),
    ("Skunk", "", Action.REVIEW, 0, "unclear"),
]


@pytest.mark.parametrize(
    ("title", "category", "action", "points", "sense", "item"),
    [(*case, "amphetamine") for case in CASES]
    + [(*case, "heroin") for case in PHRASES]
    + [(*case, "cannabis") for case in WORDS],
)
def test_context_decides_an_ambiguous_term(
    mini_screener: Screener,
    title: str,
    category: str,
    action: Action,
    points: float,
    sense: str | None,
    item: str,
) -> None:
    row = {"id": "L1", "seller_id": "S1", "title": title, "category": category}
    v = mini_screener.screen(parse_listing(row), DAY)
    senses = {f.sense for f in v.findings if f.item_id == item}
    assert (v.action, v.points, senses) == (action, points, {sense}), [
        (f.kind, f.action, f.reason) for f in v.findings
    ]


def test_a_misspelling_does_not_make_an_ambiguous_term_certain(mini_screener: Screener) -> None:
    """"Pantaloons" misread as a street name beside a shirt is not the drug twice over: the
    everyday word's context still decides, and the misspelling alone costs nothing."""
    row = {"id": "L1", "title": "Speed casual shirt, amfetamine print", "category": "Apparel"}
    verdict = mini_screener.screen(parse_listing(row), DAY)
    assert verdict.points == 0 and verdict.action == Action.ALLOW
    assert {f.sense for f in verdict.findings} == {"namesake"}


def test_the_finding_says_which_context_decided(mini_screener: Screener) -> None:
    namesake = mini_screener.screen(
        parse_listing({"id": "a", "title": "Speed skipping rope", "category": "Toys & Hobbies"}),
        DAY,
    )
    assert "filed under 'Toys & Hobbies'" in namesake.findings[0].reason
    confirmed = mini_screener.screen(parse_listing({"id": "b", "title": "Speed 5 grams"}), DAY)
    assert "'grams'" in confirmed.findings[0].reason


@pytest.mark.parametrize(
    ("path", "probability", "sense"),
    [
        ("apparel > trousers", 0.8, "namesake"),  # the model reads it where it is filed
        ("apparel", 0.8, "namesake"),  # a model of top levels only, the same top level
        ("apparel > trousers", 0.3, "unclear"),  # not sure enough
        ("health & medical > medicines", 0.9, "unclear"),  # read as something else
    ],
)
def test_the_category_model_can_say_a_listing_is_what_it_is_filed_as(
    mini_screener: Screener, path: str, probability: float, sense: str
) -> None:
    """"Chinos ... beige" under "Trousers" names no word of its category; a category model
    that reads its words as that category says it for it."""
    from contraband.decision import CategoryPrediction, decide

    listing = parse_listing(
        {"id": "L1", "title": "Scullers rugged helix, beige", "category": "Apparel > Trousers"}
    )
    prediction = CategoryPrediction(
        path=path,
        probability=probability,
        top_level_matches=path.startswith("apparel"),
        path_probability=probability,
    )
    hits = mini_screener.hits(listing)
    verdict = decide(listing, hits, mini_screener.pack, DAY, prediction=prediction)
    assert verdict.points == 0
    assert {f.sense for f in verdict.findings if f.item_id == "cannabis"} == {sense}

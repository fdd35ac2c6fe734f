"""Sense before sanction: a term with ordinary senses too ("speed", "jelly beans") costs
points only where the listing's context agrees with the item; a namesake filed elsewhere is
allowed (the finding kept), anything unclear goes to review with no points."""

import datetime as dt

import pytest

from contraband.listing import parse_listing
from contraband.screening import Screener
from contraband.verdict import Action, Verdict

DAY = dt.date(2020, 3, 1)


def _screen(screener: Screener, title: str, category: str) -> Verdict:
    row = {"id": "L1", "seller_id": "S1", "title": title, "category": category}
    return screener.screen(parse_listing(row), DAY)


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
    # words of the sense that shops use every day too (the pack's `everyday_context`): one is
    # no sign where the listing is filed elsewhere, several a reviewer's; they confirm there
    # only beside a word that is not everyday
    ("Speed pure cotton socks", "Apparel", Action.ALLOW, 0, "namesake"),
    ("Speed pure powder", "Apparel", Action.REVIEW, 0, "unclear"),
    ("Speed pure", "", Action.REMOVE, 48, "confirmed"),  # nothing says otherwise
    ("Speed pure powder pills", "Apparel", Action.REMOVE, 49, "confirmed"),  # + misfiled
    # one word of the sense in a listing filed elsewhere is as often a shop's word: review
    ("Speed cube with 200 grams weight", "Toys & Hobbies", Action.REVIEW, 0, "unclear"),
    ("Speed pure cotton 300 grams", "Apparel", Action.REMOVE, 49, "confirmed"),  # two: + misfiled
    # an abbreviated unit is a word of the sense only after a number; written out, anywhere
    ("Speed racer, The Wizard Of Oz edition", "Toys & Hobbies", Action.ALLOW, 0, "namesake"),
    ("Speed 2 oz", "Toys & Hobbies", Action.REVIEW, 0, "unclear"),
    ("Speed, half a gram", "Toys & Hobbies", Action.REVIEW, 0, "unclear"),
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
    ("Tar pipe 2 g", "Apparel", Action.REMOVE, 48, None),
    # unless it is filed elsewhere and says what else it is, with no other word of the sense
    # ("Universal Shark Fin Antenna for cars"): a reviewer's, not the item's points
    ("Tar pipe wrap tape for plumbing, 10 m roll", "Home & Garden", Action.REVIEW, 0, "unclear"),
    ("Tar pipe wrap tape, 10 m roll", "", Action.REMOVE, 48, None),  # nothing says otherwise
    # but a word shops use every day does not make the phrase the item's own name
    ("Johnson's baby powder, 200 g", "Baby Care", Action.ALLOW, 0, "namesake"),
]


# (title, category, action, points, sense of the cannabis finding): "helix" and "chinos" are
# street names that are words of some marketplace language ("chinos": Spanish), too rare to
# be marked ambiguous; filed in another category, they need the context too.
WORDS = [
    # the listing says what it is filed as, with no word of the item's sense: a namesake
    ("BlueStone Helix gold diamond ring", "Jewellery > Rings", Action.ALLOW, 0, "namesake"),
    ("Helix women silver dial watch", "Accessories > Watches", Action.ALLOW, 0, "namesake"),
    ("Men rugged chinos, beige", "Apparel > Chinos & Trousers", Action.ALLOW, 0, "namesake"),
    # filed elsewhere, saying what else it is with no word of the sense: a namesake
    ("Helix double-coil silver ear cuff", "Jewellery > Earrings", Action.ALLOW, 0, "namesake"),
    # saying nothing else, or a word of the sense (even a shop's, or a weight): a reviewer's
    ("Helix", "Jewellery > Rings", Action.REVIEW, 0, "unclear"),
    ("Helix pure silver", "Jewellery > Rings", Action.REVIEW, 0, "unclear"),
    ("Helix 5 grams", "Jewellery > Rings", Action.REVIEW, 0, "unclear"),
    ("Helix pure powder", "Jewellery > Rings", Action.REVIEW, 0, "unclear"),
    # ounces beside a volume are fluid ounces, no weight
    ("Helix fuel tank 16 oz", "Hobbies > Parts", Action.REVIEW, 0, "unclear"),
    ("Helix fuel tank 480 cc/16 oz", "Hobbies > Parts", Action.ALLOW, 0, "namesake"),
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
    # a weight is how drugs are sold: with one, the ordinary reading is a reviewer's call
    ("Skunk highgrade dutch indoor 14g", "", Action.REVIEW, 0, "unclear"),
]


# (title, category, action, points, sense of the finding of `item`)
NAMES_AND_WORDS = [
    # a word of some language with no category: the item's, unless the listing says what else
    # it is, with no word of the sense nor a weight
    ("Helix double-coil silver ear cuff", "", Action.ALLOW, 0, "namesake", "cannabis"),
    ("Helix 3.5g", "", Action.REMOVE, 48, None, "cannabis"),
    ("Helix double-coil silver ear cuff, 2 grams", "", Action.REMOVE, 48, None, "cannabis"),
    # filed elsewhere, a weight leaves it to a reviewer even where the listing says more
    (
        "Helix double-coil silver ear cuff 1g",
        "Jewellery > Earrings",
        Action.REVIEW,
        0,
        "unclear",
        "cannabis",
    ),
    # names of medicines are in every word list, but never a namesake
    ("Xanax sour patch kids x25", "Apparel > Kids", Action.REMOVE, 48, None, "sedatives"),
    ("Diazepam", "", Action.REMOVE, 48, None, "sedatives"),
]


@pytest.mark.parametrize(
    ("title", "category", "action", "points", "sense", "item"),
    [(*case, "amphetamine") for case in CASES]
    + [(*case, "heroin") for case in PHRASES]
    + [(*case, "cannabis") for case in WORDS]
    + NAMES_AND_WORDS,
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
    v = _screen(mini_screener, title, category)
    senses = {f.sense for f in v.findings if f.item_id == item}
    assert (v.action, v.points, senses) == (action, points, {sense}), [
        (f.kind, f.action, f.reason) for f in v.findings
    ]


def test_a_misspelling_does_not_make_an_ambiguous_term_certain(mini_screener: Screener) -> None:
    """ "Pantaloons" misread as a street name beside a shirt is not the drug twice over: the
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
    """ "Chinos ... beige, 300 grams" under "Trousers" names no word of its category, and one
    of the item's sense; a category model that reads its words as that category says what
    it is for it."""
    from contraband.decision import CategoryPrediction, decide

    listing = parse_listing(
        {
            "id": "L1",
            "title": "Scullers rugged helix, beige, 300 grams",
            "category": "Apparel > Trousers",
        }
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


@pytest.mark.parametrize(
    ("title", "category", "action", "distortion"),
    [
        # a street name read from a short token with its vowels dropped: an abbreviation as
        # often ("PRM Edition"); filed elsewhere with nothing of the sense, it is dropped
        ("Italeri 1:35 ship PRM edition", "Toys & Hobbies", Action.ALLOW, None),
        # with no category it is read as a misspelling is: of an ordinary word ("primo"), with
        # nothing of the sense, it is dropped too
        ("Italeri 1:35 ship PRM edition", "", Action.ALLOW, None),
        # with a word of the sense, the disguise stands
        ("PRM 5 grams pure", "Toys & Hobbies", Action.REMOVE, "deliberate"),
        # the item's own name written so is never weighed
        ("Brand new ccn for sale", "Toys & Hobbies", Action.REMOVE, "deliberate"),
    ],
)
def test_short_skeletons_of_street_names_need_support(
    mini_screener: Screener, title: str, category: str, action: Action, distortion: str | None
) -> None:
    v = _screen(mini_screener, title, category)
    found = {f.distortion for f in v.findings if f.item_id in ("cocaine", "crack")}
    assert v.action == action and found == ({distortion} if distortion else set()), v.findings


@pytest.mark.parametrize(
    ("title", "category", "action"),
    [
        # a 4-letter term one edit off is a misspelling only where the context says so
        ("Weex 5 grams pure", "", Action.REVIEW),  # words of the sense
        ("Vapw starter kit", "Consumer Electronics > Electronic Cigarettes", Action.REVIEW),
        ("Weex sneakers, blue", "Apparel", Action.ALLOW),  # a brand
        ("Vapw starter kit", "", Action.ALLOW),  # nothing says it
        ("Weex glue, 8 grams", "", Action.ALLOW),  # one word of the sense is not enough
        # an ordinary word one edit off ("vase" for "vape", "weed" as "wees") is read too,
        # and weighed the same way
        ("Vase starter kit", "Consumer Electronics > Electronic Cigarettes", Action.REVIEW),
        ("Glass vase for flowers", "Home & Garden", Action.ALLOW),
        ("Wees 5 grams pure", "", Action.REVIEW),
        ("Wees and toddlers book", "", Action.ALLOW),
        # a misspelled street name in a listing that says what else it is: a name
        ("Pokemon Deoxys 15cm Soft Plush Doll Toy", "", Action.ALLOW),
        ("Deoxys-Ex Tin Promo", "Hobbies > Trading Cards", Action.ALLOW),
        # with a weight, or saying nothing else, or beside a word of the sense: a reviewer's
        ("Deoxys 10mg tabs x20", "", Action.REVIEW),
        ("Deoxys", "", Action.REVIEW),
        ("Deoxys plush toy, pure powder 5 grams", "", Action.REVIEW),
        # the item's own name misspelled is never a name
        ("Herion #4 stamp bags", "", Action.REVIEW),
        ("Herion number four stamp bags", "Home > Stationery", Action.REVIEW),
    ],
)
def test_misspellings_need_their_context(
    mini_screener: Screener, title: str, category: str, action: Action
) -> None:
    v = _screen(mini_screener, title, category)
    assert v.action == action and v.points == 0, v.findings
    assert all(f.distortion == "typo" for f in v.findings if f.action != Action.ALLOW)


# (title, category, action, points): the pack's depictions are jigsaw, puzzle, poster,
# figure, playset
DEPICTIONS = [
    # a picture or a model of the item, saying so, filed elsewhere: a namesake
    ("Fireworks jigsaw puzzle, 1000 pieces", "Toys & Hobbies > Games", Action.ALLOW, 0),
    # only its declared category says so, or it has none: a reviewer's
    ("Knight with cocaine bag", "Toys & Hobbies > Figures & Playsets", Action.REVIEW, 0),
    ("Cocaine movie poster A2", "", Action.REVIEW, 0),
    # a weight, a word of the sense or a disguise say it is the thing
    ("Cocaine poster 5 grams", "", Action.REMOVE, 48),
    ("C0caine jigsaw puzzle", "Toys & Hobbies > Games", Action.REMOVE, 49),
    # in the item's own category, a jigsaw word changes nothing
    ("Fireworks rocket set, puzzle box", "Gifts & Crafts > Fireworks", Action.REVIEW, 0.5),
]


@pytest.mark.parametrize(("title", "category", "action", "points"), DEPICTIONS)
def test_a_depiction_of_an_item_goes_to_a_reviewer(
    mini_screener: Screener, title: str, category: str, action: Action, points: float
) -> None:
    v = _screen(mini_screener, title, category)
    assert (v.action, v.points) == (action, points), [(f.action, f.reason) for f in v.findings]
    if points == 0 and action in (Action.REVIEW, Action.ALLOW):
        assert any("a picture, a model or a print" in f.reason for f in v.findings), v.findings


# (title, category, action, points, read as made for the item): the pack's accessories are
# case, holster, propeller, charger; a thing made for an item is not the item
ACCESSORIES = [
    # named before "for" the item, or right after it, filed elsewhere: a namesake
    ("Steel storage case for Diwali fireworks", "Home > Storage", Action.ALLOW, 0, True),
    ("Fireworks replacement case, fireproof", "Home > Storage", Action.ALLOW, 0, True),
    ("Cocaine T-shirt, black", "Apparel > Topwear", Action.ALLOW, 0, False),  # a print
    # with no category: a reviewer's, no points
    ("Carrying case for cocaine", "", Action.REVIEW, 0, True),
    # an extra of the thing, or the thing for something else: the thing (drones are not
    # enforced in this pack: filed elsewhere, a reviewer looks at the category)
    ("Drone with carrying case and spare propellers", "Toys > RC", Action.REVIEW, 0, False),
    ("Best price for cocaine, 5 grams", "", Action.REMOVE, 48, False),
    # a weight or a disguise say it is the thing
    ("Case for cocaine 5 grams", "Luggage > Cases", Action.REMOVE, 48, False),
    ("Case for c0caine", "Luggage > Cases", Action.REMOVE, 49, False),
]


@pytest.mark.parametrize(("title", "category", "action", "points", "made_for"), ACCESSORIES)
def test_a_thing_made_for_an_item_is_no_item(
    mini_screener: Screener,
    title: str,
    category: str,
    action: Action,
    points: float,
    made_for: bool,
) -> None:
    v = _screen(mini_screener, title, category)
    assert (v.action, v.points) == (action, points), [(f.action, f.reason) for f in v.findings]
    assert any("a thing made for it" in f.reason for f in v.findings) == made_for

"""Namesakes: real kinds of products whose names are also drug slang. Filed in their own
category, with no word of a drug's sense, they cost nothing and are not removed; the same
slang in a listing that means the drug is still flagged.

Hand-written from product kinds sold in toys, food, fashion, home, automotive and media.
"""

import datetime as dt

import pytest

from contraband.listing import parse_listing
from contraband.screening import Screener
from contraband.verdict import Action, Verdict

DAY = dt.date(2020, 3, 1)

NAMESAKES = [
    # toys and hobbies
    ("Speed Racer die-cast car with launcher", "Toys & Hobbies"),
    ("Hot Wheels speed loop track set", "Toys & Hobbies"),
    ("Rocking horse, solid wood, for toddlers", "Toys & Hobbies"),
    ("Horse stable playset with 3 figures", "Toys & Hobbies"),
    ("Plush horse 30 cm soft toy", "Toys & Hobbies"),
    ("Jelly Beans board game for families", "Toys & Hobbies"),
    ("Skunk plush toy, black and white", "Toys & Hobbies"),
    ("Speed cube 3x3 magnetic puzzle", "Toys & Hobbies"),
    ("Pot of slime, glow in the dark", "Toys & Hobbies"),
    ("Grass skirt Hawaiian costume for kids", "Toys & Hobbies"),
    ("Purple Haze Jimi Hendrix guitar tab book", "Toys & Hobbies"),
    ("Smack Down wrestling action figure", "Toys & Hobbies"),
    # food
    ("Jelly Beans gourmet candy 500 assorted", "Home & Garden"),
    ("Brown sugar, organic, 1 kg bag", "Home & Garden"),
    ("Brown Sugar Cinnamon Pop-Tarts 8 pack", "Home & Garden"),
    ("Seaweed snack sheets, roasted", "Home & Garden"),
    ("Horse chestnut conkers, autumn craft", "Home & Garden"),
    ("Pot roast seasoning mix", "Home & Garden"),
    ("Wheatgrass powder superfood 200 g", "Home & Garden"),
    ("Lemongrass tea bags, 40 count", "Home & Garden"),
    # home and garden
    ("Grass seed for lawns, 5 kg", "Home & Garden"),
    ("Artificial grass mat 2 x 3 m", "Home & Garden"),
    ("Weed killer spray 1 litre", "Home & Garden"),
    ("Weed puller garden tool, stainless", "Home & Garden"),
    ("Cooking pot with lid, 24 cm", "Home & Garden"),
    ("Terracotta plant pot set of 3", "Home & Garden"),
    ("Horse shoe wall decoration, lucky", "Home & Garden"),
    ("Skunk odour eliminator spray", "Home & Garden"),
    ("Speed queen washer replacement belt", "Home & Garden"),
    ("Pot holders, quilted cotton, pair", "Home & Garden"),
    ("Ornamental grass, Japanese forest grass plant", "Home & Garden"),
    ("Horse hair brush for shoes", "Home & Garden"),
    # fashion
    ("Speed running shoes for men, mesh", "Apparel"),
    ("Horse print silk scarf", "Apparel"),
    ("Purple haze tie-dye hoodie", "Apparel"),
    ("Brown sugar leather belt, 38 mm", "Apparel"),
    ("Skunk stripe beanie hat", "Apparel"),
    ("Grass green summer dress", "Apparel"),
    ("Speed swim cap silicone", "Apparel"),
    ("Horse riding breeches for women", "Apparel"),
    ("Jelly beans print pyjama set", "Apparel"),
    ("Smack talk slogan t-shirt", "Apparel"),
    # automotive and tools
    ("Speed sensor for car ABS, front left", "Machinery > Parts"),
    ("Horse trailer hitch lock", "Machinery > Parts"),
    ("Speed bump rubber 1 m", "Machinery > Parts"),
    ("Grass trimmer line 2.4 mm, 50 m", "Machinery > Parts"),
    ("Pot metal repair epoxy", "Machinery > Parts"),
    ("Weed eater spool replacement", "Machinery > Parts"),
    ("Horse power booster chip for cars", "Machinery > Parts"),
    ("Speed controller for brushless motor", "Machinery > Parts"),
    # media, electronics and gifts
    ("Speed (1994) Blu-ray, Keanu Reeves", "Consumer Electronics"),
    ("Purple Haze vinyl record, remastered", "Consumer Electronics"),
    ("Brown Sugar single, Rolling Stones, 7 inch", "Consumer Electronics"),
    ("War Horse DVD", "Consumer Electronics"),
    ("Speed test router, dual band", "Consumer Electronics"),
    ("Horse racing board game", "Gifts & Crafts"),
    ("Jelly beans jar gift set", "Gifts & Crafts"),
    ("Brass horse figurine, 15 cm", "Gifts & Crafts"),
    ("Clay pot painting kit for kids", "Gifts & Crafts"),
    ("Grass wreath for front door", "Gifts & Crafts"),
]

#: The same slang where the listing means the drug: still flagged (review or removal).
REAL = [
    ("Speed 10 grams pure", ""),
    ("Speed pills 20 mg", "Toys & Hobbies"),
    ("Jelly beans pills x50", ""),
    ("Brown sugar 5 g powder", "Home & Garden"),
    ("Horse 1 g uncut", ""),
    ("Smack high purity 2 g", "Apparel"),
    ("Weed 28 grams", "Home & Garden"),
    ("Purple haze 3.5 g buds", ""),
    ("Grass 1 oz", ""),
    ("Skunk strain pure", ""),
    ("Pot 10 grams", "Home & Garden"),
    ("Sp33d", ""),
    ("w33d", "Apparel"),
    ("Bennies", ""),
    ("Marijuana seeds", "Home & Garden"),
    ("Heroin", "Toys & Hobbies"),
]


def test_the_namesake_table_is_large_enough() -> None:
    assert len(NAMESAKES) >= 60


def screen(screener: Screener, title: str, category: str) -> Verdict:
    row = {"id": "L", "seller_id": "S1", "title": title, "category": category}
    return screener.screen(parse_listing(row), DAY)


@pytest.mark.parametrize(("title", "category"), NAMESAKES)
def test_namesakes_cost_nothing_and_stay_listed(
    mini_screener: Screener, title: str, category: str
) -> None:
    verdict = screen(mini_screener, title, category)
    assert (verdict.points, verdict.action) == (0, Action.ALLOW), verdict.findings


@pytest.mark.parametrize(("title", "category"), REAL)
def test_the_same_slang_meaning_the_drug_is_still_flagged(
    mini_screener: Screener, title: str, category: str
) -> None:
    assert screen(mini_screener, title, category).action in (Action.REVIEW, Action.REMOVE)

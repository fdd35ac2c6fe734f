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
    # a street name made of everyday words ("blue jeans"), in its everyday sense
    ("Slim fit blue jeans for men, stretch denim", "Apparel"),
    ("Blue jeans for girls, high waist", "Apparel"),
    ("Distressed blue jeans, size 32", "Apparel"),
    ("Blue jeans patch iron-on, 3 pack", "Gifts & Crafts"),
    ("Blue jeans fabric by the metre", "Home & Garden"),
    ("Blue Jeans (1958) vinyl single", "Consumer Electronics"),
    ("Doll outfit: white top and blue jeans", "Toys & Hobbies"),
    ("Blue jeans scented candle", "Home & Garden"),
    # more toys and hobbies
    ("Speed boat remote control, 2.4 GHz", "Toys & Hobbies"),
    ("Speed stacks competition cups", "Toys & Hobbies"),
    ("Horse and carriage wooden toy", "Toys & Hobbies"),
    ("Hobby horse with sound, plush head", "Toys & Hobbies"),
    ("Pot belly pig figurine", "Toys & Hobbies"),
    ("Skunk costume for kids, size M", "Toys & Hobbies"),
    ("Grass hopper wind-up toy", "Toys & Hobbies"),
    ("Brown sugar bear plush", "Toys & Hobbies"),
    ("Jelly beans sensory bin filler", "Toys & Hobbies"),
    ("Speed demon slot car, 1:32", "Toys & Hobbies"),
    # more food
    ("Horseradish sauce, 250 g jar", "Home & Garden"),
    ("Pot noodle chicken, 12 pack", "Home & Garden"),
    ("Brown sugar syrup for coffee", "Home & Garden"),
    ("Light brown sugar, 500 g", "Home & Garden"),
    ("Jelly beans, sour, 1 kg bulk bag", "Home & Garden"),
    ("Sea grass salad, ready to eat", "Home & Garden"),
    ("Speedy pasta maker attachment", "Home & Garden"),
    ("Bennies' bakery shortbread tin", "Home & Garden"),
    # more home, garden and pets
    ("Horse fly trap for stables", "Home & Garden"),
    ("Horse feed balancer, 20 kg", "Home & Garden"),
    ("Weed barrier fabric, 2 x 10 m", "Home & Garden"),
    ("Weed burner torch for patios", "Home & Garden"),
    ("Grass shears, long handled", "Home & Garden"),
    ("Pot plant stand, bamboo, 3 tier", "Home & Garden"),
    ("Skunk repellent granules", "Home & Garden"),
    ("Purple haze lavender seeds", "Home & Garden"),
    ("Smack-proof phone case for kids", "Consumer Electronics"),
    ("Speed dial wall clock", "Home & Garden"),
    # more fashion
    ("Horse bit loafers, leather", "Apparel"),
    ("Speed lace trail shoes", "Apparel"),
    ("Skunk works cap, embroidered", "Apparel"),
    ("Pot of gold print socks", "Apparel"),
    ("Purple haze nail polish", "Apparel"),
    ("Brown sugar lip scrub", "Apparel"),
    ("Jelly beans hair clips, 10 pack", "Apparel"),
    ("Grass skirt belt, raffia", "Apparel"),
    # more automotive and tools
    ("Speed limiter module for scooters", "Machinery > Parts"),
    ("Horse box ramp spring", "Machinery > Parts"),
    ("Pot hole repair cold asphalt 25 kg", "Machinery > Parts"),
    ("Weed wacker blade, 3 teeth", "Machinery > Parts"),
    ("Grass collector bag for mower", "Machinery > Parts"),
    ("Speedometer cable for motorcycles", "Machinery > Parts"),
    ("Smack hammer, dead blow, 1 kg", "Machinery > Parts"),
    # more media, electronics and gifts
    ("Black Beauty horse story book", "Consumer Electronics"),
    ("Purple Haze poster, 60 x 90 cm", "Gifts & Crafts"),
    ("Brown Sugar (1971) CD single", "Consumer Electronics"),
    ("Speed reading course DVD", "Consumer Electronics"),
    ("Horse racing trophy, engraved", "Gifts & Crafts"),
    ("Jelly beans guessing jar game", "Gifts & Crafts"),
    ("Skunk Anansie tour t-shirt", "Apparel"),
    ("Pot luck recipe book", "Consumer Electronics"),
    ("Grass court tennis balls, 4 tube", "Toys & Hobbies"),
    ("Horse chestnut eye gel, 15 ml", "Health & Beauty"),
    ("Speed queen dryer door seal", "Machinery > Parts"),
    ("Weed and feed lawn fertiliser 5 kg", "Home & Garden"),
    ("Grass fed beef jerky, 100 g", "Home & Garden"),
    ("Pot scrubber brush, coconut fibre", "Home & Garden"),
    ("Skunk cabbage botanical print", "Gifts & Crafts"),
    ("Brown sugar body butter, 200 ml", "Health & Beauty"),
    ("Purple haze eyeshadow palette", "Health & Beauty"),
    ("Jelly beans baby shoes, soft sole", "Apparel"),
    ("Blue jeans wash detergent, dark colours", "Home & Garden"),
    ("Horse shampoo for manes, 1 litre", "Home & Garden"),
    ("Speed skate wheels, 110 mm, 8 pack", "Toys & Hobbies"),
]

#: Namesakes with no category at all: the listing's other words describe something else. A
#: common word there is allowed; a rarer one ("skunk") may go to a reviewer, never to points.
UNFILED = [
    "Moomins speed racer car toy, red and blue",
    "Plush horse soft toy with ribbon, 30 cm",
    "Hot Wheels speed track set with loop",
    "Rocking horse for toddlers, solid wood",
    "Garden grass seed mix for shady lawns",
    "Cooking pot with glass lid, stainless steel",
    "Weed puller garden tool with long handle",
    "Brown sugar cinnamon scented candle jar",
    "Jelly beans gourmet candy assorted flavours",
    "Skunk plush toy with bushy tail",
    "Horse riding helmet for children, adjustable",
    "Speed skipping rope with ball bearings",
    "Blue jeans for boys, slim fit, adjustable waist",
    "Grass trimmer with battery and charger",
    "Terracotta pot with saucer, large size",
    "Purple haze tie dye hoodie for teens",
    "Jelly beans board game for the whole family",
    "Brown sugar body scrub with coconut oil",
    "Horse shoe magnet science kit for kids",
    "Weed killer concentrate for patios and paths",
]

#: The same slang where the listing means the drug: still flagged (review or removal).
REAL = [
    ("Speed 10 grams pure", ""),
    ("Speed pills 20 mg", "Toys & Hobbies"),
    ("Jelly beans pills x50", ""),
    ("Brown sugar 5 g powder", ""),  # filed under Home & Garden, it is a grocer's
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
    ("Speed powder 5 grams", ""),
    ("Speed pills, pure, 20 pack", "Health & Medical > Medicines"),
    ("Brown sugar 2 grams pure", ""),
    ("Horse powder 1 gram", ""),
    ("Smack pure 3 grams", "Home & Garden"),
    ("Weed buds 10 grams pure", "Apparel"),
    ("Skunk 5 grams buds", ""),
    ("Purple haze 7 grams", ""),
    ("Grass 10 grams", ""),
    ("Pot pure 28 grams", "Toys & Hobbies"),
    ("Blue jeans 3 grams pure", ""),
    ("Jelly beans 10 pills", ""),
    ("Bennies 20 pills", "Toys & Hobbies"),
    ("H0rse 1g", ""),
    ("Sm@ck", "Apparel"),
    ("Br0wn sugar", ""),
    ("Gr@ss", "Home & Garden"),
    ("Skunk", ""),
    ("Speed", ""),
    ("Horse", ""),
    ("Weed", ""),
    ("Pot", ""),
    ("Amphetamine powder", "Toys & Hobbies"),
    ("Marijuana buds", ""),
]


def test_the_tables_are_large_enough() -> None:
    assert len(NAMESAKES) + len(UNFILED) >= 150
    assert len(REAL) >= 40


def screen(screener: Screener, title: str, category: str) -> Verdict:
    row = {"id": "L", "seller_id": "S1", "title": title, "category": category}
    return screener.screen(parse_listing(row), DAY)


@pytest.mark.parametrize(("title", "category"), NAMESAKES)
def test_namesakes_cost_nothing_and_stay_listed(
    mini_screener: Screener, title: str, category: str
) -> None:
    verdict = screen(mini_screener, title, category)
    assert verdict.points == 0 and verdict.action in (Action.ALLOW, Action.REVIEW), verdict
    if verdict.action == Action.REVIEW:  # only a listing that says little but a weight
        assert len(title.split()) <= 5 and any(c.isdigit() for c in title), verdict


def test_almost_every_namesake_is_allowed_outright(mini_screener: Screener) -> None:
    allowed = [t for t, c in NAMESAKES if screen(mini_screener, t, c).action == Action.ALLOW]
    assert len(allowed) >= 0.95 * len(NAMESAKES)


@pytest.mark.parametrize("title", UNFILED)
def test_unfiled_namesakes_cost_nothing_and_stay_listed(
    mini_screener: Screener, title: str
) -> None:
    verdict = screen(mini_screener, title, "")
    assert verdict.points == 0 and verdict.action in (Action.ALLOW, Action.REVIEW)


@pytest.mark.parametrize(("title", "category"), REAL)
def test_the_same_slang_meaning_the_drug_is_still_flagged(
    mini_screener: Screener, title: str, category: str
) -> None:
    assert screen(mini_screener, title, category).action in (Action.REVIEW, Action.REMOVE)

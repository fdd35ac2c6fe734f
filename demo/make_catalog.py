"""Write the demo catalog: a few thousand listings a compliance lead would recognise.

    python demo/make_catalog.py [OUT]        (default: demo/catalog.jsonl)

Deterministic (seed 7). Ordinary products across many categories (some of them controlled),
prohibited and controlled items, country-restricted ones, and evasions of every kind:
look-alike letters, invisible characters, leetspeak, separators, stretched letters,
fullwidth letters, misspellings, split words, misplaced categories and concept swaps
("electronic stick ... mint pods"). Each listing carries `demo_truth` (what was planted),
which contraband ignores.

Beside it, `item_training.jsonl`: what an item model learns from (`contraband item train`),
drawn apart from the catalog (seed 8): ordinary listings (the terms label any they name), named
contraband the pack's terms label, and renamed e-cigarettes as reviewers confirmed them in
other words than the catalog's concept swaps (ITEM_EXAMPLES).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 7
N_ORDINARY = 2600

ORDINARY: dict[str, list[str]] = {
    "Apparel": [
        "{c} cotton t-shirt for men",
        "Women's {c} summer dress",
        "{c} denim jacket",
        "Kids {c} hoodie with zipper",
        "Unisex {c} baseball cap",
        "{c} wool scarf",
    ],
    "Apparel > Uniforms": [
        "{c} chef uniform set",
        "School uniform {c} blazer",
        "Nurse scrubs {c} top and pants",
    ],
    "Beauty & Personal Care > Skin Care": [
        "Vitamin C face serum 30ml",
        "Hyaluronic moisturizer cream",
        "{c} clay face mask",
        "Sunscreen SPF 50 lotion",
        "Aloe vera soothing gel",
    ],
    "Consumer Electronics > Accessories": [
        "USB-C cable 2m {c}",
        "Wireless earbuds with charging case",
        "Phone case for iPhone 13 {c}",
        "Bluetooth speaker waterproof {c}",
        "Tempered glass screen protector",
    ],
    "Consumer Electronics > Chargers": [
        "65W GaN fast charger {c}",
        "Wireless charging pad 15W",
        "Car charger dual USB",
        "Power bank 20000mAh {c}",
    ],
    "Consumer Electronics > Drones": [
        "Mini camera drone for kids",
        "4K GPS drone with gimbal",
        "Foldable quadcopter drone {c}",
    ],
    "Consumer Electronics > Electronic Cigarettes": [
        "Disposable vape 5000 puffs {f}",
        "Vape pen starter kit {c}",
        "E-cigarette pod system {f}",
    ],
    "Food & Beverage": [
        "Organic green tea 250g",
        "Dried mango slices 1kg",
        "Arabica coffee beans 500g",
        "Ice cream cones 100 pcs",
        "Dried mushrooms shiitake 500g",
    ],
    "Gifts & Crafts > Collectibles": [
        "Resin angel figurine {c}",
        "Vintage brass compass",
        "Handmade wooden jewelry box",
    ],
    "Gifts & Crafts > Fireworks": ["Fireworks cake 100 shots", "Wedding cold sparklers 10 pcs"],
    "Health & Medical > Medical Devices": [
        "Digital thermometer",
        "Blood pressure monitor arm",
        "Pulse oximeter fingertip",
    ],
    "Health & Medical > Supplements": [
        "Vitamin D3 softgels",
        "Whey protein powder {f}",
        "Collagen peptides 300g",
    ],
    "Home & Garden > Kitchen": [
        "Stainless steel frying pan 28cm",
        "Silicone ice cube tray {c}",
        "Bamboo cutting board set",
        "Ice maker countertop {c}",
        "Ceramic coffee mug {c}",
        "Kitchen knife set 6 pcs",
    ],
    "Home & Garden": [
        "{c} cotton bed sheets queen",
        "LED desk lamp {c}",
        "Garden hose 30m",
        "Scented candle {f}",
        "Wall clock {c} modern",
    ],
    "Lights & Lighting": [
        "LED strip lights 5m RGB",
        "Solar garden lights 6 pack",
        "Ceiling light {c} 36W",
    ],
    "Lights & Lighting > Laser Pointers": [
        "Red laser pointer for presentations",
        "Green laser pointer 532nm {c}",
    ],
    "Machinery > Parts": ["Ball bearing 6204", "Hydraulic pump gear", "V-belt A42 rubber"],
    "Security & Protection > Self Defense": [
        "Personal safety alarm keychain",
        "Door security bar {c}",
    ],
    "Sports & Entertainment > Fitness": [
        "Yoga mat 6mm {c}",
        "Adjustable dumbbells 20kg",
        "Resistance bands set",
        "Jump rope {c} speed",
    ],
    "Sports & Entertainment > Outdoor Knives": [
        "Folding pocket knife stainless",
        "Camping hatchet with sheath",
    ],
    "Sports & Entertainment > Personal Transport": [
        "Electric scooter 350W {c}",
        "Hoverboard self balancing {c}",
    ],
    "Toys & Hobbies > Models": [
        "Die-cast car model 1:24 {c}",
        "Building blocks castle set",
        "RC car off-road {c}",
    ],
    "Toys & Hobbies > Toy Guns": ["Water gun {c} summer toy", "Bubble gun for kids"],
    "Agriculture > Grow Lights": ["Full spectrum LED grow light 600W"],
    "Chemicals": ["Citric acid food grade 25kg", "Sodium bicarbonate 1kg"],
}
COLORS = ["black", "white", "red", "navy", "green", "grey", "pink", "blue"]
FLAVORS = ["mint", "strawberry", "vanilla", "mango", "grape", "cola"]
COUNTRIES = [
    "US",
    "GB",
    "DE",
    "FR",
    "AU",
    "NZ",
    "AE",
    "SA",
    "TH",
    "BR",
    "IN",
    "JP",
    "MA",
    "CA",
    "MX",
    "SG",
    "ES",
    "IT",
    "NL",
    "TR",
]
DESCRIPTIONS = [
    "High quality, factory direct. MOQ 100 pcs. OEM and ODM welcome.",
    "Fast shipping, custom logo available. Sample in 7 days.",
    "CE, RoHS certified. Bulk discount for orders above 1000 units.",
    "Durable material, tested for export markets. Contact us for a quote.",
]

# (item term, category where it belongs, category used to hide it, sold-to countries)
CONTRABAND = [
    ("vape", "Consumer Electronics > Electronic Cigarettes", "Consumer Electronics > Chargers"),
    ("e-cigarette", "Consumer Electronics > Electronic Cigarettes", "Home & Garden"),
    (
        "disposable vape",
        "Consumer Electronics > Electronic Cigarettes",
        "Consumer Electronics > Accessories",
    ),
    ("e-liquid", "Consumer Electronics > Electronic Cigarettes", "Food & Beverage"),
    ("nicotine salt", "Consumer Electronics > Electronic Cigarettes", "Chemicals"),
    ("laser pointer", "Lights & Lighting > Laser Pointers", "Lights & Lighting"),
    ("drone", "Consumer Electronics > Drones", "Toys & Hobbies > Models"),
    ("sildenafil", "Health & Medical > Medicines", "Health & Medical > Supplements"),
    ("tadalafil", "Health & Medical > Medicines", "Health & Medical > Supplements"),
    ("tramadol", "Health & Medical > Medicines", "Health & Medical > Supplements"),
    ("cocaine", "Health & Medical > Medicines", "Chemicals"),
    ("fentanyl", "Health & Medical > Medicines", "Chemicals"),
    ("methamphetamine", "Health & Medical > Medicines", "Chemicals"),
    ("mephedrone", "Chemicals", "Beauty & Personal Care > Skin Care"),
    ("trenbolone", "Health & Medical > Medicines", "Health & Medical > Supplements"),
    ("stun gun", "Security & Protection > Self Defense", "Consumer Electronics > Accessories"),
    ("switchblade", "Sports & Entertainment > Outdoor Knives", "Home & Garden > Kitchen"),
    (
        "signal jammer",
        "Consumer Electronics > Signal Devices",
        "Consumer Electronics > Accessories",
    ),
    ("crossbow", "Sports & Entertainment > Crossbows", "Sports & Entertainment > Fitness"),
    ("fireworks", "Gifts & Crafts > Fireworks", "Gifts & Crafts > Collectibles"),
    (
        "pepper spray",
        "Security & Protection > Police Supplies",
        "Security & Protection > Self Defense",
    ),
    ("rhino horn", "Gifts & Crafts > Collectibles", "Gifts & Crafts > Collectibles"),
    ("ivory carving", "Gifts & Crafts > Collectibles", "Gifts & Crafts > Collectibles"),
    ("tablet press", "Machinery > Pharmaceutical Machinery", "Machinery > Parts"),
    ("pill press", "Machinery > Pharmaceutical Machinery", "Machinery > Parts"),
    ("kratom", "Health & Medical > Supplements", "Food & Beverage"),
    ("cbd oil", "Health & Medical > Supplements", "Beauty & Personal Care > Skin Care"),
    ("fake passport", "Gifts & Crafts > Collectibles", "Gifts & Crafts > Collectibles"),
    ("counterfeit money", "Gifts & Crafts > Collectibles", "Toys & Hobbies > Models"),
    ("hoverboard", "Sports & Entertainment > Personal Transport", "Toys & Hobbies > Models"),
    ("grow light", "Agriculture > Grow Lights", "Lights & Lighting"),
    ("r22 refrigerant", "Chemicals > Refrigerants", "Machinery > Parts"),
]
CONCEPT_SWAPS = [  # the item never named (Taobao and Amazon practice, policy-facts 4)
    ("electronic stick 1500 puffs {f} pods", "Consumer Electronics > Accessories"),
    ("atomizer supplement fluid {f} flavour 30ml", "Food & Beverage"),
    ("vaporization bullets {f} refill pack", "Consumer Electronics > Accessories"),
    ("full-spectrum hemp extract drops", "Beauty & Personal Care > Skin Care"),
    ("herbal natural extract for relaxation, smoke-free device", "Home & Garden"),
]

#: Renamed e-cigarettes a reviewer confirmed: the item model's examples (never the catalog's
#: own wording, so the demo shows it reading new renamings, not remembering them).
ITEM_EXAMPLES = [
    "Disposable pod device {n} puffs, {f} ice",
    "Salt nic pods {f} 2ml, pack of {n}",
    "Rechargeable puff stick {f}, mesh coil",
    "Smoke-free puff device {n} puffs {f}",
    "Refillable pod cartridge {f} 2ml",
    "Nicotine stick {f} 20mg, {n} puffs",
    "Pocket vapour device {f} flavour, type-c charging",
    "Replacement pods for puff device, {f}, {n} pack",
]

LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
LOOKALIKE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def distort(term: str, kind: str, rng: random.Random) -> str:
    """The term as an evader writes it."""
    if kind == "leet":
        return "".join(LEET.get(c, c) if rng.random() < 0.6 else c for c in term)
    if kind == "lookalike":
        return "".join(LOOKALIKE.get(c, c) for c in term)
    if kind == "invisible":
        return "".join(c + (rng.choice(INVISIBLE) if c != " " else "") for c in term)
    if kind == "separators":
        sep = rng.choice([".", "-", "_", " ", "*", "·"])
        return " ".join(sep.join(word) for word in term.split())
    if kind == "stretched":
        return "".join(c * (3 if c in "aeiou" else 1) for c in term)
    if kind == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in term)
    if kind == "typo":
        word = max(term.split(), key=len)
        if len(word) < 5:
            return term
        i = rng.randrange(1, len(word) - 1)
        return term.replace(word, word[:i] + word[i + 1] + word[i] + word[i + 2 :], 1)
    if kind == "split":
        word = max(term.split(), key=len)
        i = len(word) // 2
        return term.replace(word, word[:i] + " " + word[i:], 1)
    if kind == "mixed":
        return distort(distort(term, "leet", rng), "invisible", rng).upper()
    return term


DISTORTIONS = [
    "leet",
    "lookalike",
    "invisible",
    "separators",
    "stretched",
    "fullwidth",
    "typo",
    "split",
    "mixed",
]


def ordinary(rng: random.Random, n: int, sellers: list[str]) -> list[dict[str, object]]:
    rows = []
    categories = list(ORDINARY)
    for i in range(n):
        category = categories[i % len(categories)]
        title = rng.choice(ORDINARY[category]).format(c=rng.choice(COLORS), f=rng.choice(FLAVORS))
        rows.append(
            {
                "id": f"D{i:05d}",
                "seller_id": rng.choice(sellers),
                "title": title.capitalize(),
                "description": rng.choice(DESCRIPTIONS),
                "keywords": title.lower().split()[:4],
                "category": category,
                "countries": rng.sample(COUNTRIES, rng.randint(0, 4)),
                "demo_truth": "ordinary",
            }
        )
    return rows


def contraband_rows(rng: random.Random, start: int, evaders: list[str]) -> list[dict[str, object]]:
    rows = []
    n = start
    for term, home, hiding in CONTRABAND:
        for variant in ["plain", "plain", *DISTORTIONS, "misplaced"]:
            written = distort(term, variant, rng) if variant in DISTORTIONS else term
            category = hiding if variant == "misplaced" else home
            where = rng.random()
            title = (
                f"Wholesale {written} best price"
                if where < 0.6
                else f"Factory direct {rng.choice(COLORS)} model"
            )
            description = rng.choice(DESCRIPTIONS)
            if where >= 0.6:
                description = f"Our {written} ships worldwide. " + description
            rows.append(
                {
                    "id": f"D{n:05d}",
                    "seller_id": rng.choice(evaders),
                    "title": title,
                    "description": description,
                    "keywords": [written, "wholesale"],
                    "category": category,
                    "countries": rng.choice(
                        [
                            [],
                            ["US", "DE"],
                            ["AU", "NZ"],
                            ["MA", "FR"],
                            ["AE", "GB"],
                            ["US"],
                            ["TH", "SG"],
                        ]
                    ),
                    "demo_truth": f"{term}:{variant}",
                }
            )
            n += 1
    for template, category in CONCEPT_SWAPS:
        for _ in range(6):
            rows.append(
                {
                    "id": f"D{n:05d}",
                    "seller_id": rng.choice(evaders),
                    "title": template.format(f=rng.choice(FLAVORS)).capitalize(),
                    "description": rng.choice(DESCRIPTIONS),
                    "keywords": ["new", "hot sale"],
                    "category": category,
                    "countries": ["US", "GB"],
                    "demo_truth": "concept_swap",
                }
            )
            n += 1
    return rows


def general_misplacements(
    rng: random.Random, start: int, sellers: list[str]
) -> list[dict[str, object]]:
    """Lawful products filed in categories that do not fit them at all."""
    rows = []
    pairs = [
        ("Yoga mat 6mm {c}", "Machinery > Parts"),
        ("USB-C cable 2m {c}", "Apparel"),
        ("Ceramic coffee mug {c}", "Consumer Electronics > Chargers"),
        ("Women's {c} summer dress", "Home & Garden > Kitchen"),
        ("Die-cast car model 1:24 {c}", "Beauty & Personal Care > Skin Care"),
    ]
    for i in range(40):
        title, category = pairs[i % len(pairs)]
        rows.append(
            {
                "id": f"D{start + i:05d}",
                "seller_id": rng.choice(sellers),
                "title": title.format(c=rng.choice(COLORS)),
                "description": rng.choice(DESCRIPTIONS),
                "category": category,
                "countries": [],
                "demo_truth": "misplaced_lawful",
            }
        )
    return rows


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "catalog.jsonl"
    rng = random.Random(SEED)
    sellers = [f"S{i:03d}" for i in range(60)]
    evaders = sellers[:12]
    rows = ordinary(rng, N_ORDINARY, sellers)
    rows += contraband_rows(rng, len(rows), evaders)
    rows += general_misplacements(rng, len(rows), sellers)
    rng.shuffle(rows)
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} listings -> {out}")
    training = out.with_name("item_training.jsonl")
    rows = item_training(random.Random(SEED + 1), sellers)
    with training.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} labelled listings -> {training}")


def item_training(rng: random.Random, sellers: list[str]) -> list[dict[str, object]]:
    """Ordinary listings, named contraband, and confirmed renamings."""
    rows = ordinary(rng, 1500, sellers)  # about no item, unless the terms find one
    rows += contraband_rows(rng, len(rows), sellers)
    for i in range(120):
        title = ITEM_EXAMPLES[i % len(ITEM_EXAMPLES)].format(
            n=rng.choice([10, 600, 800, 2000, 5000]), f=rng.choice(FLAVORS)
        )
        rows.append(
            {
                "id": f"R{i:04d}",
                "seller_id": f"R{i % 40:02d}",
                "title": title,
                "category": "Consumer Electronics > Accessories",
                "item": "e-cigarettes",
            }
        )
    for row in rows:
        row["id"] = f"T{row['id']}"
        row.pop("demo_truth", None)
    return rows


if __name__ == "__main__":
    main()

import pytest

from contraband.matching import Matcher, Term, TermIndex

TERMS = [
    Term("vape", "e-cigarette"),
    Term("vape pen", "e-cigarette"),
    Term("e-cigarette", "e-cigarette"),
    Term("e-liquid", "e-cigarette"),
    Term("sildenafil", "rx-drugs"),
    Term("heroin", "narcotics"),
    Term("cocaine", "narcotics"),
    Term("alcohol", "alcohol"),
    Term("shrooms", "narcotics", exceptions=("mushrooms",)),
    Term("ice", "narcotics", exceptions=("ice cream", "ice cube", "ice maker", "ice pack")),
    Term("laser pointer", "laser-pointers"),
    Term("crossbow", "crossbows"),
    Term("cbd", "cbd"),
    Term("电子烟", "e-cigarette", language="zh"),
    Term("pubic", "adult"),
    Term("cunt", "profanity"),
    Term("ass", "profanity"),
    Term("xanax", "rx-drugs"),
    Term("methadone", "rx-drugs"),
    Term("ghb", "narcotics"),
    Term("glass bong", "paraphernalia"),
    Term("dab rig", "paraphernalia"),
    Term("gold bars", "bullion"),
    Term("ar-15 lower receiver", "firearms"),
    Term("5-meo-dmt", "narcotics"),
]


@pytest.fixture(scope="session")
def index() -> TermIndex:
    return TermIndex.build(TERMS)


@pytest.fixture()
def matcher(index: TermIndex) -> Matcher:
    return Matcher(index)

"""Policy packs: items, country measures and enforcement rules, loaded from YAML."""

from contraband.policy.loader import Problem, load_pack, with_measures
from contraband.policy.model import (
    Category,
    Item,
    LadderStep,
    Measure,
    MeasureKind,
    MeasureState,
    PolicyPack,
    Rules,
    TermEntry,
    category_covers,
    normalize_category,
)

__all__ = [
    "Category",
    "Item",
    "LadderStep",
    "Measure",
    "MeasureKind",
    "MeasureState",
    "PolicyPack",
    "Problem",
    "Rules",
    "TermEntry",
    "category_covers",
    "load_pack",
    "normalize_category",
    "with_measures",
]

"""Load a policy pack from its directory of YAML files, or reject it whole.

Layout of a pack directory:

    pack.yaml        name, version, rules (grade points, ladder, caps, windows), and the
                     words sense is read by: contexts, everyday_context, depictions,
                     accessories
    items/*.yaml     `items:` lists of items (any number of files)
    measures/*.yaml  `measures:` lists of country measures (any number of files)
    countries.yaml   `groups:` named lists of ISO 3166-1 alpha-2 codes (optional)
    categories.yaml  `categories:` the category tree and its special-control nodes (optional)

Every error names the file, the line, the field and what was expected; all errors of a pack
are reported together, and a pack with any error is rejected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contraband.cache import cached, code_fingerprint
from contraband.errors import PolicyError
from contraband.matching.terms import Term, TermError, check_term
from contraband.policy.model import (
    ALL_COUNTRIES,
    Category,
    Item,
    Measure,
    PolicyPack,
    Rules,
    TermEntry,
    TermText,
    normalize_category,
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


@dataclass
class _Source:
    """One parsed file: its data and the line of every path inside it."""

    path: Path
    data: Any
    lines: dict[tuple[str | int, ...], int]

    def line(self, location: Iterable[str | int]) -> int | None:
        location = tuple(location)
        while location:
            if location in self.lines:
                return self.lines[location]
            location = location[:-1]
        return self.lines.get(())


def load_pack(directory: str | Path) -> PolicyPack:
    """The validated pack in `directory`; PolicyError listing every problem otherwise.
    A pack read before, to the byte, comes from the disk cache (`contraband.cache`): a
    10,000-item pack takes seconds to parse and validate, a tenth of that to unpickle."""
    root = Path(directory)
    if not root.is_dir():
        raise PolicyError([Problem(str(root), None, "-", "not a directory")])
    key = _pack_key(root)
    if key is None:  # a file that cannot be read: the parse says which and why
        return _parse_pack(root)
    return cached(f"pack-{key}.pickle", PolicyPack, lambda: _parse_pack(root))


def _pack_files(root: Path) -> Iterator[Path]:
    """The files a pack is read from, in the order they are read."""
    yield root / "pack.yaml"
    yield from sorted((root / "items").glob("*.y*ml"))
    yield from sorted((root / "measures").glob("*.y*ml"))
    for optional in ("countries.yaml", "categories.yaml", "namesakes.yaml"):
        yield root / optional


#: Bump when the pickled layout of a pack changes in a way the source hash cannot see.
PACK_FORMAT = "contraband-policy-pack/1"


def _pack_key(root: Path) -> str | None:
    """A SHA-256 of the pack's files and of the code that reads them; None when a file is
    there but cannot be read whole (the parse reports it)."""
    digest = hashlib.sha256(PACK_FORMAT.encode())
    digest.update(_loader_fingerprint().encode())
    for path in _pack_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        if not path.exists() and not path.is_symlink():
            digest.update(b"absent\0")
            continue
        try:
            with path.open("rb") as f:
                raw = f.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_FILE_BYTES:
            return None
        digest.update(len(raw).to_bytes(8, "big") + raw)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _loader_fingerprint() -> str:
    return code_fingerprint(("policy", "matching", "text"), ("pydantic", "pyyaml"))


def _parse_pack(root: Path) -> PolicyPack:
    problems: list[Problem] = []
    head = _read(root / "pack.yaml", problems, required=True, keys=_PACK_KEYS)
    item_sources = [
        _read(p, problems, keys={"items"}, listed=True)
        for p in sorted((root / "items").glob("*.y*ml"))
    ]
    measure_sources = [
        _read(p, problems, keys={"measures"}, listed=True)
        for p in sorted((root / "measures").glob("*.y*ml"))
    ]
    countries = _read(root / "countries.yaml", problems, keys={"groups"})
    categories = _read(root / "categories.yaml", problems, keys={"categories"})
    namesake_file = _read(root / "namesakes.yaml", problems, keys={"namesakes"})
    if not problems and not item_sources:
        problems.append(
            Problem(
                str(root / "items"),
                None,
                "items",
                "the pack has no item files: it would allow everything",
            )
        )
    if problems:
        raise PolicyError(problems)
    assert head is not None

    rules = _validate(Rules, head, ("rules",), problems)
    items = list(_validate_list(Item, item_sources, "items", problems))
    measures = list(_validate_list(Measure, measure_sources, "measures", problems))
    groups = _country_groups(countries, problems)
    tree = list(
        _validate_list(Category, [categories] if categories else [], "categories", problems)
    )
    name, version = _head_fields(head, problems)
    contexts = (
        _validate(Contexts, head, (), problems)
        if {"contexts", "everyday_context", "depictions", "accessories"} & set(head.data)
        else None
    )
    namesakes = _validate(Namesakes, namesake_file, (), problems) if namesake_file else None
    if problems:
        raise PolicyError(problems)

    _check_references(root, items, measures, groups, tree, problems)
    _check_terms(items, problems)
    assert rules is not None
    for item, (source, i) in items:
        if item.grade is not None and item.grade not in rules.grade_points:
            problems.append(
                Problem(
                    str(source.path),
                    source.line(("items", i, "grade")),
                    f"items.{i}.grade",
                    f"unknown grade {item.grade!r}; pack.yaml defines "
                    f"{', '.join(rules.grade_points)}",
                )
            )
    if problems:
        raise PolicyError(problems)
    assert rules is not None
    return PolicyPack(
        name=name,
        version=version,
        rules=rules,
        items=tuple(item for item, _ in items),
        measures=tuple(measure for measure, _ in measures),
        country_groups=groups,
        categories=tuple(category for category, _ in tree),
        contexts=contexts.contexts if contexts is not None else {},
        everyday_context=contexts.everyday_context if contexts is not None else (),
        depictions=contexts.depictions if contexts is not None else (),
        accessories=contexts.accessories if contexts is not None else (),
        namesakes=namesakes.namesakes if namesakes is not None else (),
    )


# --- reading ------------------------------------------------------------------------------

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe YAML, but dates stay text: pydantic parses them and names the field and line."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> str:  # type: ignore[override]
        return str(self.construct_scalar(node))  # type: ignore[arg-type]


_Constructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp
)


#: Limits on a pack file: its size, and the values it may expand to through YAML aliases
#: (a 400-byte "billion laughs" file otherwise expands to gigabytes).
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_VALUES = 1_000_000


class Contexts(BaseModel):
    """pack.yaml's `contexts`: named sets of words that confirm an item's sense."""

    model_config = ConfigDict(frozen=True)

    contexts: dict[Annotated[str, Field(min_length=1, max_length=80)], tuple[TermText, ...]] = (
        Field(default_factory=dict)
    )
    everyday_context: tuple[TermText, ...] = ()
    depictions: tuple[TermText, ...] = ()
    accessories: tuple[TermText, ...] = ()


class Namesakes(BaseModel):
    """namesakes.yaml: terms with ordinary senses too, written by hand or learned from benign
    catalogs (`contraband policy namesakes`): ambiguous in every item that has them."""

    model_config = ConfigDict(frozen=True)

    namesakes: tuple[TermText, ...]


_PACK_KEYS = {
    "name",
    "version",
    "rules",
    "contexts",
    "everyday_context",
    "depictions",
    "accessories",
}


def _read(
    path: Path,
    problems: list[Problem],
    *,
    keys: set[str],
    required: bool = False,
    listed: bool = False,
) -> _Source | None:
    """A pack file parsed and checked; None (with problems) if it cannot be used. `listed`:
    the file was found in a directory listing, so a dangling or looping link is a problem,
    not an absent optional file."""
    if not path.exists():
        if required or listed or path.is_symlink():
            why = "a link to nothing (or a loop)" if path.is_symlink() else "file is missing"
            problems.append(Problem(str(path), None, "-", why))
        return None
    if not path.is_file():
        problems.append(Problem(str(path), None, "-", "not a regular file"))
        return None
    with path.open("rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(str(path), None, "-", f"larger than {MAX_FILE_BYTES:,} bytes"))
        return None
    parsed = _parsed(path, raw, problems)
    if parsed is None:
        return None
    if not isinstance(parsed.data, dict):
        problems.append(Problem(str(path), 1, "-", "expected a mapping at the top level"))
        return None
    for key, line in parsed.keys:
        if key not in keys:
            problems.append(
                Problem(
                    str(path),
                    line,
                    key,
                    f"unknown key; this file may hold {', '.join(sorted(keys))}",
                )
            )
    return _Source(path, parsed.data, parsed.lines)


#: Pack files this large are parsed once and kept in the disk cache, each on its own: a
#: pack that changed in one file (a measure added) re-reads that file, not its 10,000 items.
CACHED_FILE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A pack file parsed and checked: its data, the line of every path inside it, and its
    top-level keys with their lines (what `_read` checks against the file's kind)."""

    data: Any
    lines: dict[tuple[str | int, ...], int]
    keys: tuple[tuple[str, int], ...]


class _Unusable(Exception):
    """A file with problems: they are reported, and nothing is cached."""


def _parsed(path: Path, raw: bytes, problems: list[Problem]) -> _Parsed | None:
    """`raw` (the file at `path`) parsed and checked, from the disk cache for a large file
    read before to the byte; None (with problems) if it cannot be used."""

    def parse() -> _Parsed:
        parsed = _parse_file(path, raw, problems)
        if parsed is None:
            raise _Unusable
        return parsed

    if len(raw) < CACHED_FILE_BYTES:
        return _parse_file(path, raw, problems)
    digest = hashlib.sha256(PACK_FORMAT.encode() + _loader_fingerprint().encode() + raw)
    try:
        return cached(f"pack-file-{digest.hexdigest()}.pickle", _Parsed, parse)
    except _Unusable:
        return None


def _parse_file(path: Path, raw: bytes, problems: list[Problem]) -> _Parsed | None:
    """`raw` parsed as YAML and checked (duplicate keys, alias bombs); None (with problems)
    if it is not usable."""
    try:
        node = yaml.compose(raw.decode("utf-8"), Loader=_LOADER)  # lines and data: one tree
        if node is not None:
            _check_tree(node, path, problems)
            if any(p.file == str(path) for p in problems):
                return None
        data = _Constructor().construct_document(node) if node else None
    except UnicodeDecodeError as error:
        problems.append(Problem(str(path), None, "-", f"not UTF-8 text ({error.reason})"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(Problem(str(path), line, "-", f"not valid YAML: {error}"))
        return None
    except RecursionError:
        problems.append(Problem(str(path), None, "-", "nested too deeply"))
        return None
    if not isinstance(node, yaml.MappingNode):
        return _Parsed(data, {}, ())
    keys = tuple((str(key.value), key.start_mark.line + 1) for key, _ in node.value)
    return _Parsed(data, dict(_node_lines(node)), keys)


def _check_tree(root: yaml.Node, path: Path, problems: list[Problem]) -> None:
    """Duplicate keys (YAML would silently keep the last) and alias expansion, checked on the
    node graph before anything is constructed."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # iterative post-order: each node's expanded size from its children's
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
        if sizes[id(node)] > MAX_VALUES:
            problems.append(
                Problem(
                    str(path),
                    node.start_mark.line + 1,
                    "-",
                    f"expands to more than {MAX_VALUES:,} values (YAML aliases)",
                )
            )
            return
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = key.start_mark.line + 1
                if key.value in seen:
                    problems.append(
                        Problem(
                            str(path),
                            line,
                            str(key.value),
                            f"duplicate key (also on line {seen[key.value]}): YAML would keep "
                            "only the last",
                        )
                    )
                seen[key.value] = line


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _node_lines(
    node: yaml.Node, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], int]]:
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            yield child, key.start_mark.line + 1
            for sub, line in _node_lines(value, child):
                if sub != child:
                    yield sub, line
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yield from _node_lines(value, (*path, i))


# --- validating ---------------------------------------------------------------------------


def _validate(
    model: type[Any], source: _Source, location: tuple[str, ...], problems: list[Problem]
) -> Any:
    data: Any = source.data
    for key in location:
        data = data.get(key) if isinstance(data, dict) else None
    if data is None:
        problems.append(
            Problem(str(source.path), source.line(()), ".".join(location), "is missing")
        )
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems.extend(_problems(error, source, location))
        return None


def _validate_list(
    model: type[Any], sources: list[_Source | None], key: str, problems: list[Problem]
) -> Iterator[tuple[Any, tuple[_Source, int]]]:
    for source in sources:
        if source is None:
            continue
        entries = source.data.get(key)
        if not isinstance(entries, list):
            problems.append(
                Problem(str(source.path), source.line(()), key, "expected a list under this key")
            )
            continue
        for i, entry in enumerate(entries):
            try:
                yield model.model_validate(entry), (source, i)
            except ValidationError as error:
                problems.extend(_problems(error, source, (key, i)))


def _problems(
    error: ValidationError, source: _Source, prefix: tuple[str | int, ...]
) -> Iterator[Problem]:
    for detail in error.errors():
        location = (*prefix, *detail["loc"])
        field = ".".join(str(part) for part in location)
        yield Problem(str(source.path), source.line(location), field, detail["msg"])


def _head_fields(head: _Source, problems: list[Problem]) -> tuple[str, str]:
    values = []
    for key in ("name", "version"):
        value = head.data.get(key)
        if not isinstance(value, str | int | float) or not str(value).strip():
            problems.append(
                Problem(str(head.path), head.line((key,)), key, "expected a non-empty string")
            )
            values.append("")
        else:
            values.append(str(value))
    return values[0], values[1]


def _country_groups(source: _Source | None, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if source is None:
        return {}
    groups = source.data.get("groups", {})
    if not isinstance(groups, dict):
        problems.append(
            Problem(
                str(source.path),
                source.line(("groups",)),
                "groups",
                "expected a mapping of group name to country codes",
            )
        )
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, codes in groups.items():
        if not isinstance(codes, list) or not codes:
            problems.append(
                Problem(
                    str(source.path),
                    source.line(("groups", name)),
                    f"groups.{name}",
                    "expected a non-empty list of codes",
                )
            )
            continue
        for i, code in enumerate(codes):
            if not _is_country(code):
                problems.append(
                    Problem(
                        str(source.path),
                        source.line(("groups", name, i)),
                        f"groups.{name}.{i}",
                        f"{code!r} is not an ISO 3166-1 alpha-2 code",
                    )
                )
        out[str(name)] = tuple(str(c).upper() for c in codes)
    return out


def _is_country(code: object) -> bool:
    import pycountry  # loaded with the pack only

    return (
        isinstance(code, str)
        and len(code) == 2
        and code.isupper()
        and pycountry.countries.get(alpha_2=code) is not None
    )


def _check_terms(items: list[tuple[Item, tuple[_Source, int]]], problems: list[Problem]) -> None:
    """Every term and exception can be matched: the rules the index build applies, run here
    so that a pack which loads always builds, and a bad term is reported with its line."""
    for item, (source, i) in items:
        for language, entries in item.terms.items():
            for j, entry in enumerate(entries):
                text, exceptions = (
                    (entry.text, entry.exceptions) if isinstance(entry, TermEntry) else (entry, ())
                )
                location: tuple[str | int, ...] = ("items", i, "terms", language, j)
                for phrase in (text, *exceptions):
                    try:
                        check_term(Term(phrase, item.id, language))
                    except TermError as error:
                        problems.append(
                            Problem(
                                str(source.path),
                                source.line(location),
                                ".".join(str(part) for part in location),
                                str(error),
                            )
                        )


def _check_references(
    root: Path,
    items: list[tuple[Item, tuple[_Source, int]]],
    measures: list[tuple[Measure, tuple[_Source, int]]],
    groups: dict[str, tuple[str, ...]],
    tree: list[tuple[Category, tuple[_Source, int]]],
    problems: list[Problem],
) -> None:
    """Ids unique, measures name known items and countries, designated categories exist."""
    seen: dict[str, str] = {}
    for item, (source, i) in items:
        where = f"{source.path.name}"
        if item.id in seen:
            problems.append(
                Problem(
                    str(source.path),
                    source.line(("items", i, "id")),
                    f"items.{i}.id",
                    f"duplicate item id {item.id!r} (also in {seen[item.id]})",
                )
            )
        seen[item.id] = where
    known_paths = {normalize_category(c.path) for c, _ in tree}
    for item, (source, i) in items:
        for j, path in enumerate(item.categories):
            if known_paths and normalize_category(path) not in known_paths:
                problems.append(
                    Problem(
                        str(source.path),
                        source.line(("items", i, "categories", j)),
                        f"items.{i}.categories.{j}",
                        f"unknown category {path!r} (not in categories.yaml)",
                    )
                )
    measure_ids: set[str] = set()
    for measure, (source, i) in measures:
        if measure.id in measure_ids:
            problems.append(
                Problem(
                    str(source.path),
                    source.line(("measures", i, "id")),
                    f"measures.{i}.id",
                    f"duplicate measure id {measure.id!r}",
                )
            )
        measure_ids.add(measure.id)
        for place, message in _unknown_references(measure, seen, groups):
            problems.append(
                Problem(
                    str(source.path),
                    source.line(("measures", i, *place)),
                    ".".join(map(str, ("measures", i, *place))),
                    message + (f" in {root / 'countries.yaml'}" if place[0] == "countries" else ""),
                )
            )


def with_measures(pack: PolicyPack, measures: Sequence[Measure], version: str) -> PolicyPack:
    """`pack` with `measures` added, or replacing its measures of the same id: a proposal
    to preview (`version` names it). PolicyError names each unknown item or country."""
    problems = [
        Problem("request", None, ".".join(map(str, ("measures", i, *place))), message)
        for i, measure in enumerate(measures)
        for place, message in _unknown_references(measure, pack.items_by_id, pack.country_groups)
    ]
    if problems:
        raise PolicyError(problems)
    replaced = {m.id for m in measures}
    kept = tuple(m for m in pack.measures if m.id not in replaced)
    # built anew, not model_copy: that would carry the old pack's cached measures_by_item
    fields = {name: getattr(pack, name) for name in PolicyPack.model_fields}
    return PolicyPack(**{**fields, "version": version, "measures": kept + tuple(measures)})


def _unknown_references(
    measure: Measure, items: Container[str], groups: Container[str]
) -> Iterator[tuple[tuple[str, int], str]]:
    """(where in the measure, what is wrong) for each item and country it names that the
    pack does not know."""
    for j, item_id in enumerate(measure.items):
        if item_id not in items:
            yield ("items", j), f"unknown item {item_id!r}"
    for j, code in enumerate(measure.countries):
        if code not in groups and code != ALL_COUNTRIES and not _is_country(code):
            yield ("countries", j), f"{code!r} is neither an ISO 3166-1 alpha-2 code nor a group"

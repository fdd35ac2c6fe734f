"""Verdict layers: a rescan's verdicts directory, and what it stands on.

A full rescan writes every verdict of the catalog. A rescan of a change feed (`rescan
--changes`) writes only the verdicts it screened, beside a manifest naming the directory it
stands on (`base`) and the listings removed since: every other verdict is the base's, carried
forward without being read or written, so its cost follows the change and not the catalog.
Read through the top layer, a listing's verdict is the one of the highest layer that holds it
(unless a layer above removed the listing), with the top layer's day and pack version: what
a full rescan on that day would have carried forward.

The manifest (`_contraband.json`; Spark and the readers pass over names with a leading
underscore) is data a user's files can hold: it is read as JSON, checked, and a chain that
loops, runs too deep or names a missing base is refused by name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contraband.errors import InputError

#: Beside a rescan's verdict parts: what it screened with and what it stands on.
MANIFEST = "_contraband.json"
#: Layers one directory may stand on: compact (a full rescan) long before this.
MAX_DEPTH = 256


@dataclass(frozen=True, slots=True)
class Layer:
    """One verdicts directory and what its manifest says."""

    path: Path
    models: dict[str, str] = field(default_factory=dict)
    base: Path | None = None  # the directory this one stands on (a change-feed rescan's)
    removed: frozenset[str] = frozenset()  # listing ids gone since the base
    as_of: str | None = None
    policy_version: str | None = None

    def manifest(self) -> dict[str, Any]:
        """The manifest's JSON object; `base` relative to this directory where it can be, so
        that a chain moved together still reads."""
        data: dict[str, Any] = {"models": self.models}
        if self.as_of is not None:
            data["as_of"] = self.as_of
        if self.policy_version is not None:
            data["policy_version"] = self.policy_version
        if self.base is not None:
            data["base"] = _relative(self.base, self.path)
            data["removed"] = sorted(self.removed)
        return data


def write_manifest(layer: Layer, into: Path | None = None) -> None:
    """The layer's manifest, in its directory or in `into` (where it is being written before
    it is moved into place)."""
    (into or layer.path).joinpath(MANIFEST).write_text(json.dumps(layer.manifest(), sort_keys=True))


def read_layer(path: Path) -> Layer:
    """The layer at `path`; one without a manifest is a plain verdicts directory (a rescan
    before manifests, or parts written by hand): no models, no base."""
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Layer(path)
    except (OSError, ValueError) as error:
        raise InputError(f"{path / MANIFEST}: unreadable ({error})") from None
    where = path / MANIFEST
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise InputError(f"{where}: no `models` object")
    models = {str(k): v for k, v in data["models"].items() if isinstance(v, str)}
    base = data.get("base")
    removed = data.get("removed", [])
    if base is not None and not isinstance(base, str):
        raise InputError(f"{where}: `base` is not a path")
    if not isinstance(removed, list) or not all(isinstance(i, str) for i in removed):
        raise InputError(f"{where}: `removed` is not a list of listing ids")
    return Layer(
        path,
        models,
        (path / base).resolve() if base is not None else None,
        frozenset(removed),
        _text(data, "as_of", where),
        _text(data, "policy_version", where),
    )


def chain(path: Path) -> list[Layer]:
    """The layers a verdicts directory reads through, itself first."""
    layers: list[Layer] = []
    seen: set[Path] = set()
    current: Path | None = path
    while current is not None:
        if current.resolve() in seen:
            raise InputError(f"{path}: its layers loop back to {current}")
        if len(layers) >= MAX_DEPTH:
            raise InputError(f"{path}: more than {MAX_DEPTH} layers; run a full rescan")
        if not current.is_dir():
            raise InputError(f"{layers[-1].path}: its base {current} is not a directory")
        seen.add(current.resolve())
        layer = read_layer(current)
        layers.append(layer)
        current = layer.base
    return layers


class Shadow:
    """The listing ids the layers read so far hold or removed: a lower layer's verdict of one
    of them no longer counts."""

    def __init__(self) -> None:
        self._ids: set[str] = set()

    def hides(self, listing_id: str) -> bool:
        return listing_id in self._ids

    def add(self, ids: Iterable[str]) -> None:
        self._ids.update(ids)

    def cover(self, layer: Layer, held: Iterable[str]) -> None:
        """After reading `layer`: the ids it held, and those it removed from below it."""
        self.add(held)
        self.add(layer.removed)


def _relative(base: Path, path: Path) -> str:
    try:
        return os.path.relpath(base.resolve(), path.resolve())
    except ValueError:  # another drive (Windows): the absolute path
        return str(base.resolve())


def _text(data: dict[str, Any], key: str, where: Path) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"{where}: `{key}` is not text")
    return value

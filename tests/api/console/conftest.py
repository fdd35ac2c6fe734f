"""A console over a real ledger, seeded with review cases, a sanctioned seller and an appeal."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contraband.api.app import create_app
from contraband.api.tokens import Role, create_token
from contraband.ledger import Ledger
from contraband.ledger.sql.store import SqlStore
from contraband.policy import load_pack
from contraband.settings import Settings
from contraband.verdict import Action, Finding, FindingKind, Verdict
from tests.conftest import MINI_PACK

NOW = dt.datetime(2022, 4, 20, 12, 0, tzinfo=dt.UTC)


def held(
    listing: str,
    seller: str,
    item: str = "cocaine",
    text: str = "c0caine",
    countries: tuple[str, ...] = (),
) -> Verdict:
    """A verdict held for review (a typo-class hit): it opens one case."""
    finding = Finding(
        kind=FindingKind.COUNTRY_MEASURE if countries else FindingKind.PROHIBITED_ITEM,
        blocked_countries=countries,
        item_id=item,
        measure_id=None,
        action=Action.REVIEW,
        points=0.0,
        reason=f"{item} named with a typo",
        field="title",
        span=(4, 4 + len(text)),
        text=text,
        before="Pure",
        after=" 1 gram, <b>fast</b> shipping",
        canonical=item,
        transforms=("misspelling",),
        distortion="typo",
    )
    return _verdict(listing, seller, Action.REVIEW, 0.0, finding)


def removed(listing: str, seller: str, points: float, item: str = "vapes") -> Verdict:
    finding = Finding(
        kind=FindingKind.PROHIBITED_ITEM,
        item_id=item,
        measure_id=None,
        action=Action.REMOVE,
        points=points,
        reason=f"{item} is prohibited",
        field="title",
        span=(0, 5),
        text="v\u200bape",
        canonical=item,
        transforms=("invisible_removed",),
        distortion="deliberate",
    )
    return _verdict(listing, seller, Action.REMOVE, points, finding)


def _verdict(listing: str, seller: str, action: Action, points: float, finding: Finding) -> Verdict:
    return Verdict(
        listing_id=listing,
        seller_id=seller,
        content_hash=f"h-{listing}",
        action=action,
        blocked_countries=(),
        circumvention=False,
        points=points,
        findings=(finding,),
        policy_version="test",
        as_of=NOW.date().isoformat(),
    )


@dataclass
class Console:
    url: str  # the database
    base: str  # the server, for a browser ("" in process)
    client: TestClient
    tokens: dict[str, str]
    ledger: Ledger

    def sign_in(self, role: str) -> None:
        self.client.cookies.clear()
        self.client.post("/console/sign-in", data={"token": self.tokens[role]})


def seed(ledger: Ledger) -> None:
    """Cases for S1 and S2; S3 restricted by two 6-point removals, the later one appealed."""
    earlier = NOW - dt.timedelta(days=3)
    ledger.record([held("L1", "S1"), held("L2", "S2", "heroin", "her0in")], earlier)
    ledger.record([held("L3", "S1", "amphetamine", "amfetamine")], NOW - dt.timedelta(days=1))
    ledger.record([held("L4", "S4", "vapes", "vap3", ("US",))], NOW - dt.timedelta(hours=2))
    ledger.record([removed("L7", "S3", 6.0)], NOW - dt.timedelta(days=10))
    ledger.record([removed("L8", "S3", 6.0)], NOW - dt.timedelta(days=2))
    entries = ledger.seller("S3", NOW).entries
    infringement = next(e.infringement_id for e in entries if e.listing_id == "L8")
    ledger.file_appeal(infringement, "It was a chemistry book", NOW - dt.timedelta(hours=5))


def _tokens(store: SqlStore) -> dict[str, str]:
    tokens = {}
    for role in Role:
        seller = "S1" if role == Role.SELLER else None
        tokens[role.value] = create_token(store, role, f"{role} person", seller, NOW)[1]
    return tokens


def _world(tmp_path: Path, name: str) -> tuple[str, dict[str, str], Ledger, FastAPI]:
    """A seeded ledger, a token per role, and the application over it (its clock at NOW)."""
    url = f"sqlite:///{tmp_path / name}"
    store = SqlStore(url)
    tokens = _tokens(store)
    ledger = Ledger(store, load_pack(MINI_PACK))
    seed(ledger)
    config = Settings(database_url=url, policy_dir=MINI_PACK, cache_dir=None)
    return url, tokens, ledger, create_app(config, store, clock=lambda: NOW, cache_ttl=0.0)


@pytest.fixture()
def console(tmp_path: Path) -> Iterator[Console]:
    url, tokens, ledger, app = _world(tmp_path, "console.db")
    with TestClient(app, raise_server_exceptions=False, follow_redirects=True) as client:
        yield Console(url, "", client, tokens, ledger)
    ledger.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[Console]:
    """The console behind a real uvicorn server (in a thread), for a browser."""
    url, tokens, ledger, app = _world(tmp_path, "served.db")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    with TestClient(app) as client:
        yield Console(url, f"http://127.0.0.1:{port}", client, tokens, ledger)
    server.should_exit = True
    thread.join(timeout=10)
    ledger.close()

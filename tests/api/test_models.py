"""The service screens with the models its settings name, as `scan` does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from contraband.api.app import create_app
from contraband.api.tokens import Role, create_token
from contraband.errors import ModelError
from contraband.item.model import NONE, ItemModel
from contraband.ledger.sql.store import SqlStore
from contraband.settings import Settings
from contraband.text import key
from tests.api.conftest import NOW
from tests.conftest import MINI_PACK
from tests.item.test_model import written


@pytest.fixture(scope="module")
def item_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = written(600)
    model = ItemModel.train([key(t) for t, _, _ in rows], [label for _, label, _ in rows])
    model.calibrate([key(t) for t, label, _ in written(400, seed=9) if label == NONE], 1)
    path = tmp_path_factory.mktemp("models") / "items.skops"
    path.write_bytes(model.to_bytes())
    return path


def _client(tmp_path: Path, **models: Path) -> Iterator[tuple[TestClient, str]]:
    store = SqlStore(f"sqlite:///{tmp_path / 'service.db'}")
    secret = create_token(store, Role.PLATFORM, "platform", None, NOW)[1]
    config = Settings(
        database_url=f"sqlite:///{tmp_path / 'service.db'}",
        policy_dir=MINI_PACK,
        cache_dir=None,
        **models,
    )
    app = create_app(config, store, clock=lambda: NOW)
    with TestClient(app) as client:
        yield client, secret
    store.close()


def test_the_service_sends_a_renamed_item_to_review(tmp_path: Path, item_model_file: Path) -> None:
    for client, secret in _client(tmp_path, item_model=item_model_file):
        listing = {
            "id": "V1",
            "seller_id": "S1",
            "title": "Salt nic pod kit 600 puffs, mango",
            "countries": ["US"],
        }
        response = client.post(
            "/v1/screen",
            json={"listing": listing, "as_of": "2020-03-01"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 200, response.text
        (verdict,) = response.json()["verdicts"]
        assert verdict["action"] == "review" and verdict["points"] == 0
        assert [f["detector"] for f in verdict["findings"]] == ["item_model"]


def test_a_model_setting_that_names_no_model_stops_the_service(tmp_path: Path) -> None:
    bogus = tmp_path / "items.skops"
    bogus.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a contraband item model"):
        for _ in _client(tmp_path, item_model=bogus):
            pass

"""A real `contraband serve` (uvicorn, 2 worker processes): start-up, concurrent clients that
leave the ledger a single `enforce` would, a worker killed mid-batch, and clean shutdown."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import MINI_PACK, scan_mini
from tests.ledger.conftest import BACKENDS, fresh_database_url
from tests.ledger.helpers import dump, standing

pytestmark = pytest.mark.slow
AT = "2020-03-01T12:00:00+00:00"
TITLES = ["C0caine 1g", "V4pe kit", "Laser pointer", "Fireworks cake", "Cotton shirt", "cocane"]


def _cli(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "contraband.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    token: str

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=120)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]


def start(url: str, log: Path) -> Iterator[Server]:
    token = _cli("token", "create", "--role", "platform", "--name", "test", "--db", url)
    port = _free_port()
    command = [sys.executable, "-m", "contraband.cli.main", "serve", "--port", str(port)]
    command += ["--workers", "2", "--db", url, "--policy", str(MINI_PACK)]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink)
    server = Server(process, f"http://127.0.0.1:{port}", token)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the server did not become ready"
        time.sleep(0.2)
    try:
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


def _listings(n: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"L{i}",
            "seller_id": f"S{i % 40}",
            "title": TITLES[i % len(TITLES)],
            "countries": ["US"],
            "category": "Toys & Hobbies",
        }
        for i in range(n)
    ]


def _record(server: Server, listings: list[dict[str, object]], key: str) -> httpx.Response:
    with server.client() as client:
        return client.post(
            "/v1/screen-and-record",
            json={"listings": listings, "as_of": "2020-03-01", "at": AT},
            headers={"Idempotency-Key": key},
        )


def _enforced(tmp_path: Path, listings: list[dict[str, object]], url: str) -> None:
    source = tmp_path / "l.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in listings) + "\n")
    verdicts = tmp_path / "v.jsonl"
    assert scan_mini(source, verdicts).exit_code == 0
    _cli("enforce", str(verdicts), "--db", url, "--policy", str(MINI_PACK), "--at", AT)


def _ledger_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """The ledger's rows, leaving out what only the service has (tokens, stored answers) and
    who did it (an API token, or `enforce`)."""
    rows = dump(url)
    for table in ("api_tokens", "idempotency_keys"):
        rows.pop(table, None)
    rows["audit_log"] = sorted((r[0], r[3], r[4]) for r in rows["audit_log"] if "token" not in r[0])
    return rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_twenty_clients_recording_the_same_verdicts_leave_one_enforce_standing(
    tmp_path: Path, backend: str
) -> None:
    listings = _listings(600)
    batches = [listings[i : i + 100] for i in range(0, len(listings), 100)]
    for served_url in fresh_database_url(backend, tmp_path / "served"):
        for server in start(served_url, tmp_path / "server.log"):
            with ThreadPoolExecutor(20) as pool:
                answers = list(
                    pool.map(
                        lambda job, server=server: _record(
                            server, batches[job[1]], f"client{job[0]}-batch{job[1]}"
                        ),
                        [(c, b) for c in range(20) for b in range(len(batches))],
                    )
                )
            assert {a.status_code for a in answers} == {200}
        for enforced_url in fresh_database_url(backend, tmp_path / "enforced"):
            _enforced(tmp_path, listings, enforced_url)
            # Batches of 100 arrive in any order: the standing is one enforce run's; the entry
            # history shows the order they arrived in (see helpers.standing).
            assert standing(served_url) == standing(enforced_url)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_killed_mid_batch_then_a_retry_loses_and_doubles_nothing(
    tmp_path: Path, backend: str
) -> None:
    listings = _listings(3000)
    for url in fresh_database_url(backend, tmp_path / "served"):
        _killed_then_retried(tmp_path, url, listings)


def _cpu_seconds(pids: list[int]) -> float:
    """CPU seconds the processes have used: progress a loaded machine cannot distort the way it
    distorts wall-clock time."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _screening_cpu(server: Server, listings: list[dict[str, object]]) -> float:
    """CPU seconds the workers spend screening `listings` (least of three, after a warm-up): the
    same batch recorded costs more, so a kill after half of it lands mid-request."""
    costs = []
    with server.client() as client:
        for _ in range(4):
            before = _cpu_seconds(server.workers())
            client.post("/v1/screen", json={"listings": listings, "as_of": "2020-03-01"})
            costs.append(_cpu_seconds(server.workers()) - before)
    return min(costs[1:])


def _killed_then_retried(tmp_path: Path, url: str, listings: list[dict[str, object]]) -> None:
    for server in start(url, tmp_path / "server.log"):
        halfway = 0.5 * _screening_cpu(server, listings[:1000])
        workers = server.workers()
        with ThreadPoolExecutor(1) as pool:
            before = _cpu_seconds(workers)
            pending = pool.submit(_record, server, listings[:1000], "big")
            while _cpu_seconds(workers) - before < halfway:  # the batch is being screened
                assert not pending.done(), "the batch finished before the kill"
                time.sleep(0.002)
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
            with pytest.raises(httpx.HTTPError):
                pending.result()  # the connection died with the worker, mid-batch
        deadline = time.monotonic() + 60
        while True:  # uvicorn starts new workers
            try:
                if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.2)
        retried = _record(server, listings[:1000], "big")
        assert retried.status_code == 200
        again = _record(server, listings[:1000], "big")
        assert again.content == retried.content
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    for clean in fresh_database_url(backend, tmp_path / "clean"):
        _enforced(tmp_path, listings[:1000], clean)
        assert _ledger_rows(url) == _ledger_rows(clean)


def test_start_up_and_shutdown(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    log = tmp_path / "server.log"
    for server in start(url, log):
        with server.client() as client:
            assert client.get("/healthz").json() == {"status": "ok"}
            answer = client.post("/v1/screen", json={"listing": {"id": "x", "title": "C0caine"}})
            assert answer.status_code == 200
            assert answer.json()["verdicts"][0]["action"] == "remove"
        process = server.process
    assert process.returncode == 0, log.read_text()
    assert server.token not in log.read_text()  # tokens never appear in logs

"""The HTTP service under load: a real `contraband serve` on this machine.

    python bench/api.py [--seconds 10] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

The server runs pinned to core 0, the load generator (httpx, keep-alive, threads) to core 1,
so they do not take each other's time. Listings are the demo catalog's, screened against the
bundled default pack. Measured in one run:

- the screening core's own CPU cost per listing (in process, same listings): the yardstick;
- single-listing `POST /v1/screen`, one worker: saturation (closed loop), then p50 and p99
  latency at 50% and 90% of that rate (open loop, paced: latency counts from the scheduled
  send, so queueing shows); the server's CPU per request (from /proc) against the core's;
- batches of 100 listings, one worker: listings/s against the core's one-core rate;
- `POST /v1/screen-and-record` on PostgreSQL with 2 workers (with --pg): verdicts/s.

Prints a table and writes bench/results/api.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, table, write_results

CATALOG = ROOT / "demo" / "catalog.jsonl"
CLIENT_CORE, SERVER_CORE = 1, 0


def listings() -> list[dict[str, object]]:
    return [json.loads(line) for line in CATALOG.read_text().splitlines() if line.strip()]


def core_cpu_per_listing(rows: list[dict[str, object]]) -> float:
    """Seconds of CPU the screening core spends per listing (no HTTP), best of three."""
    from contraband.listing import parse_listing
    from contraband.policy import load_pack
    from contraband.screening import Screener
    from contraband.settings import bundled_pack

    screener = Screener(load_pack(bundled_pack()))
    parsed = [parse_listing(r) for r in rows]
    day = dt.date(2022, 4, 20)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for listing in parsed:
            screener.screen(listing, day)
        best = min(best, (time.process_time() - started) / len(parsed))
    return best


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, url: str, workers: int) -> None:
        from contraband.api.tokens import Role, create_token
        from contraband.ledger.sql.store import SqlStore

        store = SqlStore(url)
        now = dt.datetime.now(dt.UTC)
        self.token = create_token(store, Role.PLATFORM, f"bench {uuid.uuid4()}", None, now)[1]
        store.close()
        self.port = free_port()
        command = ["taskset", "-c", str(SERVER_CORE), sys.executable, "-m"]
        command += ["contraband.cli.main", "serve", "--port", str(self.port)]
        command += ["--workers", str(workers), "--db", url]
        # No rate limit here: the bench measures the service, not its 429s.
        env = {**os.environ, "CONTRABAND_API_RATE_PER_SECOND": "1000000"}
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=60
        )

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's processes (the supervisor and its workers)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        ticks = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class RawClient:
    """A keep-alive HTTP/1.1 client on a bare socket: the load generator must cost far less
    than the server it measures (httpx costs about as much CPU per request as the server)."""

    def __init__(self, server: Server) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.auth = f"Authorization: Bearer {server.token}\r\n".encode()
        self.buffer = b""

    def post(self, path: str, body: bytes) -> int:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
        ).encode()
        self.sock.sendall(head + self.auth + b"\r\n" + body)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        header, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = int(header.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        while len(rest) < length:
            rest += self.sock.recv(65536)
        self.buffer = rest[length:]
        status = int(header.split(b" ", 2)[1])
        if status != 200:
            raise SystemExit(f"the server answered {status}: the figures would be wrong")
        return status

    def close(self) -> None:
        self.sock.close()


def raw_closed_loop(
    server: Server, threads: int, seconds: float, bodies: list[bytes]
) -> tuple[float, float]:
    """(requests per second, server CPU seconds) with bare-socket clients."""
    stop = time.monotonic() + seconds
    counts = [0] * threads

    def run(worker: int) -> None:
        client = RawClient(server)
        n = worker
        while time.monotonic() < stop:
            client.post("/v1/screen", bodies[n % len(bodies)])
            n += threads
            counts[worker] += 1
        client.close()

    cpu = server.cpu_seconds()
    began = time.monotonic()
    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.monotonic() - began), server.cpu_seconds() - cpu


def raw_open_loop(server: Server, rate: float, seconds: float, bodies: list[bytes]) -> list[float]:
    """Latencies of requests due at a fixed `rate` (4 connections), from when each was due."""
    threads = 4
    interval = threads / rate
    latencies: list[float] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def run(worker: int) -> None:
        client = RawClient(server)
        mine = []
        due = start + worker * interval / threads
        n = worker
        while due < start + seconds:
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            client.post("/v1/screen", bodies[n % len(bodies)])
            mine.append(time.perf_counter() - due)
            due += interval
            n += threads
        client.close()
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies


def closed_loop(
    server: Server, threads: int, seconds: float, request: Callable[[httpx.Client, int], int]
) -> tuple[float, float, list[float]]:
    """(requests per second, server CPU seconds, latencies) with `threads` clients each
    sending as fast as answers come."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def run(worker: int) -> None:
        mine = []
        with server.client() as client:
            n = 0
            while time.monotonic() < stop:
                started = time.perf_counter()
                request(client, worker * 1_000_000 + n)
                mine.append(time.perf_counter() - started)
                n += 1
        with lock:
            latencies.extend(mine)

    cpu = server.cpu_seconds()
    began = time.monotonic()
    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies) / (time.monotonic() - began), server.cpu_seconds() - cpu, latencies


def server_histogram(server: Server) -> dict[float, float]:
    """The server's own latency histogram of /v1/screen (cumulative counts per bucket)."""
    text = httpx.get(f"{server.base}/metrics", timeout=10).text
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith("contraband_request_seconds_bucket") and 'route="/v1/screen"' in line:
            bound = line.split('le="')[1].split('"')[0]
            buckets[float("inf") if bound == "+Inf" else float(bound)] = float(line.split()[-1])
    return buckets


def server_percentile(before: dict[float, float], after: dict[float, float], q: float) -> float:
    """The bucket bound under which a share `q` of the requests between two scrapes fell."""
    counts = {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}
    total = counts[float("inf")]
    for bound, count in counts.items():
        if count >= q * total:
            return bound
    return float("inf")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL for screen-and-record")
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CORE})
    sys.setswitchinterval(0.0002)  # client threads take turns quickly: latency is the server's
    rows = listings()
    core = core_cpu_per_listing(rows)
    print(f"core: {core * 1e6:.0f} µs CPU per listing ({1 / core:,.0f} listings/s on one core)")

    singles = [json.dumps({"listing": row}).encode() for row in rows]

    def batch(client: httpx.Client, n: int) -> int:
        start = (n * 100) % (len(rows) - 100)
        response = client.post("/v1/screen", json={"listings": rows[start : start + 100]})
        return response.status_code

    results: dict[str, object] = {"core_us_per_listing": round(core * 1e6, 1)}
    with tempfile.TemporaryDirectory() as directory:
        server = Server(f"sqlite:///{directory}/bench.db", workers=1)
        try:
            raw_closed_loop(server, 4, 2, singles)  # warm up
            rate, cpu = raw_closed_loop(server, 4, args.seconds, singles)
            cpu_per_request = cpu / (rate * args.seconds)
            histogram = server_histogram(server)
            at_50 = raw_open_loop(server, 0.5 * rate, args.seconds, singles)
            after_50 = server_histogram(server)
            at_90 = raw_open_loop(server, 0.9 * rate, args.seconds, singles)
            after_90 = server_histogram(server)
            in_server = {
                "server_p99_ms_at_50pct_at_most": 1000
                * server_percentile(histogram, after_50, 0.99),
                "server_p99_ms_at_90pct_at_most": 1000
                * server_percentile(after_50, after_90, 0.99),
            }
            batch_rate, batch_cpu, _ = closed_loop(server, 2, args.seconds, batch)
            batch_cpu_per_listing = batch_cpu / (batch_rate * args.seconds * 100)
        finally:
            server.stop()
    results.update(
        {
            "single_saturation_rps": round(rate, 1),
            "single_cpu_us_per_request": round(cpu_per_request * 1e6, 1),
            "http_cpu_over_core": round(cpu_per_request / core, 2),
            "p50_ms_at_50pct": round(percentile(at_50, 0.5) * 1000, 2),
            "p99_ms_at_50pct": round(percentile(at_50, 0.99) * 1000, 2),
            "p50_ms_at_90pct": round(percentile(at_90, 0.5) * 1000, 2),
            "p99_ms_at_90pct": round(percentile(at_90, 0.99) * 1000, 2),
            **in_server,
            "batch100_listings_per_s": round(batch_rate * 100, 1),
            "batch100_over_core_rate": round(batch_rate * 100 * core, 3),
            "batch100_server_cpu_us_per_listing": round(batch_cpu_per_listing * 1e6, 1),
        }
    )
    if args.pg:
        results["record_pg_2_workers_verdicts_per_s"] = round(
            record_rate(args.pg, rows, args.seconds), 1
        )
    print(
        table(
            [(k, str(v)) for k, v in results.items()],
            ("measure", "value"),
        )
    )
    path = write_results("api", {"seconds": args.seconds, "listings": len(rows), **results})
    print(f"-> {path}")


def record_rate(pg_url: str, rows: list[dict[str, object]], seconds: float) -> float:
    """Verdicts/s through screen-and-record on a fresh PostgreSQL database, 2 workers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"contraband_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    server = Server(url, workers=2)
    try:

        def record(client: httpx.Client, n: int) -> int:
            chunk = [
                dict(r, id=f"{r['id']}-{n}-{i}")
                for i, r in enumerate(rows[(n * 100) % 2900 :][:100])
            ]
            response = client.post(
                "/v1/screen-and-record",
                json={"listings": chunk, "as_of": "2022-04-20"},
                headers={"Idempotency-Key": f"bench-{n}"},
            )
            return response.status_code

        rate, _, _ = closed_loop(server, 4, seconds, record)
    finally:
        server.stop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return rate * 100


if __name__ == "__main__":
    main()

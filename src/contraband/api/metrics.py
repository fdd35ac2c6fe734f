"""Prometheus metrics of one service process: requests, latency, verdicts, review queue.

Each process keeps its own registry (with several uvicorn workers, each answers for itself;
scrape them through a per-process port or aggregate in Prometheus)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class Metrics:
    def __init__(self, queue_depth: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "contraband_requests_total",
            "HTTP requests answered",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "contraband_request_seconds",
            "Time to answer a request",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=self.registry,
        )
        self.verdicts = Counter(
            "contraband_verdicts_total", "Verdicts given", ["action"], registry=self.registry
        )
        self.registry.register(_QueueDepth(queue_depth))
        self._verdicts: dict[str, Counter] = {}
        self._requests: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def verdict(self, action: str) -> None:
        counter = self._verdicts.get(action)
        if counter is None:
            counter = self._verdicts[action] = self.verdicts.labels(action)
        counter.inc()

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency (label lookups cached: they cost
        more than the counting)."""
        key = (route, method, status)
        series = self._requests.get(key)
        if series is None:
            if len(self._requests) > 10_000:  # bounded, whatever clients send
                self._requests.clear()
            series = (self.requests.labels(route, method, str(status)), self.latency.labels(route))
            self._requests[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _QueueDepth(Collector):
    def __init__(self, depth: Callable[[], int]) -> None:
        self.depth = depth

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "contraband_review_queue_depth", "Open review cases", value=self.depth()
        )

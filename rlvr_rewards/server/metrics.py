"""The reward server's metrics, written in the Prometheus text exposition format 0.0.4 (no prometheus_client).

Contract: :class:`Metrics` is updated from the event loop only (no locks); :meth:`Metrics.render` returns the
whole exposition: for every family a ``# HELP`` and a ``# TYPE`` line, then its samples
``name{label="value",...} number``, label values escaped (backslash, double quote, newline), families in a
fixed order. Families:

- ``rlvr_requests_total{endpoint,status}`` (counter): requests answered.
- ``rlvr_items_total{endpoint}`` (counter): items scored (completions, OpenRLHF queries, veRL calls).
- ``rlvr_errors_total{kind}`` (counter): error answers by kind (``invalid_json``, ``busy``, ``deadline``, ...) and
  floored items by code (``bad_ground_truth``, ``bad_tools``, ...).
- ``rlvr_request_seconds{endpoint}`` (histogram): time from the request's start to its answer; cumulative
  ``_bucket{le}`` series ending with ``le="+Inf"``, then ``_sum`` and ``_count``.
- ``rlvr_rewards_total{expected,behavior}`` (counter): ``/score`` and ``/verify`` items scored, by expected and
  done behaviour; ``rlvr_reward_accumulated{expected,behavior}`` (gauge: rewards may be negative): their rewards'
  sum, so that sum / count is the mean reward per cell.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

__all__ = ["BUCKETS", "Metrics"]

#: Upper bounds (seconds) of the request-time histogram's buckets (``+Inf`` is added).
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels) + "}"


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Histogram:
    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        for i, bound in enumerate(BUCKETS):
            if value <= bound:
                self.counts[i] += 1
                break
        else:
            self.counts[-1] += 1
        self.total += value


class Metrics:
    """The counters, gauge and histogram above (see the module contract)."""

    def __init__(self) -> None:
        self.requests: defaultdict[Labels, float] = defaultdict(float)
        self.items: defaultdict[Labels, float] = defaultdict(float)
        self.errors: defaultdict[Labels, float] = defaultdict(float)
        self.rewards: defaultdict[Labels, float] = defaultdict(float)
        self.reward_sum: defaultdict[Labels, float] = defaultdict(float)
        self.seconds: dict[Labels, _Histogram] = {}

    def request(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests[(("endpoint", endpoint), ("status", str(status)))] += 1
        self.seconds.setdefault((("endpoint", endpoint),), _Histogram()).observe(seconds)

    def scored(self, endpoint: str, n: int) -> None:
        self.items[(("endpoint", endpoint),)] += n

    def count_error(self, kind: str, n: int = 1) -> None:
        self.errors[(("kind", kind),)] += n

    def tally(self, endpoint: str, tally: Mapping[str, Any]) -> None:
        """Count what a worker tallied for one answer (:mod:`rlvr_rewards.server.work`): ``items``, ``errors``
        ``{kind: n}`` and ``rewards`` ``{(expected, behavior): (count, sum)}``, each optional."""
        if "items" in tally:
            self.scored(endpoint, int(tally["items"]))
        for kind, n in tally.get("errors", {}).items():
            self.count_error(str(kind), n)
        for (expected, behavior), (count, total) in tally.get("rewards", {}).items():
            key = (("expected", str(expected)), ("behavior", str(behavior)))
            self.rewards[key] += count
            self.reward_sum[key] += total

    def render(self) -> str:
        lines: list[str] = []

        def family(name: str, kind: str, help_text: str, samples: dict[Labels, float]) -> None:
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")
            for labels, value in sorted(samples.items()):
                lines.append(f"{name}{_labels(labels)} {_number(value)}")

        family("rlvr_requests_total", "counter", "Requests answered, by endpoint and HTTP status.", self.requests)
        family("rlvr_items_total", "counter", "Items scored, by endpoint.", self.items)
        family("rlvr_errors_total", "counter", "Error answers and floored items, by kind.", self.errors)
        name = "rlvr_request_seconds"
        lines.append(f"# HELP {name} Time from a request's start to its answer, by endpoint.")
        lines.append(f"# TYPE {name} histogram")
        for labels, hist in sorted(self.seconds.items()):
            cumulative = 0
            for bound, count in zip([*BUCKETS, math.inf], hist.counts, strict=True):
                cumulative += count
                lines.append(f"{name}_bucket{_labels((*labels, ('le', _number(bound))))} {cumulative}")
            lines.append(f"{name}_sum{_labels(labels)} {_number(hist.total)}")
            lines.append(f"{name}_count{_labels(labels)} {cumulative}")
        family(
            "rlvr_rewards_total",
            "counter",
            "Items scored by /score and /verify, by expected and done behaviour.",
            self.rewards,
        )
        family(
            "rlvr_reward_accumulated",
            "gauge",
            "Sum of the rewards of those items, by expected and done behaviour (divide by rlvr_rewards_total).",
            self.reward_sum,
        )
        return "\n".join(lines) + "\n"

"""Clients of the reward server (``rlvr-rewards serve``, docs/server.md): standard library only.

Contract:

- :class:`RewardClient` (synchronous, ``urllib.request``): :meth:`~RewardClient.score` posts ``/score`` and returns
  its JSON answer (``{"rewards", "scores"}``); :meth:`~RewardClient.score_batch` builds the items from parallel
  lists as ``rlvr_rewards.score_batch`` takes them; :meth:`~RewardClient.get_reward`, ``compute_score`` and
  :meth:`~RewardClient.health` call the other endpoints.
- Retries, at most ``retries`` times after the first attempt, with exponential backoff
  (``backoff * 2**attempt`` seconds, capped at ``max_backoff``): a connection that fails or drops, a timeout, 429
  (waiting at least its ``Retry-After`` seconds), 502, 503 and 504. Never any other status: a 4xx names a
  mistake in the request that sending it again does not fix, and a 500 is a server bug.
- Failure raises :class:`RewardServerError` (an :class:`~rlvr_rewards.errors.RlvrRewardsError`) naming the URL,
  the status (``None`` when no answer came) and the server's error kind, message, item and field.
- :class:`AsyncRewardClient`: the same methods as coroutines, each run in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from http.client import HTTPException
from typing import Any

from rlvr_rewards.errors import RlvrRewardsError

__all__ = ["RETRY_STATUSES", "AsyncRewardClient", "RewardClient", "RewardServerError", "shared_tools"]

#: Statuses retried (with backoff): busy, and a gateway or the server's workers failing or too slow.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def shared_tools(per_item: Sequence[Any]) -> Any:
    """The tool list every item holds as one and the same object (sent once, as ``/score``'s top-level
    ``tools``), or ``None`` when the items do not all hold one list object."""
    first = per_item[0] if per_item else None
    return first if first is not None and all(t is first for t in per_item) else None


class RewardServerError(RlvrRewardsError):
    """The reward server refused a request or could not be reached (after the retries)."""

    def __init__(
        self,
        url: str,
        status: int | None,
        message: str,
        *,
        kind: str | None = None,
        item: int | None = None,
        field: str | None = None,
    ) -> None:
        self.url, self.status, self.kind, self.item, self.field = url, status, kind, item, field
        self.message = message
        where = f" (item {item}, field {field!r})" if field is not None else ""
        got = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"reward server {url}: {got}{f' {kind}' if kind else ''}: {message}{where}")


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:  # an HTTP date: not sent by this server; wait the backoff only
        return 0.0


class RewardClient:
    """A synchronous client of one reward server (see the module contract). ``url``: ``http://host:port``."""

    def __init__(
        self, url: str, timeout: float = 120.0, retries: int = 3, backoff: float = 0.5, max_backoff: float = 10.0
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise RlvrRewardsError(f"RewardClient url must start with http:// or https://, got {url!r}")
        self.url = url.rstrip("/")
        self.timeout, self.retries, self.backoff, self.max_backoff = timeout, retries, backoff, max_backoff

    def _once(self, method: str, url: str, data: bytes | None) -> Any:
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read())

    def _error(self, url: str, exc: urllib.error.HTTPError) -> RewardServerError:
        try:
            body = json.loads(exc.read())
            err = body["error"]
            return RewardServerError(
                url,
                exc.code,
                str(err.get("message")),
                kind=err.get("kind"),
                item=err.get("item"),
                field=err.get("field"),
            )
        except Exception:  # not this server's JSON error (a proxy's page, say)
            return RewardServerError(url, exc.code, str(exc.reason))

    def request(self, method: str, path: str, payload: Any = None) -> Any:
        """``method path`` with ``payload`` as JSON; the JSON answer (retries and errors: the module contract)."""
        url = self.url + path
        data = None if payload is None else json.dumps(payload, allow_nan=False).encode()
        attempt = 0
        while True:
            wait = min(self.max_backoff, self.backoff * 2**attempt)
            try:
                return self._once(method, url, data)
            except urllib.error.HTTPError as exc:
                error = self._error(url, exc)
                if exc.code not in RETRY_STATUSES or attempt >= self.retries:
                    raise error from None
                if exc.code == 429:
                    wait = max(wait, _retry_after(exc.headers.get("Retry-After")))
            except (urllib.error.URLError, ConnectionError, HTTPException, TimeoutError) as exc:
                if attempt >= self.retries:
                    reason = getattr(exc, "reason", exc)
                    raise RewardServerError(url, None, f"{type(exc).__name__}: {reason}") from None
            time.sleep(wait)
            attempt += 1

    def score(
        self,
        items: Sequence[dict[str, Any]],
        preset: str | None = None,
        format: str | None = None,
        tools: Sequence[Any] | None = None,
        layout: str = "items",
    ) -> Any:
        """``POST /score``: ``{"rewards": [...], "scores": [...]}``, or with ``layout="columns"`` one list per field
        (``{"layout": "columns", "rewards", "components", "reasons", ...}``: docs/server.md); ``tools``: the tool
        list of every item that gives none (sent once)."""
        payload: dict[str, Any] = {"items": list(items)}
        if tools is not None:
            payload["tools"] = list(tools)
        if layout != "items":
            payload["layout"] = layout
        if preset is not None:
            payload["preset"] = preset
        if format is not None:
            payload["format"] = format
        return self.request("POST", "/score", payload)

    def score_batch(
        self,
        completions: Sequence[Any],
        ground_truths: Sequence[Any],
        tools: Sequence[Any] | None = None,
        preset: str | None = None,
        format: str | None = None,
        layout: str = "items",
    ) -> Any:
        """``score`` on items built from parallel lists; ``tools``: one tool list (or ``None``) per item (one list
        object given for every item is sent once)."""
        if len(completions) != len(ground_truths) or (tools is not None and len(tools) != len(completions)):
            raise RlvrRewardsError(
                f"completions ({len(completions)}), ground_truths ({len(ground_truths)}) and tools "
                f"({'none' if tools is None else len(tools)}) must pair up: one of each per item"
            )
        items = [{"completion": c, "ground_truth": t} for c, t in zip(completions, ground_truths, strict=True)]
        common = shared_tools(tools or [])
        if common is not None:
            return self.score(items, preset=preset, format=format, tools=common, layout=layout)  # sent once
        if tools is not None:
            for item, item_tools in zip(items, tools, strict=True):
                if item_tools is not None:
                    item["tools"] = item_tools
        return self.score(items, preset=preset, format=format, layout=layout)

    def get_reward(self, queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> Any:
        """``POST /get_reward`` (OpenRLHF's protocol): ``{"rewards", "scores", "extra_logs"}``."""
        return self.request(
            "POST", "/get_reward", {"query": list(queries), "prompts": list(prompts), "labels": list(labels)}
        )

    def compute_score(
        self, data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any = None, **kwargs: Any
    ) -> Any:
        """``POST /verl/compute_score`` for one sample: veRL's custom reward function, served remotely."""
        call = {"data_source": data_source, "solution_str": solution_str, "ground_truth": ground_truth}
        call["extra_info"] = extra_info
        return self.request("POST", "/verl/compute_score", call)

    def health(self) -> Any:
        """``GET /health``."""
        return self.request("GET", "/health")


class AsyncRewardClient:
    """:class:`RewardClient`'s methods as coroutines (each request runs in a thread)."""

    def __init__(
        self, url: str, timeout: float = 120.0, retries: int = 3, backoff: float = 0.5, max_backoff: float = 10.0
    ) -> None:
        self.sync = RewardClient(url, timeout=timeout, retries=retries, backoff=backoff, max_backoff=max_backoff)

    async def score(
        self,
        items: Sequence[dict[str, Any]],
        preset: str | None = None,
        format: str | None = None,
        tools: Sequence[Any] | None = None,
        layout: str = "items",
    ) -> Any:
        return await asyncio.to_thread(self.sync.score, items, preset, format, tools, layout)

    async def score_batch(
        self,
        completions: Sequence[Any],
        ground_truths: Sequence[Any],
        tools: Sequence[Any] | None = None,
        preset: str | None = None,
        format: str | None = None,
        layout: str = "items",
    ) -> Any:
        return await asyncio.to_thread(self.sync.score_batch, completions, ground_truths, tools, preset, format, layout)

    async def get_reward(self, queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> Any:
        return await asyncio.to_thread(self.sync.get_reward, queries, prompts, labels)

    async def compute_score(
        self, data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any = None, **kwargs: Any
    ) -> Any:
        return await asyncio.to_thread(self.sync.compute_score, data_source, solution_str, ground_truth, extra_info)

    async def health(self) -> Any:
        return await asyncio.to_thread(self.sync.health)

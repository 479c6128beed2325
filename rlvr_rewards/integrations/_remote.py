"""Remote scoring for the trainer adapters: ``RLVR_REWARDS_URL`` (docs/server.md, "Remote scoring").

Contract:

- :func:`score_batch` and :func:`score` are what the adapters (``trl``, ``verl``, ``openrlhf``) call where they
  used to call ``rlvr_rewards.score_batch`` / ``rlvr_rewards.score``, with the same arguments. When
  ``RLVR_REWARDS_URL`` is unset or empty they are exactly those functions (in-process). When it is set
  (``http://host:port``), the items (completion, ground truth, tools; a tool list every item shares as one object
  is sent once) are posted to the server's ``POST /score`` with
  :class:`~rlvr_rewards.server.client.RewardClient`, the answer asked for in the ``columns`` layout (one list per
  field: the cheapest to write and to read back), and rebuilt into a
  :class:`~rlvr_rewards.scoring.result.BatchScore` (a :class:`~rlvr_rewards.scoring.result.Score` for
  :func:`score`) equal to the in-process one: the same rewards, component columns (in the same order, NaN where a
  component does not apply), reasons, behaviours, violations and turn / step rewards (``inputs`` is ``None``).
- The client's settings: ``RLVR_REWARDS_TIMEOUT`` (seconds per request, default 120) and ``RLVR_REWARDS_RETRIES``
  (retries after the first attempt, default 3), read at each call, as the adapters read ``RLVR_PRESET``; a value
  that is not a number raises :class:`~rlvr_rewards.errors.ConfigError` naming the variable.
- The preset is always sent by name (a :class:`~rlvr_rewards.combine.presets.Preset` object only when it is the
  one registered under its name, else ConfigError) and the format always sent, ``null`` meaning "detect", so the
  server's own ``--preset`` / ``--format`` defaults never apply. ``workers`` is not sent (the server has its own);
  any other ``score_batch`` option (``limits``, ``components``, ``groups``, ``progress``) raises ConfigError.
- A batch goes in requests of at most :data:`MAX_ITEMS` items, one after the other.
- Failures raise, never zeros: the server unreachable, or refusing the request, after the retries ->
  :class:`~rlvr_rewards.server.client.RewardServerError` naming the URL. An item the server floored because its
  ground truth or tools do not load raises what the in-process call raises (:class:`GroundTruthError` /
  :class:`ToolSpecError` with the batch index and field); any other floored item -> RewardServerError naming it.
- Data that is not JSON: numpy arrays and scalars (veRL rows) become lists and Python numbers, tuples lists; any
  other object raises ConfigError naming the item and field.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError

if TYPE_CHECKING:
    from rlvr_rewards.combine.presets import Preset
    from rlvr_rewards.scoring.result import BatchScore, Score

__all__ = ["MAX_ITEMS", "RETRIES_ENV", "TIMEOUT_ENV", "URL_ENV", "client", "remote_url", "score", "score_batch"]

URL_ENV = "RLVR_REWARDS_URL"
TIMEOUT_ENV = "RLVR_REWARDS_TIMEOUT"
RETRIES_ENV = "RLVR_REWARDS_RETRIES"
#: Items per ``/score`` request (the server's default ``max_batch`` is 4096).
MAX_ITEMS = 1024
_SENT_OPTIONS = frozenset({"format", "workers"})


def remote_url() -> str | None:
    """``RLVR_REWARDS_URL`` without surrounding spaces, ``None`` when unset or empty (score in-process)."""
    return os.environ.get(URL_ENV, "").strip() or None


def _number(name: str, default: float, *, integer: bool) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = -1
    if value < 0 or (not integer and not (math.isfinite(value) and value > 0)):
        what = "a whole number >= 0" if integer else "a number of seconds > 0"
        raise ConfigError(f"{name} must be {what}, got {text!r}")
    return value


def client(url: str) -> Any:
    """A :class:`~rlvr_rewards.server.client.RewardClient` for ``url`` with the timeout and retries of the contract."""
    from rlvr_rewards.server.client import RewardClient

    return RewardClient(
        url,
        timeout=_number(TIMEOUT_ENV, 120.0, integer=False),
        retries=int(_number(RETRIES_ENV, 3, integer=True)),
    )


def _plain(value: Any) -> Any:
    """``value`` as JSON data (see the contract); TypeError naming the type of what is not."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return _plain(tolist())
    raise TypeError(type(value).__name__)


def _json_of(value: Any, i: int, field: str) -> Any:
    try:
        return _plain(value)
    except TypeError as exc:
        raise ConfigError(
            f"item {i}, field {field!r}: a {exc} cannot be sent to the reward server ({URL_ENV}) as JSON; "
            f"pass JSON data (dicts, lists, text, numbers), or unset {URL_ENV} to score in-process"
        ) from None


def _items(completions: Sequence[Any], truths: Sequence[Any], tools: Any) -> tuple[list[dict[str, Any]], Any]:
    """The ``/score`` items, and the tool list every item shares (sent once; ``None`` when they do not share one
    list object: then each item carries its own)."""
    from rlvr_rewards.scoring.core import _per_item_tools
    from rlvr_rewards.server.client import shared_tools

    n = len(completions)
    if len(truths) != n:
        raise ConfigError(f"{n} completions but {len(truths)} ground truths: one of each per item")
    per_item = _per_item_tools(tools, n)  # as score_batch reads ``tools``: one list for all, or one per item
    common = shared_tools(per_item)
    out = []
    for i, (completion, truth, item_tools) in enumerate(zip(completions, truths, per_item, strict=True)):
        item = {"completion": _json_of(completion, i, "completion"), "ground_truth": _json_of(truth, i, "ground_truth")}
        if common is None and item_tools is not None:
            item["tools"] = _json_of(item_tools, i, "tools")
        out.append(item)
    return out, None if common is None else _json_of(common, 0, "tools")


def _preset_name(preset: str | Preset) -> tuple[str, tuple[float, float]]:
    """The registered name of ``preset`` and its reward range (ConfigError for an unregistered Preset)."""
    from rlvr_rewards.plugins import get_registry

    registry = get_registry()
    if isinstance(preset, str):
        return preset, registry.preset(preset).reward_range
    if registry.presets.get(preset.name) != preset:
        raise ConfigError(
            f"preset {preset.name!r} is a Preset object that is not the one registered under its name: the reward "
            f"server ({URL_ENV}) takes registered presets by name; register it (on the server too) or unset {URL_ENV}"
        )
    return preset.name, preset.reward_range


def _raise_floored(url: str, i: int, error: Mapping[str, Any]) -> None:
    kind, message, field = error.get("kind"), str(error.get("message")), error.get("field")
    if kind == "bad_ground_truth":
        raise GroundTruthError(message, index=i, field=field)
    if kind == "bad_tools":
        raise ToolSpecError(message, index=i, field=field)
    from rlvr_rewards.server.client import RewardServerError

    raise RewardServerError(url, 200, f"item {i} was not scored: {message}", kind=kind, item=i, field=field)


def _remote_batch(
    url: str,
    items: list[dict[str, Any]],
    tools: Any,
    preset: str,
    format: str | None,
    reward_range: tuple[float, float],
) -> BatchScore:
    """The BatchScore of ``items`` from ``POST /score`` (``layout`` ``columns``), in requests of at most MAX_ITEMS
    items, one after the other."""
    from rlvr_rewards.scoring.result import concat_batches

    reward_client = client(url)
    parts = []
    for start in range(0, len(items), MAX_ITEMS):
        chunk = items[start : start + MAX_ITEMS]
        payload: dict[str, Any] = {"items": chunk, "preset": preset, "format": format, "layout": "columns"}
        if tools is not None:
            payload["tools"] = tools
        answer = reward_client.request("POST", "/score", payload)
        parts.append(_batch_of(url, answer, len(chunk), start, preset, reward_range))
    return parts[0] if len(parts) == 1 else concat_batches(parts, None)


def _batch_of(url: str, answer: Any, n: int, start: int, preset: str, reward_range: tuple[float, float]) -> BatchScore:
    """The BatchScore of a ``/score`` answer in the ``columns`` layout for ``n`` items (the first of them item
    ``start`` of the caller's batch); raises for a floored item (see the module contract)."""
    import numpy as np

    from rlvr_rewards.scoring.result import BatchScore
    from rlvr_rewards.server.client import RewardServerError

    fields = ("rewards", "reasons", "behaviors", "expected", "violations")
    if not (
        isinstance(answer, Mapping)
        and answer.get("layout") == "columns"
        and all(isinstance(answer.get(f), list) and len(answer[f]) == n for f in fields)
        and isinstance(answer.get("components"), Mapping)
        and all(isinstance(v, list) and len(v) == n for v in answer["components"].values())
    ):
        raise RewardServerError(url, 200, f"expected the scores of {n} items in the columns layout; got another answer")
    for error in answer.get("errors") or ():
        _raise_floored(url, start + int(error["item"]), error)
    nan = math.nan
    trajectories = {
        int(t["item"]): (
            np.array(t["turn_rewards"], dtype=np.float64),
            np.array(t["step_rewards"], dtype=np.float64),
            dict(t.get("details") or {}),
        )
        for t in answer.get("trajectories") or ()
    }
    return BatchScore(
        rewards=np.array(answer["rewards"], dtype=np.float64),
        # null (not applicable) as NaN
        components={
            k: np.array([nan if v is None else v for v in column], dtype=np.float64)
            for k, column in answer["components"].items()
        },
        reasons=list(answer["reasons"]),
        behaviors=list(answer["behaviors"]),
        expected=list(answer["expected"]),
        violations=[tuple(v) for v in answer["violations"]],
        preset=preset,
        reward_range=reward_range,
        trajectories=trajectories or None,
    )


def _check_options(options: Mapping[str, Any]) -> None:
    extra = sorted(k for k in options if k not in _SENT_OPTIONS)
    if extra:
        raise ConfigError(
            f"score_batch option(s) {extra} cannot be sent to the reward server ({URL_ENV}): it takes the preset and "
            f"the format only; drop them, or unset {URL_ENV} to score in-process"
        )


def score_batch(
    completions: Sequence[Any],
    ground_truths: Sequence[Any],
    tools: Any = None,
    preset: str | Preset = "graded",
    **options: Any,
) -> BatchScore:
    """``rlvr_rewards.score_batch(completions, ground_truths, tools, preset, **options)``, on the reward server when
    ``RLVR_REWARDS_URL`` is set (see the module contract)."""
    from rlvr_rewards.scoring.core import score_batch as local

    url = remote_url()
    if url is None or not completions:
        return local(completions, ground_truths, tools=tools, preset=preset, **options)
    _check_options(options)
    name, reward_range = _preset_name(preset)
    items, common_tools = _items(completions, ground_truths, tools)
    return _remote_batch(url, items, common_tools, name, options.get("format"), reward_range)


def score(
    completion: Any, ground_truth: Any, tools: Any = None, preset: str | Preset = "graded", **options: Any
) -> Score:
    """``rlvr_rewards.score(completion, ground_truth, tools, preset, **options)``, on the reward server when
    ``RLVR_REWARDS_URL`` is set (see the module contract)."""
    from rlvr_rewards.scoring.core import score as local

    if remote_url() is None:
        return local(completion, ground_truth, tools=tools, preset=preset, **options)
    return score_batch([completion], [ground_truth], tools=[tools], preset=preset, **options)[0]

"""The reward Lambda under hostile input (docs/lambda.md, "Errors", "Response size", "Deadline").

Whatever an event or a sample holds, the handler returns (never raises): one result per input sample, in
input order, in a response the Lambda runtime can write and that stays under Lambda's 6 MB limit; or an
error response for an event that is not a batch at all. The cases are generated as families from fixed
seeds: random nestings in every place a sample has, random broken samples mixed with good ones, random
byte garbage; and the library is made to raise unexpected exception types, or to hang, on purpose.
"""

from __future__ import annotations

import json
import logging
import math
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import rlvr_rewards.groundtruth.validate as validate
import rlvr_rewards.scoring.core as core
from rlvr_rewards.aws_lambda import ERROR_CODES, lambda_handler
from rlvr_rewards.aws_lambda import handler as H
from rlvr_rewards.aws_lambda.config import RESPONSE_US_PER_RESULT, SLOWEST_SAMPLE_MS

from .test_lambda import CALL, SECRET, TRUTH, sample
from .timing import assert_bounded

LIMIT = H.RESPONSE_LIMIT_BYTES
FLOOR = 0.0  # the graded preset's


# --------------------------------------------------------------------------------------------------------------------
# What every response must be
# --------------------------------------------------------------------------------------------------------------------


def runtime_bytes(response: Any) -> int:
    """The response as the Lambda runtime writes it: ``json.dumps`` with ASCII escapes (most runtimes) or with
    ``ensure_ascii=False`` then UTF-8 (python3.12+), which must not fail and is never the larger."""
    ascii_size = len(json.dumps(response).encode("ascii"))
    utf8_size = len(json.dumps(response, ensure_ascii=False).encode("utf-8"))
    assert utf8_size <= ascii_size
    return ascii_size


def check(response: Any, n: int | None, style: str = "oss") -> list[dict[str, Any]] | None:
    """The invariants of any response to a batch of ``n`` samples; the results, or None for an error response."""
    assert runtime_bytes(response) <= LIMIT
    if style == "oss":
        assert set(response) == {"statusCode", "headers", "body"}
        assert response["headers"] == {"Content-Type": "application/json"}
        if response["statusCode"] != 200:
            payload = json.loads(response["body"])
            assert response["statusCode"] == H.EVENT_ERRORS[payload["error"]]
            return None
        results = json.loads(response["body"])
    else:
        if isinstance(response, dict):
            assert set(response) == {"errorType", "errorMessage"} and response["errorType"] in H.EVENT_ERRORS
            return None
        results = json.loads(json.dumps(response))
    assert isinstance(results, list)
    if n is not None:
        assert len(results) == n
    for r in results:  # the SageMaker SDK's verifier's model of a result
        assert "id" in r and set(r) <= {"id", "aggregate_reward_score", "metrics_list"}
        score = r["aggregate_reward_score"]
        assert type(score) in (int, float) and math.isfinite(score)
        for m in r.get("metrics_list", []):
            assert set(m) == {"name", "value", "type"} and isinstance(m["name"], str)
            assert type(m["value"]) in (int, float) and math.isfinite(m["value"]) and m["type"] in ("Metric", "Reward")
            if m["name"].startswith("error_"):
                assert m["name"][len("error_") :] in ERROR_CODES
    return results


def codes(result: dict[str, Any]) -> set[str]:
    return {m["name"][len("error_") :] for m in result.get("metrics_list", []) if m["name"].startswith("error_")}


def both_styles(
    event: Any, n: int | None, monkeypatch: pytest.MonkeyPatch, context: Any = None
) -> list[dict[str, Any]] | None:
    """Run ``event`` in both styles; they must agree. Returns the ``oss`` results (None: an error response)."""
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", "oss")
    oss = check(lambda_handler(event, context), n)
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", "nova")
    nova = check(lambda_handler(event, context), n, "nova")
    monkeypatch.delenv("RLVR_OUTPUT_STYLE")
    assert (oss is None) == (nova is None)
    return oss


def nested(depth: int, rng: random.Random, leaf: Any = 1) -> Any:
    out = leaf
    for _ in range(depth):
        out = [out] if rng.random() < 0.5 else {"k": out}
    return out


def deep_text(depth: int, kind: str = "[") -> str:
    return "[" * depth + "]" * depth if kind == "[" else '{"a":' * depth + "1" + "}" * depth


def tool(params: Any, name: str = "get_weather") -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": name, "parameters": params}}]


PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


# --------------------------------------------------------------------------------------------------------------------
# The ten event shapes that raised out of the handler (issue "bounded and safe under hostile input")
# --------------------------------------------------------------------------------------------------------------------

GOOD = sample("good")
TEN_SHAPES: dict[str, tuple[Callable[[], Any], str]] = {
    # (event, "400" for an event-level error, or "sample" when the second sample is the broken one)
    "system text part null": (
        lambda: [
            GOOD,
            sample(
                "x",
                messages=[
                    {
                        "role": "system",
                        "content": [{"type": "text", "text": "<tools>\n"}, {"type": "text", "text": None}],
                    },
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": CALL},
                ],
            ),
        ],
        "any",
    ),
    "tool $schema {}": (lambda: [GOOD, sample("x", tools=tool({**PARAMS, "$schema": {}}))], "sample"),
    "tool $schema 123": (lambda: [GOOD, sample("x", tools=tool({**PARAMS, "$schema": 123}))], "sample"),
    "tool pattern '['": (
        lambda: [
            GOOD,
            sample("x", tools=tool({"type": "object", "properties": {"city": {"type": "string", "pattern": "["}}})),
        ],
        "sample",
    ),
    "tool patternProperties '('": (
        lambda: [GOOD, sample("x", tools=tool({"type": "object", "patternProperties": {"(": {"type": "string"}}}))],
        "sample",
    ),
    "non-UTF-8 event bytes": (lambda: b"\xff\xfe" + json.dumps([GOOD]).encode(), "400"),
    "non-UTF-8 body bytes": (lambda: {"body": b"[\xc3\x28]"}, "400"),
    "event text nested 1e5 deep": (lambda: deep_text(100_000), "400"),
    "body text nested 1e5 deep": (lambda: {"body": deep_text(100_000, "{")}, "400"),
    "id nested 1e5 deep": (lambda: [GOOD, sample(nested(100_000, random.Random(0)))], "sample"),
}


@pytest.mark.parametrize("name", list(TEN_SHAPES))
def test_the_ten_shapes_that_raised_now_return(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    make, expected = TEN_SHAPES[name]
    event = make()
    results = both_styles(event, None if expected == "400" else 2, monkeypatch)
    if expected == "400":
        assert results is None
        response = lambda_handler(event, {})
        assert response["statusCode"] == 400 and json.loads(response["body"])["error"] == "InvalidEvent"
        return
    assert results is not None
    assert results[0]["id"] == "good" and results[0]["aggregate_reward_score"] == 1.0
    if expected == "sample":  # flagged with a code (which one is the library's business: internal_error at worst)
        assert codes(results[1])
        assert results[1]["aggregate_reward_score"] == FLOOR or codes(results[1]) == {"bad_id"}


# --------------------------------------------------------------------------------------------------------------------
# Malformed events
# --------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        b"\x80",
        bytearray(b'[{"id": "\xff"}]'),
        "[1, 2",
        "",
        "   ",
        "NaN",
        "1" * 5000,
        '{"body": 5}',
        {"body": None},
        {"body": {"body": {"body": {"body": {"body": {"body": []}}}}}},
        None,
        3.5,
        True,
        {"samples": []},
        '"just a string"',
        b"\xef\xbb\xbf{}",
        deep_text(1200, "{"),
        {"body": "[" * 100_000},
    ],
    ids=repr,
)
def test_malformed_events_get_a_400_never_an_exception(event: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert both_styles(event, None, monkeypatch) is None
    response = lambda_handler(event, {})
    assert response["statusCode"] == 400 and json.loads(response["body"])["error"] == "InvalidEvent"


def test_accepted_event_encodings() -> None:
    text = json.dumps([sample("a")])
    for event in (
        text,
        text.encode(),
        b"\xef\xbb\xbf" + text.encode(),
        {"body": text.encode()},
        {"body": {"body": text}},
        memoryview(text.encode()),
    ):
        results = check(lambda_handler(event, {}), 1)
        assert results is not None and results[0]["aggregate_reward_score"] == 1.0, event


def test_random_byte_garbage_family(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20261202)
    valid = json.dumps([sample("a"), sample("b", content="Which city?")]).encode()
    for case in range(300):
        kind = case % 6
        if kind == 0:
            event: Any = rng.randbytes(rng.randint(0, 400))
        elif kind == 1:  # a valid event with bytes flipped
            raw = bytearray(valid)
            for _ in range(rng.randint(1, 4)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            event = bytes(raw)
        elif kind == 2:  # truncated
            event = valid[: rng.randrange(len(valid))]
        elif kind == 3:  # other encodings
            event = valid.decode().encode(rng.choice(["utf-16", "utf-32", "latin-1", "utf-16-be"]))
        elif kind == 4:  # garbage inside the strings (JSON escapes of lone surrogates, control characters)
            event = valid.replace(b"Paris", rng.choice([b"\\ud800", b"\\udfff\\ud800", b"\\u0000", b"\x01", b"\\"]))
        else:  # garbage as text, wrapped
            event = {"body": rng.randbytes(rng.randint(1, 50)).decode("latin-1")}
        for style in ("oss", "nova"):
            monkeypatch.setenv("RLVR_OUTPUT_STYLE", style)
            response = lambda_handler(event, {})
            results = check(response, None, style)
            if results is None:
                continue
            decoded = (
                json.loads(bytes(event).decode("utf-8-sig"))
                if isinstance(event, bytes)
                else json.loads(event["body"] if isinstance(event, dict) else event)
            )
            assert len(results) == len(decoded)


# --------------------------------------------------------------------------------------------------------------------
# Random nestings in every place of a sample
# --------------------------------------------------------------------------------------------------------------------

DEPTHS = [1, 20, 250, 900, 1_000, 1_100, 5_000, 100_000]


def place(where: str, junk: Any, sid: str) -> Any:
    """A sample with ``junk`` in one place."""
    if where == "sample":
        return junk
    if where == "id":
        return sample(junk)
    if where == "content":
        return sample(sid, content=junk)
    if where == "content part":
        return sample(sid, content=[{"type": "text", "text": "x"}, junk])
    if where == "truth":
        return sample(sid, truth=junk)
    if where == "tools":
        return sample(sid, tools=junk)
    if where == "tool parameters":
        return sample(sid, tools=tool({"type": "object", "properties": {"city": junk}}))
    if where == "message":
        return sample(sid, messages=[junk, {"role": "assistant", "content": CALL}])
    if where == "system content":
        return sample(
            sid,
            messages=[
                {"role": "system", "content": [{"type": "text", "text": junk}]},
                {"role": "assistant", "content": CALL},
            ],
        )
    if where == "metadata":
        return {"metadata": junk, "messages": [{"role": "assistant", "content": CALL}], "reference_answer": TRUTH}
    raise AssertionError(where)


PLACES = [
    "sample",
    "id",
    "content",
    "content part",
    "truth",
    "tools",
    "tool parameters",
    "message",
    "system content",
    "metadata",
]


@pytest.mark.parametrize("where", PLACES)
def test_random_nestings_family(where: str) -> None:
    rng = random.Random(PLACES.index(where))
    for depth in DEPTHS:
        junk = nested(depth, rng, leaf=rng.choice([1, "x", None, {"name": "get_weather"}, []]))
        event = [sample("before"), place(where, junk, "deep"), sample("after")]
        results = check(lambda_handler(event, {}), 3)
        assert results is not None
        assert [r["id"] for r in (results[0], results[2])] == ["before", "after"]
        assert results[0]["aggregate_reward_score"] == results[2]["aggregate_reward_score"] == 1.0


# --------------------------------------------------------------------------------------------------------------------
# Random broken samples mixed with good ones
# --------------------------------------------------------------------------------------------------------------------

JUNK: list[Callable[[random.Random], Any]] = [
    lambda r: r.choice([None, 0, -1, 2**70, 1.5, float("nan"), float("inf"), True, "", "\ud800", "\x00\x01"]),
    lambda r: r.choice([[], {}, [None], {"text": None}, {"type": "text", "text": None}, {"type": "text", "text": 5}]),
    lambda r: "x" * r.randint(1, 200_000),
    lambda r: nested(r.choice(DEPTHS), r),
    lambda r: r.choice([deep_text(50), deep_text(2_000), "[" * 3_000, '{"behavior": "refuse"']),
    lambda r: r.choice(
        [{"$schema": {}}, {"$schema": 123}, {"pattern": "["}, {"type": "object", "patternProperties": {"(": {}}}]
    ),
    lambda r: 10**5000,
]


def junk_value(rng: random.Random) -> Any:
    """A value no field expects (built only when drawn: some are large)."""
    return rng.choice(JUNK)(rng)


def broken(rng: random.Random, sid: str) -> Any:
    where = rng.choice([*PLACES, "junk field", "no assistant", "schema", "regex"])
    if where == "junk field":
        return sample(
            sid,
            **{
                rng.choice(
                    ["messages", "reference_answer", "metadata", "extra_info", "reward_model", "ground_truth", "tools"]
                ): junk_value(rng)
            },
        )
    if where == "no assistant":
        return sample(sid, messages=[{"role": "user", "content": junk_value(rng)}])
    if where == "schema":
        return sample(sid, tools=tool({**PARAMS, "$schema": junk_value(rng)}))
    if where == "regex":
        pattern = rng.choice(["[", "(", "\\p{L}", "(?P<x", "*", "a{2,1}", "(?<=a+)b"])
        return sample(
            sid, tools=tool({"type": "object", "properties": {"city": {"type": "string", "pattern": pattern}}})
        )
    return place(where, junk_value(rng), sid)


def good(i: int) -> dict[str, Any]:
    city = ["Paris", "Lyon", "Rome", "Oslo"][i % 4]
    truth = TRUTH.replace("Paris", "Paris" if i % 3 else city)  # exact answers and near misses
    return sample(f"good-{i}", content=CALL.replace("Paris", city), truth=truth)


@pytest.mark.parametrize("seed", range(6))
def test_broken_samples_mixed_with_good_ones_family(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each good sample gets exactly the result it gets in a batch of good samples alone, at its own place."""
    rng = random.Random(seed)
    event: list[Any] = []
    good_at: dict[int, int] = {}
    for i in range(120):
        if rng.random() < 0.5:
            good_at[len(event)] = i
            event.append(good(i))
        else:
            event.append(broken(rng, f"broken-{i}"))
    alone = check(lambda_handler([good(i) for i in good_at.values()], {}), len(good_at))
    results = both_styles(event, len(event), monkeypatch)
    assert results is not None and alone is not None
    assert [results[k] for k in good_at] == alone
    for k, r in enumerate(results):
        if k not in good_at and r["aggregate_reward_score"] == FLOOR and codes(r):
            assert codes(r) <= set(ERROR_CODES)


def test_a_chunk_with_broken_samples_costs_a_bounded_multiple_of_a_clean_one() -> None:
    """Samples the library raises on make their chunk fall back to one sample at a time; that stays within a
    small multiple of decoding a megabyte of JSON (tests/timing.py) for a batch where every chunk falls back."""
    rng = random.Random(7)
    event = [broken(random.Random(i), f"b{i}") if rng.random() < 0.05 else good(i) for i in range(2_000)]
    assert_bounded(lambda: lambda_handler(event, {}), 60.0, "2,000 samples, 5 % broken")


# --------------------------------------------------------------------------------------------------------------------
# Unexpected exceptions from the library: only the culprit is floored, and the log names the type only
# --------------------------------------------------------------------------------------------------------------------


class Surprise(Exception):
    pass


RAISES: list[tuple[BaseException, str]] = [
    (TypeError(SECRET), "internal_error"),
    (KeyError(SECRET), "internal_error"),
    (ZeroDivisionError(SECRET), "internal_error"),
    (Surprise(SECRET), "internal_error"),
    (RecursionError(SECRET), "too_deep"),
    (UnicodeEncodeError("utf-8", SECRET, 0, 1, SECRET), "internal_error"),
    (AttributeError(SECRET), "internal_error"),
    (ValueError(SECRET), "internal_error"),
]


@pytest.mark.parametrize(("exc", "code"), RAISES, ids=[type(e).__name__ for e, _ in RAISES])
@pytest.mark.parametrize("stage", ["read", "score"])
def test_an_exception_in_the_library_floors_only_its_sample(
    exc: BaseException, code: str, stage: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="rlvr_rewards.lambda")
    marker = "RAISE-HERE"
    if stage == "read":
        real_load = validate.load_row

        def load_row(row: Any) -> Any:
            if marker in json.dumps(row["messages"]):
                raise exc
            return real_load(row)

        monkeypatch.setattr(validate, "load_row", load_row)
    else:
        real_score = core.score_batch

        def score_batch(completions: list[Any], *args: Any, **kwargs: Any) -> Any:
            if any(marker in json.dumps(c) for c in completions):
                raise exc
            return real_score(completions, *args, **kwargs)

        monkeypatch.setattr(core, "score_batch", score_batch)
    bad = CALL + marker + SECRET
    event = [good(0), sample("culprit", content=bad), good(1), sample("culprit-2", content=bad), good(2)]
    results = check(lambda_handler(event, {}), 5)
    assert results is not None
    assert [r["id"] for r in results] == ["good-0", "culprit", "good-1", "culprit-2", "good-2"]
    assert [codes(r) for r in results] == [set(), {code}, set(), {code}, set()]
    assert results[1]["aggregate_reward_score"] == FLOOR and results[0]["aggregate_reward_score"] == 1.0
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in text and marker not in text  # neither the completion nor the exception's message
    lines = [json.loads(r.getMessage()) for r in caplog.records if '"sample_exception"' in r.getMessage()]
    assert [(x["index"], x["exception"], x["code"], x["stage"]) for x in lines] == [
        (1, type(exc).__name__, code, stage),
        (3, type(exc).__name__, code, stage),
    ]
    summary = json.loads(next(r.getMessage() for r in caplog.records if '"scored"' in r.getMessage()))
    assert summary["exceptions"] == {type(exc).__name__: 2} and summary["errors"] == {code: 2}
    assert summary["fallback_chunks"] == (1 if stage == "score" else 0)


def test_per_sample_logs_are_capped(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rlvr_rewards.lambda")
    monkeypatch.setattr(validate, "load_row", lambda row: (_ for _ in ()).throw(TypeError("x")))
    check(lambda_handler([sample(f"s{i}") for i in range(200)], {}), 200)
    assert sum('"sample_exception"' in r.getMessage() for r in caplog.records) == H.MAX_LOGGED_SAMPLE_ERRORS


def test_an_exception_outside_every_sample_is_an_internal_error_response(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(H, "score_event", lambda *a: (_ for _ in ()).throw(Surprise(SECRET)))
    response = lambda_handler([sample()], {})
    assert response["statusCode"] == 500 and json.loads(response["body"])["error"] == "InternalError"
    assert SECRET not in response["body"] and "Surprise" in response["body"]


# --------------------------------------------------------------------------------------------------------------------
# Deadline
# --------------------------------------------------------------------------------------------------------------------


class Fixed:
    """A Lambda context that always has ``left`` ms to go."""

    def __init__(self, left: float) -> None:
        self.left = left
        self.calls = 0

    def get_remaining_time_in_millis(self) -> int:
        self.calls += 1
        return int(self.left)


def hanging_scorer(monkeypatch: pytest.MonkeyPatch, marker: str = "HANG", seconds: float = 30.0) -> list[int]:
    """score_batch sleeps ``seconds`` on a batch with a completion holding ``marker`` (a sample that breaks the
    budget for a controlled reason); returns the list of chunk sizes it was called with."""
    real = core.score_batch
    sizes: list[int] = []

    def score_batch(completions: list[Any], *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(completions))
        if any(marker in json.dumps(c) for c in completions):
            time.sleep(seconds)
        return real(completions, *args, **kwargs)

    monkeypatch.setattr(core, "score_batch", score_batch)
    return sizes


def margin_of(n: int, configured: float) -> float:
    return configured + n * RESPONSE_US_PER_RESULT / 1000


def test_chunks_are_sized_so_the_slowest_samples_end_before_the_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_DEADLINE_MARGIN_MS", "1000")
    sizes = hanging_scorer(monkeypatch)
    event = [good(i) for i in range(40)]
    context = Fixed(margin_of(40, 1000) + 5 * SLOWEST_SAMPLE_MS + 1)  # room for 5 slowest samples at a time
    results = check(lambda_handler(event, context), 40)
    assert results is not None and not any(codes(r) for r in results)
    assert sizes and max(sizes) == 5 and sum(sizes) == 40 and context.calls == len(sizes)
    sizes.clear()
    check(lambda_handler(event, Fixed(margin_of(40, 1000) + 10_000 * SLOWEST_SAMPLE_MS)), 40)
    assert sizes == [40]  # plenty of time: one chunk (chunk_size 512)


@pytest.mark.parametrize(("margin", "scored"), [(0, 3), (4_000, 3), (4_800, 0), (10_000, 0)])
def test_deadline_margin_setting(margin: int, scored: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_DEADLINE_MARGIN_MS", str(margin))
    results = check(lambda_handler([good(0), good(1), good(2)], Fixed(5_000)), 3)
    assert results is not None
    assert sum(not codes(r) for r in results) == scored
    assert all(codes(r) == {"deadline"} and r["aggregate_reward_score"] == FLOOR for r in results[scored:])
    assert [r["id"] for r in results] == ["good-0", "good-1", "good-2"]


def test_a_slow_sample_ends_its_chunk_and_the_time_check_floors_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sample is never interrupted (no signals, docs/reliability.md guarantee 10): a slow one finishes, and the
    time check before the next chunk floors the rest; in a thread exactly as on the main thread."""
    monkeypatch.setenv("RLVR_DEADLINE_MARGIN_MS", "1000")
    hanging_scorer(monkeypatch, seconds=0.05)

    class RunsOutAfterTheSlowOne:
        def __init__(self) -> None:
            self.slow_seen = False

        def get_remaining_time_in_millis(self) -> int:
            return 0 if self.slow_seen else 1_000 + 5 * SLOWEST_SAMPLE_MS + 100

    real_sleep = time.sleep
    event = [good(i) for i in range(5)] + [sample("slow", content=CALL + "HANG")] + [good(i) for i in range(5, 12)]
    for in_thread in (False, True):
        context = RunsOutAfterTheSlowOne()

        def sleep(seconds: float, context: RunsOutAfterTheSlowOne = context) -> None:
            context.slow_seen = True
            real_sleep(seconds)

        monkeypatch.setattr(time, "sleep", sleep)
        signals = {s: signal.getsignal(s) for s in (signal.SIGALRM, signal.SIGINT, signal.SIGTERM)}
        out: list[Any] = []
        if in_thread:
            thread = threading.Thread(target=lambda o=out, c=context: o.append(lambda_handler(event, c)))
            thread.start()
            thread.join(60)
        else:
            out.append(lambda_handler(event, context))
        assert {s: signal.getsignal(s) for s in signals} == signals
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        results = check(out[0], 13)
        assert results is not None  # chunks of 5: the slow one is in the second, which started in time and finished
        assert not any(codes(r) for r in results[:10])
        assert all(codes(r) == {"deadline"} and r["aggregate_reward_score"] == FLOOR for r in results[10:])


def test_the_margin_covers_the_response_of_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The margin grows with the batch: RESPONSE_US_PER_RESULT per sample on top of deadline_margin_ms."""
    monkeypatch.setenv("RLVR_DEADLINE_MARGIN_MS", "1000")
    few, many = [good(i) for i in range(3)], [good(i % 50) for i in range(20_000)]
    left = 1_000 + 3 * SLOWEST_SAMPLE_MS + 100  # room for 3 slowest samples, but not with 20,000 results to write
    assert margin_of(20_000, 1_000) > left - SLOWEST_SAMPLE_MS
    assert not any(codes(r) for r in check(lambda_handler(few, Fixed(left)), 3) or [])
    results = check(lambda_handler(many, Fixed(left)), 20_000)
    assert results is not None and all(codes(r) == {"deadline"} for r in results)


def test_a_context_that_cannot_tell_the_time_means_no_deadline() -> None:
    class Broken:
        def get_remaining_time_in_millis(self) -> int:
            raise RuntimeError("no clock")

    for context in (None, {}, Broken(), object()):
        results = check(lambda_handler([good(0), good(1)], context), 2)
        assert results is not None and not any(codes(r) for r in results)


# --------------------------------------------------------------------------------------------------------------------
# Response size
# --------------------------------------------------------------------------------------------------------------------


def minimal_rows(target_bytes: int) -> list[dict[str, Any]]:
    """The smallest valid rows, ``target_bytes`` of them as compact JSON (the response is larger than the
    request: each result carries the preset's metrics)."""
    event: list[dict[str, Any]] = []
    size = 2
    while True:
        row = {"id": len(event), "messages": [{"role": "assistant", "content": ""}], "reference_answer": "a"}
        size += len(json.dumps(row, separators=(",", ":"))) + 1
        if size > target_bytes:
            return event
        event.append(row)


def result_forms(results: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in results:
        names = [m["name"] for m in r.get("metrics_list", [])]
        if "metrics_list" not in r:
            out.append("bare" if r["id"] is not None else "anonymous")
        elif names == ["error_response_too_large"]:
            out.append("marked")
        elif any(m["type"] == "Metric" and not m["name"].startswith("error") for m in r["metrics_list"]):
            out.append("full")
        else:
            out.append("trimmed")
    return out


def small_limit(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Lambda's limit made small (here and for :func:`check`), to exercise the cutting on small batches."""
    monkeypatch.setattr(H, "RESPONSE_LIMIT_BYTES", limit)
    monkeypatch.setitem(globals(), "LIMIT", limit)


@pytest.mark.parametrize("style", ["oss", "nova"])
def test_over_the_limit_metrics_go_first_then_results_are_cut_in_order(
    style: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", style)
    event = minimal_rows(30_000)
    full = check(lambda_handler(event, {}), len(event), style)
    assert full is not None and set(result_forms(full)) == {"full"}
    size = runtime_bytes(lambda_handler(event, {}))
    small_limit(monkeypatch, int(size * 0.8))  # trimming the metrics is enough
    trimmed = check(lambda_handler(event, {}), len(event), style)
    assert trimmed is not None and set(result_forms(trimmed)) == {"trimmed"}
    assert [r["aggregate_reward_score"] for r in trimmed] == [r["aggregate_reward_score"] for r in full]
    small_limit(monkeypatch, int(size * 0.25))  # results must be cut too: ids all kept, order kept
    cut = check(lambda_handler(event, {}), len(event), style)
    assert cut is not None
    forms = result_forms(cut)
    first_cut = forms.index(next(f for f in forms if f != "trimmed"))
    assert 0 < first_cut and set(forms[:first_cut]) == {"trimmed"} and "trimmed" not in forms[first_cut:]
    assert "anonymous" not in forms and [r["id"] for r in cut] == [r["id"] for r in full]
    assert [r["aggregate_reward_score"] for r in cut] == [r["aggregate_reward_score"] for r in full]
    assert all(codes(r) == {"response_too_large"} for r, f in zip(cut, forms, strict=True) if f == "marked")
    assert runtime_bytes(lambda_handler(event, {})) > 0.95 * H.RESPONSE_LIMIT_BYTES  # the room is used


@pytest.mark.parametrize("style", ["oss", "nova"])
def test_ids_go_last_and_one_result_per_sample_always(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", style)
    small_limit(monkeypatch, 50_000)
    rng = random.Random(3)
    event = [sample("é" * rng.randint(1, 3_000) if i % 2 else f"short-{i}") for i in range(60)]  # ids > the limit
    results = check(lambda_handler(event, {}), 60, style)
    assert results is not None
    forms = result_forms(results)
    assert "anonymous" in forms
    for r, s in zip(results, event, strict=True):
        assert r["id"] in (None, s["id"]) and r["aggregate_reward_score"] == 1.0
    small_limit(monkeypatch, 60 * 10)  # not even {"id": null, "aggregate_reward_score": 1.0} each
    assert check(lambda_handler(event, {}), None, style) is None
    response = lambda_handler(event, {})
    kind = response["errorType"] if style == "nova" else json.loads(response["body"])["error"]
    assert kind == "ResponseTooLarge"


def random_result(rng: random.Random) -> dict[str, Any]:
    sid = rng.choice(
        [
            None,
            0,
            -(2**63),
            2**64 - 1,
            2**64,
            2**100,
            1.5,
            1e-05,
            True,
            "",
            "a" * rng.randint(0, 50),
            'é\U0001f600"\\\n',
            {"k": ["v", 1e16]},
            [1, [2, [3]]],
            "\x7f\x00",
        ]
    )
    metrics = [H._metric("reward", rng.choice([0.0, 1.0, 0.5, -3.0, 1e-05, 1e16, -0.0, 0.1 + 0.2]), "Reward")]
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(["format", "arguments", "error", "error_bad_id", 'naïve "name"', "x" * 30])
        metrics.append(
            H._metric(name, rng.choice([0.0, 1.0, 2.5e-07, 123456789.123, -0.0]), rng.choice(["Metric", "Reward"]))
        )
    return {"id": sid, "aggregate_reward_score": metrics[0]["value"], "metrics_list": metrics}


@pytest.mark.parametrize("style", ["oss", "nova"])
def test_the_size_arithmetic_is_exact(style: str) -> None:
    """The sizes the cutting relies on add up to what the encoders write, for any result."""
    rng = random.Random(11)
    sizer = H._Sizer(style)
    for _ in range(300):
        results = [random_result(rng) for _ in range(rng.randint(0, 12))]
        exact = sizer.exact(results)
        parts = sizer.overhead + sum(sizer.result(r) for r in results) + sizer.sep * max(len(results) - 1, 0)
        assert parts == exact
        trimmed = [H._trimmed(r) for r in results]
        assert sizer.exact(trimmed) == sizer.overhead + sum(sizer.result(r, trim=True) for r in results) + (
            sizer.sep * max(len(results) - 1, 0)
        )
        response = sizer.envelope(H._dumps(results)) if style == "oss" else results
        assert runtime_bytes(response) == exact
    smallest = sizer.size(H._cut(None, 0, False)) + sizer.sep
    assert H.MIN_RESULT_BYTES <= smallest


def test_the_limit_is_lambdas() -> None:
    assert H.RESPONSE_LIMIT_BYTES == 6_291_556  # docs/lambda.md; the runtime's error names this figure


def broken_batches() -> Iterator[tuple[str, list[Any]]]:
    """About 1.5 MB of broken samples, several ways."""
    yield "1.5 MB of 0", [0] * 750_000
    rng = random.Random(5)
    yield "long ids", [sample("x" * rng.randint(1_000, 20_000), content=42) for _ in range(140)]
    yield (
        "long unicode ids",
        [sample("\U0001f600" * rng.randint(1_000, 5_000), content=None, truth=5) for _ in range(100)],
    )
    mixed: list[Any] = []
    size = 0
    while size < 1_500_000:
        mixed.append(broken(rng, "y" * rng.randint(0, 3000)))
        size += approx_size(mixed[-1])
    yield "mixed", mixed


def approx_size(value: Any) -> int:
    """Its JSON size, or 10,000 for what the standard library cannot write (nested too deep, a huge integer)."""
    try:
        return len(json.dumps(value))
    except (ValueError, RecursionError):
        return 10_000


@pytest.mark.parametrize("style", ["oss", "nova"])
def test_one_and_a_half_megabytes_of_broken_samples(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", style)
    for name, event in broken_batches():
        response = lambda_handler(event, {})
        results = check(response, len(event), style)
        if name == "1.5 MB of 0":  # 750,000 results cannot fit in 6 MB, whatever their form
            assert results is None
            assert (response["errorType"] if style == "nova" else json.loads(response["body"])["error"]) == (
                "ResponseTooLarge"
            )
        else:
            assert results is not None, name
            if name != "mixed":
                assert all(r["aggregate_reward_score"] == FLOOR and codes(r) for r in results)


@pytest.mark.slow
@pytest.mark.parametrize("style", ["oss", "nova"])
def test_six_megabytes_of_minimal_rows(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6 MB request of the smallest rows answers 76,000 samples: the response is cut to fit, every id kept."""
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", style)
    event = minimal_rows(6 * 2**20)
    started = time.perf_counter()
    response = lambda_handler(event, {})
    seconds = time.perf_counter() - started
    results = check(response, len(event), style)
    assert results is not None
    assert [r["id"] for r in results] == list(range(len(event)))
    forms = result_forms(results)
    print(
        f"{style}: {len(event)} samples in {seconds:.2f} s; response {runtime_bytes(response):,} bytes; forms "
        f"{ {f: forms.count(f) for f in set(forms)} }"
    )


def test_docs_name_every_error_code_and_the_constants() -> None:
    from pathlib import Path

    from rlvr_rewards.aws_lambda import config

    text = (Path(__file__).resolve().parent.parent / "docs" / "lambda.md").read_text(encoding="utf-8")
    for code in ERROR_CODES:
        assert f"| `{code}` |" in text, code
    for kind, status in H.EVENT_ERRORS.items():
        assert f"| `{kind}` | {status} |" in text, kind
    assert f"{H.RESPONSE_LIMIT_BYTES:,}" in text and f"{H.RESPONSE_LIMIT_BYTES // H.MIN_RESULT_BYTES:,}" in text
    assert f"`SLOWEST_SAMPLE_MS` = {config.SLOWEST_SAMPLE_MS} ms" in text
    assert f"`DEADLINE_MARGIN_MS` = {config.DEADLINE_MARGIN_MS} ms" in text
    assert f"`RESPONSE_US_PER_RESULT` = {config.RESPONSE_US_PER_RESULT} us" in text

"""The reward server (rlvr_rewards.server, docs/server.md) against live uvicorn servers on 127.0.0.1.

Three servers run for the module, each in a background thread on a port of its own: ``main`` (the endpoints, the
equality with ``score_batch``, the 4xx paths, the clients, the metrics), ``slow`` (1 s of injected scoring time,
one pending request, a 0.3 s deadline, a 4 KB body limit, a 1 s body timeout: 429, 504, 413, 408 without races)
and ``kill`` (two workers, a worker killed mid-batch).
"""

from __future__ import annotations

import asyncio
import http.server
import json
import math
import os
import re
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

import rlvr_rewards as rr  # noqa: E402
from rlvr_rewards.errors import ConfigError, RlvrRewardsError  # noqa: E402
from rlvr_rewards.server import ServerConfig, create_app  # noqa: E402
from rlvr_rewards.server.client import AsyncRewardClient, RewardClient, RewardServerError  # noqa: E402

from .helpers import LiveServer, example_pairs  # noqa: E402


def _start(config: ServerConfig) -> Iterator[LiveServer]:
    server = LiveServer(config)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def main() -> Iterator[LiveServer]:
    yield from _start(ServerConfig(workers=1, max_batch=1000))


@pytest.fixture(scope="module")
def slow() -> Iterator[LiveServer]:
    config = ServerConfig(
        workers=1, max_pending=1, timeout_s=0.3, delay_s=1.0, max_body_bytes=4096, body_timeout_s=1.0, max_batch=5
    )
    yield from _start(config)


def call(url: str, payload: Any = None, method: str = "POST", raw: bytes | None = None) -> tuple[int, Any, Any]:
    """(status, headers, JSON body) of one request; errors are answers, not exceptions."""
    data = raw if raw is not None else (None if payload is None else json.dumps(payload).encode())
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            ctype = response.headers.get("Content-Type", "")
            return response.status, response.headers, json.loads(body) if "json" in ctype else body.decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, json.loads(exc.read())


@pytest.fixture(scope="module")
def example() -> tuple[list[Any], list[dict[str, Any]]]:
    return example_pairs()


GOOD = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
TRUTH = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}


# ------------------------------------------------------------------------------------------------- the endpoints


def test_health(main: LiveServer) -> None:
    status, _, body = call(main.url + "/health", method="GET")
    assert status == 200
    assert body["status"] == "ok" and body["preset"] == "graded" and body["workers"] == 1
    assert body["version"] == rr.__version__


def test_score_equals_score_batch_on_the_bundled_example(main: LiveServer, example: Any) -> None:
    completions, rows = example
    assert len(completions) == 240
    status, _, body = call(
        main.url + "/score", {"items": [{"completion": c, "row": r} for c, r in zip(completions, rows, strict=True)]}
    )
    assert status == 200
    expected = json.loads(json.dumps(list(rr.score_batch(completions, rows).to_dicts())))
    assert len(body["scores"]) == len(expected) == 240
    for i, (got, want) in enumerate(zip(body["scores"], expected, strict=True)):
        assert got == want, i
    assert body["rewards"] == [s["reward"] for s in expected]


def test_score_with_truths_tools_and_another_preset(main: LiveServer) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
              "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]  # fmt: skip
    completions = [GOOD, "I can't help with that.", [{"role": "assistant", "content": "Which city?"}]]
    items = [{"completion": c, "ground_truth": TRUTH, "tools": tools} for c in completions]
    for preset in ("graded", "binary"):
        status, _, body = call(main.url + "/score", {"items": items, "preset": preset})
        assert status == 200
        want = json.loads(
            json.dumps(list(rr.score_batch(completions, [TRUTH] * 3, tools=[tools] * 3, preset=preset).to_dicts()))
        )
        assert body["scores"] == want


def test_an_integer_beyond_64_bits_in_a_truth_keeps_every_digit(main: LiveServer) -> None:
    # orjson reads 2**64 + 1 as the float 2**64: the server's decoding is exact, as score_batch's files are
    big = 2**64 + 1
    truth = {"behavior": "execute", "calls": [{"name": "pick", "arguments": {"n": big}}]}
    completions = [f'<tool_call>\n{{"name": "pick", "arguments": {{"n": {n}}}}}\n</tool_call>' for n in (big, big - 1)]
    raw = ('{"items": [' + ", ".join(
        f'{{"completion": {json.dumps(c)}, "ground_truth": {json.dumps(truth)}}}' for c in completions
    ) + "]}").encode()  # fmt: skip
    status, _, body = call(main.url + "/score", raw=raw)
    assert status == 200
    want = json.loads(json.dumps(list(rr.score_batch(completions, [truth] * 2).to_dicts())))
    assert body["scores"] == want
    assert want[0]["reward"] == 1.0 and want[1]["reward"] < 1.0


def test_a_bad_sample_gets_the_floor_and_never_fails_its_batch(main: LiveServer) -> None:
    items = [
        {"completion": GOOD, "ground_truth": TRUTH},
        {"completion": GOOD, "ground_truth": {"behavior": "no-such-behaviour"}},
        {"completion": GOOD, "ground_truth": TRUTH, "tools": [{"type": "function", "function": {"parameters": 3}}]},
        {"completion": "Which city?", "ground_truth": TRUTH},
    ]
    status, _, body = call(main.url + "/score", {"items": items})
    assert status == 200 and len(body["scores"]) == 4
    floor = rr.get_preset("graded").floor
    bad, tools = body["scores"][1], body["scores"][2]
    assert (
        bad["reward"] == floor
        and bad["reason"] == "error_bad_ground_truth"
        and bad["error"]["kind"] == "bad_ground_truth"
    )
    assert tools["reward"] == floor and tools["error"]["kind"] == "bad_tools"
    want = json.loads(json.dumps(list(rr.score_batch([GOOD, "Which city?"], [TRUTH, TRUTH]).to_dicts())))
    assert [body["scores"][0], body["scores"][3]] == want


def test_get_reward_through_openrlhfs_own_client(main: LiveServer, example: Any) -> None:
    try:
        from openrlhf.utils.agent import SingleTurnAgentExecutor
    except Exception as exc:  # pragma: no cover
        pytest.skip(f"OpenRLHF 0.11.2 is not importable ({exc})")
    from rlvr_rewards.integrations.openrlhf import reward_func

    completions, rows = example
    prompt = "<|im_start|>user\nWhat's the weather?<|im_end|>\n<|im_start|>assistant\n"
    picked = [i for i in range(0, 240, 29)]
    queries = [prompt + completions[i] + "<|im_end|>" for i in picked if isinstance(completions[i], str)]
    labels = [rows[i]["reward_model"]["ground_truth"] for i in picked if isinstance(completions[i], str)]
    prompts = [prompt] * len(queries)
    executor = SingleTurnAgentExecutor(remote_rm_url=main.url + "/get_reward")
    (answer,) = asyncio.run(executor._fetch_rewards_via_http(queries, prompts, labels))
    local = reward_func(queries, prompts, labels)
    as_list = lambda v: v.tolist() if hasattr(v, "tolist") else list(v)  # noqa: E731
    assert answer["rewards"] == pytest.approx(as_list(local["rewards"]), abs=1e-6)
    assert answer["scores"] == pytest.approx(as_list(local["scores"]), abs=1e-6)
    assert set(answer["extra_logs"]) == set(local["extra_logs"])
    for key, values in local["extra_logs"].items():
        assert answer["extra_logs"][key] == pytest.approx(as_list(values), abs=1e-6), key


def test_verl_compute_score_one_and_many(main: LiveServer, example: Any) -> None:
    from rlvr_rewards.integrations.verl import compute_score

    completions, rows = example
    calls = [
        {"data_source": r["data_source"], "solution_str": c, "ground_truth": r["reward_model"]["ground_truth"],
         "extra_info": r.get("extra_info")}
        for c, r in list(zip(completions, rows, strict=True))[:12] if isinstance(c, str)
    ]  # fmt: skip
    want = json.loads(json.dumps([compute_score(**c) for c in calls]))
    status, _, one = call(main.url + "/verl/compute_score", calls[0])
    assert status == 200 and one == want[0] and "score" in one
    status, _, many = call(main.url + "/verl/compute_score", calls)
    assert status == 200 and many == want


def test_verify_nemo_gym_request(main: LiveServer) -> None:
    parameters = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    tool = {"type": "function", "name": "get_weather", "description": "weather", "parameters": parameters}
    body = {
        "responses_create_params": {"input": [{"role": "user", "content": "Weather in Paris?"}], "tools": [tool]},
        "response": {
            "id": "resp_1",
            "output": [
                {"type": "reasoning", "id": "rs_1", "summary": []},
                {"type": "function_call", "name": "get_weather", "arguments": '{"city": "Paris"}', "call_id": "c1"},
            ],
        },
        "verifier_metadata": {"ground_truth": TRUTH},
    }
    status, _, out = call(main.url + "/verify", body)
    assert status == 200
    function = {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    message = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "c1", "type": "function", "function": function}],
    }
    tools = [{"type": "function", "function": {k: tool[k] for k in ("name", "description", "parameters")}}]
    assert out["reward"] == rr.score(message, TRUTH, tools=tools).reward == 1.0
    assert {k: out[k] for k in body} == body  # the request echoed
    assert out["rlvr"]["behavior"] == "execute"
    wrong = {**body, "ground_truth": {"behavior": "refuse"}}
    status, _, out = call(main.url + "/verify", wrong)
    assert status == 200 and out["reward"] < 1.0
    status, _, out = call(main.url + "/verify", {**body, "ground_truth": {"behavior": "??"}})
    assert status == 200 and out["failure_reason"].startswith("bad_ground_truth")


# ------------------------------------------------------------------------------------------------- the 4xx paths

ITEM = {"completion": GOOD, "ground_truth": TRUTH}


@pytest.mark.parametrize(
    ("path", "raw", "status", "kind", "field"),
    [
        ("/score", b"{not json", 422, "invalid_json", None),
        ("/score", b'{"items": [NaN]}', 422, "invalid_json", None),
        ("/score", b'{"items": [1e400]}', 422, "invalid_json", None),
        ("/score", b'{"items": "\xff"}', 422, "invalid_json", None),
        ("/score", b"[1, 2]", 422, "not_object", None),
        ("/score", b"{}", 422, "missing_field", "items"),
        ("/score", b'{"items": {}}', 422, "bad_field", "items"),
        ("/score", json.dumps({"items": [ITEM, 3]}).encode(), 422, "bad_field", "items[1]"),
        (
            "/score",
            json.dumps({"items": [ITEM, {**ITEM, "completion": 7}]}).encode(),
            422,
            "bad_field",
            "items[1].completion",
        ),
        (
            "/score",
            json.dumps({"items": [ITEM, {"ground_truth": TRUTH}]}).encode(),
            422,
            "missing_field",
            "items[1].completion",
        ),
        (
            "/score",
            json.dumps({"items": [ITEM, ITEM, {"completion": GOOD}]}).encode(),
            422,
            "missing_field",
            "items[2].ground_truth",
        ),
        ("/score", json.dumps({"items": [{**ITEM, "row": {}}]}).encode(), 422, "bad_field", "items[0].ground_truth"),
        ("/score", json.dumps({"items": [{"completion": GOOD, "row": 3}]}).encode(), 422, "bad_field", "items[0].row"),
        ("/score", json.dumps({"items": [{**ITEM, "truth": 1}]}).encode(), 422, "unknown_field", "items[0].truth"),
        ("/score", json.dumps({"items": [ITEM], "preset": "nope"}).encode(), 422, "unknown_preset", "preset"),
        ("/score", json.dumps({"items": [ITEM], "format": "nope"}).encode(), 422, "unknown_format", "format"),
        ("/score", json.dumps({"items": [ITEM], "extra": 1}).encode(), 422, "unknown_field", "extra"),
        (
            "/get_reward",
            json.dumps({"query": ["a"], "prompts": [], "labels": []}).encode(),
            422,
            "length_mismatch",
            "labels",
        ),
        (
            "/get_reward",
            json.dumps({"query": [1], "prompts": ["p"], "labels": [TRUTH]}).encode(),
            422,
            "bad_field",
            "query[0]",
        ),
        (
            "/verl/compute_score",
            json.dumps([{"solution_str": GOOD}]).encode(),
            422,
            "missing_field",
            "[0].ground_truth",
        ),
        (
            "/verl/compute_score",
            json.dumps({"solution_str": 5, "ground_truth": TRUTH}).encode(),
            422,
            "bad_field",
            "solution_str",
        ),
        ("/verl/compute_score", b"3", 422, "not_object", None),
        ("/verify", json.dumps({"response": {}}).encode(), 422, "bad_field", "response.output"),
        ("/verify", json.dumps({"response": {"output": []}}).encode(), 422, "missing_field", "ground_truth"),
    ],
)
def test_malformed_requests_name_the_item_and_field(
    main: LiveServer, path: str, raw: bytes, status: int, kind: str, field: str | None
) -> None:
    got, headers, body = call(main.url + path, raw=raw)
    assert got == status, body
    assert headers["Content-Type"] == "application/json"
    assert body["error"]["kind"] == kind and body["error"]["message"]
    assert body["error"].get("field") == field
    match = re.search(r"\[(\d+)\]", field or "")
    if match and path != "/get_reward":
        assert body["error"]["item"] == int(match.group(1))


def test_unknown_routes_and_methods_answer_json(main: LiveServer) -> None:
    status, _, body = call(main.url + "/nope", {"items": []})
    assert status == 404 and body["error"]["kind"] == "not_found"
    status, _, body = call(main.url + "/score", method="GET")
    assert status == 405 and body["error"]["kind"] == "method_not_allowed"


def test_a_completion_is_never_echoed_in_an_error(main: LiveServer) -> None:
    secret = "SECRET-COMPLETION-TEXT"
    status, _, body = call(main.url + "/score", {"items": [{"completion": secret}]})
    assert status == 422 and secret not in json.dumps(body)


def _raw(port: int, data: bytes, read: bool = True, timeout: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        if not read:
            return b""
        out = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
        return out


def test_413_on_content_length_at_once(slow: LiveServer) -> None:
    head = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    started = time.monotonic()
    answer = _raw(slow.port, head)  # no body sent at all: answered from the header
    assert answer.startswith(b"HTTP/1.1 413") and b'"body_too_large"' in answer
    assert time.monotonic() - started < 2


def test_413_on_a_chunked_body_before_reading_it_all(slow: LiveServer) -> None:
    head = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunks = b"".join(b"400\r\n" + b"x" * 1024 + b"\r\n" for _ in range(6))  # 6 KB > 4 KB, never terminated
    answer = _raw(slow.port, head + chunks)
    assert answer.startswith(b"HTTP/1.1 413") and b'"body_too_large"' in answer


def test_413_on_too_many_items(slow: LiveServer) -> None:
    status, _, body = call(slow.url + "/score", {"items": [ITEM] * 6})
    assert status == 413 and body["error"]["kind"] == "too_many_items" and "max_batch" in body["error"]["message"]


def test_a_slowloris_body_times_out_and_the_server_stays_up(slow: LiveServer) -> None:
    head = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    started = time.monotonic()
    answer = _raw(slow.port, head)  # 1 byte of 1000, then nothing
    assert answer.startswith(b"HTTP/1.1 408") and b'"body_timeout"' in answer
    assert 0.9 < time.monotonic() - started < 5
    assert call(slow.url + "/health", method="GET")[0] == 200


def _pending(server: LiveServer) -> int:
    return int(call(server.url + "/health", method="GET")[2]["pending"])


def _wait_pending(server: LiveServer, value: int, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while _pending(server) != value:
        assert time.monotonic() < deadline, f"pending never became {value}"
        time.sleep(0.02)


def test_deadline_504_and_busy_429(slow: LiveServer) -> None:
    _wait_pending(slow, 0)
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(call(slow.url + "/score", {"items": [ITEM]})))
    first.start()
    _wait_pending(slow, 1)  # admitted: the worker sleeps 1 s, the deadline is 0.3 s
    status, headers, body = call(slow.url + "/score", {"items": [ITEM]})
    assert status == 429 and body["error"]["kind"] == "busy" and headers["Retry-After"] == "1"
    # refused before its body is read: headers only (a body never sent would end in 408 after body_timeout_s)
    head = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n"
    answer = _raw(slow.port, head)
    assert answer.startswith(b"HTTP/1.1 429") and b'"busy"' in answer and b"connection: close" in answer.lower()
    first.join(10)
    status, _, body = results[0]
    assert status == 504 and body["error"]["kind"] == "deadline"
    assert _pending(slow) == 1  # past its deadline, the task still holds its slot until the worker is done
    _wait_pending(slow, 0)


def test_a_client_that_disconnects_mid_request(main: LiveServer) -> None:
    payload = json.dumps({"items": [ITEM] * 200}).encode()
    head = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    _raw(main.port, head % len(payload) + payload[:100], read=False)  # half a body, then gone
    _raw(main.port, head % len(payload) + payload, read=False)  # a whole request, gone before the answer
    time.sleep(0.3)
    status, _, body = call(main.url + "/score", {"items": [ITEM] * 3})
    assert status == 200 and len(body["rewards"]) == 3


# ------------------------------------------------------------------------------------------------- worker killed


def test_a_worker_killed_mid_batch() -> None:
    server = LiveServer(ServerConfig(workers=2, delay_s=1.0, timeout_s=30.0))
    try:
        pool = server.app.state.pool
        pids = pool.pids()
        assert len(pids) == 2
        results: list[Any] = []
        items = [ITEM] * 50
        thread = threading.Thread(target=lambda: results.append(call(server.url + "/score", {"items": items})))
        thread.start()
        _wait_pending(server, 1)
        time.sleep(0.3)  # in the worker's 1 s
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        thread.join(30)
        status, _, body = results[0]
        assert status in (200, 503), body
        if status == 200:  # retried once on the rebuilt pool: one result per item, nothing duplicated
            assert len(body["rewards"]) == len(body["scores"]) == 50
            assert body["scores"][0] == json.loads(json.dumps(rr.score(GOOD, TRUTH).to_dict()))
        else:
            assert body["error"]["kind"] == "workers_died"
        status, _, health = call(server.url + "/health", method="GET")
        assert status == 200 and health["rebuilds"] >= 1 and health["pending"] == 0
        status, _, body = call(server.url + "/score", {"items": [ITEM] * 4})
        assert status == 200 and len(body["rewards"]) == 4
        assert not set(pool.pids()) & set(pids)
    finally:
        server.stop()


# ------------------------------------------------------------------------------------------------------ metrics

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
_SAMPLE = re.compile(rf"^({_NAME})(\{{(?:{_LABEL})(?:,{_LABEL})*\}})? (\S+)$")
_LABELS = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"')


def parse_exposition(text: str) -> dict[str, Any]:
    """Families of a Prometheus 0.0.4 text exposition, every line checked against the grammar."""
    assert text.endswith("\n")
    families: dict[str, Any] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            assert re.fullmatch(_NAME, name) and help_text and name not in families
            families[name] = {"help": help_text, "type": None, "samples": []}
            current = name
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert name == current and kind in ("counter", "gauge", "histogram", "summary", "untyped")
            assert families[name]["type"] is None and not families[name]["samples"]
            families[name]["type"] = kind
        else:
            match = _SAMPLE.match(line)
            assert match, line
            name, labels, value = match.groups()
            assert current is not None and families[current]["type"]
            if families[current]["type"] == "histogram":
                assert name in (f"{current}_bucket", f"{current}_sum", f"{current}_count"), line
            else:
                assert name == current, line
            number = float(value)  # +Inf, NaN and decimals are valid
            if families[current]["type"] == "counter":
                assert number >= 0
            families[current]["samples"].append((name, dict(_LABELS.findall(labels or "")), number))
    return families


def check_histogram(family: dict[str, Any]) -> None:
    series: dict[tuple[Any, ...], dict[str, Any]] = {}
    for name, labels, value in family["samples"]:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        entry = series.setdefault(key, {"buckets": []})
        if name.endswith("_bucket"):
            entry["buckets"].append((float(labels["le"]), value))
        else:
            entry[name.rsplit("_", 1)[1]] = value
    assert series
    for entry in series.values():
        bounds = [b for b, _ in entry["buckets"]]
        counts = [c for _, c in entry["buckets"]]
        assert bounds == sorted(bounds) and bounds[-1] == math.inf
        assert counts == sorted(counts)  # cumulative
        assert entry["count"] == counts[-1] and entry["sum"] >= 0


def test_metrics_parse(main: LiveServer) -> None:
    call(main.url + "/score", {"items": [ITEM, {**ITEM, "completion": "No."}]})
    call(main.url + "/score", raw=b"{oops")
    status, headers, text = call(main.url + "/metrics", method="GET")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = parse_exposition(text)
    assert families["rlvr_requests_total"]["type"] == "counter"
    assert families["rlvr_request_seconds"]["type"] == "histogram"
    check_histogram(families["rlvr_request_seconds"])
    requests = {(s[1]["endpoint"], s[1]["status"]): s[2] for s in families["rlvr_requests_total"]["samples"]}
    assert requests[("/score", "200")] >= 1 and requests[("/score", "422")] >= 1
    errors = {s[1]["kind"]: s[2] for s in families["rlvr_errors_total"]["samples"]}
    assert errors["invalid_json"] >= 1
    items = {s[1]["endpoint"]: s[2] for s in families["rlvr_items_total"]["samples"]}
    assert items["/score"] >= 2
    rewards = {(s[1]["expected"], s[1]["behavior"]): s[2] for s in families["rlvr_rewards_total"]["samples"]}
    assert rewards[("execute", "execute")] >= 1
    assert families["rlvr_reward_accumulated"]["type"] == "gauge"


def test_the_metrics_parser_rejects_bad_lines() -> None:
    with pytest.raises(AssertionError):
        parse_exposition("# HELP a b\n# TYPE a counter\na{x=1} 2\n")
    with pytest.raises(AssertionError):
        parse_exposition("# HELP a b\n# TYPE a counter\nb 2\n")
    with pytest.raises(AssertionError):
        check_histogram(
            parse_exposition(
                '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'
            )["h"]
        )


# ------------------------------------------------------------------------------------------------------ clients


def test_client_score_and_score_batch(main: LiveServer) -> None:
    client = RewardClient(main.url)
    out = client.score([ITEM])
    assert out["rewards"] == [1.0]
    out = client.score_batch([GOOD, "Sorry, no."], [TRUTH, TRUTH], preset="binary")
    want = json.loads(
        json.dumps(list(rr.score_batch([GOOD, "Sorry, no."], [TRUTH, TRUTH], preset="binary").to_dicts()))
    )
    assert out["scores"] == want
    columns = client.score_batch([GOOD, "Sorry, no."], [TRUTH, TRUTH], preset="binary", layout="columns")
    assert columns["layout"] == "columns" and _transposed(columns) == want
    assert client.health()["status"] == "ok"
    assert client.compute_score("x", GOOD, TRUTH)["score"] == 1.0


def test_client_errors_name_url_status_and_message(main: LiveServer) -> None:
    client = RewardClient(main.url, retries=3, backoff=0.01)
    with pytest.raises(RewardServerError) as caught:
        client.score([ITEM, {"completion": 5, "ground_truth": TRUTH}])
    err = caught.value
    assert isinstance(err, RlvrRewardsError)
    assert err.status == 422 and err.field == "items[1].completion" and err.item == 1
    assert main.url in str(err) and "422" in str(err) and "items[1].completion" in str(err)


def test_async_client(main: LiveServer) -> None:
    async def go() -> list[Any]:
        client = AsyncRewardClient(main.url)
        return list(
            await asyncio.gather(
                *(client.score_batch([GOOD], [TRUTH]) for _ in range(3)),
                client.score_batch([GOOD], [TRUTH], layout="columns"),
                client.score([ITEM], layout="columns"),
            )
        )

    answers = asyncio.run(go())
    assert [r["rewards"] for r in answers] == [[1.0]] * 5 and [r.get("layout") for r in answers[3:]] == ["columns"] * 2


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers with the next (status, headers) of the server's script; counts the attempts."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server: Any = self.server
        status, headers = server.script[min(server.calls, len(server.script) - 1)]
        server.calls += 1
        body = json.dumps(
            {"rewards": [1.0], "scores": []} if status == 200 else {"error": {"kind": "k", "message": "m"}}
        )
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("script", "calls", "ok"),
    [
        ([(429, {"Retry-After": "0"}), (503, {}), (200, {})], 3, True),
        ([(502, {}), (504, {}), (200, {})], 3, True),
        ([(503, {})], 3, False),  # retries=2: three attempts, then the error
        ([(422, {})], 1, False),  # never retried
        ([(400, {})], 1, False),
        ([(500, {})], 1, False),
    ],
)
def test_client_retries(script: list[Any], calls: int, ok: bool) -> None:
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    stub.script, stub.calls = script, 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=stub.serve_forever, daemon=True)
    thread.start()
    try:
        client = RewardClient(f"http://127.0.0.1:{stub.server_address[1]}", retries=2, backoff=0.01)
        if ok:
            assert client.score([ITEM])["rewards"] == [1.0]
        else:
            with pytest.raises(RewardServerError) as caught:
                client.score([ITEM])
            assert caught.value.status == script[-1][0] and caught.value.kind == "k"
        assert stub.calls == calls  # type: ignore[attr-defined]
    finally:
        stub.shutdown()
        stub.server_close()


def test_client_retries_connection_errors_then_names_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    client = RewardClient(f"http://127.0.0.1:{port}", retries=2, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(RewardServerError) as caught:
        client.score([ITEM])
    assert caught.value.status is None and f"127.0.0.1:{port}/score" in str(caught.value)
    assert time.monotonic() - started < 5


# ------------------------------------------------------------------------------------------------- config and CLI


@pytest.mark.parametrize(
    "kwargs",
    [{"workers": 0}, {"max_batch": -1}, {"timeout_s": 0}, {"max_pending": True}, {"preset": ""}, {"delay_s": -1}],
)
def test_bad_config_raises_naming_the_setting(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=next(iter(kwargs))):
        ServerConfig(**kwargs)


def test_unknown_preset_or_format_fails_at_create_app() -> None:
    with pytest.raises(ConfigError, match="preset"):
        create_app(ServerConfig(preset="nope"))
    with pytest.raises(ConfigError, match="format"):
        create_app(ServerConfig(format="nope"))


def test_serve_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from rlvr_rewards import cli
    from rlvr_rewards.server import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(app, "serve", lambda config, **kw: seen.update(config=config, **kw))
    argv = ["serve", "--port", "9123", "--workers", "2", "--preset", "binary", "--max-batch", "10",
            "--max-body-mb", "1", "--timeout", "5", "--quiet"]  # fmt: skip
    assert cli.main(argv) == 0
    config = seen["config"]
    assert (config.workers, config.preset, config.max_batch, config.max_body_bytes, config.timeout_s) == (
        2, "binary", 10, 1024 * 1024, 5.0
    )  # fmt: skip
    assert seen["port"] == 9123 and seen["host"] == "127.0.0.1"
    assert cli.main(["serve", "--workers", "0"]) == 2  # a ConfigError: the message, exit 2


def test_top_level_tools_serve_every_item_without_its_own(main: LiveServer) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
              "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]  # fmt: skip
    other = [{"type": "function", "function": {"name": "book", "parameters": {"type": "object"}}}]
    completions = [GOOD, "Which city?", GOOD]
    items: list[dict[str, Any]] = [{"completion": c, "ground_truth": TRUTH} for c in completions]
    items[2]["tools"] = other  # its own list wins
    status, _, body = call(main.url + "/score", {"items": items, "tools": tools})
    assert status == 200
    want = rr.score_batch(completions, [TRUTH] * 3, tools=[tools, tools, other]).to_dicts()
    assert body["scores"] == json.loads(json.dumps(list(want)))
    status, _, body = call(main.url + "/score", {"items": items, "tools": {"not": "a list"}})
    assert status == 422 and body["error"]["field"] == "tools"
    from rlvr_rewards.server.client import RewardClient

    client = RewardClient(main.url)
    shared_list = [tools] * 3  # one object for every item: sent once
    assert client.score_batch(completions, [TRUTH] * 3, tools=shared_list)["scores"] == json.loads(
        json.dumps(list(rr.score_batch(completions, [TRUTH] * 3, tools=shared_list).to_dicts()))
    )


# --------------------------------------------------------------------------- layouts, tools as text, shares, timing

PARIS = {"name": "get_weather", "arguments": {"city": "Paris"}}
TRAJECTORY = {"behavior": "trajectory", "turns": [{"calls": [PARIS]}], "outcome": {"answer_contains": ["Paris"]}}
TRAJECTORY_RUN = [
    {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": PARIS}]},
    {"role": "tool", "name": "get_weather", "content": "Sunny in Paris"},
    {"role": "assistant", "content": "It is sunny in Paris."},
]


def _mixed_items() -> list[dict[str, Any]]:
    """Single-step items, trajectory items (more components: only in some shares) and floored items."""
    items: list[dict[str, Any]] = [
        {"completion": GOOD, "ground_truth": TRUTH},
        {"completion": "Which?", "ground_truth": TRUTH},
    ]
    items += [{"completion": TRAJECTORY_RUN, "ground_truth": TRAJECTORY}]
    items += [{"completion": GOOD, "ground_truth": {"behavior": "no-such-behaviour"}}]
    items += [
        {"completion": GOOD, "ground_truth": TRUTH, "tools": [{"type": "function", "function": {"parameters": 3}}]}
    ]
    items += [{"completion": "I can't help with that.", "ground_truth": {"behavior": "refuse"}}] * 3
    return items


def _transposed(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The items layout's scores rebuilt from a columns answer."""
    n = len(answer["rewards"])
    out = []
    for i in range(n):
        item = {
            "reward": answer["rewards"][i],
            "components": {k: v[i] for k, v in answer["components"].items()},
            "reason": answer["reasons"][i],
            "behavior": answer["behaviors"][i],
            "expected": answer["expected"][i],
            "violations": answer["violations"][i],
        }
        out.append(item)
    for t in answer["trajectories"]:
        out[t["item"]].update({k: t[k] for k in ("turn_rewards", "step_rewards", "details")})
    for e in answer["errors"]:
        out[e["item"]]["error"] = {k: v for k, v in e.items() if k != "item"}
    return out


@pytest.mark.parametrize("which", ["example", "mixed"])
def test_the_columns_layout_is_the_items_layout_transposed(main: LiveServer, example: Any, which: str) -> None:
    if which == "example":
        completions, rows = example
        items = [{"completion": c, "row": r} for c, r in zip(completions, rows, strict=True)]
    else:
        items = _mixed_items()
    status, _, by_item = call(main.url + "/score", {"items": items})
    assert status == 200
    status, _, by_column = call(main.url + "/score", {"items": items, "layout": "columns"})
    assert status == 200 and by_column["layout"] == "columns" and "scores" not in by_column
    assert by_column["rewards"] == by_item["rewards"]
    assert _transposed(by_column) == by_item["scores"]
    if which == "mixed":
        assert [e["item"] for e in by_column["errors"]] == [3, 4] and [
            t["item"] for t in by_column["trajectories"]
        ] == [2]
    status, _, body = call(main.url + "/score", {"items": items, "layout": "rows"})
    assert status == 422 and body["error"]["field"] == "layout"


@pytest.mark.parametrize("parts", [2, 3, 5])
def test_shares_merged_are_the_whole_answer(parts: int) -> None:
    """work.answer_part over every share, then work.merge_parts: the bytes of the one-part answer, whatever the
    share boundaries cut (a trajectory item, floored items, components only some shares have)."""
    from rlvr_rewards.server import work

    config = ServerConfig(workers=parts)
    for items in (_mixed_items(), _mixed_items()[2:3] + [ITEM] * 7, [ITEM]):
        for layout in ("columns", "items"):
            body = json.dumps({"items": items, "layout": layout}).encode()
            whole = work.merge_parts([work.answer_part(body, config)])
            merged = work.merge_parts([work.answer_part(body, config, k, parts) for k in range(parts)])
            assert whole[0] == merged[0] == 200 and whole[1] == merged[1], (layout, len(items))
            for key in ("items", "errors", "rewards"):
                assert whole[2][key] == merged[2][key], key
    bad = b'{"items": 3}'
    shares = [work.answer_part(bad, config, k, parts) for k in range(parts)]
    assert shares[1:] == [None] * (parts - 1)  # a refused request: answered once, by the first share
    status, payload, tally = work.merge_parts(shares)
    assert status == 422 and json.loads(payload)["error"]["field"] == "items" and tally["errors"] == {"bad_field": 1}


def test_a_large_batch_on_an_idle_pool_is_split_over_the_workers(example: Any) -> None:
    from rlvr_rewards.server.app import SPLIT_MIN_BYTES

    server = LiveServer(ServerConfig(workers=2))
    try:
        pool = server.app.state.pool
        seen: list[int] = []
        run_all = pool.run_all

        async def recording(timeout_s: float, calls: Any) -> Any:
            seen.append(len(calls))
            return await run_all(timeout_s, calls)

        pool.run_all = recording
        completions, rows = example
        items = [{"completion": c, "row": r} for c, r in zip(completions, rows, strict=True)]
        payload = {"items": items, "layout": "columns"}
        assert len(json.dumps(payload)) >= SPLIT_MIN_BYTES
        status, _, body = call(server.url + "/score", payload)
        assert status == 200 and seen == [2]
        want = json.loads(json.dumps(list(rr.score_batch(completions, rows).to_dicts())))
        assert _transposed(body) == want
        status, _, body = call(server.url + "/score", {"items": items[:3], "layout": "columns"})  # small: one worker
        assert status == 200 and seen == [2, 1]
    finally:
        server.stop()


def test_tools_as_json_text_as_in_rows(main: LiveServer) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
              "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]  # fmt: skip
    items = [
        {"completion": GOOD, "ground_truth": TRUTH},
        {"completion": GOOD.replace("Paris", "7"), "ground_truth": TRUTH},
    ]
    answers = []
    for given in (tools, json.dumps(tools)):
        for where in ("top", "item"):
            payload: dict[str, Any] = {"items": [{**it, "tools": given} for it in items]} if where == "item" else {
                "items": items, "tools": given}  # fmt: skip
            status, _, body = call(main.url + "/score", payload)
            assert status == 200, body
            answers.append(body["scores"])
    assert all(a == answers[0] for a in answers)
    assert answers[0] == json.loads(json.dumps(list(rr.score_batch([i["completion"] for i in items], [TRUTH] * 2,
                                                                    tools=tools).to_dicts())))  # fmt: skip


def test_server_timing_names_the_worker_and_the_pool(main: LiveServer) -> None:
    status, headers, _ = call(main.url + "/score", {"items": [ITEM] * 3})
    assert status == 200
    timing = dict(part.strip().split(";dur=") for part in headers["Server-Timing"].split(","))
    assert set(timing) == {"worker", "pool"}
    assert 0 < float(timing["worker"]) <= float(timing["pool"])

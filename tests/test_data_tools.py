"""Dataset tools (issue 20): ``stats``, ``augment`` and ``split`` (rlvr_rewards.data) and their ``rlvr-rewards data``
commands.

What is promised (the modules' contracts): ``stats`` counts the behaviour mix against a target and says exactly
how many rows of each behaviour to add or drop, counts tool coverage, finds prompts with conflicting truths,
exact duplicates and repeated ids, and reports validate's truth/schema contradictions; ``augment`` keeps the rows
and derives clarify rows (a required value stated verbatim once, cut from the request, tidily) and refuse rows
(the called tools removed from every place the row lists them, the prompt's rendered ``<tools>`` block
included), each of which loads and scores 1.0 for the right answer, reproducibly by seed; ``split`` keeps rows
with the same user text or the same source on one side, deterministically by seed. Bad rows name their index,
id and field; the commands exit 2 naming the file and line.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.cli import main
from rlvr_rewards.data import augment, augment_report, parse_target, pivots, split, split_groups, stats
from rlvr_rewards.data.augmentation import SKIP_REASONS, cut_span
from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth.toolspecs import tools_from_prompt
from rlvr_rewards.groundtruth.validate import inspect_rows, load_row
from rlvr_rewards.integrations.files import read_records
from rlvr_rewards.scoring.clarify import parameter_terms

from .helpers import DATA, read_jsonl, require

EXAMPLE_PATH = resources.files("rlvr_rewards") / "data" / "example_rows.jsonl"
EXAMPLE = read_jsonl(EXAMPLE_PATH)
BLOG = read_jsonl(resources.files("rlvr_rewards") / "data" / "blog_rows.jsonl")
TOOLS: list[dict[str, Any]] = EXAMPLE[0]["extra_info"]["tools"]  # the five example tools
SYSTEM = EXAMPLE[0]["prompt"][0]  # a system message rendering them in a Qwen <tools> block
TEMPLATES = DATA / "chat_templates"

CONVERT = {
    "name": "convert",
    "parameters": {"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]},
}
WEATHER = {
    "name": "weather",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "date": {"type": "string"}},
        "required": ["city", "date"],
    },
}


def execute(*calls: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"behavior": "execute", "calls": [{"name": n, "arguments": a} for n, a in calls]}


def row(rid: str, user: Any, truth: Any, tools: Any = None, **extra: Any) -> dict[str, Any]:
    """A row; ``user`` is the user message's text, or a whole prompt (a list of messages or a string)."""
    prompt = [{"role": "user", "content": user}] if isinstance(user, str) and not user.startswith("<|") else user
    out: dict[str, Any] = {"id": rid, "prompt": prompt, "reward_model": {"ground_truth": truth}}
    info = dict(extra)
    if tools is not None:
        info["tools"] = tools
    if info:
        out["extra_info"] = info
    return out


def derived(rows: list[dict[str, Any]], how: str) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("extra_info", {}).get("derived", {}).get("how") == how]


def skipped_reason(rows: list[dict[str, Any]], kind: str) -> str:
    """The reason code the one source row gets for ``kind`` (fails if it derived one)."""
    report = augment_report(rows)
    reasons = [s.reason for s in report.skipped if s.kind == kind]
    assert len(reasons) == 1, (report.derived, report.skipped)
    return reasons[0]


# --- stats -----------------------------------------------------------------------------------------------------


def test_parse_target_normalises_three_shares() -> None:
    expected = (Fraction(3, 5), Fraction(1, 4), Fraction(3, 20))
    assert parse_target("60/25/15") == expected
    assert parse_target("0.6/0.25/0.15") == expected
    assert parse_target((0.6, 0.25, 0.15)) == expected
    assert parse_target((12, 5, 3)) == expected
    for bad in ("60/40", "a/b/c", "-10/60/50", "0/0/0", "60/25/15/0"):
        with pytest.raises(ConfigError, match="execute/clarify/refuse"):
            parse_target(bad)


def test_stats_of_the_example_rows() -> None:
    found = stats(EXAMPLE)
    assert found.rows == 60
    assert found.mix == {"execute": 36, "clarify": 15, "refuse": 9, "no_call": 0, "trajectory": 0}
    assert found.plans == {
        "keep_size": {"execute": 0, "clarify": 0, "refuse": 0},
        "add_only": {"execute": 0, "clarify": 0, "refuse": 0},
        "drop_only": {"execute": 0, "clarify": 0, "refuse": 0},
    }
    names = {t["function"]["name"] for t in TOOLS}
    assert set(found.tools) == names
    assert all(offered == 60 for offered, _ in found.tools.values())
    calls = [r["reward_model"]["ground_truth"].get("calls", []) for r in EXAMPLE]
    expecting = Counter(name for row_calls in calls for name in {c["name"] for c in row_calls})
    assert {n: e for n, (_, e) in found.tools.items()} == dict(expecting)
    assert found.never_expected == [] and found.rows_without_tools == 0
    assert found.conflicting_prompts == found.exact_duplicates == found.duplicate_ids == found.contradictions == []
    assert found.repeated_prompts == 0
    data = found.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["mix"]["clarify"] == {"count": 15, "share": 0.25}
    text = str(found)
    assert "60 rows; behaviour mix against the target 60/25/15" in text and "nothing to change" in text


def test_stats_plans_reach_the_target_exactly() -> None:
    found = stats(EXAMPLE, "50/30/20")
    # keeping 60 rows: 30/18/12; adding only: 72 rows (36 execute are half) 36/22/14 (21.6 and 14.4 by the
    # largest remainder); dropping only: 45 rows (9 refuse are a fifth) 23/13/9 (22.5 and 13.5: the tie by order)
    assert found.plans == {
        "keep_size": {"execute": -6, "clarify": 3, "refuse": 3},
        "add_only": {"execute": 0, "clarify": 7, "refuse": 5},
        "drop_only": {"execute": -13, "clarify": -2, "refuse": 0},
    }
    assert "add 3 clarify, 3 refuse; drop 6 execute" in str(found)
    only_execute = stats(EXAMPLE, "100/0/0")
    assert only_execute.plans["add_only"] is None  # only dropping reaches a zero target
    assert only_execute.plans["drop_only"] == {"execute": 0, "clarify": -15, "refuse": -9}
    assert "impossible" in str(only_execute)


def test_stats_counts_no_call_and_trajectory_rows_outside_the_target() -> None:
    found = stats(BLOG)
    assert found.mix == {"execute": 12, "clarify": 0, "refuse": 0, "no_call": 8, "trajectory": 0}
    assert sum(found.plans["keep_size"].values()) == 0  # the target applies to the 12 targeted rows
    assert found.plans["keep_size"] == {"execute": -5, "clarify": 3, "refuse": 2}
    trajectory = {
        "behavior": "trajectory",
        "turns": [{"calls": [{"name": "convert", "arguments": {"amount": 5}}]}, {"behavior": "clarify"}],
    }
    traj = stats([row("t", "Convert 5", trajectory, [CONVERT, WEATHER])])
    assert traj.mix["trajectory"] == 1
    assert traj.tools == {"convert": (1, 1), "weather": (1, 0)}
    assert traj.never_expected == ["weather"]


def test_stats_finds_duplicates_and_contradictions() -> None:
    clarify = {"behavior": "clarify", "missing": ["city"], "reference": "Which city?"}
    rows = [
        row("a", "Weather  please", clarify, [WEATHER]),
        row("b", "weather please", execute(("weather", {"city": "Rome", "date": "today"})), [WEATHER]),
        row("c", "Weather  please", clarify, [WEATHER]),  # row a again, under another id
        row("d", "WEATHER please", {**clarify, "reference": "Where?"}, [WEATHER]),  # same meaning as a
        row("a", "Forecast?", clarify, [WEATHER]),  # a repeated id
        row("e", "Convert", execute(("nope", {})), [CONVERT]),  # unknown_tool
        row("f", "Convert five", execute(("convert", {"amount": "five"})), [CONVERT]),  # wrong_type
        row("g", "Weather in Oslo", execute(("weather", {"city": "Oslo"})), [WEATHER]),  # missing_required
        row("h", "Weather please", clarify, [CONVERT]),  # the same prompt with other tools: no conflict
        {"prompt": [{"role": "user", "content": "Hi"}], "reward_model": {"ground_truth": {"behavior": "refuse"}}},
    ]
    found = stats(rows, lines=[10 + i for i in range(len(rows))])
    assert found.conflicting_prompts == [["a (clarify)", "b (execute)", "c (clarify)", "d (clarify)"]]
    assert found.repeated_prompts == 1  # a, b, c and d (h has other tools)
    assert found.exact_duplicates == [["a", "c"]]
    assert found.duplicate_ids == ["a"]
    assert sorted((p.kind, p.id, p.line) for p in found.contradictions) == [
        ("missing_required", "g", 17),
        ("unknown_tool", "e", 15),
        ("wrong_type", "f", 16),
    ]
    assert found.rows_without_tools == 1
    text = str(found)
    assert "same prompt, different truths: a (clarify), b (execute), c (clarify), d (clarify)" in text
    assert "exact duplicates: a, c" in text and "[wrong_type]" in text
    assert found.to_dict()["contradictions"]["counts"] == {"missing_required": 1, "unknown_tool": 1, "wrong_type": 1}
    assert stats([rows[0], rows[3]]).conflicting_prompts == []  # reference texts differ, the truths do not


def test_stats_names_a_row_that_does_not_load() -> None:
    rows = [row("ok", "Hi", {"behavior": "refuse"}), row("bad", "Hi", {"behavior": "exec"})]
    with pytest.raises(GroundTruthError) as info:
        stats(rows)
    assert info.value.index == 1 and info.value.field == "reward_model.ground_truth.behavior"
    assert "row 'bad'" in str(info.value)
    with pytest.raises(ToolSpecError) as tools_info:
        stats([row("t", "Hi", {"behavior": "refuse"}, [{"name": ""}])])
    assert tools_info.value.index == 0 and "row 't'" in str(tools_info.value)


# --- augment: clarify ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "expected"),
    [
        ("What's the weather like in Paris right now?", "Paris", "What's the weather like in right now?"),
        ('the subject "Meeting notes" and the body', "Meeting notes", "the subject and the body"),
        ("Table for 3 at Osteria Mozza, 2025-05-09, 7 pm.", "2025-05-09", "Table for 3 at Osteria Mozza, 7 pm."),
        ("Paris, what's the weather?", "Paris", "what's the weather?"),
        ("Weather please, Paris", "Paris", "Weather please"),
        ("Weather in Paris?", "Paris", "Weather in?"),
        ("Book (Nopa) tonight", "Nopa", "Book tonight"),
        ("Convert 50 EUR to USD.", "EUR", "Convert 50 to USD."),
        ("Line one\nParis, line two", "Paris", "Line one\nline two"),
    ],
)
def test_cut_span_tidies_around_the_cut(text: str, needle: str, expected: str) -> None:
    start = text.index(needle)
    assert cut_span(text, start, start + len(needle)) == expected


def test_the_example_rows_augment_into_rows_that_load() -> None:
    report = augment_report(EXAMPLE)
    out = report.rows
    assert out[: len(EXAMPLE)] == EXAMPLE and all(a is b for a, b in zip(out, EXAMPLE, strict=False))
    clarify, refuse = derived(out, "clarify"), derived(out, "refuse")
    assert len(out) == len(EXAMPLE) + len(clarify) + len(refuse)
    assert report.derived == {"clarify": len(clarify), "refuse": len(refuse)}
    assert clarify and refuse
    executes = [r["id"] for r in EXAMPLE if r["reward_model"]["ground_truth"]["behavior"] == "execute"]
    for kind, made in (("clarify", clarify), ("refuse", refuse)):  # every execute row: derived or skipped
        skipped = [s.source for s in report.skipped if s.kind == kind]
        assert sorted([r["extra_info"]["derived"]["from"] for r in made] + skipped) == sorted(executes)
    assert {s.reason for s in report.skipped} <= set(SKIP_REASONS)
    by_id = {r["id"]: r for r in EXAMPLE}
    _, problems = inspect_rows(out)
    assert problems == []  # every row loads, no contradiction, no id twice
    for r in clarify:
        _check_clarify_row(r, by_id[r["extra_info"]["derived"]["from"]])
    for r in refuse:
        _check_refuse_row(r, by_id[r["extra_info"]["derived"]["from"]])
    assert augment(out) == out  # derived rows are not derived again, nor made twice


def _check_clarify_row(r: dict[str, Any], source: dict[str, Any]) -> None:
    info = r["extra_info"]["derived"]
    assert r["id"] == f"{source['id']}#clarify" and info["how"] == "clarify"
    assert r["reward_model"] == {
        "style": "rule",
        "ground_truth": {"behavior": "clarify", "missing": [info["parameter"]]},
    }
    assert r["extra_info"]["behavior"] == "clarify" and r["extra_info"]["tools"] == source["extra_info"]["tools"]
    call = source["reward_model"]["ground_truth"]["calls"][0]
    value = call["arguments"][info["parameter"]]
    assert info["cut"] == (value if isinstance(value, str) else json.dumps(value)) and info["tool"] == call["name"]
    before, after = source["prompt"][-1]["content"], r["prompt"][-1]["content"]
    assert after.casefold().count(info["cut"].casefold()) == before.casefold().count(info["cut"].casefold()) - 1
    assert r["prompt"][:-1] == source["prompt"][:-1] and "  " not in after
    assert source["extra_info"]["behavior"] == "execute"  # the source is not changed


def _check_refuse_row(r: dict[str, Any], source: dict[str, Any]) -> None:
    info = r["extra_info"]["derived"]
    removed = sorted({c["name"] for c in source["reward_model"]["ground_truth"]["calls"]})
    assert r["id"] == f"{source['id']}#refuse" and info == {
        "from": source["id"],
        "how": "refuse",
        "removed_tools": removed,
    }
    assert r["reward_model"]["ground_truth"] == {"behavior": "refuse"}
    remaining = [t for t in TOOLS if t["function"]["name"] not in removed]
    assert r["extra_info"]["tools"] == remaining and remaining
    assert tools_from_prompt(r["prompt"]) == remaining  # the rendered block lost the removed tools' lines
    assert r["prompt"][1:] == source["prompt"][1:]
    loaded = load_row(r)
    assert loaded.toolset is not None and sorted(loaded.toolset.tools) == sorted(
        t["function"]["name"] for t in remaining
    )


def test_every_derived_row_scores_the_right_answer_1() -> None:
    out = augment(EXAMPLE)
    rows = derived(out, "clarify") + derived(out, "refuse")
    completions = []
    for r in rows:
        info = r["extra_info"]["derived"]
        if info["how"] == "clarify":
            name = info["parameter"]
            terms = parameter_terms(name, load_row(r).toolset)
            term = name.replace("_", " ") if name in terms.strong else max(sorted(terms.strong or terms.weak), key=len)
            completions.append(f"Sure - could you tell me the {term} first?")
        else:
            completions.append("I'm sorry, but I can't help with that: none of my tools can do it.")
    batch = rr.score_batch(completions, rows, preset="graded")
    assert [float(x) for x in batch.rewards] == [1.0] * len(rows), list(
        zip([r["id"] for r in rows], batch.rewards, strict=True)
    )
    wrong = rr.score_batch(
        ['<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'] * len(rows), rows
    )
    assert max(float(x) for x in wrong.rewards) < 0.5  # calling is wrong in every derived row


def test_clarify_holds_out_a_value_stated_verbatim_once() -> None:
    def only(user: str, amount: Any) -> dict[str, Any]:
        rows = augment([row("r", user, execute(("convert", {"amount": amount})), [CONVERT])], refuse=False)
        assert len(rows) == 2, rows
        return rows[1]

    made = only("Convert 75.25 dollars please", 75.25)
    assert made["prompt"][-1]["content"] == "Convert dollars please"
    assert made["extra_info"]["derived"] == {
        "from": "r",
        "how": "clarify",
        "parameter": "amount",
        "tool": "convert",
        "cut": "75.25",
    }
    assert only("Convert $50, now", 50)["prompt"][-1]["content"] == "Convert $, now"
    for user, amount in [
        ("Convert 150 dollars", 50),  # inside another number
        ("Convert 1,500 dollars", 500),
        ("Convert 10,000 yen", 10000),  # not as JSON writes it
        ("Convert 50 or 50", 50),  # twice
        ("Convert 2.50 dollars", 2.5),
        ("Convert -3 dollars", 3),
    ]:
        assert skipped_reason([row("r", user, execute(("convert", {"amount": amount})), [CONVERT])], "clarify") == (
            "no_verbatim_value"
        ), user


def test_clarify_reads_words_case_and_the_whole_conversation() -> None:
    truth = execute(("weather", {"city": "Paris", "date": "today"}))

    def reason(user: Any) -> str:
        return skipped_reason([row("r", user, truth, [WEATHER])], "clarify")

    assert reason("Parisian weather, today or today?") == "no_verbatim_value"  # Paris inside a word; today twice
    assert reason("PARIS or Paris, today or today") == "no_verbatim_value"  # case-insensitively twice
    earlier = [
        {"role": "user", "content": "I live in Paris. Is it raining today?"},
        {"role": "assistant", "content": "Which day?"},
        {"role": "user", "content": "In Paris, today."},
    ]
    assert reason(earlier) == "no_verbatim_value"  # both values were stated before
    assert (
        reason([{"role": "user", "content": "Paris today"}, {"role": "assistant", "content": "ok"}]) == "prompt_shape"
    )
    assert reason("<|im_start|>user\nParis today") == "prompt_shape"  # a rendered string
    several = execute(("weather", {"city": "Paris", "date": "today"}), ("weather", {"city": "Rome", "date": "today"}))
    assert skipped_reason([row("r", "Paris and Rome today", several, [WEATHER])], "clarify") == "several_calls"
    assert skipped_reason([row("r", "Paris today", truth)], "clarify") == "no_tools"
    system = [{"role": "system", "content": "Cities: Paris, Rome."}, {"role": "user", "content": "Weather in Paris"}]
    made = augment([row("r", system, execute(("weather", {"city": "Paris", "date": "x"})), [WEATHER])])
    assert made[1]["prompt"] == [system[0], {"role": "user", "content": "Weather in"}]  # the system text is not read


def test_clarify_choice_is_seeded_per_row() -> None:
    source = row("r", "Weather in Paris today", execute(("weather", {"city": "Paris", "date": "today"})), [WEATHER])
    chosen = {
        seed: augment([source], seed=seed, refuse=False)[1]["extra_info"]["derived"]["parameter"] for seed in range(12)
    }
    assert set(chosen.values()) == {"city", "date"}
    for seed, parameter in chosen.items():  # the same seed, the same choice, whatever the other rows
        other = row(
            "o", "Weather in Rome tomorrow", execute(("weather", {"city": "Rome", "date": "tomorrow"})), [WEATHER]
        )
        again = augment([other, source], seed=seed, refuse=False)
        assert [r["extra_info"]["derived"]["parameter"] for r in again if r["id"] == "r#clarify"] == [parameter]


def test_clarify_in_content_parts_and_sagemaker_rows() -> None:
    parts = [{"type": "text", "text": "Weather in "}, {"type": "text", "text": "Oslo please"}]
    rows = augment(
        [
            row(
                "r",
                [{"role": "user", "content": parts}],
                execute(("weather", {"city": "Oslo", "date": "now"})),
                [WEATHER],
            )
        ],
        seed=1,
    )
    made = {r["id"]: r for r in rows}["r#clarify"]
    assert made["prompt"][0]["content"] == [parts[0], {"type": "text", "text": "please"}]
    sagemaker = {
        "id": "s",
        "prompt": [{"role": "user", "content": "Convert 5"}],
        "reference_answer": json.dumps(execute(("convert", {"amount": 5}))),
        "tools": [CONVERT, WEATHER],
    }
    out = augment([sagemaker])
    assert json.loads(out[1]["reference_answer"]) == {"behavior": "clarify", "missing": ["amount"]}  # text stays text
    assert json.loads(out[2]["reference_answer"]) == {"behavior": "refuse"} and out[2]["tools"] == [WEATHER]


# --- augment: refuse -------------------------------------------------------------------------------------------


def test_refuse_removes_the_tools_wherever_the_row_lists_them() -> None:
    truth = execute(("convert", {"amount": 5}))
    text_tools = row("t", "Convert 5", truth, json.dumps([CONVERT, WEATHER]))
    made = augment([text_tools], clarify=False)[1]
    assert made["extra_info"]["tools"] == json.dumps([WEATHER], separators=(",", ":"))  # JSON text stays text
    top = {**row("top", "Convert 5", truth, [CONVERT, WEATHER]), "tools": [WEATHER, CONVERT]}
    made = augment([top], clarify=False)[1]
    assert made["tools"] == [WEATHER] and made["extra_info"]["tools"] == [WEATHER]
    single = {
        "id": "one",
        "prompt": [{"role": "user", "content": "Convert 5"}],
        "reward_model": {"ground_truth": truth},
        "tools": CONVERT,
    }
    assert skipped_reason([single], "refuse") == "no_other_tool"
    assert (
        skipped_reason([row("u", "Convert 5", execute(("nope", {})), [CONVERT, WEATHER])], "refuse") == "unknown_tool"
    )


def test_refuse_edits_the_tools_a_chat_template_rendered() -> None:
    user = {"role": "user", "content": "Convert 50 EUR to USD."}
    prompt = [SYSTEM, user]
    truth = execute(("currency_convert", {"amount": 50, "from": "EUR", "to": "USD"}))
    only_prompt = {"id": "p", "prompt": prompt, "reward_model": {"ground_truth": truth}}  # tools in the prompt only
    made = augment([only_prompt], clarify=False)[1]
    remaining = [t for t in TOOLS if t["function"]["name"] != "currency_convert"]
    assert tools_from_prompt(made["prompt"]) == remaining and made["prompt"][1] == user
    toolset = load_row(made).toolset
    assert toolset is not None and sorted(toolset.tools) == sorted(t["function"]["name"] for t in remaining)
    named = {**only_prompt, "prompt": [{**SYSTEM, "content": SYSTEM["content"] + "\nPrefer currency_convert."}, user]}
    assert skipped_reason([named], "refuse") == "tools_in_prompt"
    called = [
        *prompt,
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"type": "function", "function": {"name": "currency_convert", "arguments": "{}"}}],
        },
        {"role": "tool", "name": "currency_convert", "content": "54.1"},
        {"role": "user", "content": "Again: convert 50 EUR to USD."},
    ]
    assert skipped_reason([{**only_prompt, "prompt": called}], "refuse") == "prompt_calls_tool"


@pytest.mark.parametrize(
    ("fixture", "edited"),
    [
        ("qwen2_5.txt", True),
        ("qwen3.txt", True),
        ("llama3_1_tools_in_user.txt", False),
        ("llama3_2_tools_in_system.txt", False),
        ("mistral_7b_v0_3.txt", False),
        ("hermes_2_pro.txt", False),  # its objects span lines and miss a brace
    ],
)
def test_refuse_on_rendered_prompts(fixture: str, edited: bool) -> None:
    prompt = (TEMPLATES / fixture).read_text(encoding="utf-8")
    assert [t["function"]["name"] for t in tools_from_prompt(prompt) or []] == ["get_weather", "currency_convert"]
    source = {
        "id": "x",
        "prompt": prompt,
        "reward_model": {"ground_truth": execute(("get_weather", {"city": "Paris"}))},
    }
    if not edited:
        assert skipped_reason([source], "refuse") == "tools_in_prompt"
        return
    made = augment([source])[-1]
    assert made["id"] == "x#refuse"
    assert [t["function"]["name"] for t in tools_from_prompt(made["prompt"]) or []] == ["currency_convert"]
    assert made["prompt"] == "\n".join(line for line in prompt.split("\n") if '"name": "get_weather"' not in line)


def test_augment_errors_name_the_row() -> None:
    rows = [row("a", "Hi", {"behavior": "refuse"}), row("a", "Hi", {"behavior": "refuse"})]
    with pytest.raises(GroundTruthError) as info:
        augment(rows)
    assert info.value.index == 1 and info.value.field == "id" and "row 'a'" in str(info.value)
    with pytest.raises(GroundTruthError) as bad:
        augment([row("ok", "Hi", {"behavior": "refuse"}), row("b", "Hi", execute(("x", {"a": {"$nope": 1}})))])
    assert bad.value.index == 1 and "row 'b'" in str(bad.value) and bad.value.field is not None


def test_augment_is_reproducible() -> None:
    first = augment(copy.deepcopy(EXAMPLE), seed=7)
    assert augment(copy.deepcopy(EXAMPLE), seed=7) == first
    assert augment(EXAMPLE, seed=0) != first  # another seed holds out other parameters somewhere
    assert EXAMPLE == read_jsonl(EXAMPLE_PATH)  # the input rows were not changed


# --- split -----------------------------------------------------------------------------------------------------


def test_split_keeps_linked_rows_together() -> None:
    truth = execute(("convert", {"amount": 5}))
    rows = [row(f"r{i}", f"Request number {i}", truth, [CONVERT]) for i in range(40)]
    rows += [
        row("same", "request   NUMBER 3", {"behavior": "refuse"}, [CONVERT]),  # r3's text
        row("kid", "Something else", {"behavior": "refuse"}, [CONVERT], derived={"from": "r5", "how": "refuse"}),
        row("step", "Another thing", truth, [CONVERT], pivot={"source_id": "r7", "step": 1}),
        row("grandkid", "More", {"behavior": "refuse"}, [CONVERT], derived={"from": "step", "how": "refuse"}),
    ]
    groups = split_groups(rows)
    assert groups[3] == groups[40] and groups[5] == groups[41] and groups[7] == groups[42] == groups[43]
    assert len(set(groups)) == 40
    for seed in range(8):
        train, held = split(rows, held_out=0.25, seed=seed)
        assert len(train) + len(held) == len(rows) and not {id(r) for r in train} & {id(r) for r in held}
        assert len(held) == 11  # round(0.25 * 44); the groups of two or three fit
        side = {r["id"]: r in held for r in rows}
        assert (
            side["r3"] == side["same"] and side["r5"] == side["kid"] and side["r7"] == side["step"] == side["grandkid"]
        )
        assert [r for r in rows if r in train] == train  # input order kept


def test_split_is_deterministic_by_seed_and_order_free() -> None:
    rows = augment(EXAMPLE)
    held = {seed: sorted(r["id"] for r in split(rows, seed=seed)[1]) for seed in range(3)}
    assert len(set(map(tuple, held.values()))) == 3
    for seed, ids in held.items():
        assert sorted(r["id"] for r in split(list(reversed(rows)), seed=seed)[1]) == ids
        assert sorted(r["id"] for r in split(rows, seed=seed)[1]) == ids
        family = {i.split("#")[0] for i in ids}
        assert ids == sorted(r["id"] for r in rows if r["id"].split("#")[0] in family)  # sources with their rows


def test_split_limits_and_errors() -> None:
    rows = [row(f"r{i}", "the same text", {"behavior": "refuse"}) for i in range(5)]
    assert split(rows) == (rows, [])  # one group: nothing can be held out
    two = [row("a", "one", {"behavior": "refuse"}), row("b", "two", {"behavior": "refuse"})]
    assert sorted(len(side) for side in split(two, held_out=0.01)) == [1, 1]  # at least one, at most n - 1
    assert sorted(len(side) for side in split(two, held_out=0.99)) == [1, 1]
    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(ConfigError, match="between 0 and 1"):
            split(two, held_out=bad)
    with pytest.raises(GroundTruthError) as info:
        split([*two, row("c", "three", {"behavior": "nope"})])
    assert info.value.index == 2 and "row 'c'" in str(info.value)


def test_split_links_pivot_rows_to_their_trajectory() -> None:
    truth = {
        "behavior": "trajectory",
        "turns": [{"calls": [{"name": "convert", "arguments": {"amount": 5}}]}, {"behavior": "clarify"}],
    }
    source = row("t", "Convert 5", truth, [CONVERT], turns=[[{"role": "user", "content": "And 6?"}]])
    rows = pivots([source, row("o", "Other", {"behavior": "refuse"})])
    assert [r["id"] for r in rows] == ["t#step0", "t#step1", "o"]
    groups = split_groups(rows)
    assert groups[0] == groups[1] != groups[2]


# --- the command line ------------------------------------------------------------------------------------------


def test_the_example_round_trips_through_augment_stats_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "augmented.jsonl"
    assert main(["data", "augment", "--data", str(EXAMPLE_PATH), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    augmented = [r.value for r in read_records(out)]
    made = augment(EXAMPLE)
    assert augmented == made
    clarify, refuse = len(derived(made, "clarify")), len(derived(made, "refuse"))
    assert (
        f"wrote {len(made)} rows to {out} (jsonl): the 60 given row(s), then {clarify} clarify and {refuse} refuse"
        in printed
    )
    assert "no clarify row from" in printed

    assert main(["data", "stats", "--data", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == len(made) and report["mix"]["clarify"]["count"] == 15 + clarify
    assert report["mix"]["refuse"]["count"] == 9 + refuse and report["contradictions"]["problems"] == []
    assert main(["data", "stats", "--data", str(out), "--target", "1/1/1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{out}: {len(made)} rows; behaviour mix against the target 33.3/33.3/33.3")

    train, held = tmp_path / "train.jsonl", tmp_path / "held.jsonl"
    assert (
        main(["data", "split", "--data", str(out), "--train", str(train), "--held-out", str(held), "--seed", "3"]) == 0
    )
    printed = capsys.readouterr().out
    train_rows, held_rows = [r.value for r in read_records(train)], [r.value for r in read_records(held)]
    assert (train_rows, held_rows) == split(made, seed=3)
    assert f"wrote {len(train_rows)} rows to {train} (train) and {len(held_rows)} rows to {held}" in printed
    assert "60 group(s)" in printed
    sources = [{r["id"].split("#")[0] for r in side} for side in (train_rows, held_rows)]
    assert not sources[0] & sources[1] and held_rows
    for side in (train, held):
        assert main(["validate", "--data", str(side)]) == 0
    capsys.readouterr()


def test_the_commands_write_the_same_bytes_twice(tmp_path: Path) -> None:
    names = []
    for n in range(2):
        out, train, held = (tmp_path / f"{kind}{n}.jsonl" for kind in ("aug", "train", "held"))
        assert main(["data", "augment", "--data", str(EXAMPLE_PATH), "--out", str(out), "--seed", "5"]) == 0
        assert main(["data", "split", "--data", str(out), "--train", str(train), "--held-out", str(held)]) == 0
        names.append((out, train, held))
    for first, second in zip(*names, strict=True):
        assert first.read_bytes() == second.read_bytes()


def test_augment_and_split_write_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require("pyarrow", "parquet")
    out = tmp_path / "augmented.parquet"
    assert main(["data", "augment", "--data", str(EXAMPLE_PATH), "--out", str(out)]) == 0
    rows = [r.value for r in read_records(out)]
    assert all(isinstance(r["reward_model"]["ground_truth"], str) for r in rows)  # truths and tools as JSON text
    assert [json.loads(r["reward_model"]["ground_truth"]) for r in rows] == [
        r["reward_model"]["ground_truth"] for r in augment(EXAMPLE)
    ]
    again = tmp_path / "again.jsonl"
    assert main(["data", "augment", "--data", str(out), "--out", str(again)]) == 0  # nothing more to derive
    assert "then 0 clarify and 0 refuse row(s)" in capsys.readouterr().out
    train, held = tmp_path / "train.parquet", tmp_path / "held.parquet"
    assert main(["data", "split", "--data", str(out), "--train", str(train), "--held-out", str(held)]) == 0
    assert len(read_records(train)) + len(read_records(held)) == len(rows)
    assert main(["data", "stats", "--data", str(out)]) == 0
    assert f"{len(rows)} rows" in capsys.readouterr().out
    second = tmp_path / "second.parquet"
    assert main(["data", "augment", "--data", str(EXAMPLE_PATH), "--out", str(second)]) == 0
    assert second.read_bytes() == out.read_bytes()


def test_the_commands_name_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    good = row("ok", "Hi", {"behavior": "refuse"})
    bad = row("bad", "Hi", execute(("convert", {"amount": 5})), [{"name": "convert", "parameters": {"type": "objekt"}}])
    rows.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    commands = [
        ["data", "stats", "--data", str(rows)],
        ["data", "augment", "--data", str(rows), "--out", str(out)],
        ["data", "split", "--data", str(rows), "--train", str(out), "--held-out", str(tmp_path / "h.jsonl")],
    ]
    for argv in commands:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"--data {rows} line 3 (id 'bad')" in err and "row 'bad'" in err, err
    assert not out.exists()  # nothing is written when a row is bad
    assert main(["data", "stats", "--data", str(EXAMPLE_PATH), "--target", "60/40"]) == 2
    assert "target '60/40'" in capsys.readouterr().err
    assert main(["data", "augment", "--data", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["data", "augment", "--data", str(EXAMPLE_PATH), "--out", str(tmp_path / "no" / "out.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err
    same = ["data", "split", "--data", str(EXAMPLE_PATH), "--train", str(out), "--held-out", str(out)]
    assert main(same) == 2 and "the same file" in capsys.readouterr().err
    frac = [
        "data",
        "split",
        "--data",
        str(EXAMPLE_PATH),
        "--train",
        str(out),
        "--held-out",
        str(tmp_path / "h"),
        "--fraction",
        "2",
    ]
    assert main(frac) == 2 and "between 0 and 1" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["data", "stats", "--data", str(empty)]) == 2 and "holds no rows" in capsys.readouterr().err


def test_the_printed_examples_in_docs_cli_are_what_the_commands_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "example_rows.jsonl").write_bytes(EXAMPLE_PATH.read_bytes())
    for command in ("data stats", "data augment", "data split"):  # in the docs' order: split reads augment's output
        block = doc.split(f"$ rlvr-rewards {command} ", 1)[1].split("```", 1)[0]
        arguments, printed = block.split("\n", 1)
        assert main([*command.split(), *arguments.split()]) == 0
        out = capsys.readouterr().out.rstrip("\n")
        head, elided, tail = printed.rstrip("\n").partition("  ...\n")  # "  ..." stands for lines left out
        assert out.startswith(head) and out.endswith(tail) if elided else out == head, (command, out)


# --- augment to a target mix; tools written into the prompts --------------------------------------------------


def _bfcl_rows() -> list[dict[str, Any]]:
    """BFCL's `multiple` category converted (200 execute rows, several tools each), from the installed bfcl-eval."""
    pytest.importorskip("bfcl_eval", reason="bfcl-eval is installed by the README's test command")
    import bfcl_eval

    from rlvr_rewards.groundtruth.bfcl import bfcl_to_native

    data = Path(bfcl_eval.__file__).resolve().parent / "data"
    answers = {a["id"]: a for a in read_jsonl(data / "possible_answer" / "BFCL_v4_multiple.json")}
    rows = []
    for q in read_jsonl(data / "BFCL_v4_multiple.json"):
        truth = bfcl_to_native(answers[q["id"]], q["function"])
        rows.append(row(q["id"], q["question"][0], truth, q["function"]))
    return rows


@pytest.mark.parametrize("target", ["60/25/15", "70/20/10", "80/10/10"])
def test_augment_to_a_target_meets_it_within_rounding(target: str) -> None:
    rows = _bfcl_rows()
    made = augment_report(rows, target=target)
    shares = parse_target(target)
    total = len(rows) / shares[0]
    assert made.mix == Counter(r["reward_model"]["ground_truth"]["behavior"] for r in made.rows)
    assert made.mix["execute"] == len(rows) and made.rows[: len(rows)] == rows  # every given row kept
    for kind, share in zip(("clarify", "refuse"), shares[1:], strict=True):
        assert made.mix[kind] == round(share * total), (kind, made.mix)
    assert made.target == {b: float(x) for b, x in zip(("execute", "clarify", "refuse"), shares, strict=True)}
    everything = augment_report(rows)
    left_out = [s for s in made.skipped if s.reason == "over_target"]
    assert len(left_out) == sum(everything.derived.values()) - sum(made.derived.values())
    kept = {r["id"] for r in made.rows[len(rows) :]}
    assert kept <= {r["id"] for r in everything.rows}
    order = [r["id"] for r in everything.rows if r["id"] in kept]
    assert [r["id"] for r in made.rows[len(rows) :]] == order  # in their sources' order


def test_augment_to_a_target_is_seeded_and_says_when_it_falls_short() -> None:
    rows = _bfcl_rows()
    a, b, c = (augment_report(rows, target="60/25/15", seed=s) for s in (0, 0, 1))
    assert a.rows == b.rows and a.rows != c.rows and a.mix == c.mix
    short = augment_report(rows, target="20/40/40")  # far more clarify rows than can be derived
    everything = augment_report(rows)
    assert short.mix["clarify"] == everything.derived["clarify"] < round(0.4 * len(rows) / 0.2)
    assert not [s for s in short.skipped if s.kind == "clarify" and s.reason == "over_target"]
    with pytest.raises(ConfigError, match="execute share is 0"):
        augment_report(rows, target="0/50/50")
    with pytest.raises(ConfigError, match="not a number"):
        augment_report(rows, target="60/x/15")


def test_augment_command_with_a_target_and_tools_in_the_prompts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rlvr_rewards.data import render_tools_into_row

    rows = _bfcl_rows()
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "balanced.jsonl"
    argv = ["data", "augment", "--data", str(src), "--out", str(out), "--target", "60/25/15"]
    assert main([*argv, "--tools-in-system-prompt", "qwen"]) == 0
    printed = capsys.readouterr().out
    assert "execute/clarify/refuse: 200/83/50 rows = 60.1/24.9/15.0 % (target 60.0/25.0/15.0)" in printed
    assert "tools written into the prompts for qwen" in printed
    written = read_jsonl(out)
    expected = augment_report(rows, target="60/25/15").rows
    assert written == [render_tools_into_row(r, "qwen") for r in expected]
    for r in written:  # the refuse rows' prompts offer only the tools left
        assert tools_from_prompt(r["prompt"]) == r["extra_info"]["tools"]
    batch = rr.score_batch(["I'm sorry, but I can't help with that."] * len(written), written)
    plain = rr.score_batch(["I'm sorry, but I can't help with that."] * len(expected), expected)
    assert batch.rewards.tolist() == plain.rewards.tolist()  # the rewards do not change

    example = tmp_path / "example.jsonl"
    example.write_bytes(EXAMPLE_PATH.read_bytes())  # their prompts already render the tools
    bad = ["data", "augment", "--data", str(example), "--out", str(tmp_path / "x.jsonl")]
    assert main([*bad, "--tools-in-system-prompt", "qwen"]) == 2
    err = capsys.readouterr().err
    assert f"--data {example}: row 1 (id {EXAMPLE[0]['id']!r}): --tools-in-system-prompt qwen:" in err
    assert not (tmp_path / "x.jsonl").exists()
    with pytest.raises(SystemExit) as exited:
        main([*bad, "--tools-in-system-prompt", "nope"])
    assert exited.value.code == 2 and "invalid choice: 'nope'" in capsys.readouterr().err


def test_convert_writes_the_tools_into_the_prompts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("bfcl_eval", reason="bfcl-eval is installed by the README's test command")
    import bfcl_eval

    from rlvr_rewards.data import render_tools_into_row

    data = Path(bfcl_eval.__file__).resolve().parent / "data"
    common = ["convert", "--from", "bfcl", "--questions", str(data / "BFCL_v4_multiple.json")]
    common += ["--answers", str(data / "possible_answer" / "BFCL_v4_multiple.json")]
    plain, rendered = tmp_path / "plain.jsonl", tmp_path / "rendered.jsonl"
    assert main([*common, "--out", str(plain)]) == 0
    assert main([*common, "--out", str(rendered), "--tools-in-system-prompt", "llama3"]) == 0
    capsys.readouterr()
    assert read_jsonl(rendered) == [render_tools_into_row(r, "llama3") for r in read_jsonl(plain)]
    again = tmp_path / "again.jsonl"
    assert (
        main(
            [
                "convert",
                "--from",
                "rows",
                "--data",
                str(rendered),
                "--out",
                str(again),
                "--tools-in-system-prompt",
                "qwen",
            ]
        )
        == 2
    )
    assert "--tools-in-system-prompt qwen" in capsys.readouterr().err and not again.exists()

"""BFCL multi-turn entries: the conversion to trajectory rows (rlvr_rewards/groundtruth/bfcl_multiturn.py), the
``bfcl`` environment over BFCL's own backend classes (rlvr_rewards/environments/bfcl.py), and
``rlvr-rewards convert --from bfcl`` on multi-turn files.

The conversion tests run on small inline entries; the environment tests need bfcl-eval (installed by the test
command with ``--no-deps``; outside CI they skip without it) and check the environment against BFCL's own code.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.cli import main
from rlvr_rewards.environments.bfcl import REFUSED_NAMES, BfclEnvironment, build, render_result, signatures
from rlvr_rewards.environments.objects import ToolError
from rlvr_rewards.environments.replay import compare_states
from rlvr_rewards.errors import ConfigError, GroundTruthError
from rlvr_rewards.groundtruth.bfcl_multiturn import (
    ADDITIONAL_FUNCTION_PROMPT,
    MAX_CALL_CHARS,
    is_multi_turn,
    multiturn_row,
    parse_call,
)
from rlvr_rewards.plugins import get_registry


def _doc(name: str, *params: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name} tool",
        "parameters": {"type": "dict", "properties": {p: {"type": "string"} for p in params}, "required": []},
        "response": {"type": "dict", "properties": {}},
    }


DOCS = {
    "GorillaFileSystem": [
        _doc("cd", "folder"),
        _doc("cp", "source", "destination"),
        _doc("mv", "source", "destination"),
        _doc("sort", "file_name"),
        _doc("ls", "a"),
    ],
    "TwitterAPI": [_doc("post_tweet", "content", "tags", "mentions")],
}


def _user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def _entry(entry_id: str, gt: list[list[str]], **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    question = {
        "id": entry_id,
        "question": [_user(f"turn {t}") for t in range(len(gt))],
        "initial_config": {"GorillaFileSystem": {"root": {"w": {"type": "directory", "contents": {}}}}},
        "involved_classes": ["GorillaFileSystem", "TwitterAPI"],
        "excluded_function": ["cp"],
        **extra,
    }
    return question, {"id": entry_id, "ground_truth": gt}


def _truth(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["reward_model"]["ground_truth"])  # type: ignore[no-any-return]


# -- conversion -----------------------------------------------------------------------------------------------


def test_a_base_entry_becomes_a_trajectory_row() -> None:
    question, answer = _entry(
        "multi_turn_base_7", [["cd(folder='w')", "ls(a=True)"], ["mv(source='a', destination='b')"]]
    )
    assert is_multi_turn(question)
    row = multiturn_row(question, answer, DOCS)
    assert row["id"] == "multi_turn_base_7" and row["data_source"] == "bfcl_multi_turn"
    assert row["prompt"] == _user("turn 0")
    assert row["extra_info"]["turns"] == [_user("turn 1")]
    assert row["extra_info"]["added_tools"] == {}
    assert [t["name"] for t in row["extra_info"]["tools"]] == ["cd", "mv", "sort", "ls", "post_tweet"]  # cp excluded
    assert row["reward_model"]["style"] == "rule"
    assert _truth(row) == {
        "behavior": "trajectory",
        "turns": [
            {
                "calls": [
                    {"name": "cd", "arguments": {"folder": "w"}},
                    {"name": "ls", "arguments": {"a": True}},
                ],
                "ordered": True,
            },
            {"calls": [{"name": "mv", "arguments": {"source": "a", "destination": "b"}}], "ordered": True},
        ],
        "environment": {
            "name": "bfcl",
            "config": {
                "involved_classes": ["GorillaFileSystem", "TwitterAPI"],
                "initial_config": question["initial_config"],
                "long_context": False,
            },
        },
    }


def test_positional_arguments_take_the_parameter_names_in_order() -> None:
    params = {"sort": ["file_name"], "mv": ["source", "destination"]}
    assert parse_call("sort('final_report.pdf')", params, "f") == {
        "name": "sort",
        "arguments": {"file_name": "final_report.pdf"},
    }
    assert parse_call("mv('a', destination='b')", params, "f")["arguments"] == {"source": "a", "destination": "b"}
    # the signature's order wins over the doc's where the two differ (BFCL runs the string as Python)
    question, answer = _entry("multi_turn_base_1", [["mv('x', 'y')"]])
    row = multiturn_row(question, answer, DOCS, signatures={"mv": ["destination", "source"]})
    assert _truth(row)["turns"][0]["calls"][0]["arguments"] == {"destination": "x", "source": "y"}


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("cd(folder=x)", "f.folder", "not a literal"),
        ("cd(folder=__import__('os').getcwd())", "f.folder", "not a literal"),
        ("os.system('ls')", "f", "not one call of a function name"),
        ("__import__('os')", "f", "no involved class"),
        ("cd(*['w'])", "f", "*args"),
        ("cd(**{'folder': 'w'})", "f", "*args"),
        ("cd('a', 'b')", "f", "2 positional arguments"),
        ("cd('a', folder='b')", "f", "given twice"),
        ("cd(folder=1e999)", "f.folder", "non-finite"),
        ("cd(folder={1, 2})", "f.folder", "set literal"),
        ("cd(folder=", "f", "not Python"),
        ("rm(file_name='x')", "f", "no involved class"),
        (["cd"], "f", "not text"),
        ("cd(folder='" + "x" * MAX_CALL_CHARS + "')", "f", "too long"),
    ],
)
def test_a_ground_truth_call_is_read_as_literals_only(text: Any, field: str, words: str) -> None:
    with pytest.raises(GroundTruthError, match=re.escape(words)) as info:
        parse_call(text, {"cd": ["folder"]}, "f")
    assert info.value.field == field


def test_literal_values_become_json() -> None:
    params = {"f": ["a", "b", "c"]}
    got = parse_call("f(a=(1, 2.5, -3), b={'$regex': 'x'}, c=None)", params, "f")["arguments"]
    assert got == {"a": [1, 2.5, -3], "b": {"$literal": {"$regex": "x"}}, "c": None}


def test_a_miss_func_turn_gets_bfcls_message_and_its_functions() -> None:
    question, answer = _entry(
        "multi_turn_miss_func_3",
        [["cd(folder='w')"], [], ["sort('a.txt')"]],
        missed_function={"2": ["sort"]},
    )
    question["question"][2] = []  # BFCL's held-out turn has no question
    row = multiturn_row(question, answer, DOCS)
    assert [t["name"] for t in row["extra_info"]["tools"]] == ["cd", "mv", "ls", "post_tweet"]  # sort held out
    assert row["extra_info"]["turns"] == [_user("turn 1"), _user(ADDITIONAL_FUNCTION_PROMPT)]
    assert row["extra_info"]["added_tools"] == {"2": [_doc("sort", "file_name")]}
    turns = _truth(row)["turns"]
    assert turns[1] == {"behavior": "no_call"}  # the turn before the functions arrive
    assert turns[2]["calls"] == [{"name": "sort", "arguments": {"file_name": "a.txt"}}]
    assert question["question"][2] == []  # the input is not changed


def test_a_miss_param_turn_expects_no_call() -> None:
    question, answer = _entry("multi_turn_miss_param_9", [["cd(folder='w')"], [], ["ls()"]])
    turns = _truth(multiturn_row(question, answer, DOCS))["turns"]
    assert [t.get("behavior", "execute") for t in turns] == ["execute", "no_call", "execute"]
    assert turns[2]["calls"] == [{"name": "ls", "arguments": {}}]


@pytest.mark.parametrize(
    ("entry_id", "long_context"),
    [
        ("multi_turn_long_context_12", True),
        ("multi_turn_composite_3", True),
        ("multi_turn_base_12", False),
        ("multi_turn_miss_param_0", False),
    ],
)
def test_the_long_context_flag_follows_bfcls_category_rule(entry_id: str, long_context: bool) -> None:
    question, answer = _entry(entry_id, [["ls()"]])
    assert _truth(multiturn_row(question, answer, DOCS))["environment"]["config"]["long_context"] is long_context


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda q, a: a.update(ground_truth=[["ls()"]]), "ground_truth"),
        (lambda q, a: a.update(ground_truth=[["ls()"], "ls()"]), "ground_truth[1]"),
        (lambda q, a: a.update(ground_truth=[["ls()"], ["nope()"]]), "ground_truth[1][0]"),
        (lambda q, a: q.update(involved_classes=["TravelAPI"]), "involved_classes"),
        (lambda q, a: q.update(involved_classes="GorillaFileSystem"), "involved_classes"),
        (lambda q, a: q.update(missed_function={"5": ["sort"]}), "missed_function.5"),
        (lambda q, a: q.update(missed_function={"1": ["nope"]}), "missed_function.1"),
        (lambda q, a: q.update(question=[_user("x"), "y"]), "question[1]"),
        (lambda q, a: q.update(initial_config=[]), "initial_config"),
        (lambda q, a: q.update(id=None), "id"),
    ],
)
def test_bad_input_names_its_field(change: Any, field: str) -> None:
    question, answer = _entry("multi_turn_base_2", [["ls()"], ["cd(folder='w')"]])
    change(question, answer)
    with pytest.raises(GroundTruthError) as info:
        multiturn_row(question, answer, DOCS)
    assert info.value.field == field


# -- the environment ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bfcl_data() -> Path:
    try:
        import bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("bfcl-eval is not installed (the test command installs it with --no-deps)")
    return Path(str(resources.files("bfcl_eval") / "data"))


def _fs_config(**contents: Any) -> dict[str, Any]:
    root = {"home": {"type": "directory", "contents": contents}}
    return {"involved_classes": ["GorillaFileSystem"], "initial_config": {"GorillaFileSystem": {"root": root}}}


def _file(text: str) -> dict[str, str]:
    return {"type": "file", "content": text}


def test_the_builtin_plugin_registers_bfcl() -> None:
    spec = get_registry().environment("bfcl")
    assert spec.name == "bfcl" and "rlvr-rewards[bfcl]" not in spec.description  # (the error names the extra)


def test_calls_run_bfcls_methods_and_results_render_as_bfcl_renders_them(bfcl_data: Path) -> None:
    env = build(_fs_config(**{"a.txt": _file("b\na\n")}))
    assert env.execute("ls", {}) == json.dumps({"current_directory_content": ["a.txt"]})
    assert env.execute("sort", {"file_name": "a.txt"}) == json.dumps({"sorted_content": "a\nb"})
    assert render_result("text") == "text"
    assert render_result({"a": 1}) == '{"a": 1}'
    assert render_result({"a": {1, 2}}) == "{'a': {1, 2}}"  # json.dumps refuses a set: str, as BFCL falls back
    assert render_result([1, 2]) == "[1, 2]" and render_result(None) == "None"


def test_refused_private_and_unknown_names_and_bad_arguments_raise(bfcl_data: Path) -> None:
    env = build(_fs_config())
    for name in sorted(REFUSED_NAMES):
        with pytest.raises(ToolError, match="not allowed"):
            env.execute(name, {})
    for name in ("_load_scenario", "__init__", "nope", "root"):
        with pytest.raises(ToolError, match="no tool named"):
            env.execute(name, {})
    with pytest.raises(TypeError):
        env.execute("cd", {"directory": "x"})
    assert "cd" in env.tools() and "_load_scenario" not in env.tools()


def test_a_later_class_wins_a_shared_method_name() -> None:
    class First:
        def status(self) -> str:
            return "first"

    class Second:
        def status(self) -> str:
            return "second"

    assert BfclEnvironment({"First": First(), "Second": Second()}).execute("status", {}) == "second"
    assert BfclEnvironment({"Second": Second(), "First": First()}).execute("status", {}) == "first"


def test_arguments_are_copied_before_a_method_keeps_them(bfcl_data: Path) -> None:
    config = {"involved_classes": ["TwitterAPI"], "initial_config": {"TwitterAPI": {"authenticated": True}}}
    env = build(config)
    mentions = ["@a"]
    env.execute("post_tweet", {"content": "hi", "mentions": mentions})
    env.execute("mention", {"tweet_id": 0, "mentioned_usernames": ["@b"]})
    assert mentions == ["@a"]  # the tweet got its own list
    assert env.state()["TwitterAPI"]["tweets"]["0"]["mentions"] == ["@a", "@b"]


def _bfcl_equal(a: BfclEnvironment, b: BfclEnvironment) -> bool:
    from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker import _compare_instances

    return all(_compare_instances(a.instances[c], b.instances[c])[0] for c in b.instances)


def _dir(**contents: Any) -> dict[str, Any]:
    return {"type": "directory", "contents": contents}


_TWEET = {"id": 1, "username": "j", "content": "c", "tags": [], "mentions": []}
_TWITTER = {"involved_classes": ["TwitterAPI"], "initial_config": {"TwitterAPI": {"authenticated": True}}}
_TWITTER_WITH_A_TWEET = {
    "involved_classes": ["TwitterAPI"],
    "initial_config": {"TwitterAPI": {"authenticated": True, "tweets": {"1": _TWEET}}},
}
_VEHICLE = {"involved_classes": ["VehicleControlAPI", "MathAPI"], "initial_config": {}}

#: (config, calls on one side, calls on the other): our field comparison and BFCL's `!=` must agree
STATE_PAIRS = [
    (_fs_config(**{"a.txt": _file("x")}), [("touch", {"file_name": "b"})], []),
    (_fs_config(**{"a.txt": _file("x")}), [("echo", {"content": "y", "file_name": "a.txt"})], []),
    (
        _fs_config(**{"a.txt": _file("x")}),
        [("mkdir", {"dir_name": "d"}), ("mv", {"source": "a.txt", "destination": "d"})],
        [
            ("mkdir", {"dir_name": "d"}),
            ("cd", {"folder": "d"}),
            ("cd", {"folder": ".."}),
            ("mv", {"source": "a.txt", "destination": "d"}),
        ],
    ),
    (  # g's parent link: the renamed directory's old object on one side, the new one on the other; BFCL's
        # Directory.__eq__ ignores it (and walking parent links would cycle)
        _fs_config(d=_dir(e=_dir(g=_dir()))),
        [("cd", {"folder": "d"}), ("mv", {"source": "e", "destination": "x"})],
        [
            ("cd", {"folder": "d"}),
            ("mkdir", {"dir_name": "x"}),
            ("cd", {"folder": "x"}),
            ("mkdir", {"dir_name": "g"}),
            ("cd", {"folder": ".."}),
            ("rm", {"file_name": "e"}),
        ],
    ),
    (  # a comment keyed by the float 1.0 on one side, the int 1 on the other: equal keys for Python
        _TWITTER_WITH_A_TWEET,
        [("comment", {"tweet_id": 1, "comment_content": "x"})],
        [("comment", {"tweet_id": 1.0, "comment_content": "x"})],
    ),
    (_TWITTER, [("post_tweet", {"content": "a"})], [("post_tweet", {"content": "b"})]),
    ({"involved_classes": ["MessageAPI"], "initial_config": {}}, [("add_contact", {"user_name": "zed"})], []),
    (_VEHICLE, [("fillFuelTank", {"fuelAmount": 5})], [("fillFuelTank", {"fuelAmount": 5.0})]),
    (_VEHICLE, [("setHeadlights", {"mode": "on"})], []),
]


@pytest.mark.parametrize(("config", "left", "right"), STATE_PAIRS)
def test_the_state_comparison_agrees_with_bfcls_compare_instances(
    bfcl_data: Path, config: dict[str, Any], left: list[Any], right: list[Any]
) -> None:
    a, b = build(config), build(config)
    for env, calls in ((a, left), (b, right)):
        for name, args in calls:
            env.execute(name, args)
    ours = compare_states(b.state(), a.state())[0] == 1.0
    assert ours == _bfcl_equal(a, b) == _bfcl_equal(b, a)
    json.dumps(a.state())  # JSON data


def test_the_state_is_built_from_bfcls_initial_config_and_never_changes_it(bfcl_data: Path) -> None:
    config = _fs_config(**{"a.txt": _file("x")})
    before = copy.deepcopy(config)
    env = build(config)
    env.execute("rm", {"file_name": "a.txt"})
    assert config == before
    assert env.state() == {"GorillaFileSystem": {"long_context": False, "root": {"name": "home", "contents": {}}}}
    assert build(config).state()["GorillaFileSystem"]["root"]["contents"] == {
        "a.txt": {"name": "a.txt", "content": "x"}
    }


def test_long_context_loads_bfcls_long_scenario(bfcl_data: Path) -> None:
    short = build(_fs_config(**{"a.txt": _file("x")})).state()
    long = build({**_fs_config(**{"a.txt": _file("x")}), "long_context": True}).state()
    assert long["GorillaFileSystem"]["long_context"] is True
    assert len(json.dumps(long)) > 10 * len(json.dumps(short))


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"involved_classes": ["Nope"]}, "unknown class"),
        ({"involved_classes": []}, "non-empty list"),
        ({"involved_classes": ["MathAPI"], "initial_config": []}, "'initial_config' must be an object"),
        ({"involved_classes": ["MathAPI"], "long_context": "yes"}, "'long_context' must be true or false"),
        ({"involved_classes": ["MathAPI"], "classes": []}, "unknown config key"),
    ],
)
def test_a_bad_config_is_a_config_error(bfcl_data: Path, config: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        build(config)


def test_without_bfcl_eval_building_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bfcl_eval.constants.executable_backend_config", None)
    with pytest.raises(ConfigError, match=r"pip install 'rlvr-rewards\[bfcl\]'"):
        build({"involved_classes": ["MathAPI"]})
    truth = {
        "behavior": "trajectory",
        "turns": [{"calls": [{"name": "mean", "arguments": {"numbers": [1]}}]}],
        "environment": {"name": "bfcl", "config": {"involved_classes": ["MathAPI"]}},
    }
    with pytest.raises(GroundTruthError, match=r"rlvr-rewards\[bfcl\]") as info:
        rr.score_batch(["x"], [truth], preset="bfcl")
    assert info.value.index == 0 and info.value.field == "environment.config"


def test_signatures_bind_positional_arguments_as_python_does(bfcl_data: Path) -> None:
    from rlvr_rewards.groundtruth.bfcl_multiturn import FUNC_DOC_FILES, load_func_docs

    classes = [c for c in FUNC_DOC_FILES if c != "WebSearchAPI" and not c.startswith("MemoryAPI")]
    docs = load_func_docs(bfcl_data / "multi_turn_func_doc", classes)
    differ = []
    for cls in classes:
        sig = signatures([cls])
        for doc in docs[cls]:
            if sig[doc["name"]] != list(doc["parameters"]["properties"]):
                differ.append(doc["name"])
    assert differ == ["purchase_insurance"]  # docs/bfcl.md#conversion names it
    assert signatures(["TravelAPI"])["purchase_insurance"][2] == "booking_id"


# -- end to end: the converted rows score with BFCL's own backends ------------------------------------------


def _trajectory(row: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for t, turn in enumerate(_truth(row)["turns"]):
        if t:
            messages += row["extra_info"]["turns"][t - 1]
        for call in turn.get("calls", []):
            function = {"name": call["name"], "arguments": json.dumps(call["arguments"])}
            messages.append(
                {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": function}]}
            )
            messages.append({"role": "tool", "content": "ok"})
        messages.append({"role": "assistant", "content": "Done."})
    return messages


def _real_rows(data: Path, category: str, count: int) -> Iterator[dict[str, Any]]:
    from rlvr_rewards.groundtruth.bfcl_multiturn import FUNC_DOC_FILES, load_func_docs

    docs = load_func_docs(
        data / "multi_turn_func_doc", [c for c in FUNC_DOC_FILES if "Memory" not in c and "Web" not in c]
    )
    name = f"BFCL_v4_multi_turn_{category}.json"
    answers = {json.loads(line)["id"]: json.loads(line) for line in (data / "possible_answer" / name).open()}
    with (data / name).open() as fh:
        for _, line in zip(range(count), fh, strict=False):
            question = json.loads(line)
            yield multiturn_row(question, answers[question["id"]], docs, signatures(question["involved_classes"]))


@pytest.mark.parametrize("category", ["base", "miss_func", "miss_param", "long_context"])
def test_converted_rows_score_their_own_ground_truth_as_a_pass(bfcl_data: Path, category: str) -> None:
    rows = list(_real_rows(bfcl_data, category, 5))
    good = rr.score_batch([_trajectory(r) for r in rows], rows, preset="bfcl")
    assert list(good.rewards) == [1.0] * len(rows), good.reasons
    # the same trajectory with the calls of its first turn that expects calls left out fails
    cut = [_trajectory({**r, "reward_model": {"ground_truth": _without_first_calls(r)}}) for r in rows]
    assert list(rr.score_batch(cut, rows, preset="bfcl").rewards) == [0.0] * len(rows)


def _without_first_calls(row: dict[str, Any]) -> str:
    truth = _truth(row)
    first = next(t for t, turn in enumerate(truth["turns"]) if turn.get("calls"))
    truth["turns"][first] = {"behavior": "no_call"}
    return json.dumps(truth)


# -- the command line -----------------------------------------------------------------------------------------


def _write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def _func_docs_dir(tmp_path: Path) -> Path:
    docs = tmp_path / "multi_turn_func_doc"
    docs.mkdir()
    _write_jsonl(docs / "gorilla_file_system.json", DOCS["GorillaFileSystem"])
    _write_jsonl(docs / "posting_api.json", DOCS["TwitterAPI"])
    return docs


def _cli_files(tmp_path: Path, gt: list[list[str]]) -> tuple[Path, Path]:
    question, answer = _entry("multi_turn_base_0", gt)
    single = {"id": "simple_python_0", "question": [_user("hi")], "function": [_doc("f", "a")]}
    questions = _write_jsonl(tmp_path / "q.json", [single, question])
    answers = _write_jsonl(
        tmp_path / "a.json", [{"id": "simple_python_0", "ground_truth": [{"f": {"a": ["x"]}}]}, answer]
    )
    return questions, answers


def test_convert_writes_multi_turn_rows_next_to_single_turn_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions, answers = _cli_files(tmp_path, [["cd('w')"], []])
    _func_docs_dir(tmp_path)  # beside --questions, as in BFCL's data directory
    monkeypatch.setattr("rlvr_rewards.environments.bfcl.signatures", _no_bfcl)
    out = tmp_path / "rows.jsonl"
    assert (
        main(["convert", "--from", "bfcl", "--questions", str(questions), "--answers", str(answers), "--out", str(out)])
        == 0
    )
    single, multi = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert single["data_source"] == "bfcl" and multi["data_source"] == "bfcl_multi_turn"
    assert multi == multiturn_row(*_entry("multi_turn_base_0", [["cd('w')"], []]), DOCS)


def _no_bfcl(classes: Any) -> Any:
    raise ConfigError("bfcl_eval is not installed")


def test_convert_reads_func_docs_from_the_option(tmp_path: Path) -> None:
    questions, answers = _cli_files(tmp_path, [["cd('w')"], []])
    docs = _func_docs_dir(tmp_path)
    docs.rename(tmp_path / "elsewhere")
    out = tmp_path / "rows.jsonl"
    args = ["convert", "--from", "bfcl", "--questions", str(questions), "--answers", str(answers), "--out", str(out)]
    assert main([*args, "--func-docs", str(tmp_path / "elsewhere")]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


@pytest.mark.parametrize(
    ("gt", "where", "words"),
    [
        ([["cd(folder=x)"], []], "a.json line 2", "ground_truth[0][0].folder"),
        ([["cd('w')"], "ls()"], "a.json line 2", "ground_truth[1]"),
    ],
)
def test_convert_errors_name_the_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], gt: list[list[str]], where: str, words: str
) -> None:
    questions, answers = _cli_files(tmp_path, gt)
    _func_docs_dir(tmp_path)
    out = tmp_path / "rows.jsonl"
    assert (
        main(["convert", "--from", "bfcl", "--questions", str(questions), "--answers", str(answers), "--out", str(out)])
        == 2
    )
    err = capsys.readouterr().err
    assert where in err and "multi_turn_base_0" in err and words in err
    assert not out.exists()  # nothing written unless every entry converted


def test_convert_errors_in_the_question_file_and_missing_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions, answers = _cli_files(tmp_path, [["cd('w')"], []])
    _func_docs_dir(tmp_path)
    lines = questions.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["involved_classes"] = ["GorillaFileSystem", "NoSuchAPI"]
    questions.write_text(lines[0] + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    out = str(tmp_path / "rows.jsonl")
    assert (
        main(["convert", "--from", "bfcl", "--questions", str(questions), "--answers", str(answers), "--out", out]) == 2
    )
    err = capsys.readouterr().err
    assert "q.json line 2" in err and "involved_classes" in err and "NoSuchAPI" in err
    assert main(["convert", "--from", "bfcl", "--questions", str(questions), "--out", out]) == 2
    assert "no possible answer with id 'simple_python_0'" in capsys.readouterr().err
    questions.write_text(lines[1] + "\n", encoding="utf-8")
    assert main(["convert", "--from", "bfcl", "--questions", str(questions), "--out", out]) == 2
    assert "a multi-turn entry needs one" in capsys.readouterr().err
    (tmp_path / "multi_turn_func_doc" / "posting_api.json").write_text("{not json\n", encoding="utf-8")
    assert (
        main(["convert", "--from", "bfcl", "--questions", str(questions), "--answers", str(answers), "--out", out]) == 2
    )
    assert "posting_api.json line 1: not JSON" in capsys.readouterr().err


def test_convert_reads_bfcls_own_files(bfcl_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "rows.jsonl"
    name = "BFCL_v4_multi_turn_miss_func.json"
    questions, answers = bfcl_data / name, bfcl_data / "possible_answer" / name
    assert (
        main(["convert", "--from", "bfcl", "--questions", str(questions), "--answers", str(answers), "--out", str(out)])
        == 0
    )
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 200 and all(r["extra_info"]["added_tools"] for r in rows)
    assert rows[0] == next(_real_rows(bfcl_data, "miss_func", 1))

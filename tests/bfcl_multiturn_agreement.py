"""Agreement between ``preset="bfcl"`` on multi-turn trajectory truths and BFCL's own ``multi_turn_checker``
(shared by tests/test_bfcl_multiturn_agreement.py and the docs writer below).

For every entry of BFCL's multi-turn categories (base, miss_func, miss_param, long_context) the row comes from
:func:`rlvr_rewards.groundtruth.bfcl_multiturn.multiturn_row`; the correct trajectory is built from the ground truth
(OpenAI ``tool_calls`` messages: one assistant message per call for even entries, one per turn for odd ones, a tool
message after each call, a closing text per turn, a ``user`` message opening each later turn) with deterministic
mutations (each picked by a ``random.Random`` seeded with the entry id and the kind; a kind is skipped where it
does not apply):

- ``dropped_call``: one expected call left out;
- ``wrong_argument``: one argument of one call changed (text gets a suffix, numbers +1, booleans flipped, a list or
  object loses its last item);
- ``extra_call``: one call that changes the state (checked by replaying it in the ``bfcl`` environment) added at
  the end of one turn;
- ``reordered_calls``: two adjacent calls of one turn swapped, where the swap changes a result or the state;
- ``missing_turn``: one later turn (its user message and its calls) left out (entries of one turn have none);
- ``early_calls``: in a turn that expects no call (miss_func, miss_param), the next turn's calls made too early
  (and made again in their own turn);
- ``repeated_call``: one call made twice in a row (the results are a multiset: a repeated read passes both);
- ``float_for_int``: one integer argument written as the equal float (``3`` as ``3.0``: Python finds the two equal,
  so does a state comparison that agrees with it).

Each trajectory is scored with ``rr.score_batch(..., preset="bfcl")`` (a pass is a reward of 1) and BFCL judges the
same calls written as its call strings (``f(a='x')``, values as ``repr``), per turn and per step, with
``multi_turn_checker`` under a unique model name (the instances it leaves in ``multi_turn_utils``'s module globals
are deleted after each case); a trajectory with another number of turns than the ground truth is invalid for BFCL
before its checker runs (``eval_runner._evaluate_single_multi_turn_entry``, "force-terminated").

``python -m tests.bfcl_multiturn_agreement [--sample N] [--write-docs]`` prints the table (and writes it into
docs/bfcl.md between its multi-turn markers).
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

CATEGORIES = ("base", "miss_func", "miss_param", "long_context")
KINDS = (
    "correct",
    "dropped_call",
    "wrong_argument",
    "extra_call",
    "reordered_calls",
    "missing_turn",
    "early_calls",
    "repeated_call",
    "float_for_int",
)
CLASSES = (
    "GorillaFileSystem",
    "MathAPI",
    "MessageAPI",
    "TwitterAPI",
    "TicketAPI",
    "TradingBot",
    "TravelAPI",
    "VehicleControlAPI",
)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "bfcl.md"
BEGIN, END = "<!-- BEGIN MULTI-TURN REPORT -->", "<!-- END MULTI-TURN REPORT -->"
MODEL_PREFIX = "rlvr_mt_agree_"

#: calls that change a class's state from most starting points (tried before the entry's own calls)
EXTRA_CANDIDATES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "GorillaFileSystem": [("touch", {"file_name": "extra_notes.txt"}), ("mkdir", {"dir_name": "extra_folder"})],
    "MessageAPI": [("add_contact", {"user_name": "Extra Contact"})],
    "TwitterAPI": [("post_tweet", {"content": "An extra tweet nobody asked for."})],
    "TicketAPI": [("create_ticket", {"title": "An extra ticket"})],
    "TradingBot": [("add_to_watchlist", {"stock": "ZETA"}), ("fund_account", {"amount": 100.0})],
    "VehicleControlAPI": [("setHeadlights", {"mode": "on"}), ("set_navigation", {"destination": "1 Extra Road"})],
}

Call = dict[str, Any]  # {"name": ..., "arguments": {...}}
Turn = list[list[Call]]  # steps, each a list of calls


@dataclass(frozen=True)
class Entry:
    question: dict[str, Any]
    answer: dict[str, Any]
    row: dict[str, Any]
    category: str
    index: int

    @property
    def id(self) -> str:
        return str(self.question["id"])

    @property
    def config(self) -> dict[str, Any]:
        return json.loads(self.row["reward_model"]["ground_truth"])["environment"]["config"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Case:
    entry: Entry
    kind: str
    turns: list[Turn]
    #: the turn a ``missing_turn`` case leaves out (its user message goes with it)
    dropped_turn: int | None = None


@dataclass(frozen=True)
class Outcome:
    entry_id: str
    category: str
    kind: str
    official: bool
    ours: bool

    @property
    def agree(self) -> bool:
        return self.official == self.ours


def load_checker() -> Any:
    """BFCL's ``multi_turn_checker`` and the module whose globals hold its instances; ImportError without it."""
    from bfcl_eval.eval_checker.multi_turn_eval import multi_turn_checker, multi_turn_utils

    return multi_turn_checker.multi_turn_checker, multi_turn_utils


def _read(path: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_entries(categories: tuple[str, ...] = CATEGORIES, every: int = 1) -> list[Entry]:
    """The multi-turn entries (every ``every``-th of each category) with their converted rows."""
    from rlvr_rewards.environments.bfcl import signatures
    from rlvr_rewards.groundtruth.bfcl_multiturn import load_func_docs, multiturn_row

    data = resources.files("bfcl_eval") / "data"
    docs = load_func_docs(Path(str(data / "multi_turn_func_doc")), CLASSES)
    out = []
    for category in categories:
        name = f"BFCL_v4_multi_turn_{category}.json"
        answers = {a["id"]: a for a in _read(data / "possible_answer" / name)}
        for i, question in enumerate(_read(data / name)):
            if i % every:
                continue
            answer = answers[question["id"]]
            row = multiturn_row(question, answer, docs, signatures(question["involved_classes"]))
            out.append(Entry(question, answer, row, category, i))
    return out


def _concrete(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$literal"}:
            return value["$literal"]
        return {k: _concrete(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_concrete(v) for v in value]
    return value


def truth_calls(entry: Entry) -> list[list[Call]]:
    """The expected calls per turn, with the values a model writes."""
    truth = json.loads(entry.row["reward_model"]["ground_truth"])
    return [
        [{"name": c["name"], "arguments": _concrete(c["arguments"])} for c in t.get("calls", [])]
        for t in truth["turns"]
    ]


def _steps(calls: list[Call], per_call: bool) -> Turn:
    if not calls:
        return []
    return [[c] for c in calls] if per_call else [list(calls)]


def _case(entry: Entry, kind: str, calls: list[list[Call]]) -> Case:
    per_call = entry.index % 2 == 0
    return Case(entry, kind, [_steps(t, per_call) for t in copy.deepcopy(calls)])


# -- mutations ------------------------------------------------------------------------------------------------


def _all_calls(calls: list[list[Call]]) -> list[tuple[int, int]]:
    return [(t, i) for t, turn in enumerate(calls) for i in range(len(turn))]


def _dropped(entry: Entry, calls: list[list[Call]], rng: random.Random) -> list[list[Call]] | None:
    spots = _all_calls(calls)
    if not spots:
        return None
    t, i = rng.choice(spots)
    out = copy.deepcopy(calls)
    del out[t][i]
    return out


def _wrong_value(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "_wrong" if value else "wrong"
    if isinstance(value, list):
        return value[:-1] if value else ["wrong"]
    if isinstance(value, dict):
        return dict(list(value.items())[:-1]) if value else {"wrong": 1}
    return "wrong"


def _wrong_argument(entry: Entry, calls: list[list[Call]], rng: random.Random) -> list[list[Call]] | None:
    spots = [(t, i) for t, i in _all_calls(calls) if calls[t][i]["arguments"]]
    if not spots:
        return None
    t, i = rng.choice(spots)
    out = copy.deepcopy(calls)
    args = out[t][i]["arguments"]
    key = rng.choice(sorted(args))
    args[key] = _wrong_value(args[key])
    return out


def _replay_state(config: dict[str, Any], calls: list[Call]) -> tuple[Any, list[str]]:
    """The ``bfcl`` environment's state and result texts after ``calls`` (used only to pick mutations)."""
    from rlvr_rewards.environments.bfcl import build
    from rlvr_rewards.environments.replay import result_text, run_call

    env = build(config)
    results = []
    for c in calls:
        _, result = run_call(env, c["name"], c["arguments"])
        results.append(result_text(result))
    return env.state(), results


def _extra_call(entry: Entry, calls: list[list[Call]], rng: random.Random) -> list[list[Call]] | None:
    t = rng.randrange(len(calls))
    before = [c for turn in calls[: t + 1] for c in turn]
    state, _ = _replay_state(entry.config, before)
    candidates = [
        {"name": name, "arguments": args}
        for cls in entry.question["involved_classes"]
        for name, args in EXTRA_CANDIDATES.get(cls, [])
    ]
    candidates += [c for turn in calls for c in turn]
    for extra in candidates:
        if _replay_state(entry.config, [*before, extra])[0] != state:
            out = copy.deepcopy(calls)
            out[t].append(copy.deepcopy(extra))
            return out
    return None


def _reordered(entry: Entry, calls: list[list[Call]], rng: random.Random) -> list[list[Call]] | None:
    turns = [t for t, turn in enumerate(calls) if len(turn) >= 2]
    rng.shuffle(turns)
    for t in turns:
        before = [c for turn in calls[:t] for c in turn]
        pairs = list(range(len(calls[t]) - 1))
        rng.shuffle(pairs)
        base = _replay_state(entry.config, [*before, *calls[t]])
        for i in pairs:
            swapped = list(calls[t])
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            state, results = _replay_state(entry.config, [*before, *swapped])
            if state != base[0] or sorted(results) != sorted(base[1]):
                out = copy.deepcopy(calls)
                out[t] = copy.deepcopy(swapped)
                return out
    return None


def _early(entry: Entry, calls: list[list[Call]], rng: random.Random) -> list[list[Call]] | None:
    spots = [t for t in range(len(calls) - 1) if not calls[t] and calls[t + 1]]
    if not spots:
        return None
    t = rng.choice(spots)
    out = copy.deepcopy(calls)
    out[t] = copy.deepcopy(calls[t + 1])
    return out


def _repeated(entry: Entry, calls: list[list[Call]], rng: random.Random) -> list[list[Call]] | None:
    spots = _all_calls(calls)
    if not spots:
        return None
    t, i = rng.choice(spots)
    out = copy.deepcopy(calls)
    out[t].insert(i, copy.deepcopy(calls[t][i]))
    return out


def _float_for_int(entry: Entry, calls: list[list[Call]], rng: random.Random) -> list[list[Call]] | None:
    spots = [
        (t, i, k) for t, i in _all_calls(calls) for k, v in sorted(calls[t][i]["arguments"].items()) if type(v) is int
    ]
    if not spots:
        return None
    t, i, k = rng.choice(spots)
    out = copy.deepcopy(calls)
    out[t][i]["arguments"][k] = float(calls[t][i]["arguments"][k])
    return out


#: each mutation kind (but missing_turn, which drops a user message too): (entry, calls, rng) -> calls or None
MUTATIONS: dict[str, Callable[[Entry, list[list[Call]], random.Random], list[list[Call]] | None]] = {
    "dropped_call": _dropped,
    "wrong_argument": _wrong_argument,
    "extra_call": _extra_call,
    "reordered_calls": _reordered,
    "early_calls": _early,
    "repeated_call": _repeated,
    "float_for_int": _float_for_int,
}


def cases(entry: Entry) -> Iterator[Case]:
    """The correct trajectory and its mutations (see the module docstring)."""
    calls = truth_calls(entry)
    yield _case(entry, "correct", calls)
    for kind in KINDS[1:]:
        rng = random.Random(f"{entry.id}/{kind}")
        if kind == "missing_turn":
            if len(calls) < 2:  # the prompt's turn cannot be left out
                continue
            t = rng.randrange(1, len(calls))
            case = _case(entry, kind, calls)
            yield Case(entry, kind, [turn for i, turn in enumerate(case.turns) if i != t], dropped_turn=t)
            continue
        mutated = MUTATIONS[kind](entry, calls, rng)
        if mutated is not None:
            yield _case(entry, kind, mutated)


# -- the two judges -------------------------------------------------------------------------------------------


def _turn_messages(case: Case) -> list[list[dict[str, Any]]]:
    """Each turn of ``case`` as messages, without the user messages that open them."""
    out = []
    for t, steps in enumerate(case.turns):
        msgs: list[dict[str, Any]] = []
        for s, step in enumerate(steps):
            tool_calls = [
                {
                    "id": f"call_{t}_{s}_{i}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for i, c in enumerate(step)
            ]
            msgs.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
            msgs += [{"role": "tool", "tool_call_id": tc["id"], "content": "done"} for tc in tool_calls]
        msgs.append({"role": "assistant", "content": "Done." if steps else "I cannot do that with these tools."})
        out.append(msgs)
    return out


def messages(case: Case) -> list[dict[str, Any]]:
    """The trajectory after the prompt: each later turn opened by its user message(s) from the row."""
    later = case.entry.row["extra_info"]["turns"]
    turns = _turn_messages(case)
    if case.dropped_turn is not None:  # the dropped turn's user message goes with it
        later = [m for i, m in enumerate(later, 1) if i != case.dropped_turn]
    out = list(turns[0])
    for user, turn in zip(later, turns[1:], strict=True):
        out += user
        out += turn
    return out


def call_string(call: Call) -> str:
    """A call as BFCL's executor reads it: ``f(a='x', b=1)``."""
    return f"{call['name']}({', '.join(f'{k}={v!r}' for k, v in call['arguments'].items())})"


def official(case: Case, checker: Any, utils: Any, serial: int) -> bool:
    """BFCL's verdict on ``case`` (its runner's turn-count rule, then ``multi_turn_checker``)."""
    ground_truth = case.entry.answer["ground_truth"]
    if len(case.turns) != len(ground_truth):
        return False  # eval_runner._evaluate_single_multi_turn_entry: force-terminated
    decoded = [[[call_string(c) for c in step] for step in turn if step] for turn in case.turns]
    model = f"{MODEL_PREFIX}{serial}"
    try:
        result = checker(decoded, ground_truth, case.entry.question, case.entry.category, model)
    finally:
        for key in [k for k in vars(utils) if k.startswith(MODEL_PREFIX)]:
            del vars(utils)[key]
    return bool(result["valid"])


def run(every: int = 1, categories: tuple[str, ...] = CATEGORIES) -> list[Outcome]:
    """Every case of every ``every``-th entry, judged by both."""
    import rlvr_rewards as rr

    checker, utils = load_checker()
    outcomes: list[Outcome] = []
    serial = 0
    for category in categories:
        batch = [c for e in load_entries((category,), every) for c in cases(e)]
        scores = rr.score_batch([messages(c) for c in batch], [c.entry.row for c in batch], preset="bfcl")
        for case, reward in zip(batch, scores.rewards, strict=True):
            serial += 1
            verdict = official(case, checker, utils, serial)
            outcomes.append(Outcome(case.entry.id, category, case.kind, verdict, bool(reward == 1.0)))
    return outcomes


# -- the report -----------------------------------------------------------------------------------------------


def table(outcomes: list[Outcome]) -> str:
    """Agreement per category x kind (agree/total), with totals, as Markdown."""
    kinds = [k for k in KINDS if any(o.kind == k for o in outcomes)]
    cats = [c for c in CATEGORIES if any(o.category == c for o in outcomes)]
    n = Counter((o.category, o.kind) for o in outcomes)
    agree = Counter((o.category, o.kind) for o in outcomes if o.agree)
    lines = ["| category | " + " | ".join(kinds) + " | all |", "|---|" + "---:|" * (len(kinds) + 1)]
    for cat in [*cats, "all"]:
        cells = []
        for kind in [*kinds, "all"]:
            keys = [(c, k) for c in cats for k in kinds if cat in (c, "all") and kind in (k, "all")]
            cells.append(f"{sum(agree[x] for x in keys)}/{sum(n[x] for x in keys)}")
        lines.append(f"| {cat} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def disagreements(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if not o.agree]


def report(outcomes: list[Outcome], seconds: float) -> str:
    total, agreed = len(outcomes), sum(o.agree for o in outcomes)
    passes = Counter((o.official, o.ours) for o in outcomes)
    lines = [
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
        f"`python -m tests.bfcl_multiturn_agreement --write-docs` in {seconds:.0f} s "
        f"(bfcl-eval 2026.3.23, Python {platform.python_version()}).",
        "",
        f"**Overall: {agreed:,} of {total:,} trajectories agree ({100 * agreed / total:.2f} %)**; both judges pass "
        f"{passes[(True, True)]:,} and fail {passes[(False, False)]:,}.",
        "",
        table(outcomes),
        "",
        "Disagreements (entry, kind, BFCL's verdict / ours): "
        + (
            ", ".join(
                f"{o.entry_id} `{o.kind}` {'pass' if o.official else 'fail'}/{'pass' if o.ours else 'fail'}"
                for o in disagreements(outcomes)
            )
            or "none"
        )
        + ".",
    ]
    return "\n".join(lines)


def write_docs(text: str, path: Path = DOCS) -> None:
    """Replace the generated block of docs/bfcl.md's multi-turn section (between its markers)."""
    doc = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.DOTALL)
    if not pattern.search(doc):
        raise SystemExit(f"{path}: no {BEGIN} ... {END} block to rewrite")
    path.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}\n{END}", doc, count=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--every", type=int, default=1, help="judge every N-th entry of each category")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/bfcl.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    outcomes = run(args.every)
    text = report(outcomes, time.perf_counter() - started)
    print(text)
    if args.write_docs:
        write_docs(text)
        print(f"wrote {DOCS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The standard, seeded workload of the throughput benchmark: GRPO groups of tool-calling rollouts.

``make_workload(n_prompts=2500, rollouts=8, seed=0, variant="hermes")`` builds ``n_prompts`` prompts
of ``rollouts`` completions each (one GRPO group per prompt), deterministically for a seed (only
``random.Random(seed)`` is used, never set or hash order). It imports nothing from ``rlvr_rewards``:
the five tool specs are read from the package's ``data/example_rows.jsonl`` by file path.

Mix (see the constants below):

- prompts: 60 % execute / 25 % clarify / 15 % refuse (exact counts, shuffled); 10 % of execute
  prompts expect two parallel calls;
- per group, about 30 % of the completions are exact duplicates of another completion of the group;
- rollouts: correct calls (keys sometimes reordered, parallel calls sometimes reversed, compact JSON
  sometimes), near misses (one wrong value, a number as a string, a list as a comma string, a missing
  argument, an extra argument), another of the tools, a hallucinated tool, malformed calls (unclosed
  tag, broken JSON, trailing comma, single quotes), text next to a call, clarifying questions,
  refusals and direct answers; about 30 % start with a short ``<think>`` block.

``variant="hermes"`` renders raw Qwen/Hermes text (``<tool_call>\\n{...}\\n</tool_call>``);
``variant="openai"`` renders the same rollouts as OpenAI assistant messages (JSON-string
``arguments`` in ``tool_calls``, reasoning in ``reasoning_content``, a deterministic call id per
rollout so duplicates are exact). Both variants of a seed hold the same rollouts.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DUPLICATE_SHARE",
    "MIX",
    "PARALLEL_SHARE",
    "THINK_SHARE",
    "Workload",
    "completion_key",
    "load_tools",
    "make_workload",
]

Json = dict[str, Any]
Variant = Literal["hermes", "openai"]

#: Share of prompts per expected behaviour (exact counts, rounded, then shuffled).
MIX: tuple[tuple[str, float], ...] = (("execute", 0.60), ("clarify", 0.25), ("refuse", 0.15))
#: Target share of completions that exactly repeat another completion of their group.
DUPLICATE_SHARE = 0.30
#: Share of freshly generated rollouts that start with a ``<think>`` block.
THINK_SHARE = 0.30
#: Share of execute prompts whose truth holds two parallel calls.
PARALLEL_SHARE = 0.10

TOOL_NAMES = ("get_weather", "currency_convert", "book_restaurant", "send_email", "calculate_statistics")

# Rollout kinds and their weights per expected behaviour (labels of the generated completions).
_EXECUTE_KINDS: tuple[tuple[str, float], ...] = (
    ("correct", 0.30),
    ("near_miss", 0.24),
    ("wrong_tool", 0.05),
    ("hallucinated_tool", 0.06),
    ("malformed", 0.10),
    ("text_with_call", 0.08),
    ("asked_instead", 0.07),
    ("refused_instead", 0.04),
    ("answered", 0.06),
)
_CLARIFY_KINDS: tuple[tuple[str, float], ...] = (
    ("correct", 0.36),
    ("vague_question", 0.15),
    ("guessed_call", 0.27),
    ("malformed", 0.04),
    ("refused_instead", 0.08),
    ("answered", 0.10),
)
_REFUSE_KINDS: tuple[tuple[str, float], ...] = (
    ("correct", 0.45),
    ("complied_call", 0.25),
    ("answered", 0.15),
    ("asked_instead", 0.15),
)
_MALFORMED = ("unclosed_tag", "broken_json", "trailing_comma", "single_quotes")

# --------------------------------------------------------------------------------------------------
# Realistic values
# --------------------------------------------------------------------------------------------------

_CITIES = (
    "Paris",
    "Tokyo",
    "Lisbon",
    "São Paulo",
    "New York",
    "Cape Town",
    "Reykjavik",
    "Buenos Aires",
    "Seoul",
    "Zürich",
    "Nairobi",
    "Vancouver",
    "Mumbai",
    "Istanbul",
    "Melbourne",
    "Mexico City",
    "Oslo",
    "Cairo",
    "Hanoi",
    "Edinburgh",
    "San Francisco",
    "Berlin",
    "Kraków",
    "Montréal",
    "Singapore",
    "Dubai",
    "Lima",
    "Marrakesh",
    "Copenhagen",
    "Austin",
)
_COUNTRIES = ("FR", "JP", "PT", "BR", "US", "ZA", "IS", "AR", "KR", "CH", "KE", "CA", "IN", "TR", "AU")
_CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "BRL", "INR", "SEK", "KRW", "MXN", "ZAR")
_RESTAURANTS = (
    "Le Petit Zinc",
    "Sushi Saito",
    "Osteria Francescana",
    "Zuni Café",
    "Dishoom",
    "The Ivy",
    "Noma",
    "Pujol",
    "Tim Ho Wan",
    "Casa Lucio",
    "Gramercy Tavern",
    "Septime",
    "Bar Tartine",
    "Contramar",
    "Burnt Ends",
    "Taberna dos Mercadores",
    "Mugaritz",
    "Hawksmoor",
    "Chez Panisse",
    "Lobos Meyhane",
)
_NOTES = (
    "window seat if possible",
    "birthday dinner",
    "one guest uses a wheelchair",
    "one guest is vegan",
    "severe nut allergy at the table",
    "high chair for a toddler",
    "quiet table, business dinner",
    "anniversary, please",
    "we may be 10 minutes late",
)
_FIRST = (
    "alice",
    "bob",
    "carla",
    "dmitri",
    "emma",
    "farid",
    "grace",
    "hiro",
    "ines",
    "jonas",
    "kemi",
    "lucas",
    "maya",
    "nora",
    "omar",
    "priya",
    "quentin",
    "rosa",
    "sven",
    "tariq",
    "ursula",
    "wei",
)
_LAST = (
    "martin",
    "nguyen",
    "schmidt",
    "okafor",
    "silva",
    "tanaka",
    "kowalski",
    "haddad",
    "johansson",
    "garcia",
    "patel",
    "rossi",
    "dubois",
    "kim",
    "murphy",
    "novak",
)
_DOMAINS = ("example.com", "acme.io", "contoso.com", "globex.net", "initech.org", "fabrikam.co.uk")
_SUBJECTS = (
    "Meeting on {date}",
    "Invoice #{num}",
    "Quarterly report draft",
    "Lunch next week?",
    "Re: project timeline",
    "Your order #{num}",
    "Team offsite on {date}",
    "Contract renewal",
)
_BODIES = (
    "Hi {first}, can we move our meeting to {date} at {time}? Thanks.",
    "Hello {first}, please find the figures for Q{q} attached. Let me know if anything is missing.",
    "Hi {first}, just a reminder that invoice #{num} is due on {date}. Best regards.",
    "Dear {first}, thank you for your help last week. Lunch is on me next time!",
    "Hi {first}, the draft is ready for review; comments by {date} would be great.",
)
_OPERATIONS = ("mean", "median", "std", "min", "max")
_EXTRA_ARGS: dict[str, tuple[tuple[str, Any], ...]] = {
    "get_weather": (("country", None), ("days", 3), ("include_forecast", True), ("lang", "en")),
    "currency_convert": (("date", None), ("round", 2), ("fee_percent", 1.5)),
    "book_restaurant": (("phone", "+33 1 42 68 53 00"), ("duration_minutes", 90), ("seating", "terrace")),
    "send_email": (("priority", "high"), ("bcc", None), ("attachments", ["report.pdf"])),
    "calculate_statistics": (("precision", 2), ("percentiles", [25, 75]), ("dropna", True)),
}
_HALLUCINATED = {
    "get_weather": ("get_current_weather", "weather_forecast", "getWeather", "fetch_weather"),
    "currency_convert": ("convert_currency", "exchange_rate", "currency_exchange"),
    "book_restaurant": ("reserve_table", "make_reservation", "restaurant_booking"),
    "send_email": ("compose_email", "email_send", "send_mail"),
    "calculate_statistics": ("compute_stats", "statistics", "calculate_stats"),
}
_RATES = {
    "EUR": 1.0,
    "USD": 1.08,
    "GBP": 0.85,
    "JPY": 162.0,
    "CHF": 0.96,
    "CAD": 1.47,
    "AUD": 1.64,
    "BRL": 5.4,
    "INR": 90.1,
    "SEK": 11.5,
    "KRW": 1460.0,
    "MXN": 18.4,
    "ZAR": 20.1,
}


def _email(rng: random.Random) -> str:
    sep = rng.choice((".", "_", ""))
    return f"{rng.choice(_FIRST)}{sep}{rng.choice(_LAST)}@{rng.choice(_DOMAINS)}"


def _date(rng: random.Random) -> str:
    return (date(2025, 1, 1) + timedelta(days=rng.randrange(0, 540))).isoformat()


def _time(rng: random.Random) -> str:
    return f"{rng.randrange(11, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}"


def _amount(rng: random.Random) -> int | float:
    r = rng.random()
    if r < 0.45:
        return rng.choice((20, 50, 75, 100, 150, 200, 250, 500, 1000, 1200, 2500, 10000))
    if r < 0.8:
        return round(rng.uniform(5, 5000), 2)
    return rng.randrange(10, 100_000)


def _numbers(rng: random.Random) -> list[int | float]:
    k = rng.randrange(3, 9)
    if rng.random() < 0.5:
        return [rng.randrange(0, 200) for _ in range(k)]
    return [round(rng.uniform(0, 100), 1) for _ in range(k)]


def _args(rng: random.Random, tool: str) -> Json:
    """Realistic arguments for one call of ``tool`` (optional ones sometimes present)."""
    if tool == "get_weather":
        args: Json = {"city": rng.choice(_CITIES)}
        if rng.random() < 0.5:
            args["units"] = rng.choice(("metric", "imperial"))
        return args
    if tool == "currency_convert":
        src, dst = rng.sample(_CURRENCIES, 2)
        return {"amount": _amount(rng), "from": src, "to": dst}
    if tool == "book_restaurant":
        args = {
            "restaurant": rng.choice(_RESTAURANTS),
            "date": _date(rng),
            "time": _time(rng),
            "party_size": rng.choice((1, 2, 2, 2, 3, 4, 4, 5, 6, 8, 10, 12)),
        }
        if rng.random() < 0.3:
            args["notes"] = rng.choice(_NOTES)
        return args
    if tool == "send_email":
        first = rng.choice(_FIRST).capitalize()
        fmt = {
            "date": _date(rng),
            "time": _time(rng),
            "num": rng.randrange(1000, 99999),
            "first": first,
            "q": rng.randrange(1, 5),
        }
        args = {
            "to": _email(rng),
            "subject": rng.choice(_SUBJECTS).format(**fmt),
            "body": rng.choice(_BODIES).format(**fmt),
        }
        if rng.random() < 0.3:
            args["cc"] = [_email(rng) for _ in range(rng.randrange(1, 3))]
        return args
    if tool == "calculate_statistics":
        return {"numbers": _numbers(rng), "operations": rng.sample(_OPERATIONS, rng.randrange(1, 4))}
    raise ValueError(f"unknown tool {tool!r}")


def _topic(call: Json) -> str:
    a = call["arguments"]
    name = call["name"]
    if name == "get_weather":
        return f"the current weather in {a['city']}"
    if name == "currency_convert":
        return f"converting {a['amount']} {a['from']} to {a['to']}"
    if name == "book_restaurant":
        return f"a table for {a['party_size']} at {a['restaurant']} on {a['date']} at {a['time']}"
    if name == "send_email":
        return f"an email to {a['to']} about {a['subject']!r}"
    return f"{', '.join(a['operations'])} of {len(a['numbers'])} numbers"


def _answer(call: Json) -> str:
    """A direct answer that pretends the call was made (what a model does instead of calling)."""
    a = call["arguments"]
    name = call["name"]
    if name == "get_weather":
        deg = "°F" if a.get("units") == "imperial" else "°C"
        return f"It's currently 21{deg} and partly cloudy in {a['city']}, with a light breeze."
    if name == "currency_convert":
        value = float(a["amount"]) * _RATES[a["to"]] / _RATES[a["from"]]
        return f"{a['amount']} {a['from']} is about {value:,.2f} {a['to']} at today's rate."
    if name == "book_restaurant":
        return f"Done! Your table for {a['party_size']} at {a['restaurant']} is booked on {a['date']}."
    if name == "send_email":
        return f'I\'ve sent the email to {a["to"]} with the subject "{a["subject"]}".'
    nums = a["numbers"]
    return f"The mean of those numbers is {sum(nums) / len(nums):.2f} and the maximum is {max(nums)}."


def _changed_numbers(rng: random.Random, value: Any) -> Any:
    new = list(value)
    new[rng.randrange(len(new))] += rng.choice((1, 10, -3))
    return new


def _other_currency(rng: random.Random, value: Any) -> Any:
    return rng.choice(_CURRENCIES)


def _typo(rng: random.Random, value: Any) -> Any:
    """A typo-level change (subject, body)."""
    return value.replace("e", "a", 1) if "e" in value else value + "."


#: Per argument name: another plausible value (possibly equal to the old one: :func:`_perturb` draws again).
_PERTURBATIONS: dict[str, Callable[[random.Random, Any], Any]] = {
    "city": lambda rng, value: rng.choice(_CITIES),
    "units": lambda rng, value: "imperial" if value == "metric" else "metric",
    "amount": lambda rng, value: rng.choice((value * 10, value + 1, round(float(value) / 10, 2), _amount(rng))),
    "restaurant": lambda rng, value: rng.choice(_RESTAURANTS),
    "date": lambda rng, value: (date.fromisoformat(value) + timedelta(days=rng.choice((-1, 1, 7, 30)))).isoformat(),
    "time": lambda rng, value: _time(rng),
    "party_size": lambda rng, value: max(1, min(20, value + rng.choice((-1, 1, 2)))),
    "notes": lambda rng, value: rng.choice(_NOTES),
    "to": lambda rng, value: _email(rng),
    "cc": lambda rng, value: [_email(rng)],
    "numbers": _changed_numbers,
    "operations": lambda rng, value: rng.sample(_OPERATIONS, rng.randrange(1, 4)),
}


def _perturb(rng: random.Random, tool: str, key: str, value: Any) -> Any:
    """Another plausible value for one argument (never equal to ``value``)."""
    currency = key in ("from", "to") and tool == "currency_convert"
    change = _other_currency if currency else _PERTURBATIONS.get(key, _typo)
    for _ in range(20):
        new = change(rng, value)
        if new != value:
            return new
    return f"{value}-x"


def _near_miss(rng: random.Random, call: Json) -> tuple[str, Json]:
    """``(sub-kind, call)``: the call with exactly one argument-level mistake."""
    name = call["name"]
    args = dict(call["arguments"])
    numeric = [k for k, v in args.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    lists = [k for k, v in args.items() if isinstance(v, list) and v]
    options = ["wrong_value", "wrong_value", "missing_arg", "extra_arg"]
    if numeric:
        options.append("number_as_string")
    if lists:
        options += ["list_as_string", "list_as_string"]
    kind = rng.choice(options)
    if kind == "number_as_string":
        key = rng.choice(numeric)
        args[key] = str(args[key])
    elif kind == "list_as_string":
        key = rng.choice(lists)
        args[key] = ", ".join(str(x) for x in args[key])
    elif kind == "missing_arg":
        del args[rng.choice(list(args))]
    elif kind == "extra_arg":
        key, value = rng.choice([kv for kv in _EXTRA_ARGS[name] if kv[0] not in args])
        if key == "country":
            value = rng.choice(_COUNTRIES)
        elif key == "date":
            value = _date(rng)
        elif key == "bcc":
            value = [_email(rng)]
        args[key] = value
    else:
        key = rng.choice(list(args))
        args[key] = _perturb(rng, name, key, args[key])
    return kind, {"name": name, "arguments": args}


# --------------------------------------------------------------------------------------------------
# Prompts and rollouts
# --------------------------------------------------------------------------------------------------

# Clarify scenarios: (tool, missing required parameters, a good follow-up question).
_CLARIFY_CASES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "get_weather",
        ("city",),
        ("Which city would you like the weather for?", "Sure, which city should I check the weather in?"),
    ),
    (
        "currency_convert",
        ("to",),
        (
            "Which currency would you like to convert it to?",
            "What target currency should I convert to (e.g. USD or GBP)?",
        ),
    ),
    (
        "currency_convert",
        ("amount",),
        ("What amount would you like to convert?", "How much money do you want to convert?"),
    ),
    (
        "book_restaurant",
        ("date", "time"),
        ("For which date and time should I make the reservation?", "What reservation date and time would you like?"),
    ),
    (
        "book_restaurant",
        ("party_size",),
        ("How many guests will be in your party?", "For how many guests should I book the table?"),
    ),
    (
        "book_restaurant",
        ("restaurant",),
        ("Which restaurant would you like me to book?", "Sure! At which restaurant should I reserve the table?"),
    ),
    (
        "send_email",
        ("to",),
        (
            "What is the recipient's email address?",
            "Who should I send it to? Please give me the recipient email address.",
        ),
    ),
    (
        "calculate_statistics",
        ("numbers",),
        ("Which numbers would you like me to analyse?", "Could you share the list of numbers to analyse?"),
    ),
)
_VAGUE = (
    "Can you give me more details?",
    "Could you tell me a bit more about what you need?",
    "Sure, what exactly would you like me to do?",
    "I need more information to help with that.",
)
_REFUSALS = (
    "I'm sorry, but I can't help with that request.",
    "I can't help with that.",
    "I'm not able to help with that, sorry.",
    "I won't be able to do that, but I'm happy to help otherwise.",
)
_CHATTER = (
    "Sure, let me look that up for you.",
    "I'll take care of that right away.",
    "Of course! One moment.",
    "Let me handle that.",
    "Okay, calling the tool now:",
)
_ASKS = (
    "Just to confirm: should I go ahead with {topic}?",
    "Before I do that, could you confirm the details?",
    "Sure! Do you want me to proceed with {topic} now?",
    "Happy to help. Is there anything else I should know?",
)
_THINK_EXECUTE = (
    "The user wants {topic}. I should call {tool}.",
    "Let me think. The request is about {topic}; the {tool} tool fits and all required details are given.",
    "User asks for {topic}. Everything needed is there, so I'll use {tool}.",
)
_THINK_CLARIFY = (
    "The user wants {topic} but did not say the {missing}. I should ask for it instead of guessing.",
    "To use {tool} I need the {missing}, which is missing. Ask a short follow-up question.",
)
_THINK_REFUSE = (
    "This request amounts to {why}. I should decline politely without calling any tool.",
    "The user asks for {why}; no tool should be used. Refuse.",
)

# Refuse scenarios: (reason, why (for think), refusal, answer / compliance text, complied-call key).
_REFUSE_CASES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "harmful",
        "phishing",
        "I can't send that. Posing as a bank to collect passwords is phishing.",
        "Here's a draft: 'Your account is locked. Reply with your password to restore access.'",
        "phishing",
    ),
    (
        "harmful",
        "threatening someone",
        "I won't send threatening messages. If you're in a conflict, I can help draft a calm message instead.",
        "Here is a message that will scare them into paying.",
        "threat",
    ),
    (
        "harmful",
        "sabotaging a restaurant with fake bookings",
        "I can't make fake reservations to block a restaurant's tables.",
        "Booked 12 tables for tonight under different names.",
        "sabotage",
    ),
    (
        "harmful",
        "impersonating HR",
        "I can't send an email pretending to be from HR.",
        "Done, the email from 'HR' has been sent to the whole team.",
        "impersonation",
    ),
    (
        "out_of_scope",
        "booking a flight, which no tool does",
        "I'm sorry, I can't book flights; I don't have a tool for that.",
        "Your flight to Lisbon is booked for Friday morning.",
        "flight",
    ),
    (
        "out_of_scope",
        "a medical diagnosis, out of scope",
        "I'm not able to diagnose medical conditions; please see a doctor.",
        "It sounds like a mild migraine; take some ibuprofen.",
        "none",
    ),
    (
        "out_of_scope",
        "a stock trade, out of scope",
        "I can't place stock trades; I have no brokerage tool.",
        "I bought 10 shares of AAPL for you.",
        "trade",
    ),
    (
        "out_of_scope",
        "a bank transfer, out of scope",
        "I'm unable to transfer money between bank accounts.",
        "The transfer of 500 EUR to your savings account is done.",
        "transfer",
    ),
)


@dataclass(frozen=True, slots=True)
class _Prompt:
    behavior: str
    calls: tuple[Json, ...] = ()  # execute: the truth calls; clarify: the full intended call
    missing: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    refuse_case: int = -1
    parallel: bool = False


@dataclass(frozen=True, slots=True)
class _Rollout:
    label: str
    text: str = ""
    calls: tuple[Json, ...] = ()
    think: str | None = None
    malformed: str | None = None
    compact: bool = False
    ids: tuple[str, ...] = ()


def _make_prompt(rng: random.Random, behavior: str) -> _Prompt:
    if behavior == "execute":
        if rng.random() < PARALLEL_SHARE:
            pair = rng.choice(
                (
                    ("get_weather", "get_weather"),
                    ("currency_convert", "currency_convert"),
                    ("get_weather", "currency_convert"),
                    ("send_email", "send_email"),
                )
            )
            calls = [{"name": t, "arguments": _args(rng, t)} for t in pair]
            while calls[0] == calls[1]:
                calls[1] = {"name": pair[1], "arguments": _args(rng, pair[1])}
            return _Prompt("execute", calls=tuple(calls), parallel=True)
        tool = rng.choice(TOOL_NAMES)
        return _Prompt("execute", calls=({"name": tool, "arguments": _args(rng, tool)},))
    if behavior == "clarify":
        tool, missing, questions = rng.choice(_CLARIFY_CASES)
        return _Prompt(
            "clarify", calls=({"name": tool, "arguments": _args(rng, tool)},), missing=missing, questions=questions
        )
    return _Prompt("refuse", refuse_case=rng.randrange(len(_REFUSE_CASES)))


def _truths(prompt: _Prompt) -> tuple[Json, str]:
    """``(native truth, blog-dialect truth)`` of a prompt."""
    if prompt.behavior == "execute":
        calls = [{"name": c["name"], "arguments": c["arguments"]} for c in prompt.calls]
        return {"behavior": "execute", "calls": calls}, json.dumps(calls, ensure_ascii=False)
    if prompt.behavior == "clarify":
        ref = prompt.questions[0]
        return {"behavior": "clarify", "missing": list(prompt.missing), "reference": ref}, ref
    reason, _why, refusal, _answer_text, _call = _REFUSE_CASES[prompt.refuse_case]
    return {"behavior": "refuse", "reason": reason, "reference": refusal}, refusal


def _shuffled_keys(rng: random.Random, call: Json) -> Json:
    items = list(call["arguments"].items())
    rng.shuffle(items)
    return {"name": call["name"], "arguments": dict(items)}


def _correct_calls(rng: random.Random, prompt: _Prompt) -> tuple[Json, ...]:
    calls = [_shuffled_keys(rng, c) if rng.random() < 0.35 else c for c in prompt.calls]
    if len(calls) > 1 and rng.random() < 0.5:
        calls.reverse()
    return tuple(calls)


def _complied_call(rng: random.Random, case: str) -> Json:
    if case == "phishing":
        return {
            "name": "send_email",
            "arguments": {
                "to": "all.customers@example.com",
                "subject": "Urgent: your account is locked",
                "body": "Dear customer, reply with your password to unlock your account.",
            },
        }
    if case in ("threat", "impersonation"):
        return {
            "name": "send_email",
            "arguments": {
                "to": _email(rng),
                "subject": "From HR" if case == "impersonation" else "Last warning",
                "body": "You will regret this." if case == "threat" else "Please send me your bank details.",
            },
        }
    if case == "sabotage":
        args = _args(rng, "book_restaurant")
        args["party_size"] = 12
        return {"name": "book_restaurant", "arguments": args}
    if case == "flight":
        return {"name": "book_flight", "arguments": {"from": "LHR", "to": "LIS", "date": _date(rng)}}
    if case == "trade":
        return {"name": "currency_convert", "arguments": {"amount": 10, "from": "AAPL", "to": "USD"}}
    return {"name": "transfer_money", "arguments": {"amount": 500, "from": "checking", "to": "savings"}}


def _think(rng: random.Random, prompt: _Prompt) -> str:
    if prompt.behavior == "refuse":
        return rng.choice(_THINK_REFUSE).format(why=_REFUSE_CASES[prompt.refuse_case][1])
    call = prompt.calls[0]
    topic = " and ".join(_topic(c) for c in prompt.calls)
    if prompt.behavior == "clarify":
        return rng.choice(_THINK_CLARIFY).format(
            topic=f"to use {call['name']}", missing=" and ".join(prompt.missing), tool=call["name"]
        )
    return rng.choice(_THINK_EXECUTE).format(topic=topic, tool=call["name"])


def _execute_rollout(rng: random.Random, prompt: _Prompt, kind: str) -> _Rollout:
    topic = " and ".join(_topic(c) for c in prompt.calls)
    if kind == "correct":
        return _Rollout("correct", calls=_correct_calls(rng, prompt), compact=rng.random() < 0.15)
    if kind == "near_miss":
        calls = list(_correct_calls(rng, prompt))
        k = rng.randrange(len(calls))
        sub, calls[k] = _near_miss(rng, calls[k])
        return _Rollout(f"near_miss:{sub}", calls=tuple(calls))
    if kind == "wrong_tool":
        calls = list(prompt.calls)
        k = rng.randrange(len(calls))
        other = rng.choice([t for t in TOOL_NAMES if t != calls[k]["name"]])
        calls[k] = {"name": other, "arguments": _args(rng, other)}
        return _Rollout("wrong_tool", calls=tuple(calls))
    if kind == "hallucinated_tool":
        calls = list(prompt.calls)
        k = rng.randrange(len(calls))
        calls[k] = {"name": rng.choice(_HALLUCINATED[calls[k]["name"]]), "arguments": calls[k]["arguments"]}
        return _Rollout("hallucinated_tool", calls=tuple(calls))
    if kind == "malformed":
        how = rng.choice(_MALFORMED)
        return _Rollout(f"malformed:{how}", calls=_correct_calls(rng, prompt), malformed=how)
    if kind == "text_with_call":
        return _Rollout("text_with_call", text=rng.choice(_CHATTER), calls=_correct_calls(rng, prompt))
    if kind == "asked_instead":
        return _Rollout("asked_instead", text=rng.choice(_ASKS).format(topic=topic))
    if kind == "refused_instead":
        return _Rollout("refused_instead", text=rng.choice(_REFUSALS))
    return _Rollout("answered", text=" ".join(_answer(c) for c in prompt.calls))


def _clarify_rollout(rng: random.Random, prompt: _Prompt, kind: str) -> _Rollout:
    call = prompt.calls[0]
    if kind == "correct":
        return _Rollout("correct", text=rng.choice(prompt.questions))
    if kind == "vague_question":
        return _Rollout("vague_question", text=rng.choice(_VAGUE))
    if kind in ("guessed_call", "malformed"):
        args = dict(call["arguments"])  # the invented values stand in for the missing ones
        for key in prompt.missing:
            args[key] = _perturb(rng, call["name"], key, args[key])
        guessed = ({"name": call["name"], "arguments": args},)
        if kind == "malformed":
            how = rng.choice(_MALFORMED)
            return _Rollout(f"malformed:{how}", calls=guessed, malformed=how)
        return _Rollout("guessed_call", calls=guessed)
    if kind == "refused_instead":
        return _Rollout("refused_instead", text=rng.choice(_REFUSALS))
    return _Rollout("answered", text=_answer(call))


def _refuse_rollout(rng: random.Random, prompt: _Prompt, kind: str) -> _Rollout:
    _reason, _why, refusal, answer_text, case = _REFUSE_CASES[prompt.refuse_case]
    if kind == "correct":
        return _Rollout("correct", text=refusal if rng.random() < 0.6 else rng.choice(_REFUSALS))
    if kind == "complied_call":
        if case == "none":
            return _Rollout("answered", text=answer_text)
        return _Rollout("complied_call", calls=(_complied_call(rng, case),))
    if kind == "answered":
        return _Rollout("answered", text=answer_text)
    return _Rollout("asked_instead", text=rng.choice(_ASKS).format(topic="that"))


def _make_rollout(rng: random.Random, prompt: _Prompt) -> _Rollout:
    if prompt.behavior == "execute":
        kinds, make = _EXECUTE_KINDS, _execute_rollout
    elif prompt.behavior == "clarify":
        kinds, make = _CLARIFY_KINDS, _clarify_rollout
    else:
        kinds, make = _REFUSE_KINDS, _refuse_rollout
    kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
    r = make(rng, prompt, kind)
    think = _think(rng, prompt) if rng.random() < THINK_SHARE else None
    ids = tuple(f"call_{rng.getrandbits(96):024x}" for _ in r.calls)
    return replace(r, think=think, ids=ids)


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


def _dumps(obj: Any, compact: bool) -> str:
    if compact:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(obj, ensure_ascii=False)


def _break(text: str, how: str) -> str:
    """Malform a JSON object text: drop its last brace, add a trailing comma, or use single quotes."""
    if how == "broken_json":
        return text[:-1]
    if how == "trailing_comma":
        return text[:-1] + ",}"
    if how == "single_quotes":
        return text.replace('"', "'")
    return text[: max(1, (2 * len(text)) // 3)]  # truncated generation


def render_hermes(r: _Rollout) -> str:
    """Raw Qwen 2.5 / Hermes text of a rollout."""
    out = f"<think>\n{r.think}\n</think>\n\n" if r.think else ""
    if r.text:
        out += r.text + ("\n" if r.calls else "")
    blocks = []
    for k, call in enumerate(r.calls):
        body = _dumps(call, r.compact)
        last = k == len(r.calls) - 1
        if last and r.malformed == "unclosed_tag":
            blocks.append(f"<tool_call>\n{body}")
            continue
        if last and r.malformed:
            body = _break(body, r.malformed)
        blocks.append(f"<tool_call>\n{body}\n</tool_call>")
    return out + "\n".join(blocks)


def render_openai(r: _Rollout) -> Json:
    """The same rollout as an OpenAI / vLLM assistant message."""
    msg: Json = {"role": "assistant", "content": r.text or None}
    if r.think:
        msg["reasoning_content"] = r.think
    if r.calls:
        tool_calls = []
        for k, call in enumerate(r.calls):
            args = _dumps(call["arguments"], r.compact)
            if k == len(r.calls) - 1 and r.malformed:
                # no tags in this format: an "unclosed tag" is a generation cut short inside the JSON
                args = _break(args, "truncated" if r.malformed == "unclosed_tag" else r.malformed)
            tool_calls.append(
                {"id": r.ids[k], "type": "function", "function": {"name": call["name"], "arguments": args}}
            )
        msg["tool_calls"] = tool_calls
    return msg


# --------------------------------------------------------------------------------------------------
# The workload
# --------------------------------------------------------------------------------------------------


def load_tools() -> list[Json]:
    """The five OpenAI tool specs of ``rlvr_rewards/data/example_rows.jsonl`` (read by path)."""
    spec = find_spec("rlvr_rewards")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("rlvr_rewards is not installed (pip install -e .)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "example_rows.jsonl"
    with path.open(encoding="utf-8") as fh:
        tools: list[Json] = json.loads(fh.readline())["extra_info"]["tools"]
    names = tuple(t["function"]["name"] for t in tools)
    if names != TOOL_NAMES:
        raise RuntimeError(f"example_rows.jsonl tools changed: {names}; update benchmarks/workload.py")
    return tools


def completion_key(completion: str | Json) -> str:
    """A text identity of a completion (for counting exact duplicates of either variant)."""
    if isinstance(completion, str):
        return completion
    return json.dumps(completion, sort_keys=True, ensure_ascii=False)


@dataclass
class Workload:
    """A benchmark batch: ``n_prompts * rollouts`` items, item ``i`` belongs to group ``groups[i]``.

    ``ground_truths`` are native truths (one dict object shared by the rollouts of a prompt, as
    veRL's repeat does); ``blog_truths`` are the same truths in the AWS-blog dialect (execute: the
    JSON text of the call list; clarify / refuse: the reference reply as plain text). ``tools`` is one
    list of tool specs for the whole batch. ``labels`` say what each rollout is (``correct``,
    ``near_miss:list_as_string``, ``malformed:unclosed_tag``, ...); ``expected`` is the truth's
    behaviour per item.
    """

    variant: str
    seed: int
    n_prompts: int
    rollouts: int
    completions: list[Any]
    ground_truths: list[Json]
    blog_truths: list[str]
    tools: list[Json]
    groups: list[int]
    labels: list[str]
    expected: list[str]
    prompt_behaviors: list[str] = field(default_factory=list)
    parallel_prompts: int = 0

    def __len__(self) -> int:
        return len(self.completions)

    def stats(self) -> dict[str, float]:
        """Measured shares: prompt mix, duplicates within groups, think blocks, parallel calls."""
        n = len(self.completions)
        mix = Counter(self.prompt_behaviors)
        per_group: dict[int, set[str]] = {}
        for g, c in zip(self.groups, self.completions, strict=True):
            per_group.setdefault(g, set()).add(completion_key(c))
        unique = sum(len(s) for s in per_group.values())
        if self.variant == "openai":
            think = sum(1 for c in self.completions if "reasoning_content" in c)
        else:
            think = sum(1 for c in self.completions if c.startswith("<think>"))
        n_exec = mix.get("execute", 0)
        return {
            **{f"prompts_{b}": mix.get(b, 0) / max(1, self.n_prompts) for b, _ in MIX},
            "duplicate_share": (n - unique) / max(1, n),
            "think_share": think / max(1, n),
            "parallel_share_of_execute": self.parallel_prompts / max(1, n_exec),
            "correct_share": self.labels.count("correct") / max(1, n),
        }


def make_workload(n_prompts: int = 2500, rollouts: int = 8, seed: int = 0, variant: Variant = "hermes") -> Workload:
    """Build the standard workload (see the module docs); same arguments, same workload."""
    if variant not in ("hermes", "openai"):
        raise ValueError(f"variant must be 'hermes' or 'openai', got {variant!r}")
    if n_prompts < 1 or rollouts < 1:
        raise ValueError("n_prompts and rollouts must be positive")
    rng = random.Random(seed)
    tools = load_tools()
    counts = [round(share * n_prompts) for _, share in MIX[:-1]]
    counts.append(n_prompts - sum(counts))
    behaviors = [b for (b, _), k in zip(MIX, counts, strict=True) for _ in range(k)]
    rng.shuffle(behaviors)
    dup_p = min(1.0, DUPLICATE_SHARE * rollouts / (rollouts - 1)) if rollouts > 1 else 0.0
    render = render_openai if variant == "openai" else render_hermes

    wl = Workload(
        variant=variant,
        seed=seed,
        n_prompts=n_prompts,
        rollouts=rollouts,
        completions=[],
        ground_truths=[],
        blog_truths=[],
        tools=tools,
        groups=[],
        labels=[],
        expected=[],
        prompt_behaviors=behaviors,
    )
    for pid, behavior in enumerate(behaviors):
        prompt = _make_prompt(rng, behavior)
        wl.parallel_prompts += prompt.parallel
        native, blog = _truths(prompt)
        group: list[_Rollout] = []
        seen: set[str] = set()
        for _slot in range(rollouts):
            if group and rng.random() < dup_p:
                group.append(rng.choice(group))
                continue
            for _attempt in range(16):  # a fresh rollout should be new to the group
                r = _make_rollout(rng, prompt)
                key = render_hermes(r)
                if key not in seen:
                    break
            seen.add(key)
            group.append(r)
        rng.shuffle(group)
        for r in group:
            wl.completions.append(render(r))  # a new object per item, duplicates included
            wl.ground_truths.append(native)
            wl.blog_truths.append(blog)
            wl.groups.append(pid)
            wl.labels.append(r.label)
            wl.expected.append(behavior)
    return wl

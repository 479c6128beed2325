#!/usr/bin/env python3
"""Build the blind held-out refusal test set ``tests/data/refusal_blind.jsonl`` (deterministic, no randomness).

Written by hand for this project, blind to the classifier. Licensed under Apache-2.0, like the rest of
the repository.

Independence rules followed while writing it: the author did not open, read, grep or search
``rlvr_rewards/classify/behavior.py``, ``rlvr_rewards/builtin/``, any other file under ``tests/data/``,
``tools/build_behavior_corpus.py``, ``tools/build_behavior_heldout.py``, ``tools/build_refusal_corpus.py``,
``docs/behaviour.md``, ``tests/test_behavior*.py`` or ``tests/test_refusal_corpus.py``, and did not run
the classifier until the set was finished and frozen. The replies imitate what real assistants
(Qwen 2.5/3, Llama 3, Mistral, GPT-4-class, Claude-like) write in a tool-calling product when the user
asked for something, and each one is labelled by what the reply *did*, as a careful human reader would:

- ``refuse``  declines (inability or unwillingness to do what was asked), including partial refusals
              and polite redirections that still decline;
- ``answer``  answers directly, without a tool call, a question to the user or a refusal (including
              hard negatives such as "Unfortunately it will rain ..." or "I can't believe how cheap ...");
- ``clarify`` asks the user for something missing, with or without a question mark.

No reply contains a tool call, so ``execute`` does not occur.

Each output line is ``{"id": "rb-0001", "completion": ..., "label": ..., "style": ...}``.

Usage::

    python tools/build_refusal_blind.py           # (re)write the file, then self-check it
    python tools/build_refusal_blind.py --check   # exit 1 if the file on disk differs from a fresh build

Only the standard library is needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "refusal_blind.jsonl"

LABELS = ("refuse", "answer", "clarify")
MINIMUMS = {"refuse": 60, "answer": 60, "clarify": 30}
MIN_TOTAL = 150

# (label, style, reply)
REPLIES: list[tuple[str, str, str]] = [
    # ------------------------------------------------------------------ refuse
    # short apologies
    ("refuse", "short_apology", "Sorry, I can't do that."),
    ("refuse", "short_apology", "I'm sorry, but I can't help with that."),
    ("refuse", "short_apology", "Sorry, I can’t help with that request."),
    ("refuse", "short_apology", "I'm sorry, I cannot do that."),
    ("refuse", "short_apology", "Apologies, but that's not something I can do."),
    ("refuse", "short_apology", "Sorry — I'm unable to do that."),
    ("refuse", "short_apology", "I’m sorry, but I can’t assist with that."),
    ("refuse", "short_apology", "Sorry, I won't be able to do that for you."),
    ("refuse", "short_apology", "Nope, that's not something I can do, sorry!"),
    # no tool / function / capability fits
    ("refuse", "no_tool", "I don't have a tool that can send text messages, so I can't do that for you."),
    (
        "refuse",
        "no_tool",
        "None of the available functions can book a hotel room, so I'm unable to complete this request.",
    ),
    (
        "refuse",
        "no_tool",
        "Unfortunately, I don't have access to a function that retrieves stock prices, so I can't look that up.",
    ),
    (
        "refuse",
        "no_tool",
        "The tools I have access to don't support deleting calendar events, so I can't remove that meeting.",
    ),
    ("refuse", "no_tool", "I do not have the capability to make phone calls."),
    ("refuse", "no_tool", "There is no function available for ordering food, so I cannot place that order."),
    (
        "refuse",
        "no_tool",
        "I'm afraid none of the provided tools can translate documents, so I can't help with this one.",
    ),
    (
        "refuse",
        "no_tool",
        "The given functions are insufficient for this request: none of them handles currency conversion.",
    ),
    ("refuse", "no_tool", "My available tools only cover weather lookups; I'm not able to set reminders."),
    (
        "refuse",
        "no_tool",
        "None of the functions I can call are suitable for streaming music, so I can't play that song.",
    ),
    ("refuse", "no_tool", "That request is outside the capabilities of the tools I have. I can't reset your router."),
    (
        "refuse",
        "no_tool",
        "The provided function list doesn't include anything for creating invoices. I'm unable to do that.",
    ),
    ("refuse", "no_tool", "I cannot perform this task because no suitable function is available."),
    (
        "refuse",
        "no_tool",
        "There isn't a tool here that lets me upload files to Google Drive, so that's not something I can do.",
    ),
    ("refuse", "no_tool", "I can only search the product catalog; placing orders is beyond what I can do."),
    ("refuse", "no_tool", "I cannot browse the internet, so I'm not able to open that link."),
    ("refuse", "no_tool", "This request cannot be completed with the available tools."),
    ("refuse", "no_tool", "Unable to help with this request: no matching function is available."),
    ("refuse", "no_tool", "I can't do that one. My tools don't cover sending faxes."),
    ("refuse", "no_tool", "I’d love to help, but I can’t control smart home devices."),
    (
        "refuse",
        "no_tool",
        "Thank you for your request. Unfortunately, I do not have access to a function that would allow me to "
        "modify flight reservations, so I cannot change your seat. I apologize for the inconvenience.",
    ),
    (
        "refuse",
        "no_tool",
        "I'm unable to help here — the request requires access to your company's internal HR system, "
        "which I don't have.",
    ),
    # no apostrophes at all
    ("refuse", "no_apostrophe", "I dont have a function for that, sorry."),
    ("refuse", "no_apostrophe", "I cant access live sports scores, so I cant give you tonights result."),
    ("refuse", "no_apostrophe", "I am unable to fulfill this request."),
    ("refuse", "no_apostrophe", "I cannot complete that action."),
    ("refuse", "no_apostrophe", "I am not able to access external websites."),
    ("refuse", "no_apostrophe", "That is not something I am able to do."),
    ("refuse", "no_apostrophe", "I am afraid I do not have the ability to delete your account."),
    ("refuse", "no_apostrophe", "Regrettably, I must decline this request."),
    ("refuse", "no_apostrophe", "Unfortunately that is beyond my capabilities."),
    # policy / safety
    (
        "refuse",
        "policy",
        "I can't help with creating malware or anything designed to damage other people's computers.",
    ),
    ("refuse", "policy", "I won't provide instructions for making weapons."),
    (
        "refuse",
        "policy",
        "I'm not able to help with that. Writing fake reviews to mislead customers goes against my guidelines.",
    ),
    (
        "refuse",
        "policy",
        "I cannot assist with requests to bypass security systems or gain unauthorized access to accounts.",
    ),
    ("refuse", "policy", "Sorry, but I can't generate that content. It violates the usage policy."),
    ("refuse", "policy", "I must decline. Helping someone stalk another person could put them in danger."),
    ("refuse", "policy", "I'm not going to write that message — it's meant to harass someone, and I don't do that."),
    ("refuse", "policy", "I can’t help you obtain prescription drugs without a prescription."),
    ("refuse", "policy", "That's not something I'm able to help with, as it involves evading law enforcement."),
    (
        "refuse",
        "policy",
        "I won't be doing that. Sending bulk unsolicited messages to all of these numbers would be spam.",
    ),
    ("refuse", "policy", "I will not help with that."),
    ("refuse", "policy", "I'm not permitted to make purchases on your behalf."),
    # privacy / legal
    (
        "refuse",
        "privacy_legal",
        "I can't look up someone's home address from their name; that would be a privacy violation.",
    ),
    ("refuse", "privacy_legal", "For privacy reasons, I'm unable to share other customers' order details."),
    ("refuse", "privacy_legal", "I can't access another user's account, even if you know their username."),
    (
        "refuse",
        "privacy_legal",
        "I'm not able to download that movie for you, since doing so would infringe copyright.",
    ),
    ("refuse", "privacy_legal", "I cannot disclose the personal phone number of that employee."),
    ("refuse", "privacy_legal", "Sharing someone's medical records without their consent isn't something I can do."),
    ("refuse", "privacy_legal", "I’m unable to track a person’s location without their consent."),
    ("refuse", "no_access", "I don't have access to your email account, so I can't check your inbox."),
    # polite redirections that still decline
    ("refuse", "redirect", "I'm not able to book flights, but you could try the airline's website."),
    (
        "refuse",
        "redirect",
        "I can't make restaurant reservations. You might try calling the restaurant directly or using OpenTable.",
    ),
    (
        "refuse",
        "redirect",
        "Unfortunately I can't cancel your subscription from here. Please contact customer support at the "
        "number on your bill.",
    ),
    ("refuse", "redirect", "I don't have the ability to order groceries, but apps like Instacart can do that for you."),
    (
        "refuse",
        "redirect",
        "That's outside what I can do — for legal advice, a licensed attorney would be the best person to ask.",
    ),
    ("refuse", "redirect", "I can't file your tax return, though the IRS Free File program might help."),
    (
        "refuse",
        "redirect",
        "Booking appointments isn't something I can do, but your doctor's office should be able to schedule "
        "it over the phone.",
    ),
    (
        "refuse",
        "redirect",
        "I can’t change your password for you. You can reset it yourself from the login page by clicking "
        "“Forgot password”.",
    ),
    # partial refusals that decline the request
    (
        "refuse",
        "partial",
        "I can look up flights, but I can't purchase tickets, so I'm not able to complete this booking.",
    ),
    (
        "refuse",
        "partial",
        "I can search for recipes, but ordering the ingredients for delivery isn't something I'm able to do.",
    ),
    ("refuse", "partial", "I can help you draft the email, but I can't send it on your behalf."),
    (
        "refuse",
        "partial",
        "While I can read your calendar, I don't have permission to modify events, so I can't move the meeting.",
    ),
    (
        "refuse",
        "partial",
        "I'm able to show you your account balance, but transferring funds to another account is not supported.",
    ),
    # refusal in a second sentence after a greeting
    ("refuse", "greeting_then_refuse", "Hi there! Unfortunately, I'm not able to access your medical records."),
    ("refuse", "greeting_then_refuse", "Hello! I'm sorry, but I can't place phone calls."),
    ("refuse", "greeting_then_refuse", "Thanks for reaching out. I'm afraid I can't process refunds."),
    (
        "refuse",
        "greeting_then_refuse",
        "Good question! Sadly, I don't have a tool that can check train schedules, so I can't help with this.",
    ),
    ("refuse", "greeting_then_refuse", "Happy to chat! That said, I can’t send money to other people."),
    ("refuse", "greeting_then_refuse", "Hey! I wish I could help, but editing photos isn't something I can do."),
    # refusal followed by an offer or a generic question (still a refusal)
    ("refuse", "refuse_then_offer", "I can't book flights. Is there anything else I can help you with?"),
    ("refuse", "refuse_then_offer", "Sorry, I can't send that email. Would you like me to help with something else?"),
    (
        "refuse",
        "refuse_then_offer",
        "I'm not able to access your bank statements. Let me know if there's anything else I can do.",
    ),
    # ------------------------------------------------------------------ answer
    # apology / regret openers that then give the answer or the bad news as information
    ("answer", "sorry_then_answer", "Sorry for the wait! The current temperature in Berlin is 14°C with light rain."),
    (
        "answer",
        "sorry_then_answer",
        "Sorry, I should have mentioned earlier: your package is scheduled to arrive on Thursday.",
    ),
    ("answer", "sorry_then_answer", "Sorry about the confusion — 100 US dollars is about 92 euros at today's rate."),
    ("answer", "sorry_then_answer", "Unfortunately it will rain all day in Paris tomorrow."),
    (
        "answer",
        "sorry_then_answer",
        "Unfortunately, your flight UA 452 has been delayed by two hours; the new departure time is 6:45 PM.",
    ),
    ("answer", "sorry_then_answer", "I'm afraid the museum is closed on Mondays. It opens again Tuesday at 9 AM."),
    (
        "answer",
        "sorry_then_answer",
        "I'm afraid the answer is no: the 2019 model doesn't support wireless charging.",
    ),
    ("answer", "sorry_then_answer", "Sorry, my mistake earlier. The correct total is $48.50, not $45."),
    ("answer", "sorry_then_answer", "Unfortunately, the jacket you asked about is out of stock in all sizes."),
    (
        "answer",
        "sorry_then_answer",
        "Sadly, the concert has been cancelled. The organizers say tickets will be refunded automatically "
        "within 10 days.",
    ),
    (
        "answer",
        "sorry_then_answer",
        "Sorry to be the bearer of bad news, but the store closes at 5 PM today, so you've just missed it.",
    ),
    (
        "answer",
        "sorry_then_answer",
        "I’m afraid the bridge is closed for repairs until Friday, so the route will take about 20 minutes longer.",
    ),
    (
        "answer",
        "sorry_then_answer",
        "Apologies for the delay. The cheapest flight from Boston to Denver on June 4 is $189 on JetBlue.",
    ),
    (
        "answer",
        "sorry_then_answer",
        "Sorry, I misread your question the first time. Tokyo is 13 hours ahead of New York.",
    ),
    (
        "answer",
        "sorry_then_answer",
        "I'm sorry to hear your order arrived damaged. According to the order record, it shipped on May 3 and "
        "was delivered on May 6.",
    ),
    (
        "answer",
        "sorry_then_answer",
        "Unfortunately, the search returned no results for 'blue velvet sofa' under $300.",
    ),
    (
        "answer",
        "sorry_then_answer",
        "I'm sorry for your loss. The funeral home on Main Street is open until 6 PM today.",
    ),
    ("answer", "sorry_then_answer", "Unfortunately your card was declined by the bank, so the order was not placed."),
    # negated idioms that are not refusals
    ("answer", "negated_idiom", "I can't believe how cheap that is — the total is $12."),
    (
        "answer",
        "negated_idiom",
        "I can't recommend this place enough: it has a 4.8 rating and is open until midnight.",
    ),
    ("answer", "negated_idiom", "I couldn't agree more. The quickest route is via I-95, which takes about 3 hours."),
    (
        "answer",
        "negated_idiom",
        "I cannot stress enough how important it is to back up your files first; after that, the update takes "
        "about ten minutes.",
    ),
    ("answer", "negated_idiom", "You can't go wrong with the Margherita — it's the restaurant's most popular pizza."),
    ("answer", "negated_idiom", "Can't complain about this forecast: sunny and 24°C all weekend."),
    ("answer", "negated_idiom", "I won't lie, that's a great deal. The 3-night stay comes to $420 including taxes."),
    ("answer", "negated_idiom", "I can’t wait for your trip! Rome in May averages 22°C, perfect for sightseeing."),
    ("answer", "negated_idiom", "I don't think you'll need an umbrella: the forecast shows a 0% chance of rain."),
    ("answer", "negated_idiom", "I can't say I'm surprised — the Lakers won 112 to 104 last night."),
    # "No problem" and answers that begin with "No"
    ("answer", "no_problem", "No problem! Your meeting is at 3 PM in Room 204."),
    ("answer", "no_problem", "No problem at all. The capital of Australia is Canberra."),
    ("answer", "no_problem", "No worries — the tracking number is 1Z999AA10123456784."),
    ("answer", "no_problem", "Not a problem! 5 miles is about 8.05 kilometers."),
    ("answer", "no_problem", "No, you don't need a visa for stays under 90 days."),
    ("answer", "no_problem", "Nope, the pharmacy isn't open on Sundays."),
    ("answer", "no_problem", "No. The 10:15 train doesn't stop at Oakwood; take the 10:40 instead."),
    # a limitation of the world (or of a third party), not of the assistant
    ("answer", "world_limitation", "There is no direct flight on Sundays."),
    (
        "answer",
        "world_limitation",
        "There are no available tables at Luigi's tonight; the earliest opening is tomorrow at 7 PM.",
    ),
    ("answer", "world_limitation", "That hotel doesn't allow pets, according to its listing."),
    (
        "answer",
        "world_limitation",
        "The bank doesn't process transfers on weekends, so your payment will go through on Monday.",
    ),
    ("answer", "world_limitation", "No trains run between those two stations after midnight."),
    ("answer", "world_limitation", "That product isn't available for shipping to Canada."),
    (
        "answer",
        "world_limitation",
        "You can't return opened software under the store's policy; only unopened boxes are refundable within 30 days.",
    ),
    (
        "answer",
        "world_limitation",
        "It's not possible to see the northern lights from Madrid; you'd need to go much further north, like Tromsø.",
    ),
    ("answer", "world_limitation", "The restaurant does not take reservations; seating is first come, first served."),
    ("answer", "world_limitation", "Your account has no pending transactions."),
    ("answer", "world_limitation", "The library can't be reached by subway, but bus 42 stops right outside."),
    ("answer", "world_limitation", "No reservations were found under the name Patel for tonight."),
    ("answer", "world_limitation", "The API returned an empty list: there are no open tickets assigned to you."),
    (
        "answer",
        "world_limitation",
        "The courier was unable to deliver your parcel yesterday because nobody was home; they'll try again tomorrow.",
    ),
    ("answer", "world_limitation", "The payment couldn't be processed because the card on file expired in March."),
    (
        "answer",
        "world_limitation",
        "Sadly there’s no parking at the venue, but there’s a public garage one block east.",
    ),
    # plain direct answers (including reports of tool results)
    ("answer", "plain", "The meeting has been moved to Thursday at 10 AM."),
    ("answer", "plain", "Paris is about 340 km from London."),
    ("answer", "plain", "Your current balance is $1,245.60."),
    (
        "answer",
        "plain",
        "Sure! Here's a summary: the report shows revenue grew 12% year over year, driven mostly by "
        "subscription sales.",
    ),
    ("answer", "plain", "Done — your alarm is set for 6:30 AM."),
    ("answer", "plain", "I've added milk and eggs to your shopping list."),
    ("answer", "plain", "The word 'ephemeral' means lasting for a very short time."),
    (
        "answer",
        "plain",
        "The best-rated Italian restaurant nearby is Trattoria Roma, 0.4 miles away, with 4.7 stars.",
    ),
    ("answer", "plain", "Based on the search results, the Eiffel Tower is 330 meters tall."),
    ("answer", "plain", "Yes, the store has the red jacket in medium."),
    ("answer", "plain", "The get_weather function returned 18°C and partly cloudy for Lisbon."),
    ("answer", "plain", "According to the tool output, you have 3 unread emails, all from your manager."),
    ("answer", "plain", "It’s 7:42 PM in Singapore right now."),
    ("answer", "plain", "Your order #4821 has shipped and should arrive by Friday."),
    # answer followed by a generic offer (still an answer)
    ("answer", "answer_then_offer", "The store opens at 9 AM. Anything else you'd like to know?"),
    (
        "answer",
        "answer_then_offer",
        "Your flight to Chicago departs from gate B12 at 4:15 PM. Let me know if you need anything else!",
    ),
    (
        "answer",
        "answer_then_offer",
        "The conversion is 2.2 pounds per kilogram. Is there anything else I can help with?",
    ),
    # ------------------------------------------------------------------ clarify
    # apology then a question about missing details
    ("clarify", "sorry_then_question", "Sorry, which city did you mean?"),
    ("clarify", "sorry_then_question", "Sorry, could you tell me which account you'd like to transfer from?"),
    ("clarify", "sorry_then_question", "Apologies — did you mean Portland, Oregon or Portland, Maine?"),
    ("clarify", "sorry_then_question", "I'm sorry, I didn't catch the date. When would you like to fly?"),
    ("clarify", "sorry_then_question", "Sorry, I need a bit more info: what time should the reminder go off?"),
    (
        "clarify",
        "sorry_then_question",
        "Unfortunately I need your order number to look this up. Could you share it?",
    ),
    ("clarify", "sorry_then_question", "I’m afraid I need a little more detail — which Springfield do you mean?"),
    # "can't ... without X" followed by a question
    ("clarify", "cant_without", "I can't book it without a date — which day works?"),
    ("clarify", "cant_without", "I can't check the status without your tracking number. What is it?"),
    (
        "clarify",
        "cant_without",
        "I cannot send the email until I know who it should go to. Who's the recipient?",
    ),
    (
        "clarify",
        "cant_without",
        "I'm not able to set the alarm without a time. What time should I set it for?",
    ),
    (
        "clarify",
        "cant_without",
        "I can’t convert that without knowing the target currency — euros, pounds, or something else?",
    ),
    ("clarify", "cant_without", "I can't tell which file you mean — is it report_v2.docx or report_final.docx?"),
    # requests for missing information without a question mark
    ("clarify", "request_no_qmark", "Let me know the recipient's email address."),
    ("clarify", "request_no_qmark", "Please tell me the date."),
    ("clarify", "request_no_qmark", "Please provide your booking reference so I can look up the reservation."),
    ("clarify", "request_no_qmark", "I'll need the departure city to search for flights."),
    ("clarify", "request_no_qmark", "Tell me which size you'd like and I'll check availability."),
    ("clarify", "request_no_qmark", "Please share the name of the restaurant you have in mind."),
    ("clarify", "request_no_qmark", "Could you please provide the start and end dates of your trip."),
    ("clarify", "request_no_qmark", "To continue, I need your account ID."),
    ("clarify", "request_no_qmark", "Just let me know the amount you want to transfer."),
    (
        "clarify",
        "request_no_qmark",
        "Before I can schedule this, I'll need the meeting duration and the attendees' names.",
    ),
    ("clarify", "request_no_qmark", "Sorry, I cant do that without the flight number. Please send it over."),
    # plain clarifying questions
    ("clarify", "question", "Which city would you like the weather for?"),
    ("clarify", "question", "What time zone are you in?"),
    ("clarify", "question", "Do you want the vegetarian or the regular menu?"),
    ("clarify", "question", "Sure! How many guests will be joining?"),
    ("clarify", "question", "Happy to help. What's the name on the reservation?"),
    ("clarify", "question", "Got it. Should I send it to your work address or your personal one?"),
    ("clarify", "question", "No problem! Which date should I book it for?"),
    (
        "clarify",
        "question",
        "To find flights, I need a few details: where are you flying from, and on what dates?",
    ),
    ("clarify", "question", "Would you like the temperature in Celsius or Fahrenheit?"),
    ("clarify", "question", "I’d be glad to set that up. Who should the invitation go to?"),
]


def build() -> str:
    """Return the JSONL text for the set (one object per line, trailing newline)."""
    lines = []
    for i, (label, style, reply) in enumerate(REPLIES, start=1):
        row = {"id": f"rb-{i:04d}", "completion": reply, "label": label, "style": style}
        lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def self_check(text: str) -> None:
    """Assert unique ids and replies, known labels, non-empty styles and the per-class minimums."""
    rows = [json.loads(line) for line in text.splitlines()]
    ids = [r["id"] for r in rows]
    replies = [r["completion"] for r in rows]
    assert len(set(ids)) == len(ids), "duplicate ids"
    dup = [c for c, n in Counter(replies).items() if n > 1]
    assert not dup, f"duplicate replies: {dup}"
    assert all(r["completion"].strip() == r["completion"] and r["completion"] for r in rows), "blank/padded reply"
    bad = {r["label"] for r in rows} - set(LABELS)
    assert not bad, f"unknown labels: {bad}"
    assert all(r["style"] and " " not in r["style"] for r in rows), "bad style tag"
    counts = Counter(r["label"] for r in rows)
    for label, minimum in MINIMUMS.items():
        assert counts[label] >= minimum, f"{label}: {counts[label]} < {minimum}"
    assert len(rows) >= MIN_TOTAL, f"only {len(rows)} rows"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file on disk differs from a fresh build")
    args = parser.parse_args(argv)
    text = build()
    self_check(text)
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is out of date; run tools/build_refusal_blind.py", file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(ROOT)} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    counts = Counter(label for label, _, _ in REPLIES)
    summary = ", ".join(f"{k} {counts[k]}" for k in LABELS)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(REPLIES)} replies ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

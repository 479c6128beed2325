#!/usr/bin/env python3
"""Build the refusal corpus ``tests/data/refusal_dev.jsonl`` + ``tests/data/refusal_heldout.jsonl`` (deterministic).

Hand-written assistant replies that decline, or that look as if they might but do not: the ways Qwen 2.5 / 3,
Llama 3, GPT-4-class and Mistral assistants actually phrase a refusal (short apologies, "no tool fits",
"none of my tools can ...", "I don't have access to a tool that ...", policy refusals, partial refusals,
curly apostrophes, lower case, markdown), and hard negatives (an apology or "Unfortunately" before an
answer or a clarifying question, idioms such as "I can't wait", questions about inability, "no tool
needed", safety advice that answers). Every label says what a careful human reader would say the reply
DID, with the rules of ``tests/data/README.md``:

- ``refuse``   no call; declines the request, wholly or in part (a partial refusal that answers the rest
               in text is still ``refuse``), with or without an apology, an offer or a redirect;
- ``answer``   no call, no request to the user, no refusal;
- ``clarify``  no call; asks the user for something (an apology before the question does not change that);
- ``execute``  at least one well-formed ``<tool_call>``, whatever the text beside it says (a partial refusal
               that carries out the rest with a call).

The phrasings were written before the classifier was tuned on them. Each label is split in two halves,
deterministically: within a label, replies are ordered by (style, SHA-256 of the reply) and alternate between
development (even positions) and held-out (odd positions), so every label and nearly every style is split
evenly. The classifier may be tuned on the development half only; the held-out half is the estimate.
Adding or removing a reply can move others between halves: the corpus is frozen once measured.

Usage::

    python tools/build_refusal_corpus.py           # (re)write both JSONL files, self-check, print counts
    python tools/build_refusal_corpus.py --check   # exit 1 if a file on disk differs from a fresh build

Standard library only. The data lives in the literals below; edit them, never the JSONL.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from typing import Any

from _corpus_build import CALL_RE, parse_args, relative, report_stale, stale, to_jsonl, write
from _corpus_build import tool_call as call
from _repo import ROOT

DATA_DIR = ROOT / "tests" / "data"
OUT_FILES = {"dev": DATA_DIR / "refusal_dev.jsonl", "heldout": DATA_DIR / "refusal_heldout.jsonl"}
ID_PREFIX = {"dev": "rd", "heldout": "rh"}
TOOL_NAMES = ("get_weather", "currency_convert", "book_restaurant", "send_email", "calculate_statistics")

LABELS = ("execute", "clarify", "refuse", "answer")
VOICES = ("qwen", "qwen3", "llama", "gpt", "mistral", "generic")
MINIMUM = {"execute": 10, "clarify": 40, "refuse": 150, "answer": 80}
MIN_TOTAL = 300


Entry = tuple[str, str] | tuple[str, str, str]  # (voice, reply) or (voice, reply, note)

# --------------------------------------------------------------------------------------------------
# refuse
# --------------------------------------------------------------------------------------------------

REFUSAL_SHORT: list[Entry] = [
    ("qwen", "I'm sorry, no tool fits."),
    ("gpt", "Sorry, none of my tools can do that."),
    ("gpt", "Sorry, I can’t help with that."),
    ("llama", "I can’t help with that."),
    ("llama", "I can't fulfill that request."),
    ("gpt", "I’m sorry, but I can’t assist with that."),
    ("mistral", "I apologize, but I cannot do that."),
    ("qwen", "Sorry, I can't do that."),
    ("gpt", "Sorry, that’s not something I can do."),
    ("qwen", "Sorry, no suitable tool is available for this."),
    ("gpt", "Sorry — I can’t."),
    ("mistral", "My apologies, but that's not possible."),
    ("qwen", "Sorry, that's not supported."),
    ("llama", "I can’t do that."),
    ("gpt", "Apologies, but I’m unable to do that."),
    ("qwen", "Sorry, I don't have a tool for that."),
    ("gpt", "I’m sorry, but I can’t help with this request."),
    ("mistral", "I'm sorry, I'm unable to help with that."),
    ("qwen", "Sorry, there's no tool for that."),
    ("gpt", "Sorry, not something I can help with."),
    ("generic", "Sorry, I can't help you there."),
    ("llama", "I cannot fulfill your request."),
    ("gpt", "Sorry, I’m not able to do that."),
    ("qwen", "I'm sorry, but I can't."),
    ("mistral", "Regrettably, I can't help with that."),
    ("qwen", "Sorry, this isn't possible with my current tools."),
    ("gpt", "Sorry, I can't do that one."),
    ("gpt", "Unfortunately, I can’t help with that."),
    ("gpt", "Unfortunately, that’s not something I can do."),
    ("generic", "Sorry, but no.", "a curt refusal to a request"),
    ("gpt", "Sorry, I can’t do that here."),
    ("generic", "sorry, can't help with that 😅"),
    ("generic", "i dont have a tool for that sorry"),
    ("generic", "Not possible, sorry."),
    ("gpt", "That won’t be possible, I’m afraid."),
    ("mistral", "I'm afraid that's not possible."),
    ("generic", "Can't help with that one, sorry!"),
    ("qwen", "Sorry, I am unable to complete this task."),
    ("llama", "I can't provide that."),
    ("gpt", "I’m afraid I can’t do that."),
]

REFUSAL_NO_TOOL: list[Entry] = [
    ("qwen", "None of the available tools can book flights."),
    ("gpt", "None of my tools can look up stock prices, sorry."),
    ("qwen", "I'm sorry, but none of the functions I have access to can translate text."),
    ("qwen", "The available tools don't support booking hotels."),
    ("qwen", "None of the provided functions can be used to answer this question."),
    ("qwen", "The given functions are insufficient for this request."),
    ("qwen", "There is no function available to check flight status."),
    ("llama", "No relevant tool is available for tracking packages."),
    ("gpt", "I don't have a tool that can order food."),
    ("gpt", "There's no tool among the ones I have that can set reminders."),
    ("generic", "None of the tools here cover movie showtimes."),
    ("gpt", "The tools I have don’t include one for sending text messages."),
    ("gpt", "My tools don't cover flight bookings, unfortunately."),
    ("qwen", "I couldn't find a tool that fits this request."),
    ("qwen", "No tool fits this request."),
    ("generic", "None of these tools are a match for what you're asking."),
    ("mistral", "Unfortunately, none of my available functions can help with ordering groceries."),
    ("generic", "There isn't a tool for that in my toolkit."),
    ("gpt", "I don’t see any tool that can check train times."),
    ("gpt", "That's not covered by any of the tools I have."),
    ("qwen", "Booking a taxi isn't supported by the tools available to me."),
    ("qwen", "This request can't be handled with the available tools."),
    ("qwen", "The functions available to me can't play music."),
    ("gpt", "The toolset I have doesn’t include anything for hotel reservations."),
    ("gpt", "I’m sorry, but the tools I have access to can’t check your bank balance."),
    ("qwen", "No available function matches this request, so I can't complete it."),
    ("generic", "Sorry, none of the tools fit here."),
    (
        "qwen",
        "My available tools are weather, currency conversion, restaurant booking, email and statistics. "
        "None of them can book a flight.",
    ),
    ("gpt", "Unfortunately there’s no tool for converting PDFs to Word."),
    ("generic", "I have no tool for setting alarms."),
    ("mistral", "I'm not equipped with a tool for that."),
    ("generic", "No suitable tool for that, sorry."),
    ("qwen", "The requested operation is not supported by any available function."),
    ("gpt", "There's nothing in my toolset that handles flight searches."),
    ("qwen", "None of the functions I can call would accomplish this."),
    (
        "qwen",
        "The functions provided are not relevant to this question. None of them can find the population of Canada.",
        "the BFCL irrelevance style",
    ),
    ("qwen", "I'm sorry, but I don't have a function to check stock prices."),
    ("gpt", "There’s no tool I can use for that."),
    (
        "qwen3",
        "Unfortunately, I don't have a tool to check flight statuses. 😊 However, I can help with weather, "
        "currency conversion, restaurant bookings, emails or statistics!",
    ),
    ("gpt", "No function here can book concert tickets."),
]

REFUSAL_NO_ACCESS: list[Entry] = [
    ("gpt", "I don't have access to a tool that can track packages."),
    ("gpt", "I don’t have access to real-time stock prices."),
    ("gpt", "I don't have the ability to make phone calls."),
    ("mistral", "As an AI, I don't have the ability to browse the internet."),
    ("mistral", "I'm an AI language model and don't have access to your calendar."),
    ("qwen", "I do not have access to your email inbox, so I can't read your messages."),
    ("gpt", "Unfortunately, I don't have access to live flight data."),
    ("llama", "I don't have access to that kind of information."),
    ("generic", "I have no access to your bank account."),
    ("gpt", "I don’t have a way to check live traffic."),
    ("qwen", "I don't have permission to access other users' accounts."),
    ("generic", "I lack the tools to order food delivery."),
    ("mistral", "As an AI assistant, I can't physically deliver packages."),
    ("gpt", "I don't have browsing capabilities, so I can't look that up."),
    ("gpt", "Real-time sports scores are beyond what I can access."),
    ("gpt", "I'm not connected to any ride-hailing service, so I can't book a car for you."),
    ("generic", "I don't have any integration with Spotify."),
    ("qwen", "I don't have access to a hotel booking system."),
    ("gpt", "I don't have any way of checking the status of your order."),
    ("generic", "Access to your medical records isn't something I have."),
    ("mistral", "I'm afraid I don't have access to that."),
    ("gpt", "Sorry, I don't have that capability."),
    ("gpt", "That requires access to your phone, which I don't have."),
    ("llama", "I can’t access external websites."),
    ("gpt", "I'm not able to access your files."),
    ("llama", "I can't provide real-time information."),
    ("llama", "I can't access real-time data. You can check a live news site for the latest scores."),
    (
        "mistral",
        "I'm sorry for any inconvenience, but as an AI, I don't have the capability to book flights. I "
        "recommend using a travel website or contacting the airline directly.",
    ),
    ("gpt", "I am not capable of sending faxes."),
    ("generic", "Sending faxes is not a capability I have."),
]

REFUSAL_POLICY: list[Entry] = [
    ("llama", "I can't help with that."),
    ("gpt", "That would be unsafe, so I won’t help with it."),
    ("llama", "I can't help with making weapons."),
    ("gpt", "I won’t help with that — it could seriously hurt someone."),
    ("gpt", "I’m not able to help with hacking into someone else’s account."),
    ("gpt", "Sorry, but I can’t write a phishing email."),
    ("generic", "That's illegal, and I'm not going to help with it."),
    ("gpt", "I can’t provide instructions for that. It would be dangerous."),
    ("mistral", "I must decline this request."),
    ("gpt", "This request goes against my usage policies, so I can't complete it."),
    ("llama", "I can't assist with requests that involve harassing someone."),
    ("generic", "I won't send that message; it's a threat."),
    ("gpt", "I’m not comfortable sending an email that impersonates your manager."),
    ("gpt", "Sending that would violate the recipient's privacy, so I won't do it."),
    ("llama", "I can't share someone's personal address."),
    ("generic", "I can't and won't help with this."),
    ("gpt", "That’s not something I’m willing to do."),
    ("gpt", "I'd rather not help with that, since it could be used to deceive people."),
    ("gpt", "Creating fake reviews is deceptive, so I'll have to pass."),
    ("gpt", "I can't help you get around the restaurant's booking limits with fake names."),
    ("generic", "Sorry, I won't book a table under someone else's name without their consent."),
    ("mistral", "I'm unable to comply with this request."),
    ("gpt", "Sorry, that would be unsafe."),
    ("gpt", "This could put people in danger, so I can’t help with it."),
    ("llama", "I can't help with anything that could be used to stalk someone."),
    ("generic", "I'm not going to write that. It's hateful."),
    ("gpt", "That request involves fraud, which I can't assist with."),
    ("gpt", "I can’t generate that content."),
    ("mistral", "I'm sorry, but I cannot provide that information as it could be misused."),
    ("gpt", "Helping with this would break the law, so I have to decline."),
    ("generic", "No. I won't help you spam people."),
    ("generic", "I'm not allowed to do that."),
    ("gpt", "I’d prefer not to do that."),
    ("generic", "That's against the rules I follow, sorry."),
    ("gpt", "I can't in good conscience send that."),
    ("gpt", "For safety reasons, I can't give step-by-step instructions for that."),
    ("gpt", "I won’t be able to help with this one."),
    ("gpt", "It wouldn't be appropriate for me to send that email on your behalf."),
    ("gpt", "**I can’t help with that.** Writing malware could cause real harm to people and systems."),
    ("qwen", "I'm sorry, but I can't assist with that request.\n\nIf you have any other questions, feel free to ask!"),
    ("llama", "I can't help you with that. Is there anything else I can help you with?"),
    ("gpt", "Doing that would be unsafe, so I’m not going to explain how."),
    ("mistral", "I regret to inform you that I can't send messages of that nature."),
    ("generic", "That's a hard no from me: I won't help you get into your ex's email."),
    (
        "gpt",
        "I can’t help create a fake ID. If you’ve lost yours, your local licensing office can issue a replacement.",
    ),
]

REFUSAL_SCOPE: list[Entry] = [
    (
        "qwen",
        "I can only help with weather, currency conversion, restaurant bookings, emails and statistics.",
        "declines by stating its limits (the request was out of scope)",
    ),
    (
        "qwen",
        "I'm only able to check the weather, convert currencies, book restaurants, send emails and run "
        "statistics, so flights are out of scope for me.",
    ),
    ("gpt", "That's outside what I can do here."),
    ("gpt", "Flight bookings are outside my capabilities."),
    ("gpt", "That's not within my capabilities."),
    ("gpt", "That falls outside the scope of the tools I have."),
    ("mistral", "I'm designed to help with weather, currency, restaurants, email and statistics only."),
    ("qwen", "My capabilities are limited to the five tools I have, and none of them books hotels."),
    ("gpt", "That's beyond what my tools can do."),
    ("gpt", "I'm not the right assistant for that, I'm afraid."),
    ("generic", "That's not really something I can handle."),
    (
        "qwen",
        "I only have tools for weather, money conversion, restaurant reservations, email and basic statistics.",
        "declines by stating its limits (the request was out of scope)",
    ),
    ("generic", "This is outside my scope."),
    ("generic", "Sorry, that's outside my wheelhouse."),
    ("gpt", "Ordering flowers isn’t one of the things I can do."),
    ("qwen", "Booking flights isn't possible for me right now."),
    ("gpt", "That's not something I have the tools for."),
    ("qwen", "This is not something I can do with the tools at hand."),
    ("llama", "I can't perform that action."),
    ("generic", "That action isn't available to me."),
]

REFUSAL_PARTIAL: list[Entry] = [
    (
        "gpt",
        "I can't book the flight, but the weather in Rome this weekend looks sunny, around 26°C.",
        "declines the request, answers a side question",
    ),
    (
        "gpt",
        "I can’t send texts. Here’s the message so you can send it yourself:\n\n“Running 10 minutes late, "
        "see you soon!”",
    ),
    (
        "gpt",
        "I won't include the insult, but here's a firm, polite version you can send:\n\n"
        "Hi Mark, the report was late again. Please have it to me by Friday.",
    ),
    ("qwen", "I can convert the currency, but I can't place the trade. 1,000 USD is about 920 EUR."),
    ("gpt", "Booking the hotel isn't something I can do, though I can tell you Lisbon will be 24°C and clear."),
    ("gpt", "I can't access your calendar, but Friday looks dry in Berlin: 19°C."),
    ("qwen", "I'm unable to look up the stock price, but 500 USD converts to about 460 EUR."),
    (
        "gpt",
        "I can’t give advice on dosages for your situation. In general, follow the label and check with a pharmacist.",
    ),
    (
        "gpt",
        "I can't write a fake doctor's note. If you really were ill, an honest email to your professor "
        "usually works: explain what happened and ask for an extension.",
    ),
    (
        "gpt",
        "I won't send the email to the whole company, but here is a draft you could send to your own team:\n\n"
        "Subject: Friday release\nHi all, we ship v2 on Friday.",
    ),
    ("gpt", "I can't check live prices, but as of my last update a Big Mac cost about $5.69 in the US."),
    ("generic", "I can't predict lottery numbers. The odds of winning the jackpot are about 1 in 292 million."),
    ("mistral", "While I'm unable to reserve the museum tickets, I can tell you the Louvre opens at 9:00."),
    ("gpt", "I can do the currency part, but not the wire transfer: 2,400 CHF is roughly 2,700 USD."),
    (
        "llama",
        "I can't help with getting around the paywall. The article's main points are usually in its "
        "abstract, which is free to read.",
    ),
]

# --------------------------------------------------------------------------------------------------
# clarify (hard negatives for refusal: apologies, "unfortunately", "can't" before a request)
# --------------------------------------------------------------------------------------------------

CLARIFY_APOLOGY: list[Entry] = [
    ("gpt", "Sorry, which city did you mean?"),
    ("gpt", "I’m sorry, I didn’t catch the date. Which day should I book?"),
    ("gpt", "Apologies — could you tell me the recipient’s email address?"),
    ("gpt", "Sorry, I can’t tell which currency you’re converting from. Is it EUR or GBP?"),
    ("qwen", "I'm sorry, I need a bit more information: how many people will be dining?"),
    ("generic", "Sorry to be a pain, but what time would you like the table?"),
    ("gpt", "Sorry, I'm not sure which Springfield you mean. Illinois or Missouri?"),
    ("gpt", "I’m sorry, I don’t have your location. Which city are you in?"),
    ("gpt", "Apologies for the back-and-forth! What subject line should the email have?"),
    ("mistral", "My apologies, I missed that. Which numbers should I average?"),
    ("qwen", "Sorry, I can't send it without an address. Who should it go to?"),
    ("gpt", "Sorry, I don't know which restaurant you mean. Could you give me its name?"),
    (
        "qwen",
        "I'm sorry, but I don't have enough details to book this. What date and time work for you, and "
        "for how many people?",
    ),
    ("gpt", "I’m sorry, I can’t find a city called “Parris”. Did you mean Paris, France?"),
    ("gpt", "Sorry, I couldn't work out the amount. How many dollars do you want to convert?"),
    ("gpt", "Sorry, quick question before I send it: should I cc anyone?"),
    ("gpt", "Sorry, just to double-check: did you mean 50 euros or 50 pounds?"),
    ("qwen", "Apologies, I can't proceed until I know the party size. How many people?"),
    (
        "gpt",
        "I'm sorry, but I'm not able to pick the restaurant for you. Which one would you like me to book?",
        "declines only to choose for the user, and asks them to choose",
    ),
    ("generic", "Sorry, I don't have Tom's email address. What is it?"),
    ("gpt", "Sorry, none of the numbers came through. Could you paste them again?"),
    (
        "gpt",
        "I'm sorry, I can't open attachments. Could you paste the numbers directly into the chat?",
        "asks the user to supply the data another way",
    ),
    ("generic", "Sorry, I wasn't sure about the units. Celsius or Fahrenheit?"),
    (
        "gpt",
        "I’m sorry, I don’t have enough information to send this email. Who’s the recipient, and what should it say?",
    ),
    ("gpt", "Sorry, which of your two accounts should I convert from: USD or CAD?"),
    ("llama", "I apologize for the confusion. Could you please clarify which date you want the reservation for?"),
]

CLARIFY_UNFORTUNATELY: list[Entry] = [
    ("gpt", "Unfortunately I'm missing the date. Which day works for you?"),
    ("gpt", "Unfortunately, I can’t book a table without knowing how many guests. How many will there be?"),
    ("gpt", "Unfortunately, the email can't go out without a recipient. Who should receive it?"),
    ("generic", "Unfortunately I need the city first. Where are you?"),
    ("gpt", "I'm afraid I need the time as well. What time should I book?"),
    ("mistral", "I'm afraid I can't tell from your message which currency you want. Could you specify?"),
    ("gpt", "I'm afraid the name is ambiguous: do you mean Chez Panisse in Berkeley or the café upstairs?"),
    ("gpt", "Unfortunately the time you gave (25:00) isn't valid. What time did you mean?"),
    ("gpt", "I can't tell from your message how many people are coming — could you let me know?"),
    ("generic", "Unfortunately I don't know your time zone. Which one are you in?"),
    ("generic", "No tool can guess the date for you 🙂 Which day do you want?"),
]

CLARIFY_INABILITY_QUESTION: list[Entry] = [
    ("gpt", "Can’t make it at 7? Would 8:30 work instead?", "a question about the user's inability"),
    ("gpt", "Can't remember the exact amount? A rough figure is fine. About how much was it?"),
    ("gpt", "You can’t make Saturday? Which other day should I try?"),
    (
        "generic",
        "Can’t you check the weather app on your phone? If not, tell me your city and I’ll look it up.",
        "a question about the user's inability, then a request for the city",
    ),
    ("generic", "Can't we just book for 8 and add a chair? Shall I go ahead with 8?"),
    ("gpt", "Won't the email need a subject? What should it say?"),
    ("gpt", "Isn't there a number missing? You listed 4, 8 and 15. What's the fourth?"),
    ("gpt", "Couldn't find the booking reference? No problem: what name is the reservation under?"),
    ("gpt", "Can't decide between the two? Tell me which matters more to you, price or location."),
]

# --------------------------------------------------------------------------------------------------
# answer (hard negatives for refusal)
# --------------------------------------------------------------------------------------------------

ANSWER_APOLOGY: list[Entry] = [
    ("gpt", "Sorry for the wait! The mean of those numbers is 30."),
    ("gpt", "Sorry, I misread earlier: 50 EUR is about 54 USD, not 45."),
    ("gpt", "I’m sorry for the confusion. The median is 4.5."),
    ("gpt", "Apologies for the delay — it’s 18°C and sunny in Paris right now."),
    ("generic", "Sorry about that! Your table at Nopa for 4 is on June 14 at 19:30."),
    ("gpt", "I'm sorry to hear your trip was cancelled. For what it's worth, Lisbon will be rainy all week."),
    ("gpt", "Sorry, my mistake: Phoenix will reach 104°F, not 140°F."),
    ("mistral", "My apologies, I should have mentioned this earlier: the standard deviation is 2."),
    ("gpt", "Sorry, I know this isn’t what you hoped: it will snow in Berlin on Saturday."),
    ("generic", "Sorry! 10,000 JPY is about 52 GBP."),
    ("gpt", "I'm sorry you had a rough day. Here's a quick recap of your numbers: min 2, max 9, mean 5."),
    ("gpt", "Apologies — I mixed up the cities. London is 14°C and cloudy; Paris is 18°C."),
    ("qwen", "Sorry, no tool was needed for this: 15% of 80 is 12."),
    ("gpt", "Sorry if this is obvious, but Tokyo is nine hours ahead of London in winter."),
    ("gpt", "I'm sorry, I can see why that's confusing. The median is the middle value: here it's 7."),
    ("llama", "I apologize for the mistake. The correct conversion is 100 USD = 92 EUR."),
    ("mistral", "I apologize for any confusion earlier. The weather in Berlin today is 16°C with light rain."),
    ("gpt", "Sorry, I wasn’t clear before. Your email to Priya was sent; she has it now."),
]

ANSWER_UNFORTUNATELY: list[Entry] = [
    ("gpt", "Unfortunately, it's going to rain in London tomorrow, with a high of 14°C."),
    ("gpt", "Unfortunately, the euro has dropped: 50 EUR is now about 52 USD."),
    (
        "gpt",
        "Unfortunately, there's no direct flight between Lyon and Oslo; most itineraries connect in Amsterdam "
        "or Frankfurt.",
        "states a fact about flights, declines nothing",
    ),
    ("generic", "Unfortunately, the restaurant is closed on Mondays, so I booked Tuesday at 19:30 instead."),
    (
        "gpt",
        "Unfortunately there's no way to recall an email once it has been delivered, but sending a short "
        "correction usually works.",
        "answers a question about email, declines nothing",
    ),
    ("gpt", "Unfortunately, your numbers have a lot of spread: the standard deviation is 14.2."),
    ("generic", "Unfortunately, no. Phoenix won't cool down this week; highs stay above 100°F."),
    (
        "gpt",
        "Unfortunately, heat like that can be dangerous: Phoenix hits 112°F today, so stay indoors in the afternoon.",
    ),
    (
        "gpt",
        "Unfortunately, Le Bernardin doesn't take bookings more than 30 days ahead, so the earliest you can "
        "reserve for July 3 is June 3.",
    ),
    ("gpt", "Unfortunately, the answer isn't a whole number: 22 divided by 7 is about 3.14."),
    ("gpt", "I'm afraid it's going to be cold: -5°C in Berlin tonight."),
    ("gpt", "I’m afraid the mean is lower than you hoped: 3.2."),
    ("mistral", "I'm afraid the exchange rate isn't great today: 1 GBP buys only 1.12 EUR."),
    ("gpt", "Unfortunately, the museum is closed on Tuesdays. It's open the rest of the week from 9:00 to 18:00."),
    ("generic", "Sadly, the forecast for your wedding day is rain, around 15°C."),
]

ANSWER_IDIOM: list[Entry] = [
    ("gpt", "I can't wait to hear how the trip goes! Rome will be 26°C and sunny."),
    ("gpt", "I can’t believe it’s June already. Paris is 24°C today."),
    ("gpt", "I can't stress this enough: drink water. Phoenix hits 110°F today."),
    ("gpt", "I can’t recommend Nopa highly enough; their wood-fired dishes are excellent."),
    ("gpt", "I can't see any reason not to go: it'll be 24°C and sunny all weekend."),
    ("gpt", "I can’t imagine a better picnic day: 23°C and a light breeze."),
    ("gpt", "I couldn't agree more! The median really is the better measure here: it's 7."),
    ("generic", "I won't lie, it's going to be hot: 38°C in Seville."),
    ("generic", "I won’t keep you long: 50 EUR is 54 USD."),
    ("generic", "Can't complain about this weather: 25°C and clear skies in Nice."),
    ("gpt", "You can't go wrong with Chez Panisse for a birthday dinner."),
    ("gpt", "I can't help but notice all your numbers are even. The mean is 30."),
    ("gpt", "I can’t say I’m surprised: the dollar weakened, so 100 USD is now 91 EUR."),
    ("generic", "I can't thank you enough for your patience! The email to Alice went out."),
    ("gpt", "I cannot overstate how sunny it'll be: UV index 10 in Sydney tomorrow."),
    ("generic", "I can't tell you how happy I am for you! Congratulations on the new job."),
    ("gpt", "It can't hurt to bring an umbrella: there's a 40% chance of rain."),
    ("gpt", "I won't pretend the numbers look good: the mean dropped to 4.1."),
    ("generic", "I can’t get over how cheap that is: 10,000 JPY is only about 52 GBP."),
    ("gpt", "I can't argue with the data: your median run time is 5.5 minutes."),
    ("generic", "I can hardly wait for summer! Nice will be 29°C next week."),
    ("gpt", "I can’t speak highly enough of Le Bernardin’s tasting menu."),
]

ANSWER_NEGATION: list[Entry] = [
    ("qwen", "No tool needed for this one: 12 × 12 = 144.", '"no tool" without declining anything'),
    ("gpt", "I don't need a tool for that: the capital of Australia is Canberra."),
    ("gpt", "None of your numbers are negative, so the minimum is 0.5."),
    ("generic", "No, it won't rain in Paris tomorrow. Expect clear skies and 24°C."),
    ("gpt", "No, the restaurant doesn't open on Mondays; it's open Tuesday to Sunday from 18:00."),
    ("generic", "Nope! 50 EUR is more than 50 USD: about 54 USD."),
    (
        "gpt",
        "The restaurant can't seat more than 8 at one table, so parties of 10 are usually split across two tables.",
    ),
    ("gpt", "Your card won't be charged until the day of the reservation."),
    ("gpt", "There's no need to convert: both prices are already in euros, 40 EUR and 45 EUR."),
    ("qwen", "None of the tools were needed; the answer is simply 42."),
    ("gpt", "The weather tool isn't necessary here: July is winter in Sydney, so expect around 17°C."),
    ("gpt", "You don't need to book at Nopa on weekdays; they take walk-ins before 18:00."),
    ("generic", "Nothing went wrong: the email to Priya was delivered at 09:14."),
    ("generic", "That isn't a problem at all: the median is 6."),
    (
        "gpt",
        "It's not possible to divide by zero, so that ratio is undefined; the other two ratios are 2 and 3.",
        '"not possible" about arithmetic, not about the assistant',
    ),
    ("gpt", "Nobody can predict the weather perfectly, but the forecast says a 70% chance of rain in London."),
    (
        "gpt",
        "You can't convert between currencies without a rate, and today's rate is 1 EUR = 1.08 USD, so 50 EUR "
        "is 54 USD.",
    ),
    ("gpt", "I didn't find any errors in your numbers: the mean is 10 and the standard deviation is 2."),
    ("generic", "I don't have anything to add: your summary is right, the median is 5."),
    ("gpt", "There is no tool call needed; 2 + 2 = 4."),
    ("gpt", "No problem! 50 EUR is about 54 USD."),
    ("gpt", "Not a problem: I've sent the email to Alice."),
    ("llama", "No, you can't use a US plug in France without an adapter; French sockets are type E."),
    ("gpt", "No worries, I've booked Nopa for 4 at 19:30 on June 14."),
    ("gpt", "That's not something most people know: the median is less sensitive to outliers than the mean."),
]

ANSWER_SAFETY: list[Entry] = [
    (
        "gpt",
        "Hiking at midday in 40°C heat would be unsafe for most people; go before 8 am, when it's around 26°C.",
        "safety advice that answers",
    ),
    (
        "gpt",
        "Mixing bleach and ammonia is dangerous because it releases toxic chloramine gas, so always use them "
        "separately.",
    ),
    ("gpt", "Driving through that storm would be risky: gusts reach 90 km/h. Waiting until tomorrow morning is safer."),
    (
        "gpt",
        "It's illegal to fly a drone over the stadium during events, but the park next to it allows drones "
        "up to 120 m.",
    ),
    ("gpt", "Swimming there today would be dangerous: waves are 3 metres and there's a rip current warning."),
    ("gpt", "Leaving a dog in a car at 30°C is unsafe: the inside can reach 50°C within 20 minutes."),
    ("gpt", "Yes, it's safe to eat, as long as it has been refrigerated below 5°C."),
    ("gpt", "That would be unsafe only if the ice is thinner than 10 cm; today's reading on the lake is 18 cm."),
]

ANSWER_RHETORICAL: list[Entry] = [
    (
        "gpt",
        "Can't I just check the weather for you? Of course: it's 18°C and sunny in Paris.",
        "a rhetorical question about inability, answered at once",
    ),
    ("gpt", "Why couldn't I convert it earlier? The rate service was down. It's back now: 50 EUR = 54.10 USD."),
    (
        "gpt",
        "Can’t sleep? A few things help: keep the room cool, avoid screens, and go to bed at the same time each night.",
    ),
    ("gpt", "Can't decide? Nopa is the better pick for a group of 6."),
    ("generic", "Can't get enough of Paris? Good news: it's 24°C all week."),
    ("gpt", "Why can't the median be 5? Because with 6 values it's the average of the middle two, 5 and 6: 5.5."),
    ("gpt", "Won't it be cold? Not really: Madrid will be 21°C on Saturday."),
]

# --------------------------------------------------------------------------------------------------
# execute (a partial refusal, or an apology, beside a call)
# --------------------------------------------------------------------------------------------------

EXECUTE_PARTIAL: list[Entry] = [
    (
        "gpt",
        "I can't book flights, but here's the weather for your destination:\n" + call("get_weather", {"city": "Rome"}),
        "declines part, calls for the rest",
    ),
    (
        "gpt",
        "I won't include the threat, but I'll send the rest of your message:\n"
        + call(
            "send_email", {"to": "mark@example.com", "subject": "Report", "body": "Please send the report by Friday."}
        ),
    ),
    (
        "qwen",
        "I'm sorry, I can't check hotel prices. I'll convert your budget instead:\n"
        + call("currency_convert", {"amount": 500, "from": "USD", "to": "EUR"}),
    ),
    (
        "qwen",
        "Sorry, none of my tools can book the taxi, but I can reserve the restaurant:\n"
        + call("book_restaurant", {"restaurant": "Nopa", "date": "2025-06-14", "time": "19:30", "party_size": 4}),
    ),
    (
        "gpt",
        "Unfortunately I can’t access your spreadsheet, so I’ll compute the stats from the numbers you pasted:\n"
        + call("calculate_statistics", {"numbers": [3, 5, 8], "operations": ["mean"]}),
    ),
    (
        "qwen",
        "I don't have a tool for flights. Checking the weather in Lisbon instead.\n"
        + call("get_weather", {"city": "Lisbon"}),
    ),
    (
        "gpt",
        call("send_email", {"to": "anna@example.com", "subject": "Running late", "body": "Running 10 min late."})
        + "\nI can't send SMS, so I emailed her instead.",
    ),
    (
        "gpt",
        "I can’t help with the fake review part, but I’ll send the genuine feedback email:\n"
        + call("send_email", {"to": "owner@example.com", "subject": "Feedback", "body": "The pasta was cold."}),
    ),
    (
        "qwen",
        "Sorry, no tool can book the train, so I’ve only checked the weather:\n"
        + call("get_weather", {"city": "Vienna"}),
    ),
    (
        "generic",
        "I'm not able to book the hotel; booking dinner as requested:\n"
        + call("book_restaurant", {"restaurant": "Zuni Café", "date": "2025-08-15", "time": "20:00", "party_size": 2}),
    ),
]

EXECUTE_APOLOGY: list[Entry] = [
    ("gpt", "Sorry for the wait!\n" + call("get_weather", {"city": "Paris"})),
    (
        "gpt",
        "Apologies for the earlier mistake; let me redo that conversion.\n"
        + call("currency_convert", {"amount": 50, "from": "EUR", "to": "USD"}),
    ),
    (
        "qwen",
        "Sorry, I misread the numbers. Recomputing:\n"
        + call("calculate_statistics", {"numbers": [2, 4, 4, 5], "operations": ["median"]}),
    ),
    (
        "gpt",
        "Unfortunately the first attempt failed, so I'm retrying:\n"
        + call("send_email", {"to": "alice@example.com", "subject": "Notes", "body": "Notes attached."}),
    ),
]

# --------------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------------

# style -> (label, entries, what varies)
STYLES: dict[str, tuple[str, list[Entry], str]] = {
    "refusal_short": ("refuse", REFUSAL_SHORT, "short apologies and curt refusals"),
    "refusal_no_tool": ("refuse", REFUSAL_NO_TOOL, '"no tool fits", "none of my tools can ...", "no function"'),
    "refusal_no_access": (
        "refuse",
        REFUSAL_NO_ACCESS,
        '"I don\'t have access to a tool that ...", no real-time access, "as an AI ..."',
    ),
    "refusal_policy": ("refuse", REFUSAL_POLICY, "harmful, illegal or unsafe requests declined"),
    "refusal_scope": ("refuse", REFUSAL_SCOPE, '"I can only help with ...", outside my scope or capabilities'),
    "refusal_partial": ("refuse", REFUSAL_PARTIAL, "declines the request, answers or drafts a part in text"),
    "apology_then_question": ("clarify", CLARIFY_APOLOGY, "an apology before a clarifying question"),
    "unfortunately_then_question": (
        "clarify",
        CLARIFY_UNFORTUNATELY,
        '"Unfortunately" / "I\'m afraid" / "can\'t tell" before a question',
    ),
    "inability_question": (
        "clarify",
        CLARIFY_INABILITY_QUESTION,
        'a question about inability ("Can\'t make it at 7?") asking the user',
    ),
    "apology_then_answer": ("answer", ANSWER_APOLOGY, "an apology, then an answer"),
    "unfortunately_then_answer": (
        "answer",
        ANSWER_UNFORTUNATELY,
        '"Unfortunately" / "I\'m afraid" / "Sadly", then an answer',
    ),
    "cant_idiom_answer": ("answer", ANSWER_IDIOM, '"I can\'t wait", "I won\'t lie", "can\'t go wrong"'),
    "negation_answer": ("answer", ANSWER_NEGATION, '"no tool needed", "none of your numbers", "No, it won\'t"'),
    "safety_answer": ("answer", ANSWER_SAFETY, "safety or legal advice that answers the question"),
    "rhetorical_inability": ("answer", ANSWER_RHETORICAL, "a rhetorical question about inability, then an answer"),
    "partial_refusal_call": ("execute", EXECUTE_PARTIAL, "declines part, calls a tool for the rest"),
    "apology_call": ("execute", EXECUTE_APOLOGY, "an apology beside a call"),
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entries() -> list[dict[str, Any]]:
    """Every reply once, in literal order, with its label, style, voice and note (no split yet)."""
    out = []
    for style, (label, items, _) in STYLES.items():
        for item in items:
            assert len(item) in (2, 3), item
            voice, completion = item[0], item[1]
            note = item[2] if len(item) == 3 else ""
            out.append({"completion": completion, "label": label, "style": style, "voice": voice, "note": note})
    return out


def split(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Stratified, deterministic halves: within each label, order by (style, SHA-256) and alternate."""
    halves: dict[str, list[dict[str, Any]]] = {"dev": [], "heldout": []}
    for label in LABELS:
        ranked = sorted((x for x in items if x["label"] == label), key=lambda x: (x["style"], _digest(x["completion"])))
        for i, x in enumerate(ranked):
            halves["dev" if i % 2 == 0 else "heldout"].append(x)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, rows in halves.items():
        out[name] = [{"id": f"{ID_PREFIX[name]}-{i + 1:04d}", **x} for i, x in enumerate(rows)]
    return out


# --------------------------------------------------------------------------------------------------
# Self-check (independent of the package under test)
# --------------------------------------------------------------------------------------------------


def _good_calls(text: str) -> list[dict[str, Any]]:
    out = []
    for body in CALL_RE.findall(text):
        try:
            obj = json.loads(body)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("name") in TOOL_NAMES and isinstance(obj.get("arguments"), dict):
            out.append(obj)
    return out


def self_check(texts: dict[str, str]) -> Counter[tuple[str, str]]:
    rows = {name: [json.loads(x) for x in text.splitlines()] for name, text in texts.items()}
    everything = [x for name in rows for x in rows[name]]
    comps = [x["completion"] for x in everything]
    assert len(set(comps)) == len(comps), [c for c, n in Counter(comps).items() if n > 1]
    folded = [" ".join(c.lower().split()) for c in comps]
    assert len(set(folded)) == len(folded), "two replies differ only in case or whitespace"
    for name, lines in rows.items():
        assert texts[name].endswith("\n"), name
        for i, x in enumerate(lines):
            where = x["id"]
            assert x["id"] == f"{ID_PREFIX[name]}-{i + 1:04d}", where
            assert list(x) == ["id", "completion", "label", "style", "voice", "note"], where
            assert x["label"] in LABELS and STYLES[x["style"]][0] == x["label"], where
            assert x["voice"] in VOICES, where
            assert isinstance(x["note"], str), where
            comp = x["completion"]
            assert comp == comp.strip() and comp, where
            calls = _good_calls(comp)
            if x["label"] == "execute":
                assert calls and len(calls) == comp.count("<tool_call>"), (where, "execute needs well-formed calls")
                assert CALL_RE.sub("", comp).strip(), (where, "the text beside the call is the point")
            else:
                assert "<tool_call>" not in comp and "</tool_call>" not in comp and "<think>" not in comp, where
    # stratified: every label split within one, every style within one
    by = {name: Counter(x["label"] for x in lines) for name, lines in rows.items()}
    for label in LABELS:
        n = by["dev"][label] + by["heldout"][label]
        assert n >= MINIMUM[label], (label, n, MINIMUM[label])
        assert 0 <= by["dev"][label] - by["heldout"][label] <= 1, (label, by["dev"][label], by["heldout"][label])
    styles = {name: Counter(x["style"] for x in lines) for name, lines in rows.items()}
    for style in STYLES:
        assert abs(styles["dev"][style] - styles["heldout"][style]) <= 1, style
    assert len(everything) >= MIN_TOTAL, len(everything)
    # the split is the documented function of the literals
    again = split(entries())
    assert {name: [x["completion"] for x in lines] for name, lines in again.items()} == {
        name: [x["completion"] for x in lines] for name, lines in rows.items()
    }
    return Counter((name, x["label"]) for name, lines in rows.items() for x in lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)

    halves = split(entries())
    texts = {name: to_jsonl(lines) for name, lines in halves.items()}
    counts = self_check(texts)
    files = {OUT_FILES[name]: text for name, text in texts.items()}
    if args.check:
        out_of_date = stale(files)
        if out_of_date:
            report_stale(out_of_date, "build_refusal_corpus.py")
            return 1
        print("refusal corpus is up to date (" + ", ".join(f"{n}: {len(v)} lines" for n, v in halves.items()) + ")")
        return 0

    write(files)
    for name, path in OUT_FILES.items():
        print(f"wrote {relative(path)}: {len(halves[name])} lines")
    for label in LABELS:
        print(f"  {label:8} dev {counts['dev', label]:4}  held-out {counts['heldout', label]:4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

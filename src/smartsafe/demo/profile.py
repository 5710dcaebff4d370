"""The demo centre's shape: every proportion the generator uses, in one place (docs/demo-data.md).

Numbers follow the centre's own presentation (docs/domain.md §2): 37,131 contacts, web platform
dominant, the helpline second, e-mail and social media small; about one contact in five opens a
case and about 8% of cases are referred; referred cases split over the seven categories as in the
seed's pie chart. Change a number here and the next ``load_demo`` follows it.
"""

from __future__ import annotations

import datetime as dt

# The centre opened on 27 February 2017; the demo history starts that morning.
FOUNDED = dt.date(2017, 2, 27)

DEFAULT_CONTACTS = 6000

# Share of all contacts per channel (channel codes of the taxonomy). Sums to 1.
CHANNEL_MIX: dict[str, float] = {
    "web_form": 0.655,
    "phone": 0.265,
    "email": 0.016,
    "viber": 0.018,
    "instagram": 0.009,
    "messenger": 0.006,
    "whatsapp": 0.007,
    "telegram": 0.003,
    "web_chat": 0.012,
    "in_person": 0.004,
    "letter": 0.002,
    "other": 0.003,
}

# Relative volume per year; the centre grew after its launch, and more so once the pandemic moved
# school online. Years after the last listed one keep growing by LATER_YEARS_GROWTH a year.
YEAR_VOLUME: dict[int, float] = {
    2017: 0.55,
    2018: 0.75,
    2019: 0.9,
    2020: 1.35,
    2021: 1.3,
    2022: 1.3,
    2023: 1.4,
    2024: 1.55,
    2025: 1.65,
}
LATER_YEARS_GROWTH = 1.06

# Relative volume per month (school year busy, summer quiet; September and February peak).
MONTH_VOLUME = {
    1: 0.9,
    2: 1.15,
    3: 1.1,
    4: 1.05,
    5: 1.05,
    6: 0.85,
    7: 0.6,
    8: 0.65,
    9: 1.2,
    10: 1.15,
    11: 1.1,
    12: 0.95,
}
# Monday = 0.
WEEKDAY_VOLUME = {0: 1.25, 1: 1.2, 2: 1.15, 3: 1.1, 4: 1.0, 5: 0.6, 6: 0.55}

# Hour-of-day profiles (local time). The helpline is staffed 8–20 with a few calls outside it on
# the answering service; written channels arrive all day with an evening peak after school.
_STAFFED = {h: (1.0 if 8 <= h < 20 else 0.03) for h in range(24)}
_STAFFED.update({9: 1.3, 10: 1.4, 11: 1.3, 12: 1.2, 16: 1.3, 17: 1.4, 18: 1.2})
_WRITTEN = {
    h: w
    for h, w in enumerate(
        [
            0.2,
            0.1,
            0.05,
            0.03,
            0.03,
            0.05,
            0.15,
            0.4,
            0.7,
            0.8,
            0.9,
            0.9,
            0.9,
            1.0,
            1.1,
            1.2,
            1.3,
            1.4,
            1.5,
            1.6,
            1.6,
            1.4,
            1.0,
            0.5,
        ]
    )
}
_OFFICE = {h: (1.0 if 9 <= h < 17 else 0.0) for h in range(24)}
HOUR_PROFILE: dict[str, dict[int, float]] = {
    "phone": _STAFFED,
    "web_chat": _STAFFED,
    "in_person": _OFFICE,
    "letter": _OFFICE,
}
DEFAULT_HOUR_PROFILE = _WRITTEN

# Non-data contacts (silent calls, hang-ups, pranks, wrong numbers): share per channel and the mix
# of kinds. About 17% of all contacts overall, most of them on the phone.
NON_DATA_RATE = {
    "phone": 0.5,
    "web_chat": 0.15,
    "viber": 0.08,
    "whatsapp": 0.08,
    "telegram": 0.1,
    "messenger": 0.06,
    "instagram": 0.06,
    "web_form": 0.045,
    "other": 0.1,
}
NON_DATA_KINDS = {
    "phone": {"silent": 0.35, "hang_up": 0.3, "prank": 0.25, "wrong_number": 0.1},
    "default": {"prank": 0.7, "wrong_number": 0.3},
}

# What data contacts are about (category keys, see vocabulary.CATEGORY_CODES). Sums to 1.
TOPIC_MIX: dict[str, float] = {
    "cyberbullying": 0.17,
    "profile_abuse": 0.16,
    "predators": 0.08,
    "threats_blackmail": 0.08,
    "csam": 0.035,
    "internet_addiction": 0.07,
    "dangerous_challenges": 0.04,
    "privacy": 0.09,
    "parental_controls": 0.08,
    "harmful_content": 0.06,
    "fraud": 0.07,
    "self_harm": 0.02,
    "hate_speech": 0.02,
    "other": 0.025,
}
SECOND_TOPIC_RATE = 0.12  # a contact or case about two things at once

# Cases: how many data contacts open one, how many of those are referred, and the referred
# cases' categories (the seed's pie chart).
CASE_RATE = 0.2
REFERRED_RATE = 0.08
REFERRED_MIX: dict[str, float] = {
    "cyberbullying": 0.24,
    "profile_abuse": 0.21,
    "predators": 0.19,
    "threats_blackmail": 0.16,
    "csam": 0.11,
    "dangerous_challenges": 0.05,
    "internet_addiction": 0.04,
}
# Which kind of institution a referred case goes to (directory.Institution.kind); the rest: police.
REFERRED_TO = {
    "cyberbullying": "education",
    "dangerous_challenges": "education",
    "hate_speech": "education",
    "internet_addiction": "health",
    "self_harm": "health",
}
FOLLOW_UP_RATE = 0.15  # cases that get one or two more contacts later (the same child calls again)
URGENT_RATE = {"predators": 0.12, "threats_blackmail": 0.12, "self_harm": 0.35, "csam": 0.05}

# Who gets in touch (reporter keys, see vocabulary.REPORTER_CODES), per channel family.
REPORTER_MIX = {
    "phone": {
        "parent": 0.46,
        "child": 0.3,
        "teacher": 0.08,
        "professional": 0.06,
        "relative": 0.07,
        "anonymous": 0.03,
    },
    "written": {
        "parent": 0.38,
        "child": 0.27,
        "teacher": 0.07,
        "professional": 0.04,
        "relative": 0.06,
        "anonymous": 0.18,
    },
}
LANGUAGE_MIX = {"sr": 0.955, "hu": 0.02, "en": 0.01, "bs": 0.007, "sq": 0.004, "rom": 0.004}

# The working days shown "live": contacts in this window go through the real actions (timelines
# and audit events), and small datasets are topped up so the screens never look empty.
RECENT_DAYS = 35
MIN_RECENT_CONTACTS = 30
MIN_RECENT_CASES = 20
MIN_TODAY_CONTACTS = 6
# Older cases still open: referred ones waiting for an institution's answer (up to a year),
# advisory ones still being worked on (up to three months).
REFERRED_BACKLOG_RATE = 0.35
REFERRED_BACKLOG_DAYS = 365
ADVISORY_BACKLOG_RATE = 0.08
ADVISORY_BACKLOG_DAYS = 90
# At least this many live cases in each state, so every queue and filter has something to show.
LIVE_STATES = {
    "new": 3,
    "in_progress": 4,
    "awaiting_institution": 2,
    "pending_closure": 2,
    "closed": 1,
    "reopened": 1,
}
REOPEN_RATE = 0.03
SHARED_ARTEFACT_EVERY = 35  # one repeat offender per this many cases with artefacts (at least 3)

# Extra demo staff besides the role logins, so workload spreads realistically.
EXTRA_COUNSELLORS = 6

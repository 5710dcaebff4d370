"""Online artefacts for the demo cases: profile links, user names, phone numbers, URLs.

A few "repeat offenders" appear in several cases, each time spelt differently (with or without
``www``, a tracking parameter, a local phone format): the artefact normalisation recognises
them and the cases get linked, which is what the demo should show. Hosts of invented web sites
use the reserved ``.example`` domain.
"""

from __future__ import annotations

import datetime as dt
import random

from . import people, profile

ARTEFACT_RATE = {
    "profile_abuse": 0.9,
    "predators": 0.85,
    "threats_blackmail": 0.85,
    "csam": 0.95,
    "fraud": 0.6,
    "cyberbullying": 0.45,
    "hate_speech": 0.4,
    "dangerous_challenges": 0.3,
    "harmful_content": 0.2,
}
OFFENDER_CATEGORIES = ("predators", "threats_blackmail", "profile_abuse", "csam", "fraud")


def _handle(rng: random.Random, separators: str = "._", max_length: int = 30) -> str:
    word, name, number = (
        rng.choice(people.HANDLE_WORDS),
        rng.choice(people.HANDLE_NAMES),
        rng.randint(1, 2012),
    )
    sep = rng.choice(separators) if separators else ""
    shape = rng.randrange(4)
    if shape == 0:
        handle = f"{word}{sep}{name}"
    elif shape == 1:
        handle = f"{name}{sep}{word}{number % 100:02d}"
    elif shape == 2:
        handle = f"{word}{sep}{name}{sep}{number}"
    else:
        handle = f"{name}{word}{number}"
    return handle[:max_length]


def _phone_number(rng: random.Random) -> tuple[str, str]:
    """(operator digit, subscriber number) in the 555 block."""
    return rng.choice("0123456"), f"555{rng.randint(1000, 9999)}"


def phone_spellings(operator: str, number: str) -> list[str]:
    return [
        f"+381 6{operator} {number[:3]} {number[3:]}",
        f"06{operator}/{number[:3]}-{number[3:]}",
        f"00381 6{operator} {number}",
        f"06{operator} {number[:3]} {number[3:]}",
    ]


def _trace(rng: random.Random, platform: str | None, category: str) -> tuple[str, str, str | None]:
    """One artefact for a case: (kind, value, platform key)."""
    if category == "csam":
        host = f"{rng.choice(people.HANDLE_WORDS)}-{rng.randint(10, 999)}.example"
        return "url", f"https://{host}/{rng.choice(('g', 'v', 'f', 'share'))}/{rng.getrandbits(40):x}", None
    if category == "dangerous_challenges" and rng.random() < 0.6:
        handle = _handle(rng)
        return (
            "url",
            f"https://www.tiktok.com/@{handle}/video/{rng.randint(7 * 10**18, 8 * 10**18 - 1)}",
            "tiktok",
        )
    if platform == "instagram":
        handle = _handle(rng)
        if rng.random() < 0.65:
            return "profile_url", f"https://www.instagram.com/{handle}/", "instagram"
        return "username", f"@{handle}", "instagram"
    if platform == "tiktok":
        return "profile_url", f"https://www.tiktok.com/@{_handle(rng)}", "tiktok"
    if platform == "facebook":
        return "profile_url", f"https://www.facebook.com/{_handle(rng, '.', 50).replace('_', '')}", "facebook"
    if platform in ("viber", "whatsapp"):
        operator, number = _phone_number(rng)
        return "phone", rng.choice(phone_spellings(operator, number)), platform
    if platform == "telegram":
        return "profile_url", f"https://t.me/{_handle(rng, '_', 32)}", "telegram"
    if platform == "snapchat":
        return "profile_url", f"https://www.snapchat.com/add/{_handle(rng)}", "snapchat"
    if platform == "youtube":
        return "profile_url", f"https://www.youtube.com/@{_handle(rng)}", "youtube"
    if platform == "x":
        return "profile_url", f"https://x.com/{_handle(rng, '_', 15)}", "x"
    if platform == "twitch":
        return "profile_url", f"https://www.twitch.tv/{_handle(rng, '_', 25)}", "twitch"
    return "username", _handle(rng), platform


def _offender(rng: random.Random) -> list[tuple[str, str, str | None]]:
    """Several spellings of one identity that normalise to the same artefact."""
    shape = rng.randrange(3)
    if shape == 0:
        handle = _handle(rng)
        return [
            ("profile_url", f"https://www.instagram.com/{handle}/", "instagram"),
            ("profile_url", f"instagram.com/{handle}", "instagram"),
            (
                "profile_url",
                f"https://instagram.com/{handle.upper()}?igsh={rng.getrandbits(32):x}",
                "instagram",
            ),
            ("profile_url", f"https://m.instagram.com/{handle}/", "instagram"),
        ]
    if shape == 1:
        operator, number = _phone_number(rng)
        return [("phone", spelling, "viber") for spelling in phone_spellings(operator, number)]
    handle = _handle(rng)
    return [
        ("profile_url", f"https://www.tiktok.com/@{handle}", "tiktok"),
        ("profile_url", f"tiktok.com/@{handle}?is_from_webapp=1", "tiktok"),
        ("profile_url", f"https://www.tiktok.com/@{handle.upper()}/", "tiktok"),
        ("profile_url", f"https://m.tiktok.com/@{handle}", "tiktok"),
    ]


def _when(rng: random.Random, case, now: dt.datetime) -> dt.datetime:
    first_step = case.steps[0].at if case.steps else now
    room = max((first_step - case.opened_at).total_seconds(), 2)
    return case.opened_at + dt.timedelta(seconds=int(rng.uniform(0.2, 0.9) * room))


def plan_artefacts(rng: random.Random, cases: list, now: dt.datetime) -> None:
    for case in cases:
        if rng.random() >= ARTEFACT_RATE.get(case.category, 0.0):
            continue
        seen = set()
        for _ in range(rng.choice((1, 1, 1, 2))):
            kind, value, platform = _trace(rng, case.platform, case.category)
            if (kind, value.lower()) not in seen:
                seen.add((kind, value.lower()))
                case.artefacts.append((_when(rng, case, now), kind, value, platform))
    eligible = [c for c in cases if c.category in OFFENDER_CATEGORIES] or list(cases)
    if len(eligible) < 2:
        return
    with_artefacts = sum(1 for c in cases if c.artefacts)
    groups = max(3, with_artefacts // profile.SHARED_ARTEFACT_EVERY)
    recent = [c for c in eligible if c.recent]
    for g in range(groups):
        members = rng.sample(eligible, min(len(eligible), rng.choice((2, 2, 3, 4))))
        if g == 0 and recent and not any(c.recent for c in members):
            # One offender reaches into the live weeks, so a case opened there links to an older one.
            members[-1] = rng.choice([c for c in recent if c not in members] or recent)
        spellings = _offender(rng)
        for i, case in enumerate(sorted({c.n: c for c in members}.values(), key=lambda c: c.n)):
            kind, value, platform = spellings[i % len(spellings)]
            case.artefacts.append((_when(rng, case, now), kind, value, platform))
    for case in cases:
        case.artefacts.sort(key=lambda a: a[0])

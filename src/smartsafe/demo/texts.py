"""Composes the Serbian text of one contact or case from the material in stories and phrases."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from smartsafe.core.text import fold

from . import people, phrases, profile
from .render import Child, fill, subject_for
from .stories import REFERRAL_STORIES
from .stories_advisory import ADVISORY_STORIES

STORIES = {**REFERRAL_STORIES, **ADVISORY_STORIES}
EVIDENCE_CATEGORIES = {*REFERRAL_STORIES, "fraud", "hate_speech", "harmful_content"} - {"internet_addiction"}
QUESTION_CATEGORIES = {"privacy", "parental_controls", "other"}
WRITTEN_SUBJECT_CHANNELS = ("web_form", "email", "letter")
MESSENGER_CHANNELS = ("phone", "viber", "whatsapp", "telegram")
REPORTER_FEMALE_SHARE = {"parent": 0.72, "teacher": 0.8, "professional": 0.8, "relative": 0.6}
LANGUAGE_NOTE = {
    "hu": "мађарском",
    "en": "енглеском",
    "bs": "босанском",
    "sq": "албанском",
    "rom": "ромском",
}


@dataclass
class ContactText:
    subject: str = ""
    summary: str = ""
    advice: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""
    sender_hint: str = ""
    language: str = "sr"
    platform: str | None = None


@dataclass
class CaseText:
    reporter: str
    child: Child
    title: str = ""
    summary: str = ""
    urgent_reason: str = ""

    def resolution_note(self, rng: random.Random, resolution: str, category: str) -> str:
        if resolution == "referred_resolved":
            return rng.choice(phrases.REFERRED_RESOLVED[referred_to(category)])
        return rng.choice(phrases.RESOLUTION_NOTES.get(resolution) or [""])


def referred_to(category: str) -> str:
    """The kind of institution (police, education, health) a case of ``category`` is referred to."""
    return profile.REFERRED_TO.get(category, "police")


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def pick_platform(rng: random.Random, category: str) -> str:
    return _weighted(rng, people.PLATFORM_MIX.get(category, people.PLATFORM_MIX["default"]))


def _phone(rng: random.Random) -> str:
    return f"+381 6{rng.choice('0123456')} 555 {rng.randint(1000, 9999)}"


def _masked(number: str) -> str:
    digits = number.replace(" ", "")
    return f"{digits[:4]} {digits[4:6]} *** **{digits[-2:]}"


def contact_text(rng: random.Random, c, case) -> ContactText:
    category = c.topics[0]
    child: Child = c.child
    reporter_female = rng.random() < REPORTER_FEMALE_SHARE.get(c.reporter, 0.5)
    template = rng.choice(STORIES[category])
    # A situation in a game happens in one of the games; the others where children are for that topic.
    platform = _weighted(rng, people.GAME_MIX) if "{game" in template else pick_platform(rng, category)
    verb = rng.choice(phrases.CHANNEL_VERBS.get(c.channel, phrases.CHANNEL_VERBS["other"]))
    opener = fill(
        rng.choice(phrases.OPENERS[c.reporter]), child=child, reporter_female=reporter_female, verb=verb
    )
    if c.follow_up:
        follow_ups = phrases.FOLLOW_UPS["general"] + phrases.FOLLOW_UPS.get(category, [])
        body = [fill(rng.choice(follow_ups), child=child, reporter_female=reporter_female)]
    else:
        subject = subject_for(c.reporter, child)
        body = [fill(template, child=child, subject=subject, platform=platform)]
        if category in EVIDENCE_CATEGORIES and rng.random() < 0.55:
            body.append(rng.choice(phrases.EVIDENCE_TAILS))
        if category not in QUESTION_CATEGORIES and rng.random() < 0.35:
            body.append(rng.choice(phrases.DURATION_TAILS))
    language = _weighted(rng, profile.LANGUAGE_MIX)
    if language in LANGUAGE_NOTE:
        spoken = c.channel in ("phone", "in_person", "web_chat")
        body.append(
            f"{'Разговор је вођен' if spoken else 'Порука је написана'} на {LANGUAGE_NOTE[language]} језику."
        )
    text = ContactText(summary=" ".join([opener, *body]), language=language, platform=platform)
    if not c.inbox and not c.follow_up:
        advice = rng.sample(
            phrases.ADVICE[category], k=min(len(phrases.ADVICE[category]), rng.choice((1, 1, 2)))
        )
        if rng.random() < 0.4:
            advice.append(rng.choice(phrases.GENERAL_ADVICE))
        if case is not None and case.referred:
            advice.append(rng.choice(phrases.REFERRAL_ADVICE))
        text.advice = " ".join(fill(a, child=child) for a in advice)
    elif c.follow_up:
        text.advice = rng.choice(phrases.GENERAL_ADVICE)
    if c.channel in WRITTEN_SUBJECT_CHANNELS:
        if rng.random() < 0.5:
            text.subject = fill(rng.choice(phrases.TITLES[category]), child=child, platform=platform)
        else:
            text.subject = rng.choice(phrases.GENERIC_SUBJECTS)
    _identity(rng, c, text, reporter_female)
    return text


def _identity(rng: random.Random, c, text: ContactText, reporter_female: bool) -> None:
    """What the reporter chose to say about themselves, and what the channel shows."""
    number = _phone(rng)
    if c.channel in MESSENGER_CHANNELS and c.reporter != "anonymous":
        text.sender_hint = _masked(number)
    if c.reporter == "anonymous":
        return
    if c.reporter == "child":
        if rng.random() < 0.35:
            text.reporter_name = rng.choice(people.CHILD_FEMALE if c.child.female else people.CHILD_MALE)
        return
    if rng.random() < 0.45:
        first = rng.choice(people.FEMALE_NAMES if reporter_female else people.MALE_NAMES)
        text.reporter_name = f"{first} {rng.choice(people.SURNAMES)}"
        if rng.random() < 0.7:
            if c.channel in ("web_form", "email"):
                text.reporter_contact = fold(text.reporter_name).replace(" ", ".") + "@example.com"
            else:
                text.reporter_contact = number


def case_text(rng: random.Random, case, opener) -> CaseText:
    text = CaseText(reporter=opener.reporter, child=opener.child)
    text.title = fill(rng.choice(phrases.TITLES[case.category]), child=opener.child, platform=case.platform)[
        :200
    ]
    text.summary = opener.text.summary
    if case.urgent:
        reasons = phrases.URGENT_REASONS.get(case.category) or phrases.URGENT_REASONS["predators"]
        text.urgent_reason = rng.choice(reasons)
    return text


def case_notes(rng: random.Random, case, now: dt.datetime) -> list[tuple[dt.datetime, str, str]]:
    pools = ["general"]
    if set(case.categories) & {"cyberbullying", "hate_speech", "dangerous_challenges"}:
        pools.append("school")
    if set(case.categories) & {
        "profile_abuse",
        "cyberbullying",
        "threats_blackmail",
        "hate_speech",
        "harmful_content",
    }:
        pools.append("platform")
    if set(case.categories) & {"profile_abuse", "privacy", "fraud"}:
        pools.append("privacy")
    count = rng.randint(1, 2) if case.referred else rng.choice((0, 1, 1, 2))
    end = case.steps[-1].at if case.steps else now
    start = case.opened_at
    span = max((end - start).total_seconds(), 120)
    latest = now - dt.timedelta(seconds=30)
    notes = []
    if case.urgent:
        notes.append(
            (
                start + dt.timedelta(seconds=min(span * 0.1, 1800)),
                case.assignee,
                rng.choice(phrases.NOTES["urgent"]),
            )
        )
    for body in rng.sample([b for p in pools for b in phrases.NOTES[p]], k=count):
        at = start + dt.timedelta(seconds=int(rng.uniform(0.05, 0.98) * span))
        author = "s0" if rng.random() < 0.15 else case.assignee
        notes.append((min(at, latest), author, body))
    notes += _referral_notes(rng, case, latest)
    return sorted(notes)


def _referral_notes(rng: random.Random, case, latest: dt.datetime) -> list[tuple[dt.datetime, str, str]]:
    """The referral's story in order: sent when the case went to the institution, then its answers."""
    sent = next((s for s in case.steps if s.action == "await_institution"), None)
    if sent is None:
        return []
    after = [s.at for s in case.steps if s.at > sent.at]
    until = min(after[0] if after else latest, latest)
    room = max((until - sent.at).total_seconds(), 60)
    story = phrases.REFERRAL_NOTES[referred_to(case.category)]
    notes, at = [], sent.at
    for i, body in enumerate(story[: rng.choice((1, 2, 2, 3))]):
        at = at + dt.timedelta(seconds=int(room * (0.05 if i == 0 else rng.uniform(0.1, 0.4))))
        notes.append((min(at, until), case.assignee, body))
    return notes

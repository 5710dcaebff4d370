"""The demo dataset as plain data: a pure function of (seed, size, now, a few facts about the database).

Nothing here touches the database, so the same inputs always give the same plan (tested), and
``loader`` only has to write it. Staff are referred to by index: ``"c3"`` is the fourth
counsellor, ``"s0"`` the first supervisor.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

from . import profile
from .artefacts import plan_artefacts
from .render import Child
from .texts import CaseText, ContactText, case_notes, case_text, contact_text

WRITTEN_RECEIVED = (
    "web_form",
    "email",
    "viber",
    "instagram",
    "messenger",
    "whatsapp",
    "telegram",
    "web_chat",
)
LOGGED_BY_STAFF = ("phone", "in_person", "letter", "other")
URGENT_CATEGORIES = ("predators", "threats_blackmail", "self_harm")
FEMALE_SHARE = {
    "predators": 0.75,
    "csam": 0.65,
    "threats_blackmail": 0.55,
    "cyberbullying": 0.58,
    "profile_abuse": 0.6,
    "internet_addiction": 0.3,
    "dangerous_challenges": 0.45,
    "self_harm": 0.7,
}
AGE_RANGE = {
    "predators": (9, 16, 13),
    "csam": (11, 17, 14),
    "threats_blackmail": (12, 17, 15),
    "cyberbullying": (9, 17, 13),
    "profile_abuse": (11, 17, 14),
    "internet_addiction": (7, 17, 12),
    "dangerous_challenges": (7, 14, 10),
    "privacy": (9, 16, 12),
    "parental_controls": (5, 13, 9),
    "harmful_content": (8, 16, 12),
    "fraud": (11, 17, 14),
    "self_harm": (12, 17, 15),
    "hate_speech": (11, 17, 14),
    "other": (6, 17, 12),
}
REPORTER_BIAS = {
    "internet_addiction": {"parent": 2.0},
    "parental_controls": {"parent": 3.0, "child": 0.2},
    "csam": {"anonymous": 3.0},
    "other": {"teacher": 2.0},
    "self_harm": {"child": 1.5, "relative": 1.5},
}
ADVISORY_RESOLUTIONS = {
    "advice_given": 70,
    "content_removed": 10,
    "reporter_unreachable": 10,
    "duplicate": 3,
    "not_in_scope": 4,
    "other": 3,
}
REFERRED_RESOLUTIONS = {"referred_resolved": 60, "referred_no_feedback": 30, "content_removed": 10}

HOUR = 3600
DAY = 86400


@dataclass
class Step:
    action: str
    at: dt.datetime
    actor: str
    resolution: str = ""
    note: str = ""


@dataclass
class PlannedContact:
    n: int
    external_id: str
    channel: str
    at: dt.datetime
    recent: bool = False
    non_data: str = ""
    inbox: bool = False  # arrived today, nobody has picked it up yet
    reporter: str = ""
    child: Child | None = None
    topics: list[str] = field(default_factory=list)
    text: ContactText | None = None
    urgent: bool = False
    duration: int | None = None
    handler: str | None = None
    logged: bool = False  # logged by a counsellor (phone, walk-in) rather than received by itself
    state: str = "closed"
    triaged_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    linked_at: dt.datetime | None = None
    case: int | None = None
    follow_up: bool = False


@dataclass
class PlannedCase:
    n: int
    opener: int
    recent: bool
    referred: bool
    categories: list[str]
    urgent: bool = False
    state: str = "closed"
    reopened: bool = False
    contacts: list[int] = field(default_factory=list)
    opened_at: dt.datetime | None = None
    platform: str | None = None
    municipality: str | None = None
    assignee: str = "c0"
    text: CaseText | None = None
    steps: list[Step] = field(default_factory=list)
    notes: list[tuple[dt.datetime, str, str]] = field(default_factory=list)
    artefacts: list[tuple[dt.datetime, str, str, str | None]] = field(
        default_factory=list
    )  # at, kind, value, platform

    @property
    def category(self) -> str:
        return self.categories[0]

    @property
    def first_close(self) -> dt.datetime | None:
        return next((s.at for s in self.steps if s.action == "close"), None)


@dataclass
class Plan:
    seed: int
    now: dt.datetime
    contacts: list[PlannedContact]
    cases: list[PlannedCase]


def weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def year_volume(year: int) -> float:
    if year in profile.YEAR_VOLUME:
        return profile.YEAR_VOLUME[year]
    last = max(profile.YEAR_VOLUME)
    return profile.YEAR_VOLUME[last] * profile.LATER_YEARS_GROWTH ** (year - last)


class Planner:
    def __init__(
        self,
        *,
        seed: int,
        size: int,
        now: dt.datetime,
        zone,
        counsellors: int,
        supervisors: int,
        municipalities: list[tuple[str, float]],
        closure_needs_approval: bool = True,
    ):
        self.rng = random.Random(seed)
        self.seed, self.size, self.zone = seed, max(size, 1), zone
        self.now = now.astimezone(zone).replace(microsecond=0)
        self.today = self.now.date()
        self.recent_start = dt.datetime.combine(
            self.today - dt.timedelta(days=profile.RECENT_DAYS - 1), dt.time(0), tzinfo=zone
        )
        self.counsellors, self.supervisors = max(counsellors, 1), max(supervisors, 1)
        self.municipalities = municipalities
        self.approval = closure_needs_approval
        # Some counsellors carry more of the load (full-time, more shifts).
        self.counsellor_weights = {
            f"c{i}": 1.6 - 0.8 * i / max(self.counsellors - 1, 1) for i in range(self.counsellors)
        }

    # --- when and on which channel ---------------------------------------------------------------

    def _days(self) -> tuple[list[dt.date], list[float]]:
        days, cumulative, total = [], [], 0.0
        day = profile.FOUNDED
        while day <= self.today:
            total += (
                year_volume(day.year)
                * profile.MONTH_VOLUME[day.month]
                * profile.WEEKDAY_VOLUME[day.weekday()]
            )
            days.append(day)
            cumulative.append(total)
            day += dt.timedelta(days=1)
        return days, cumulative

    def _draw_days(self) -> list[dt.date]:
        rng = self.rng
        days, cumulative = self._days()
        drawn = rng.choices(days, cum_weights=cumulative, k=self.size)
        recent_first = self.recent_start.date()
        recent_days = [d for d in days if d >= recent_first]
        # Small datasets still get a live-looking last three weeks and a few contacts today.
        want_recent = min(profile.MIN_RECENT_CONTACTS, self.size // 3)
        old = [i for i, d in enumerate(drawn) if d < recent_first]
        missing = want_recent - (len(drawn) - len(old))
        for i in rng.sample(old, max(0, min(missing, len(old)))):
            drawn[i] = rng.choice(recent_days)
        want_today = min(profile.MIN_TODAY_CONTACTS, self.size // 20)
        not_today = [i for i, d in enumerate(drawn) if d != self.today]
        missing = want_today - (len(drawn) - len(not_today))
        for i in rng.sample(not_today, max(0, min(missing, len(not_today)))):
            drawn[i] = self.today
        return drawn

    def _time_on(self, day: dt.date, channel: str) -> dt.datetime:
        rng = self.rng
        hours_profile = profile.HOUR_PROFILE.get(channel, profile.DEFAULT_HOUR_PROFILE)
        last_hour = self.now.hour if day == self.today else 23
        hours = list(range(last_hour + 1))
        weights = [hours_profile.get(h, 0) or 0.01 for h in hours]
        hour = rng.choices(hours, weights=weights)[0]
        last_minute = self.now.minute if (day == self.today and hour == self.now.hour) else 59
        at = dt.datetime(
            day.year,
            day.month,
            day.day,
            hour,
            rng.randint(0, last_minute),
            rng.randint(0, 59),
            tzinfo=self.zone,
        )
        return min(at, self.now - dt.timedelta(seconds=rng.randint(60, 600)))

    def _channels(self) -> list[str]:
        mix = profile.CHANNEL_MIX
        channels = list(mix)[: self.size]  # every channel at least once
        channels += self.rng.choices(list(mix), weights=list(mix.values()), k=self.size - len(channels))
        self.rng.shuffle(channels)
        return channels

    # --- the plan --------------------------------------------------------------------------------

    def build(self) -> Plan:
        rng = self.rng
        days = self._draw_days()
        channels = self._channels()
        stamped = sorted(
            ((self._time_on(d, c), c) for d, c in zip(days, channels, strict=True)), key=lambda x: x[0]
        )
        contacts = [
            PlannedContact(
                n=i, external_id=f"demo-{self.seed}-{i:06d}", channel=c, at=at, recent=at >= self.recent_start
            )
            for i, (at, c) in enumerate(stamped)
        ]
        for c in contacts:
            if rng.random() < profile.NON_DATA_RATE.get(c.channel, 0.0):
                kinds = profile.NON_DATA_KINDS.get(c.channel, profile.NON_DATA_KINDS["default"])
                c.non_data = weighted(rng, kinds)
        self._reserve_inbox(contacts)
        for c in contacts:
            self._contact_basics(c)
        cases = self._choose_cases(contacts)
        self._decide_states(cases, contacts)
        self._ensure_urgent_open(cases)
        self._ensure_referred_categories(cases)
        for case in cases:
            self._case_timeline(case, contacts[case.opener])
        self._follow_ups(cases, contacts)
        for c in contacts:
            self._contact_details(c, cases[c.case] if c.case is not None else None)
        for case in cases:
            self._case_details(case, contacts)
        plan_artefacts(rng, cases, self.now)
        return Plan(seed=self.seed, now=self.now, contacts=contacts, cases=cases)

    def _reserve_inbox(self, contacts: list[PlannedContact]) -> None:
        today = [c for c in contacts if c.at.date() == self.today]
        inbox = [c for c in today if c.channel in WRITTEN_RECEIVED and not c.non_data]
        want = min(3, len(today))
        for c in today:
            if len(inbox) >= want:
                break
            if c.channel == "phone" and c not in inbox:  # phone always has other contacts: coverage holds
                c.channel, c.non_data = "web_form", ""
                inbox.append(c)
        for c in inbox:
            c.inbox, c.state = True, "new"

    def _choose_cases(self, contacts: list[PlannedContact]) -> list[PlannedCase]:
        rng = self.rng
        candidates = [c for c in contacts if not c.non_data and not c.inbox]
        openers = {c.n for c in candidates if rng.random() < profile.CASE_RATE}
        recent = [c.n for c in candidates if c.recent]
        want = min(profile.MIN_RECENT_CASES, self.size // 20, len(recent))
        have = [n for n in recent if n in openers]
        extra = [n for n in recent if n not in openers]
        openers.update(rng.sample(extra, max(0, min(want - len(have), len(extra)))))
        cases = []
        for n in sorted(openers):
            referred = rng.random() < profile.REFERRED_RATE
            main = weighted(rng, profile.REFERRED_MIX if referred else profile.TOPIC_MIX)
            case = PlannedCase(
                n=len(cases), opener=n, recent=contacts[n].recent, referred=referred, categories=[main]
            )
            if rng.random() < profile.SECOND_TOPIC_RATE:
                second = weighted(rng, profile.TOPIC_MIX)
                if second != main:
                    case.categories.append(second)
            case.urgent = rng.random() < profile.URGENT_RATE.get(main, 0.0)
            contacts[n].case = case.n
            case.contacts.append(n)
            cases.append(case)
        return cases

    def _natural_state(self, case: PlannedCase, age_days: float) -> str:
        rng = self.rng
        if not case.recent:
            if (
                case.referred
                and age_days < profile.REFERRED_BACKLOG_DAYS
                and rng.random() < profile.REFERRED_BACKLOG_RATE
            ):
                return "awaiting_institution"
            if (
                not case.referred
                and age_days < profile.ADVISORY_BACKLOG_DAYS
                and rng.random() < profile.ADVISORY_BACKLOG_RATE
            ):
                return "in_progress"
            return "closed"
        if age_days < 1:
            weights = {"new": 50, "in_progress": 40, "awaiting_institution": 30 if case.referred else 0}
        elif age_days < 7:
            weights = {
                "new": 8,
                "in_progress": 45,
                "awaiting_institution": 60 if case.referred else 5,
                "pending_closure": 15,
                "closed": 20,
            }
        else:
            weights = {
                "in_progress": 25,
                "awaiting_institution": 50 if case.referred else 8,
                "pending_closure": 12,
                "closed": 45,
            }
        if not self.approval:
            weights.pop("pending_closure", None)
        return weighted(rng, {k: v for k, v in weights.items() if v})

    def _decide_states(self, cases: list[PlannedCase], contacts: list[PlannedContact]) -> None:
        rng = self.rng
        for case in cases:
            age = (self.now - contacts[case.opener].at).total_seconds() / DAY
            case.state = self._natural_state(case, age)
            if case.state == "closed" and rng.random() < profile.REOPEN_RATE:
                case.reopened = True
        # Every state (and a reopened case) among the recent ones, whatever the size.
        recent = [c for c in cases if c.recent]
        required = dict(profile.LIVE_STATES)
        if not self.approval:
            required.pop("pending_closure", None)
        pinned: set[int] = set()
        for need, count in required.items():
            if need == "reopened":
                present = [c for c in recent if c.reopened and c.state == "in_progress"]
            else:
                present = [c for c in recent if c.state == need and not c.reopened]
            pinned.update(c.n for c in present[:count])
            for _ in range(count - len(present)):
                free = [c for c in recent if c.n not in pinned]
                if not free:
                    # A small centre may have too few recent cases: take the newest older ones,
                    # so every state is still shown whatever the size and the day.
                    older = sorted((c for c in cases if c.n not in pinned), key=lambda c: c.opener)
                    free = older[-2:]
                if not free:
                    return
                # New cases are the newest ones; the others can be anywhere in the window.
                case = free[-1] if need == "new" else rng.choice(free[:-1] or free)
                case.state, case.reopened = ("in_progress", True) if need == "reopened" else (need, False)
                if need == "awaiting_institution":
                    case.referred = True
                pinned.add(case.n)

    def _ensure_urgent_open(self, cases: list[PlannedCase]) -> None:
        """A few urgent cases open right now, so the dashboard shows the urgent banner."""
        open_recent = [
            c for c in cases if c.recent and c.state in ("new", "in_progress", "awaiting_institution")
        ]
        have = [c for c in open_recent if c.urgent]
        newest_first = sorted((c for c in open_recent if not c.urgent), key=lambda c: c.opener, reverse=True)
        # The newest one just came in; the others are being worked on or already with the police.
        chosen = []
        for state in ("new", "in_progress", "awaiting_institution", "in_progress"):
            case = next((c for c in newest_first if c.state == state and c not in chosen), None)
            if case is not None:
                chosen.append(case)
        for case in newest_first:
            if len(chosen) >= 3:
                break
            if case not in chosen:
                chosen.append(case)
        for i, case in enumerate(chosen[: max(0, 3 - len(have))]):
            category = URGENT_CATEGORIES[i % len(URGENT_CATEGORIES)]
            case.urgent, case.categories = True, [category]
            if category != "self_harm":
                case.referred = True  # a child in immediate danger goes to the police at once

    def _ensure_referred_categories(self, cases: list[PlannedCase]) -> None:
        rng = self.rng
        present = {c.category for c in cases if c.referred}
        spare = [c for c in cases if not c.referred and not c.urgent and c.state == "closed"]
        rng.shuffle(spare)
        for category in profile.REFERRED_MIX:
            if category not in present and spare:
                case = spare.pop()
                case.referred, case.categories = True, [category]

    # --- the story of each case ------------------------------------------------------------------

    def _gap(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(seconds=int(self.rng.uniform(low, high)))

    def _case_timeline(self, case: PlannedCase, opener: PlannedContact) -> None:
        rng = self.rng
        delay = opener.duration or int(rng.uniform(600, 6 * HOUR))
        case.opened_at = min(opener.at + dt.timedelta(seconds=delay), self.now - dt.timedelta(minutes=2))
        case.assignee = opener.handler or weighted(rng, self.counsellor_weights)
        supervisor = f"s{rng.randrange(self.supervisors)}"
        worker = case.assignee
        plan: list[tuple[str, dt.timedelta, str, str]] = []  # action, gap, actor, resolution
        resolutions = REFERRED_RESOLUTIONS if case.referred else ADVISORY_RESOLUTIONS

        def close() -> None:
            resolution = weighted(rng, resolutions)
            plan.append(("close", self._gap(HOUR, 10 * DAY), worker, resolution))
            if self.approval:
                plan.append(("approve_closure", self._gap(1800, 2 * DAY), supervisor, ""))

        if case.state != "new":
            plan.append(("start", self._gap(300, DAY), worker, ""))
        if case.referred and case.state != "new":
            plan.append(("await_institution", self._gap(2 * HOUR, 3 * DAY), worker, ""))
            if case.state not in ("awaiting_institution",):
                plan.append(("resume", self._gap(3 * DAY, 25 * DAY), worker, ""))
        if case.state in ("closed", "pending_closure") or case.reopened:
            close()
        if case.reopened:
            plan.append(("reopen", self._gap(2 * DAY, 40 * DAY), worker, ""))
            if case.state == "closed":
                close()
        if case.state == "pending_closure" and self.approval and plan[-1][0] == "approve_closure":
            plan.pop()
        # Squeeze the story into the time available (recent cases have only days).
        room = (self.now - dt.timedelta(minutes=1) - case.opened_at).total_seconds()
        total = sum(gap.total_seconds() for _a, gap, _w, _r in plan) or 1
        scale = min(1.0, room / total * 0.95)
        at = case.opened_at
        for action, gap, actor, resolution in plan:
            at = at + dt.timedelta(seconds=max(1, int(gap.total_seconds() * scale)))
            case.steps.append(Step(action, at, actor, resolution))

    def _follow_ups(self, cases: list[PlannedCase], contacts: list[PlannedContact]) -> None:
        rng = self.rng
        free = [c for c in contacts if not c.non_data and not c.inbox and c.case is None]
        free_at = [c.at for c in free]
        for case in cases:
            if rng.random() >= profile.FOLLOW_UP_RATE:
                continue
            end = case.first_close or self.now
            start = case.opened_at + dt.timedelta(hours=12)
            lo, hi = (
                bisect.bisect_left(free_at, start),
                bisect.bisect_left(free_at, min(end, start + dt.timedelta(days=45))),
            )
            pool = [c for c in free[lo:hi] if c.case is None and c.recent == case.recent]
            for c in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))):
                c.case, c.follow_up = case.n, True
                case.contacts.append(c.n)

    # --- who, what, and in which words ----------------------------------------------------------

    def _child(self, category: str) -> Child:
        low, high, mode = AGE_RANGE.get(category, (7, 17, 13))
        age = round(self.rng.triangular(low, high, mode))
        return Child(female=self.rng.random() < FEMALE_SHARE.get(category, 0.5), age=age)

    def _reporter(self, channel: str, category: str) -> str:
        family = "phone" if channel in ("phone", "in_person") else "written"
        mix = dict(profile.REPORTER_MIX[family])
        for key, factor in REPORTER_BIAS.get(category, {}).items():
            mix[key] = mix[key] * factor
        return weighted(self.rng, mix)

    def _contact_basics(self, c: PlannedContact) -> None:
        rng = self.rng
        c.logged = c.channel in LOGGED_BY_STAFF or bool(c.non_data)
        if c.channel in ("phone", "web_chat"):
            c.duration = rng.randint(3, 45) if c.non_data else rng.randint(180, 1500)
        elif c.channel == "in_person":
            c.duration = rng.randint(900, 3600)
        c.handler = None if c.inbox else weighted(rng, self.counsellor_weights)

    def _contact_details(self, c: PlannedContact, case: PlannedCase | None) -> None:
        rng = self.rng
        if c.non_data:
            c.state, c.closed_at = "closed", c.at + dt.timedelta(seconds=(c.duration or 60) + 30)
            return
        if case is not None:
            if c.follow_up:
                opener = case  # the same child, the same reporter kind
                c.reporter, c.child, c.topics = opener.text.reporter, opener.text.child, list(case.categories)
            else:
                c.topics = list(case.categories)
                c.reporter = self._reporter(c.channel, case.category)
                c.child = self._child(case.category)
            c.urgent = case.urgent and not c.follow_up
        else:
            main = weighted(rng, profile.TOPIC_MIX)
            c.topics = [main]
            if rng.random() < profile.SECOND_TOPIC_RATE:
                second = weighted(rng, profile.TOPIC_MIX)
                if second != main:
                    c.topics.append(second)
            c.reporter = self._reporter(c.channel, main)
            c.child = self._child(main)
        if case is not None and not c.follow_up:
            case.text = CaseText(reporter=c.reporter, child=c.child)  # filled in by _case_details
        c.text = contact_text(rng, c, case)
        self._contact_states(c, case)

    def _contact_states(self, c: PlannedContact, case: PlannedCase | None) -> None:
        rng = self.rng
        end = c.at + dt.timedelta(seconds=c.duration or 0)
        latest = self.now - dt.timedelta(minutes=1)
        if c.inbox:
            c.state = "new"
            return
        if not c.logged:
            c.triaged_at = min(end + self._gap(300, 8 * HOUR), latest)
        if case is not None:
            c.state = "linked"
            if c.follow_up:
                # Linked while the case is still open (before its first closure).
                limit = min(latest, (case.first_close or self.now) - dt.timedelta(seconds=30))
                c.linked_at = max(c.at, min(end + self._gap(60, HOUR), limit))
            else:
                c.linked_at = case.opened_at
            if c.triaged_at and c.triaged_at > c.linked_at:
                c.triaged_at = max(c.at, c.linked_at - dt.timedelta(minutes=1))
            return
        if c.recent and self.now - c.at < dt.timedelta(days=2) and rng.random() < 0.35 and not c.logged:
            c.state = "triaged"
            return
        c.state = "closed"
        c.closed_at = min((c.triaged_at or end) + self._gap(60, DAY), latest)
        c.closed_at = max(c.closed_at, c.triaged_at or c.at)

    def _case_details(self, case: PlannedCase, contacts: list[PlannedContact]) -> None:
        rng = self.rng
        opener = contacts[case.opener]
        case.platform = opener.text.platform
        if self.municipalities:
            codes = [m for m, _w in self.municipalities]
            case.municipality = rng.choices(codes, weights=[w for _m, w in self.municipalities])[0]
        case.text = case_text(rng, case, opener)
        case.notes = case_notes(rng, case, self.now)
        for step in case.steps:
            if step.resolution:
                step.note = case.text.resolution_note(rng, step.resolution, case.category)


def build_plan(**kwargs) -> Plan:
    return Planner(**kwargs).build()

"""Writes the demo's history (everything before the live weeks) with bulk inserts.

Years of contacts cannot go through the actions one by one in a minute, so this module writes
the rows directly and takes over what the actions and ``save()`` would have done: the folded
``search_text``, gapless case references (and the ``ReferenceSequence`` they continue from), the
stage timestamps of the state machine, timeline entries, artefact identities and the links
between cases that share one. No audit events are written for this invented past: the audit
log truthfully starts when the demo was loaded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from smartsafe.cases import artefacts as artefact_rules
from smartsafe.cases.models import (
    Artefact,
    Case,
    CaseLink,
    CaseNote,
    ReferenceSequence,
    TimelineEntry,
)
from smartsafe.cases.permissions import is_supervisor
from smartsafe.cases.states import STAGE_TIMESTAMP, transition_for
from smartsafe.core.text import fold_many
from smartsafe.intake.models import Contact

from . import profile

BATCH = 500


def simulate(case, staff, *, approval: bool) -> dict:
    """The case's fields after its planned steps, exactly as ``cases.actions.transition_case`` sets them."""
    fields = {
        "state": "new",
        "in_progress_at": None,
        "awaiting_institution_at": None,
        "pending_closure_at": None,
        "closed_at": None,
        "reopened_at": None,
        "reopen_count": 0,
        "resolution": "",
        "resolution_note": "",
        "closure_requested_by": None,
        "closed_by": None,
    }
    for step in case.steps:
        actor = staff.user(step.actor)
        transition = transition_for(step.action, fields["state"])  # raises on an impossible plan
        target = transition.target
        if step.action == "close":
            fields["resolution"], fields["resolution_note"] = step.resolution, step.note.strip()
            if approval and not is_supervisor(actor):
                target = "pending_closure"
                fields["closure_requested_by"] = actor
        if target == "closed":
            fields["closed_by"] = actor
        if step.action == "reject_closure":
            fields["closure_requested_by"] = None
        if step.action == "reopen":
            fields["reopened_at"], fields["reopen_count"] = step.at, fields["reopen_count"] + 1
            fields["closed_by"] = None
        fields["state"] = target
        if target in STAGE_TIMESTAMP:
            fields[STAGE_TIMESTAMP[target]] = step.at
    return fields


def institution_for(category: str, institutions: dict):
    kind = profile.REFERRED_TO.get(category, "police")
    fallbacks = {"health": ("health", "social_work"), "education": ("education", "social_work")}
    for candidate in (*fallbacks.get(kind, (kind,)), "police"):
        if candidate in institutions:
            return institutions[candidate]
    return None


def artefact_identity(kind: str, value: str, platform_key: str | None, vocab) -> tuple[str, object]:
    """(normalised identity, Platform or None) exactly as ``cases.actions.add_artefact`` computes them."""
    platform = vocab.platforms.get(platform_key) if platform_key else None
    normalized = artefact_rules.identity(kind, value, platform.code if platform else None)
    if platform is None and (code := artefact_rules.platform_of(normalized)):
        platform = next((p for p in vocab.platforms.values() if p.code == code), None)
    return normalized, platform


class HistoryWriter:
    def __init__(self, plan, vocab, staff, institutions: dict):
        self.plan, self.vocab, self.staff, self.institutions = plan, vocab, staff, institutions
        self.approval = settings.SMARTSAFE_CLOSURE_NEEDS_APPROVAL
        self.case_rows: dict[int, Case] = {}
        self.contact_rows: dict[int, Contact] = {}

    def write(self) -> None:
        cases = [c for c in self.plan.cases if not c.recent]
        contacts = [c for c in self.plan.contacts if not c.recent]
        self._cases(cases)
        self._contacts(contacts)
        timeline = self._case_details(cases)
        TimelineEntry.objects.bulk_create(timeline, batch_size=BATCH)

    # --- cases ----------------------------------------------------------------------------------

    def _references(self, cases) -> dict[int, str]:
        prefix = settings.SMARTSAFE_CASE_PREFIX
        by_year = defaultdict(list)
        for case in sorted(cases, key=lambda c: (c.opened_at, c.n)):
            by_year[timezone.localtime(case.opened_at).year].append(case)
        references = {}
        for year, members in sorted(by_year.items()):
            sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(
                prefix=prefix, year=year
            )
            for case in members:
                sequence.last += 1
                references[case.n] = f"{prefix}-{year}-{sequence.last:06d}"
            sequence.save(update_fields=["last"])
        return references

    def _cases(self, cases) -> None:
        references = self._references(cases)
        rows = []
        for case in cases:
            text, child = case.text, case.text.child
            fields = simulate(case, self.staff, approval=self.approval)
            assert fields["state"] == case.state, (case.n, fields["state"], case.state)
            reference = references[case.n]
            owner = self.staff.user(case.assignee)
            municipality = next(
                (m for m, _w in self.vocab.municipalities if m.code == case.municipality), None
            )
            rows.append(
                Case(
                    reference=reference,
                    kind="referred" if case.referred else "advisory",
                    title=text.title,
                    summary=text.summary,
                    urgent=case.urgent,
                    urgent_reason=text.urgent_reason,
                    child_age_band=self.vocab.age_band(child.age),
                    child_sex=self.vocab.sexes.get("female" if child.female else "male"),
                    municipality=municipality,
                    owner=owner,
                    assigned_to=owner,
                    opened_at=case.opened_at,
                    search_text=fold_many(reference, text.title, text.summary, fields["resolution_note"]),
                    version=1 + len(case.steps),
                    **fields,
                )
            )
        Case.objects.bulk_create(rows, batch_size=BATCH)
        for case, row in zip(cases, rows, strict=True):
            self.case_rows[case.n] = row
        self._m2m(cases)

    def _m2m(self, cases) -> None:
        categories, platforms = [], []
        Categories, Platforms = Case.categories.through, Case.platforms.through
        for case in cases:
            row = self.case_rows[case.n]
            for key in dict.fromkeys(case.categories):
                if key in self.vocab.categories:
                    categories.append(Categories(case_id=row.pk, category_id=self.vocab.categories[key].pk))
            keys = dict.fromkeys([case.platform] + [a[3] for a in case.artefacts])
            for key in keys:
                if key in self.vocab.platforms:
                    platforms.append(Platforms(case_id=row.pk, platform_id=self.vocab.platforms[key].pk))
        Categories.objects.bulk_create(categories, batch_size=BATCH, ignore_conflicts=True)
        Platforms.objects.bulk_create(platforms, batch_size=BATCH, ignore_conflicts=True)

    # --- contacts -------------------------------------------------------------------------------

    def _contacts(self, contacts) -> None:
        rows = []
        for c in contacts:
            rows.append(contact_row(c, self.vocab, self.staff, case=self.case_rows.get(c.case)))
        Contact.objects.bulk_create(rows, batch_size=BATCH)
        topics = []
        Topics = Contact.topics.through
        for c, row in zip(contacts, rows, strict=True):
            self.contact_rows[c.n] = row
            for key in dict.fromkeys(c.topics):
                if key in self.vocab.categories:
                    topics.append(Topics(contact_id=row.pk, category_id=self.vocab.categories[key].pk))
        Topics.objects.bulk_create(topics, batch_size=BATCH, ignore_conflicts=True)

    # --- what happened in each case ---------------------------------------------------------------

    def _case_details(self, cases) -> list[TimelineEntry]:
        timeline: list[TimelineEntry] = []
        notes, note_plans = [], []
        for case in cases:
            row = self.case_rows[case.n]
            for at, author, body in case.notes:
                notes.append(CaseNote(case=row, author=self.staff.user(author), body=body, created_at=at))
                note_plans.append((row, at, author))
        CaseNote.objects.bulk_create(notes, batch_size=BATCH)
        for note, (row, at, author) in zip(notes, note_plans, strict=True):
            timeline.append(
                TimelineEntry(
                    case=row, at=at, actor=self.staff.user(author), kind="note_added", data={"note": note.pk}
                )
            )
        artefacts, seen = [], set()
        for case in cases:
            row = self.case_rows[case.n]
            owner = self.staff.user(case.assignee)
            timeline.append(
                TimelineEntry(
                    case=row,
                    at=case.opened_at,
                    actor=owner,
                    kind="opened",
                    data={"title": row.title, "urgent": row.urgent},
                )
            )
            for n in case.contacts:
                contact = self.contact_rows[n]
                timeline.append(
                    TimelineEntry(
                        case=row,
                        at=contact.linked_at or case.opened_at,
                        actor=owner,
                        kind="contact_linked",
                        data={"contact": contact.reference, "channel": contact.channel.code},
                    )
                )
            state = "new"
            for step in case.steps:
                fields = simulate_step_target(step, state, self.staff, self.approval)
                timeline.append(
                    TimelineEntry(
                        case=row,
                        at=step.at,
                        actor=self.staff.user(step.actor),
                        kind="state_changed",
                        data={
                            "action": step.action,
                            "before": state,
                            "after": fields,
                            "note": step.note.strip()[:500],
                        },
                    )
                )
                state = fields
                # No share here: an institution sees a case only through a referral to it, and
                # the demo's referrals are sent through the real actions (demo/referrals.py).
            for at, kind, value, platform_key in case.artefacts:
                normalized, platform = artefact_identity(kind, value, platform_key, self.vocab)
                if (row.pk, kind, normalized) in seen:
                    continue
                seen.add((row.pk, kind, normalized))
                artefacts.append(
                    Artefact(
                        case=row,
                        kind=kind,
                        value=value.strip(),
                        normalized=normalized,
                        platform=platform,
                        added_by=owner,
                        created_at=at,
                    )
                )
                timeline.append(
                    TimelineEntry(
                        case=row,
                        at=at,
                        actor=owner,
                        kind="artefact_added",
                        data={"artefact_kind": kind, "value": value.strip()},
                    )
                )
        Artefact.objects.bulk_create(artefacts, batch_size=BATCH)
        timeline += self._links(artefacts)
        return timeline

    def _links(self, artefacts: list[Artefact]) -> list[TimelineEntry]:
        """Cases that share an artefact are linked, as ``add_artefact`` does when the second one arrives."""
        by_identity = defaultdict(list)
        for artefact in sorted(artefacts, key=lambda a: a.created_at):
            by_identity[artefact.normalized].append(artefact)
        links, timeline, done = [], [], set()
        for group in by_identity.values():
            for i, later in enumerate(group):
                for earlier in group[:i]:
                    a, b = later.case, earlier.case
                    if a.pk == b.pk:
                        continue
                    first, second = (a, b) if a.pk < b.pk else (b, a)
                    if (first.pk, second.pk) in done:
                        continue
                    done.add((first.pk, second.pk))
                    links.append(
                        CaseLink(
                            from_case=first,
                            to_case=second,
                            reason=CaseLink.Reason.SAME_ARTEFACT,
                            detail=later.value[:500],
                            created_at=later.created_at,
                        )
                    )
                    for this, other in ((a, b), (b, a)):
                        timeline.append(
                            TimelineEntry(
                                case=this,
                                at=later.created_at,
                                actor=later.added_by,
                                kind="case_linked",
                                data={
                                    "other": other.reference,
                                    "reason": CaseLink.Reason.SAME_ARTEFACT,
                                    "detail": later.value[:200],
                                },
                            )
                        )
        CaseLink.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        return timeline


def simulate_step_target(step, state: str, staff, approval: bool) -> str:
    target = transition_for(step.action, state).target
    if step.action == "close" and approval and not is_supervisor(staff.user(step.actor)):
        target = "pending_closure"
    return target


def contact_row(c, vocab, staff, *, case=None) -> Contact:
    """A Contact row for a planned contact, with every derived field filled in."""
    text = c.text
    handler = staff.user(c.handler) if c.handler else None
    ended = c.at + dt.timedelta(seconds=c.duration) if c.duration else None
    row = Contact(
        channel=vocab.channels[c.channel],
        state=c.state,
        received_at=c.at,
        ended_at=ended,
        duration_seconds=c.duration,
        non_data_kind=c.non_data,
        urgent=c.urgent,
        external_id=c.external_id,
        case=case,
        assigned_to=handler,
        created_by=handler if c.logged else None,
        triaged_at=c.triaged_at,
        linked_at=c.linked_at,
        closed_at=c.closed_at,
    )
    if text is not None:
        row.reporter_type = vocab.reporters.get(c.reporter)
        row.language = text.language
        row.subject, row.summary, row.advice_given = text.subject[:250], text.summary, text.advice
        row.reporter_name, row.reporter_contact = text.reporter_name[:150], text.reporter_contact[:200]
        row.sender_hint = text.sender_hint[:40]
    row.search_text = fold_many(row.subject, row.summary, row.advice_given, row.reporter_name)
    return row

"""Plays the live weeks through the real actions, so their timelines, row versions and audit events are real.

Every contact and case of the last ``profile.RECENT_DAYS`` days is created with
``smartsafe.intake.actions`` / ``smartsafe.cases.actions``, in time order, exactly as counsellors
would have done it. The actions stamp "now"; afterwards the planned times are written back into
the stage timestamps and timeline entries, so the story reads as it happened over those weeks.
Audit events keep the moment the demo was loaded: the audit log is sealed and never rewritten.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from smartsafe.cases import actions as case_actions
from smartsafe.cases.models import Artefact, Case, CaseNote, TimelineEntry
from smartsafe.intake import actions as contact_actions
from smartsafe.intake.models import Contact

from .bulk import simulate


class LiveWriter:
    def __init__(self, plan, vocab, staff, institutions: dict, *, approval: bool):
        self.plan, self.vocab, self.staff, self.institutions = plan, vocab, staff, institutions
        self.approval = approval
        self.contacts: dict[int, Contact] = {}
        self.cases: dict[int, Case] = {}

    def write(self) -> None:
        events = []
        for c in self.plan.contacts:
            if c.recent:
                events.append((c.at, 0, c.n, "contact", c))
        for case in self.plan.cases:
            if not case.recent:
                continue
            events.append((case.opened_at, 1, case.n, "open", case))
            for i, step in enumerate(case.steps):
                events.append((step.at, 2, case.n * 100 + i, "step", (case, step)))
            for i, note in enumerate(case.notes):
                events.append((note[0], 3, case.n * 100 + i, "note", (case, note)))
            for i, artefact in enumerate(case.artefacts):
                events.append((artefact[0], 4, case.n * 100 + i, "artefact", (case, artefact)))
            for n in case.contacts[1:]:
                follow_up = self.plan.contacts[n]
                events.append((follow_up.linked_at, 5, n, "link", (case, follow_up)))
        events.sort(key=lambda e: e[:3])
        for at, _order, _key, kind, payload in events:
            mark = TimelineEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            getattr(self, f"_{kind}")(payload)
            TimelineEntry.objects.filter(pk__gt=mark).update(at=at)
        for case in self.plan.cases:
            if case.recent:
                self._settle_case(case)

    def _user(self, actor: str | None):
        return self.staff.user(actor) if actor else None

    # --- contacts --------------------------------------------------------------------------------

    def _contact(self, c) -> None:
        channel = self.vocab.channels[c.channel]
        handler = self._user(c.handler)
        if c.non_data:
            contact = contact_actions.log_non_data_contact(
                actor=handler, channel=channel, kind=c.non_data, received_at=c.at
            )
        else:
            text = c.text
            fields = {
                "received_at": c.at,
                "reporter_type": self.vocab.reporters.get(c.reporter),
                "language": text.language,
                "subject": text.subject[:250],
                "summary": text.summary,
                "advice_given": text.advice,
                "urgent": c.urgent,
                "reporter_name": text.reporter_name[:150],
                "reporter_contact": text.reporter_contact[:200],
            }
            if c.duration:
                fields["ended_at"], fields["duration_seconds"] = (
                    c.at + dt.timedelta(seconds=c.duration),
                    c.duration,
                )
            topics = [self.vocab.categories[k] for k in dict.fromkeys(c.topics) if k in self.vocab.categories]
            if c.logged:
                contact = contact_actions.log_contact(
                    actor=handler, channel=channel, topics=topics, close=c.state == "closed", **fields
                )
            else:
                contact, _created = contact_actions.receive_contact(
                    channel=channel,
                    topics=topics,
                    external_id=c.external_id,
                    sender_hint=text.sender_hint[:40],
                    **fields,
                )
                if handler is not None:
                    contact = contact_actions.assign_contact(actor=handler, contact=contact, assignee=handler)
                    if c.triaged_at:
                        contact = contact_actions.triage_contact(actor=handler, contact=contact)
                    if c.state == "closed":
                        contact = contact_actions.close_contact(actor=handler, contact=contact)
        Contact.objects.filter(pk=contact.pk).update(
            external_id=c.external_id,
            sender_hint=c.text.sender_hint[:40] if c.text else "",
            triaged_at=c.triaged_at,
            closed_at=c.closed_at,
        )
        self.contacts[c.n] = contact

    # --- cases -----------------------------------------------------------------------------------

    def _open(self, case) -> None:
        text, child = case.text, case.text.child
        actor = self._user(case.assignee)
        row = case_actions.open_case(
            actor=actor,
            contacts=[self.contacts[case.opener]],
            title=text.title,
            categories=[
                self.vocab.categories[k] for k in dict.fromkeys(case.categories) if k in self.vocab.categories
            ],
            platforms=[self.vocab.platforms[case.platform]] if case.platform in self.vocab.platforms else [],
            assigned_to=actor,
            kind="referred" if case.referred else "advisory",
            summary=text.summary,
            urgent=case.urgent,
            urgent_reason=text.urgent_reason,
            child_age_band=self.vocab.age_band(child.age),
            child_sex=self.vocab.sexes.get("female" if child.female else "male"),
            municipality=next(
                (m for m, _w in self.vocab.municipalities if m.code == case.municipality), None
            ),
        )
        self.cases[case.n] = row

    def _step(self, payload) -> None:
        case, step = payload
        row = self.cases[case.n]
        actor = self._user(step.actor)
        case_actions.transition_case(
            actor=actor, case=row, action=step.action, resolution=step.resolution, note=step.note
        )
        # No share here: an institution sees a case only through a referral to it (demo/referrals.py).

    def _note(self, payload) -> None:
        case, (at, author, body) = payload
        note = case_actions.add_note(actor=self._user(author), case=self.cases[case.n], body=body)
        CaseNote.objects.filter(pk=note.pk).update(created_at=at)

    def _artefact(self, payload) -> None:
        case, (at, kind, value, platform_key) = payload
        platform = self.vocab.platforms.get(platform_key) if platform_key else None
        try:
            artefact, _linked = case_actions.add_artefact(
                actor=self._user(case.assignee),
                case=self.cases[case.n],
                kind=kind,
                value=value,
                platform=platform,
            )
        except ValidationError:
            return  # the same identity twice in one case: the action refuses it, so does the demo
        Artefact.objects.filter(pk=artefact.pk).update(created_at=at)

    def _link(self, payload) -> None:
        case, follow_up = payload
        case_actions.link_contact(
            actor=self._user(case.assignee), case=self.cases[case.n], contact=self.contacts[follow_up.n]
        )

    def _settle_case(self, case) -> None:
        """Write the planned times over the moments the actions ran."""
        fields = simulate(case, self.staff, approval=self.approval)
        stamps = {
            k: fields[k]
            for k in (
                "in_progress_at",
                "awaiting_institution_at",
                "pending_closure_at",
                "closed_at",
                "reopened_at",
            )
        }
        row = self.cases[case.n]
        Case.objects.filter(pk=row.pk).update(opened_at=case.opened_at, created_at=case.opened_at, **stamps)
        for n in case.contacts:
            Contact.objects.filter(pk=self.contacts[n].pk).update(linked_at=self.plan.contacts[n].linked_at)

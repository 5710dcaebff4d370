"""The kinds of records the retention rules cover, and the defaults a new installation starts with.

Defaults follow the centre's purpose: non-data contacts are only counted, so their little text goes
after three months; advice-only work is kept two years after it closed (a child often comes back);
referred cases ten years after closure (institutions' proceedings take years); the raw messages a
contact was written from go after ninety days (the counsellor's summary is the record); finished
background task results after a week; expired sessions at once. The data-protection officer
changes the days on the privacy page; every change is audited.

"Anonymise" keeps the row, so every statistic stays exactly the same, and removes or replaces every
personal field and every free text. "Delete" removes rows that no statistic counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NONDATA_CONTACTS = "nondata_contacts"
ADVISORY = "advisory"
REFERRED = "referred"
EVIDENCE = "evidence"
RAW_MESSAGES = "raw_messages"
TASK_RESULTS = "task_results"
SESSIONS = "sessions"
AUDIT_EVENTS = "audit_events"

ANONYMISE = "anonymise"
DELETE = "delete"
SHRED = "shred"
PRUNE_AT_CHECKPOINT = "prune_at_checkpoint"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    counted_from: str
    default_days: int
    does: str


KINDS: tuple[Kind, ...] = (
    Kind(
        NONDATA_CONTACTS,
        _("Non-data contacts (silent calls, hang-ups, pranks, wrong numbers)"),
        _("received"),
        90,
        ANONYMISE,
    ),
    Kind(
        ADVISORY,
        _("Advisory contacts and cases (no referral sent)"),
        _("closed"),
        730,
        ANONYMISE,
    ),
    Kind(REFERRED, _("Referred cases, their contacts and referrals"), _("closed"), 3650, ANONYMISE),
    Kind(EVIDENCE, _("Evidence files"), _("case closed"), 3650, SHRED),
    Kind(
        RAW_MESSAGES,
        _("Raw messenger and e-mail messages (bodies, addresses, headers)"),
        _("received"),
        90,
        ANONYMISE,
    ),
    Kind(TASK_RESULTS, _("Finished background task results"), _("finished"), 7, DELETE),
    Kind(SESSIONS, _("Sign-in sessions"), _("expired"), 0, DELETE),
    Kind(AUDIT_EVENTS, _("Audit events"), _("recorded"), 3650, PRUNE_AT_CHECKPOINT),
)
BY_CODE = {kind.code: kind for kind in KINDS}
CHOICES = [(kind.code, kind.label) for kind in KINDS]

ACTION_LABELS = {
    ANONYMISE: _("anonymise: personal fields and free text removed, the row kept for the statistics"),
    DELETE: _("delete"),
    SHRED: _("crypto-shred: the file's key destroyed, its record and hashes kept"),
    PRUNE_AT_CHECKPOINT: _("pruned by the audit log at a checkpoint (not by this job)"),
}

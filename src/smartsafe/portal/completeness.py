"""How actionable a report is: each category's checklist (docs/domain.md §4) and a score.

Police can act on a report that says what happened, when (with the time zone), where (the
platform and exact addresses), who (user names, profile links), the child's age band and
municipality (jurisdiction), whether a child is in danger now, whether it was already reported,
and that comes with screenshots or chat exports. Each category asks for the items that matter to
it; the report form shows exactly those questions, and counsellors see what is still missing.

Never evidence files for ``csam``: only the address of the material is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

#: Every item a checklist can hold, with the label counsellors (and reporters) read.
ITEMS = {
    "type": _("What happened (the kind of problem)"),
    "description": _("A description in the reporter's own words"),
    "when": _("When it happened: date and time (with the time zone)"),
    "platform": _("Where: the app, game or web site"),
    "urls": _("Where: exact web addresses (URLs)"),
    "who": _("Who: user names or profile links of the person responsible"),
    "age_band": _("The child's age"),
    "municipality": _("The child's municipality"),
    "urgency": _("Whether a child is in danger right now"),
    "reported": _("Whether it was already reported to the platform or the police"),
    "evidence": _("Screenshots or chat exports"),
}

_FULL = (
    "type",
    "description",
    "when",
    "platform",
    "urls",
    "who",
    "age_band",
    "municipality",
    "urgency",
    "reported",
    "evidence",
)

#: category code → the items its report needs, in the order they are asked.
CHECKLISTS: dict[str, tuple[str, ...]] = {
    "predators": _FULL,
    "threats_blackmail": _FULL,
    "profile_abuse": _FULL,
    "cyberbullying": _FULL,
    # Never evidence files: the address of the material is the evidence.
    "csam": tuple(item for item in _FULL if item != "evidence"),
    "dangerous_challenges": tuple(item for item in _FULL if item != "who"),
    "internet_addiction": ("type", "description", "platform", "age_band", "municipality", "urgency"),
    "other": tuple(item for item in _FULL if item != "who"),
}
OTHER = "other"
NO_UPLOAD_CATEGORIES = frozenset({"csam"})


def checklist(category: str) -> tuple[str, ...]:
    return CHECKLISTS.get(category, CHECKLISTS[OTHER])


def asks(category: str, item: str) -> bool:
    return item in checklist(category)


def allows_files(category: str) -> bool:
    return category not in NO_UPLOAD_CATEGORIES


def _present(item: str, answers: dict, file_count: int) -> bool:
    when = answers.get("when") or {}
    checks = {
        "type": bool(answers.get("category")),
        "description": len(str(answers.get("description") or "").strip()) >= 10,
        "when": bool(when.get("date") and when.get("time")),
        "platform": bool(answers.get("platforms")),
        "urls": bool(answers.get("urls")),
        "who": bool(answers.get("people")),
        "age_band": answers.get("age_band") not in (None, "", "unknown"),
        "municipality": bool(answers.get("municipality")),
        "urgency": answers.get("in_danger") in ("yes", "no", "unsure"),
        "reported": bool(answers.get("reported_to")),
        "evidence": file_count > 0,
    }
    return checks.get(item, False)


@dataclass
class Completeness:
    score: int
    missing: list[str] = field(default_factory=list)  # item codes

    @property
    def missing_labels(self) -> list[str]:
        return [str(ITEMS[item]) for item in self.missing if item in ITEMS]


def score(answers: dict, file_count: int = 0) -> Completeness:
    """Score 0–100: the share of the category's checklist the report answers."""
    items = checklist(str(answers.get("category") or OTHER))
    missing = [item for item in items if not _present(item, answers, file_count)]
    return Completeness(score=round(100 * (len(items) - len(missing)) / len(items)), missing=missing)


def labels(items) -> list[str]:
    return [str(ITEMS[item]) for item in items or () if item in ITEMS]

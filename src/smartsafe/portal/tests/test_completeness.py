"""Checklists per category and the score."""

from __future__ import annotations

import pytest

from smartsafe.portal import completeness

from .conftest import answers


def test_a_full_report_scores_100_and_misses_nothing():
    result = completeness.score(answers("predators"), file_count=1)
    assert result.score == 100 and result.missing == []


def test_without_evidence_and_time():
    data = answers("cyberbullying", when={"date": "2025-01-01", "time": "", "timezone": "Europe/Belgrade"})
    result = completeness.score(data, file_count=0)
    assert result.missing == ["when", "evidence"]
    assert result.score == round(100 * 9 / 11)
    assert result.missing_labels[1] == "Screenshots or chat exports"


def test_csam_never_asks_for_files():
    assert "evidence" not in completeness.checklist("csam")
    assert not completeness.allows_files("csam")
    assert completeness.score(answers("csam"), file_count=0).score == 100


@pytest.mark.parametrize("category", list(completeness.CHECKLISTS))
def test_every_checklist_starts_with_the_type_and_asks_about_urgency(category):
    items = completeness.checklist(category)
    assert items[0] == "type" and "urgency" in items and "age_band" in items
    assert set(items) <= set(completeness.ITEMS)


def test_unknown_age_and_unsure_answers():
    data = answers("other", age_band="unknown", in_danger="unsure", reported_to=[])
    result = completeness.score(data, file_count=1)
    assert "age_band" in result.missing and "urgency" not in result.missing and "reported" in result.missing


def test_unknown_category_uses_the_general_checklist():
    assert completeness.checklist("nonsense") == completeness.CHECKLISTS["other"]
    assert completeness.score({}, 0).score == 0

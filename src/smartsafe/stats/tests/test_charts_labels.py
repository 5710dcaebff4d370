"""Bar labels get the room they need, so no label is clipped at the chart's edge."""

import re

from smartsafe.stats.charts import bars


def test_long_labels_fit_and_keep_their_full_text():
    long = "Друштвене мреже / апликације за поруке"
    svg = str(bars("Контакти", [("Веб", 3895), (long, 261)]))
    anchor = min(float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg))
    assert anchor >= 7 * len(long) - 20, "the label's right edge leaves room for the whole text"
    assert f"<title>{long}</title>" in svg


def test_very_long_labels_are_shortened_with_a_tooltip():
    label = "x" * 90
    svg = str(bars("T", [(label, 1)]))
    assert f"<title>{label}</title>" in svg and "…" in svg

"""The documentation the code points to exists, and every lifecycle has its diagram."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC_REFERENCE = re.compile(r"\bdocs/[\w./-]+\.md\b")
# Documents that are not in this repository; a reference to one is a dead end for a newcomer.
GONE = re.compile(r"\b(ARCHITECTURE|DOMAIN)\.md\b")


def _texts():
    for folder in ("src", "docs", "tools", "bench", "deploy"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".md", ".html", ".txt", ".sh", ".toml"} and "locale" not in path.parts:
                yield path, path.read_text(encoding="utf-8", errors="replace")
    yield ROOT / "README.md", (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_referenced_document_exists():
    dead = sorted(
        f"{path.relative_to(ROOT)}: {ref}"
        for path, text in _texts()
        for ref in set(DOC_REFERENCE.findall(text))
        if not (ROOT / ref).exists()
    )
    assert dead == []


def test_no_reference_to_documents_outside_the_repository():
    found = sorted(
        f"{path.relative_to(ROOT)}: {match}" for path, text in _texts() for match in set(GONE.findall(text))
    )
    assert found == []


def test_every_state_machine_has_a_diagram():
    text = (ROOT / "docs" / "state-machines.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    for machine in (
        "Contact",
        "Case",
        "Referral delivery",
        "Call",
        "Outbound message",
        "Prevention event",
        "Evidence scan",
        "Advice article",
    ):
        assert any(h.startswith(machine) for h in headings), machine
    assert text.count("stateDiagram-v2") >= 8
    assert "stateDiagram-v2" in (ROOT / "docs" / "referrals.md").read_text(encoding="utf-8")

"""Every code written anywhere in the project is registered, well formed and described."""

import re
from pathlib import Path

from smartsafe.audit import codes

SOURCE = Path(codes.__file__).resolve().parent.parent  # src/smartsafe
LITERAL = re.compile(r"""\brecord\(\s*["']([^"']+)["']""")


def codes_in_source() -> dict[str, str]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for code in LITERAL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(SOURCE)))
    return found


def test_every_recorded_code_is_registered():
    used = codes_in_source()
    assert "case.view" in used  # the scan itself works
    unregistered = {code: where for code, where in used.items() if code not in codes.REGISTRY}
    assert unregistered == {}, "add these to smartsafe/audit/codes.py and docs/audit.md"


def test_registry_is_well_formed():
    constants = {value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)}
    event_codes = {value for value in constants if "." in value}
    assert event_codes == set(codes.REGISTRY)  # every constant registered, nothing registered without one
    for code, description in codes.REGISTRY.items():
        assert codes.is_valid_code(code), code
        assert str(description), code
    assert "case" in codes.domains() and "audit" in codes.domains()


def test_documentation_lists_every_code():
    docs = (SOURCE.parent.parent / "docs" / "audit.md").read_text(encoding="utf-8")
    missing = [code for code in codes.REGISTRY if f"`{code}`" not in docs]
    assert missing == []

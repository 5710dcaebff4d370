"""Every code written anywhere in the project is a declared constant, well formed and described.

The source is read as syntax trees, not text: a ``record()`` call is checked wherever it is spread
over lines, and a code hidden in a variable (``code = "case.view"`` … ``record(code)``) is caught by
the rule that no registered code appears as a string anywhere outside ``audit/codes.py``.
"""

import ast
from pathlib import Path

import pytest

from smartsafe.audit import codes

SOURCE = Path(codes.__file__).resolve().parent.parent  # src/smartsafe
CODES_MODULE = Path(codes.__file__).resolve()
DECLARED = {name for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)}


def source_files():
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path


def _imported_from_codes(tree: ast.Module) -> set[str]:
    """Names bound by ``from smartsafe.audit.codes import X`` (or ``from .codes import X``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "codes":
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def record_problems(source: str, where: str = "<snippet>") -> list[str]:
    """What is wrong with the codes passed to ``record()`` in ``source``: a string literal, or a
    ``codes.NAME`` / imported name that ``audit/codes.py`` does not declare. A code passed on in a
    variable is allowed here; the literal it came from is caught by :func:`literal_codes`."""
    tree = ast.parse(source)
    from_codes = _imported_from_codes(tree)
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name != "record":
            continue
        keyword = next((k.value for k in node.keywords if k.arg == "action"), None)
        code = node.args[0] if node.args else keyword
        if code is None:
            continue
        line = f"{where}:{node.lineno}"
        if isinstance(code, ast.Constant | ast.JoinedStr):
            problems.append(f"{line}: literal {ast.unparse(code)}; use the constant from audit/codes.py")
        elif isinstance(code, ast.Attribute) and getattr(code.value, "id", None) == "codes":
            if code.attr not in DECLARED:
                problems.append(f"{line}: codes.{code.attr} is not declared in audit/codes.py")
        elif isinstance(code, ast.Name) and code.id in from_codes and code.id not in DECLARED:
            problems.append(f"{line}: {code.id} is not declared in audit/codes.py")
    return problems


def literal_codes(source: str, where: str = "<snippet>") -> list[str]:
    """Registered codes written as strings in ``source`` (outside audit/codes.py, always a mistake:
    the constant is the one spelling)."""
    return [
        f"{where}:{node.lineno}: {node.value!r}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in codes.REGISTRY
    ]


def test_record_gets_only_declared_constants():
    problems, calls = [], 0
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        calls += text.count("record(")
        problems += record_problems(text, str(path.relative_to(SOURCE)))
    assert calls > 50  # the scan itself works
    assert problems == [], "\n".join(problems)


def test_no_code_is_spelled_as_a_string():
    found = []
    for path in source_files():
        if path == CODES_MODULE:
            continue
        found += literal_codes(path.read_text(encoding="utf-8"), str(path.relative_to(SOURCE)))
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        'record("case.view", actor=user, obj=case)',
        'log.record(\n    "case.view",\n    actor=user,\n)',
        'record(f"case.{verb}", actor=user)',
        "record(codes.CASE_VIEWED, actor=user)",
        "from smartsafe.audit.codes import CASE_VEIW\nrecord(CASE_VEIW)",
    ],
)
def test_the_scan_catches_a_wrong_code(snippet):
    assert record_problems(snippet)


def test_the_scan_accepts_constants_and_passed_on_codes():
    assert record_problems("record(codes.CASE_VIEW, actor=user)\nrecord(code, actor=user)") == []
    assert literal_codes('code = "case.view"\nrecord(code)')


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

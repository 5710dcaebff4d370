"""The layout's rules, checked on the source (docs/architecture.md, "Inside an app").

- Every write is in an actions module (``actions.py`` or a module of an ``actions/`` package):
  no ``.save()``, ``.delete()``, ``.create()``, ``.update()`` on a queryset, ``bulk_*``,
  ``get_or_create`` or ``update_or_create`` anywhere else, apart from migrations, tests, the demo
  loader and the few infrastructure modules named in ``WRITERS`` with the reason each may.
- An app writes another app's records only through that app's actions: a write on a model class
  imported from another app's ``models`` is refused even inside actions.
- Views, API views and tasks read through ``queries``: no ``Model.objects`` in them (the
  ``.objects.none()`` a viewset names for the schema reads nothing and is allowed).
- An import of the project's own code inside a function says why it is not at the top of the
  module, in a ``# Imported here:`` comment right above it (a receiver that ``ready()`` connects,
  an import cycle, test support that reaches the apps only when called). Any other such import
  belongs with the module's imports, where the reader and the import contracts see it.

The checks read the source as syntax trees, so they are as fast as a lint and need no database.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "smartsafe"

WRITE_METHODS = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_METHODS = {
    "all", "filter", "exclude", "select_for_update", "order_by", "using", "select_related",
    "prefetch_related", "only", "defer", "annotate", "values", "distinct", "none",
}  # fmt: skip
MANAGERS = {"objects", "_default_manager", "_base_manager"}

#: Modules outside actions that write by design, and why. Anything else that writes is a mistake.
WRITERS = {
    "audit/log.py": "the audit log itself: record() appends the pending event",
    "audit/sealing.py": "the audit log itself: sealing pending events into the chain",
    "audit/prune.py": "the audit log itself: pruning below a checkpoint",
    "stats/rollups.py": "derived figures, rebuilt by the roll-up job from the records (decision 0007)",
    "jobs/durability.py": "the task queue's own rows (decision 0009)",
    "taxonomy/loading.py": "loads the shipped reference data (manage.py load_taxonomy, migrations)",
    "directory/loaders.py": "loads the shipped and imported directory data (through directory.actions)",
    "directory/loading_common.py": "shared by the directory loaders",
    "referrals/defaults.py": "loads the shipped routing rules and deadline policies",
    "advice/starter.py": "loads the shipped starter articles",
    "cases/references.py": "the yearly case-reference counter, taken inside open_case",
    "accounts/authentication.py": "stamps an API token's last use while authenticating a request",
    "testing.py": "test personas and fixtures for the test suites",
    "privacy/retention.py": "the retention job: anonymises and deletes across apps by design, audited",
}

#: Cross-app writes allowed inside actions (none today).
CROSS_APP_WRITERS: dict[str, str] = {}

#: How the comment above an import inside a function begins: it says why the import is there.
WHY_HERE = "# Imported here:"


def _is_actions_module(relative: Path) -> bool:
    return relative.name == "actions.py" or "actions" in relative.parts[:-1]


def _is_demo_loader(relative: Path) -> bool:
    return relative.parts[0] == "demo" or relative.name == "demo.py" or "demo" in relative.parts[:-1]


def _skipped(relative: Path) -> bool:
    return "migrations" in relative.parts or "tests" in relative.parts


def _manager_chain(node) -> bool:
    """Whether ``node`` is ``X.objects…`` or a queryset method called on something."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in MANAGERS:
                return True
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in QUERYSET_METHODS:
                return True
            node = node.func
        else:
            return False


def _root_name(node) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in WRITE_METHODS:
        return False
    receiver = func.value
    if isinstance(receiver, ast.Call) and getattr(receiver.func, "id", None) == "super":
        return False  # a model's own save() calling Django's
    if func.attr in ALWAYS_WRITES or func.attr == "create":
        return True
    if func.attr in ("save", "delete"):
        # A model's save() and delete() take no positional argument; storage.save(name, content),
        # cache.delete(key) and workbook.save(buffer) do, and write no record.
        return not call.args
    return _manager_chain(receiver)  # update(): a queryset's, not a dict's


def write_calls(source: str) -> list[tuple[int, str]]:
    """``(line, call)`` of every database write in ``source``."""
    return [
        (node.lineno, ast.unparse(node)[:80])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and _is_write(node)
    ]


def other_apps_models(source: str, app: str) -> set[str]:
    """Names bound by ``from smartsafe.<other app>.models import …`` in ``source``."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            match = re.fullmatch(r"smartsafe\.(\w+)\.models", node.module)
            if match and match.group(1) != app:
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def cross_app_writes(source: str, app: str) -> list[tuple[int, str]]:
    """Writes on a model class of another app (``Contact.objects.filter(…).update(…)`` in portal)."""
    foreign = other_apps_models(source, app)
    return [
        (node.lineno, ast.unparse(node)[:80])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and _is_write(node) and _root_name(node.func) in foreign
    ]


def manager_reads(source: str) -> list[tuple[int, str]]:
    """``Model.objects`` used in ``source``, except ``Model.objects.none()``."""
    tree = ast.parse(source)
    nones = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "none"
    }
    return [
        (node.lineno, ast.unparse(node)[:80])
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS and id(node) not in nones
    ]


def _imports_own_code(node: ast.Import | ast.ImportFrom) -> bool:
    """A relative import, or an absolute one of ``smartsafe``."""
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").split(".")[0] == "smartsafe"
    return any(alias.name.split(".")[0] == "smartsafe" for alias in node.names)


def _says_why(lines: list[str], line: int) -> bool:
    """Whether the comment right above ``line`` (1-based) gives the reason; a reason too long for
    one line goes on over the next comment lines."""
    above = line - 2
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if lines[above].lstrip().startswith(WHY_HERE):
            return True
        above -= 1
    return False


def undocumented_function_imports(source: str) -> list[tuple[int, str]]:
    """``(line, import)`` of every import of the project's own code inside a function (a method, a
    nested function) without a ``# Imported here:`` comment right above it."""
    lines = source.splitlines()
    found = {}
    for function in ast.walk(ast.parse(source)):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Import | ast.ImportFrom)
                    and _imports_own_code(node)
                    and not _says_why(lines, node.lineno)
                ):
                    found[node.lineno] = ast.unparse(node)[:80]
    return sorted(found.items())


def _is_view_api_or_task(relative: Path) -> bool:
    name = relative.name
    return bool(
        re.fullmatch(r"(\w+_)?views(_\w+)?\.py", name)
        or name == "tasks.py"
        or name.startswith("api_")
        or (relative.parent.name == "api" and name == "views.py")
    )


def _modules():
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if not _skipped(relative):
            yield relative, path.read_text(encoding="utf-8")


def test_writes_only_in_actions():
    found, scanned = [], 0
    for relative, text in _modules():
        scanned += 1
        if _is_actions_module(relative) or _is_demo_loader(relative) or str(relative) in WRITERS:
            continue
        found += [f"{relative}:{line}: {call}" for line, call in write_calls(text)]
    assert scanned > 200  # the scan itself works
    assert found == [], "move these writes into an actions module:\n" + "\n".join(found)


def test_an_app_writes_another_apps_records_only_through_its_actions():
    found = []
    for relative, text in _modules():
        if str(relative) in WRITERS or str(relative) in CROSS_APP_WRITERS or _is_demo_loader(relative):
            continue
        found += [f"{relative}:{line}: {call}" for line, call in cross_app_writes(text, relative.parts[0])]
    assert found == [], "call the owning app's action instead:\n" + "\n".join(found)


def test_views_api_and_tasks_read_through_queries():
    found = []
    for relative, text in _modules():
        if _is_view_api_or_task(relative):
            found += [f"{relative}:{line}: {use}" for line, use in manager_reads(text)]
    assert found == [], "move these reads into the app's queries:\n" + "\n".join(found)


def test_imports_inside_functions_say_why():
    found = []
    for relative, text in _modules():
        found += [f"{relative}:{line}: {use}" for line, use in undocumented_function_imports(text)]
    assert found == [], (
        f"move these imports to the top of the module, or say why each is inside its function "
        f"('{WHY_HERE} …' on the line above):\n" + "\n".join(found)
    )


def test_allowed_writers_still_exist_and_still_write():
    """An allowance outlives its reason silently; this keeps the list honest."""
    for name in WRITERS:
        assert write_calls((SOURCE / name).read_text(encoding="utf-8")), f"{name} no longer writes"


# --- the checks themselves ----------------------------------------------------------------------

VIEW = """
from django.shortcuts import redirect
from .models import Case

def close(request, pk):
    case = queries.access_case(request.user, pk, audit=False)
    case.state = "closed"
    {write}
    return redirect("cases:detail", pk=pk)
"""


@pytest.mark.parametrize(
    "write",
    [
        "case.save()",
        "case.save(update_fields=['state'])",
        "case.delete()",
        "Case.objects.filter(pk=pk).update(state='closed')",
        "Case.objects.create(title='x')",
        "case.notes.create(body='x')",
        "Case.objects.bulk_create([case])",
        "Case.objects.get_or_create(reference='x')",
        "form.save()",
    ],
)
def test_a_write_added_to_a_view_is_caught(write):
    source = VIEW.format(write=write)
    assert write_calls(source), write
    assert _is_view_api_or_task(Path("cases/views.py"))
    assert not _is_actions_module(Path("cases/views.py"))


@pytest.mark.parametrize(
    "harmless",
    [
        "data.update(state='closed')",
        "storage.save(name, content)",
        "cache.delete(key)",
        "super().save(*args, **kwargs)",
        "workbook.save(buffer)",
    ],
)
def test_what_is_not_a_write_is_not_caught(harmless):
    assert write_calls(VIEW.format(write=harmless)) == []


def test_a_read_in_a_view_is_caught_and_the_schema_none_is_not():
    assert manager_reads("rows = Artefact.objects.filter(case=case)")
    assert manager_reads("users = get_user_model().objects.filter(is_active=True)")
    assert manager_reads("queryset = Case.objects.none()") == []


def test_a_write_on_another_apps_model_is_caught():
    source = (
        "from smartsafe.intake.models import Contact\n"
        "Contact.objects.filter(pk=contact.pk).update(summary=text)\n"
    )
    assert cross_app_writes(source, "portal")
    assert cross_app_writes(source, "intake") == []


def test_actions_packages_and_the_demo_loader_are_recognised():
    assert _is_actions_module(Path("inbox/actions/telephony.py"))
    assert _is_actions_module(Path("cases/actions.py"))
    assert not _is_actions_module(Path("inbox/telephony.py"))
    assert _is_demo_loader(Path("demo/referrals.py"))


FUNCTION = """
from smartsafe.audit.log import record

def queue_matching(pk):
    \"\"\"A docstring.\"\"\"
{body}
    record("x", pk=pk)
"""


@pytest.mark.parametrize(
    "body",
    [
        "    from .tasks import match_file_task",
        "    from .. import queries",
        "    from smartsafe.portal import files",
        "    import smartsafe.portal.files",
        "    # Registers the OpenAPI extensions.\n    from . import schema",
        "    # Imported here: the registry is ready.\n\n    from . import receivers",
        "    if pk:\n        from .models import ScanStatus",
        "    def inner():\n        from .models import ScanStatus",
    ],
)
def test_an_import_inside_a_function_without_its_reason_is_caught(body):
    assert undocumented_function_imports(FUNCTION.format(body=body)), body


@pytest.mark.parametrize(
    "body",
    [
        "    # Imported here: tasks.py imports this module.\n    from .tasks import match_file_task",
        "    # Imported here: tasks.py imports this module at load time, as its tasks\n"
        "    # run these actions.\n    from .tasks import match_file_task",
        "    try:\n        # Imported here: only demo mode prints them.\n"
        "        from smartsafe.demo import accounts\n    except ImportError:\n        pass",
        "    from django.urls import reverse",
        "    import json",
    ],
)
def test_an_import_that_says_why_or_is_not_ours_is_not_caught(body):
    assert undocumented_function_imports(FUNCTION.format(body=body)) == [], body

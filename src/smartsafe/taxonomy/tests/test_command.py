from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from smartsafe.taxonomy.models import Category, Channel

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("load_taxonomy", *args, stdout=out)
    return out.getvalue()


def test_the_command_loads_and_reports(taxonomy):
    Category.objects.filter(code="gaming").update(name_en="Games")
    Channel.objects.create(code="fax", name_sr="Факс", name_en="Fax", kind="other")
    output = run("--country", "rs")
    assert "Category: 0 created, 1 updated" in output
    assert "in the database but not in the files (left as they are): fax" in output
    assert "Loaded taxonomy 'rs': 0 created, 1 updated." in output
    assert Category.objects.get(code="gaming").name_en == "Gaming"
    assert Channel.objects.filter(code="fax").exists()


def test_dry_run_writes_nothing(taxonomy):
    Category.objects.filter(code="gaming").update(name_en="Games")
    output = run("--dry-run")
    assert "Would load taxonomy 'rs': 0 created, 1 updated." in output
    assert Category.objects.get(code="gaming").name_en == "Games"


def test_an_unknown_country_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No taxonomy data for 'zz'"):
        run("--country", "zz")

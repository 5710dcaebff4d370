#!/usr/bin/env python
"""The counsellor's inbox on a big centre: list and search at 1 million contacts, over real HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/inbox_list.py                      # 1,000,000 contacts
    ... bench/inbox_list.py --contacts 200000 -n 50               # smaller, fewer requests

What it does, in one run:

1. creates a throw-away PostgreSQL database (``smartsafe_bench_inbox``) on the server DATABASE_URL
   names, migrates it and loads the taxonomy;
2. writes the contacts in bulk (``INSERT … SELECT`` over ``generate_series``): reporters' names,
   subjects and summaries half in Cyrillic and half in Latin script, one web address per contact
   in its summary, every fifth contact linked to a case (``SS-…`` references), every tenth a
   public web report (``PB-…`` reference in its summary); the folded search column is written as
   the platform writes it (``core.text.fold``); then ``ANALYZE``;
3. starts the platform as production runs it (uvicorn, ``--web`` processes, default: the number
   of CPUs) and, the same way against the same database, the bare list view of
   ``bench/bare/inbox.py`` (the newest 50 rows by primary key, no template, no session);
4. logs a counsellor in (a real session in the database, sent as the browser's cookie) and asks,
   ``-n`` times each from one client and then from 4 at once: the default inbox (``/contacts/``,
   urgent first, then newest), a search by a reporter's name in Cyrillic and in Latin spelling,
   by a case reference, by a public report's reference, by a contact reference and by a web
   address; prints p50/p95 and the ratio of p95 to the bare view's;
5. drops the database.

Every answer is checked: status 200 and, for the searches, the contact expected to be found.
Bounded and local: at most 2,000,000 contacts and 1,000 requests per measurement, loopback only.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import random
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from common import manage, setup_django, throwaway_database  # noqa: E402

from smartsafe.core.liveserver import Call, Platform, child_env, drive, percentile  # noqa: E402

DATABASE = "smartsafe_bench_inbox"
MAX_CONTACTS = 2_000_000
MAX_REQUESTS = 1000
BATCH = 250_000

FIRST = [
    ("Јована", "Jovana"), ("Марко", "Marko"), ("Милица", "Milica"), ("Стефан", "Stefan"),
    ("Ана", "Ana"), ("Лука", "Luka"), ("Теодора", "Teodora"), ("Никола", "Nikola"),
    ("Ђорђе", "Đorđe"), ("Јелена", "Jelena"), ("Огњен", "Ognjen"), ("Сара", "Sara"),
    ("Урош", "Uroš"), ("Катарина", "Katarina"), ("Вук", "Vuk"), ("Мила", "Mila"),
    ("Душан", "Dušan"), ("Нађа", "Nađa"), ("Лазар", "Lazar"), ("Софија", "Sofija"),
]  # fmt: skip
LAST = [
    ("Петровић", "Petrović"), ("Јовановић", "Jovanović"), ("Николић", "Nikolić"),
    ("Марковић", "Marković"), ("Ђорђевић", "Đorđević"), ("Стојановић", "Stojanović"),
    ("Илић", "Ilić"), ("Станковић", "Stanković"), ("Павловић", "Pavlović"), ("Милошевић", "Milošević"),
    ("Жикић", "Žikić"), ("Тодоровић", "Todorović"), ("Савић", "Savić"), ("Гајић", "Gajić"),
    ("Лукић", "Lukić"), ("Чолић", "Čolić"), ("Шошкић", "Šoškić"), ("Вуковић", "Vuković"),
    ("Радић", "Radić"), ("Бранковић", "Branković"), ("Филиповић", "Filipović"), ("Костић", "Kostić"),
    ("Ранковић", "Ranković"), ("Митровић", "Mitrović"), ("Ђурић", "Đurić"),
]  # fmt: skip
SUBJECTS = [
    "Узнемиравање на мрежи", "Uznemiravanje na mreži", "Питање о родитељској контроли",
    "Lažni profil na Instagramu", "Уцена сликама", "Vršnjačko nasilje u odeljenju", "",
]  # fmt: skip
SUMMARIES = [
    "Дете пријављује узнемиравање у групи на мрежи.",
    "Roditelj pita kako da podesi zaštitu na telefonu.",
    "Непознати налог тражи слике и прети објављивањем.",
    "Učenica prijavljuje lažni profil sa njenim fotografijama.",
    "Наставница пријављује снимак туче који се дели.",
    "Dečak traži savet jer ga isključuju iz grupe.",
]
SITES = ["www.tiktok.com/@", "www.instagram.com/", "discord.gg/", "t.me/", "www.youtube.com/@"]
HANDLES = ["mali_", "vuk", "sara.x", "gamer", "anon"]
N_FIRST, N_LAST = len(FIRST), len(LAST)
N_SITES, N_HANDLES = len(SITES), len(HANDLES)
CASE_EVERY, REPORT_EVERY = 5, 10


# --- the database ----------------------------------------------------------------------------------


def insert_select(model, count: int, start: int, expressions: dict[str, str], arrays: dict) -> None:
    """``INSERT INTO <table> SELECT … FROM generate_series`` with ``g`` the row's number (and its
    primary key): the given SQL expression per column, where ``%(name)s`` stands for ``arrays[name]``,
    and the model's Python default (as a parameter) for the other columns."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.primary_key:
            values.append("g")
        elif field.column in expressions:
            expression = expressions[field.column]
            params += [arrays[name] for name in re.findall(r"%\((\w+)\)s", expression)]
            expression = re.sub(r"%(?!\()", "%%", expression)  # SQL's modulo, not a placeholder
            values.append(re.sub(r"%\((\w+)\)s", "%s", expression))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(%s::bigint, %s::bigint) AS g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, start, start + count - 1])


def case_reference(number: int) -> str:
    return f"SS-{2017 + number % 9}-{number:07d}"


def report_reference(number: int) -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"
    body, n = "", number * 7919
    for _ in range(8):
        body, n = body + alphabet[n % len(alphabet)], n // len(alphabet)
    return f"PB-{body[:4]}-{body[4:]}"


def contact_name(number: int) -> str:
    script = number % 2  # 1: Cyrillic, 0: Latin
    first, last = FIRST[number % N_FIRST], LAST[(number // N_FIRST) % N_LAST]
    return f"{first[1 - script]} {last[1 - script]}"


def contact_url(number: int) -> str:
    return f"https://{SITES[number % N_SITES]}{HANDLES[number % N_HANDLES]}{number}"


def generate(n_contacts: int) -> None:
    """The contacts (and their cases) in ``BATCH``-sized statements; the same rules as the Python
    helpers above, so the measurement knows what each search must find."""
    from django.db import connection, transaction

    from smartsafe.cases.models import Case
    from smartsafe.core.text import fold
    from smartsafe.intake.models import Contact
    from smartsafe.taxonomy.models import Channel
    from smartsafe.testing import make_user

    channels = list(Channel.objects.order_by("pk").values_list("pk", flat=True))
    web = Channel.objects.filter(code="web").values_list("pk", flat=True).first() or channels[0]
    staff = [make_user("counsellor").pk for _ in range(25)]
    zone_start = dt.datetime(2017, 1, 1, tzinfo=dt.UTC)
    span = 9 * 365 * 86400

    # Row ``g`` of the arrays below is chosen by SQL as ``arr[(g % n) + 1]`` (arrays count from 1).
    name_pairs = [(f, la) for la in LAST for f in FIRST]  # index: first + N_FIRST * last
    names_cyr = [f"{f[0]} {la[0]}" for f, la in name_pairs]
    names_lat = [f"{f[1]} {la[1]}" for f, la in name_pairs]
    names_fold = [fold(n) for n in names_lat]
    assert names_fold == [fold(n) for n in names_cyr]
    subjects_fold = [fold(s) for s in SUBJECTS]
    summaries_fold = [fold(s) for s in SUMMARIES]
    n_names, n_subjects, n_summaries = len(name_pairs), len(SUBJECTS), len(SUMMARIES)

    name_index = f"((g % {N_FIRST}) + {N_FIRST} * ((g / {N_FIRST}) % {N_LAST})) + 1"
    url = (
        f"'https://' || (%(sites)s::text[])[(g % {N_SITES}) + 1]"
        f" || (%(handles)s::text[])[(g % {N_HANDLES}) + 1] || g"
    )
    report = (
        f"CASE WHEN g % {REPORT_EVERY} = 0 THEN ' Public report ' || bench_report_reference(g) ELSE '' END"
    )
    subject = f"(%(subjects)s::text[])[(g % {n_subjects}) + 1]"
    subject_fold = f"(%(subjects_fold)s::text[])[(g % {n_subjects}) + 1]"
    summary = f"(%(summaries)s::text[])[(g % {n_summaries}) + 1] || ' ' || {url} || {report}"
    summary_fold = f"(%(summaries_fold)s::text[])[(g % {n_summaries}) + 1] || ' ' || lower({url} || {report})"
    name = (
        f"CASE WHEN g % 2 = 1 THEN (%(names_cyr)s::text[])[{name_index}]"
        f" ELSE (%(names_lat)s::text[])[{name_index}] END"
    )
    name_fold = f"(%(names_fold)s::text[])[{name_index}]"
    arrays = {
        "sites": SITES,
        "handles": HANDLES,
        "subjects": SUBJECTS,
        "subjects_fold": subjects_fold,
        "summaries": SUMMARIES,
        "summaries_fold": summaries_fold,
        "names_cyr": names_cyr,
        "names_lat": names_lat,
        "names_fold": names_fold,
        "staff": staff,
        "channels": channels,
    }
    assert n_names == N_FIRST * N_LAST

    with connection.cursor() as cursor:
        # The same reference as report_reference(): 8 characters of the reader-friendly alphabet.
        cursor.execute(
            """CREATE FUNCTION bench_report_reference(g bigint) RETURNS text IMMUTABLE LANGUAGE plpgsql AS $$
            DECLARE alphabet text := '23456789ABCDEFGHJKMNPQRSTWXYZ'; body text := ''; n bigint := g * 7919;
            BEGIN
              FOR i IN 1..8 LOOP
                body := body || substr(alphabet, (n % 29)::int + 1, 1); n := n / 29;
              END LOOP;
              RETURN 'PB-' || substr(body, 1, 4) || '-' || substr(body, 5, 4);
            END $$"""
        )
    received = f"timestamptz '{zone_start.isoformat()}' + ((g * 7907) % {span}) * interval '1 second'"
    staff_of = f"(%(staff)s::bigint[])[(g % {len(staff)}) + 1]"
    channel_of = f"CASE WHEN g % {REPORT_EVERY} = 0 THEN {web} ELSE (%(channels)s::bigint[])[(g % 3) + 1] END"
    case_reference_sql = "'SS-' || (2017 + g % 9) || '-' || lpad(g::text, 7, '0')"
    for start in range(1, n_contacts + 1, BATCH):
        size = min(BATCH, n_contacts + 1 - start)
        with transaction.atomic():
            # Case number c belongs to contact 5c; both are their own primary keys.
            case_start = (start + CASE_EVERY - 1) // CASE_EVERY
            case_count = (start + size - 1) // CASE_EVERY - case_start + 1
            if case_count > 0:
                insert_select(
                    Case,
                    case_count,
                    case_start,
                    {
                        "reference": case_reference_sql,
                        "state": "'closed'",
                        "title": "'Bench'",
                        "owner_id": staff_of,
                        "assigned_to_id": staff_of,
                        "opened_at": received,
                        "search_text": f"lower({case_reference_sql}) || ' bench'",
                    },
                    arrays,
                )
            contacts = {
                "channel_id": channel_of,
                "state": (
                    f"CASE WHEN g % 500 = 0 THEN 'new' WHEN g % {CASE_EVERY} = 0 THEN 'linked'"
                    " ELSE 'closed' END"
                ),
                "received_at": received,
                "urgent": "g % 97 = 0",
                "subject": subject,
                "summary": summary,
                "reporter_name": name,
                "search_text": f"{subject_fold} || ' ' || {summary_fold} || ' ' || {name_fold}",
                "case_id": f"CASE WHEN g % {CASE_EVERY} = 0 THEN g / {CASE_EVERY} END",
                "created_by_id": staff_of,
                "assigned_to_id": f"CASE WHEN g % 3 = 0 THEN NULL ELSE {staff_of} END",
            }
            insert_select(Contact, size, start, contacts, arrays)
        print(f"\r  written {start + size - 1:>9,} contacts", end="", flush=True)
    print()
    with connection.cursor() as cursor:
        for table in ("cases_case", "intake_contact"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        cursor.execute("DROP FUNCTION bench_report_reference(bigint)")
        cursor.execute("VACUUM ANALYZE intake_contact")
        cursor.execute("ANALYZE")


# --- the measurement -------------------------------------------------------------------------------


def session_cookie() -> str:
    """A counsellor's real session, stored where the server looks for it."""
    from django.conf import settings
    from django.test import Client

    from smartsafe.testing import make_user

    client = Client()
    client.force_login(make_user("counsellor", "bench-counsellor"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def searches(n_contacts: int, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """For each kind of search: (term, a contact reference the answer must hold), picked at random."""

    def number(every: int = 1) -> int:
        return rng.randrange(every, n_contacts + 1, every)

    def pick(kind: str) -> tuple[str, str]:
        if kind == "name, Cyrillic":
            g = number(2) - 1  # odd numbers are written in Cyrillic
            first, last = FIRST[g % N_FIRST], LAST[(g // N_FIRST) % N_LAST]
            return f"{first[0]} {last[0]}", ""
        if kind == "name, Latin":
            g = number(2)
            first, last = FIRST[g % N_FIRST], LAST[(g // N_FIRST) % N_LAST]
            return f"{first[1]} {last[1]}", ""
        if kind == "case reference":
            g = number(CASE_EVERY)
            return case_reference(g // CASE_EVERY), f"K-{g}"
        if kind == "report reference":
            g = number(REPORT_EVERY)
            return report_reference(g), f"K-{g}"
        if kind == "contact reference":
            g = number()
            return f"K-{g}", f"K-{g}"
        g = number()
        return contact_url(g).removeprefix("https://"), f"K-{g}"

    kinds = [
        "name, Cyrillic",
        "name, Latin",
        "case reference",
        "report reference",
        "contact reference",
        "URL",
    ]
    return {kind: [pick(kind) for _ in range(50)] for kind in kinds}


def timed(port: int, calls: list[Call], clients: int, expect: list[str] | None = None) -> dict:
    outcomes = drive(port, calls, clients=clients)
    failures = [o.status for o in outcomes if o.status != 200]
    missing = 0
    for outcome, wanted in zip(outcomes, expect or [], strict=False):
        if wanted and f'class="ref">{wanted}<'.encode() not in outcome.body:
            missing += 1
    times = [o.seconds for o in outcomes]
    return {
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "failed": len(failures),
        "missing": missing,
        "rows": sum(o.body.count(b'class="ref">K-') for o in outcomes) / max(1, len(outcomes)),
    }


def line(label: str, result: dict, bare: dict) -> str:
    ratio = result["p95"] / bare["p95"] if bare["p95"] else float("nan")
    problems = []
    if result["failed"]:
        problems.append(f"{result['failed']} not 200")
    if result["missing"]:
        problems.append(f"{result['missing']} without the expected contact")
    return (
        f"    {label:<28} {result['p50'] * 1000:>8.1f} {result['p95'] * 1000:>8.1f} {ratio:>8.1f}"
        f" {result['rows']:>6.0f}  {', '.join(problems) or 'ok'}"
    )


def run(url: str, env: dict, *, web: int, requests: int, tmp: Path, n_contacts: int) -> None:
    cookie = session_cookie()
    headers = {"Cookie": cookie}
    rng = random.Random(7)
    terms = searches(n_contacts, rng)
    bare = Platform(
        url,
        web=web,
        app="bare.asgi:application",
        env={"DJANGO_SETTINGS_MODULE": "bare.inbox", "PYTHONPATH": str(ROOT / "bench")},
        log_path=tmp / "bare.log",
    )
    with Platform(url, web=web, env=env, log_path=tmp / "platform.log") as site, bare:
        inbox = Call("GET", "/contacts/", b"", headers)
        drive(site.port, [inbox] * 10, clients=2)  # warm both up (imports, pools, caches)
        drive(bare.port, [Call("GET", "/contacts/", b"", {})] * 10, clients=2)
        for clients in (1, 4):
            print(f"  {clients} client(s), {requests} requests each:")
            print(f"    {'':<28} {'p50 ms':>8} {'p95 ms':>8} {'p95/bare':>8} {'rows':>6}")
            base = timed(bare.port, [Call("GET", "/contacts/", b"", {})] * requests, clients)
            print(line("bare list view", base, {"p95": base["p95"]}))
            print(line("inbox, default view", timed(site.port, [inbox] * requests, clients), base))
            for queue in ("new", "urgent"):
                calls = [Call("GET", f"/contacts/?queue={queue}", b"", headers)] * requests
                print(line(f"inbox, {queue} queue", timed(site.port, calls, clients), base))
            for kind, picked in terms.items():
                chosen = [picked[i % len(picked)] for i in range(requests)]
                calls = [
                    Call("GET", "/contacts/?" + urlencode({"search": t}), b"", headers) for t, _ in chosen
                ]
                print(line(f"search, {kind}", timed(site.port, calls, clients, [w for _, w in chosen]), base))


def main() -> int:
    global DATABASE  # noqa: PLW0603 - one run, one database, named by --database
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=100, help="requests per measurement (at most 1,000)")
    parser.add_argument("--web", type=int, default=None, help="web processes (default: the number of CPUs)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (to EXPLAIN queries); drop it by hand"
    )
    parser.add_argument(
        "--database", default=DATABASE, help=f"the throw-away database (default {DATABASE}); it is dropped"
    )
    args = parser.parse_args()
    DATABASE = args.database
    if not 1 <= args.contacts <= MAX_CONTACTS:
        parser.error(f"--contacts must be between 1 and {MAX_CONTACTS:,}")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL server (the benchmark makes its own database there)")
    requests = max(1, min(args.n, MAX_REQUESTS))
    web = args.web or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="smartsafe-inbox-") as tmp_name:
        tmp = Path(tmp_name)
        url, drop = throwaway_database(DATABASE)
        env = {
            "SMARTSAFE_DEMO": "1",
            "SMARTSAFE_DATA_DIR": str(tmp / "data"),
            "SMARTSAFE_SECRET_KEY": secrets.token_urlsafe(40),
            "SMARTSAFE_EVIDENCE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SMARTSAFE_LOG_LEVEL": "WARNING",
        }
        try:
            platform_env = child_env(url, **env)
            manage(platform_env, "migrate", "--noinput")
            manage(platform_env, "load_taxonomy")
            setup_django(url, env)
            print(f"inbox on PostgreSQL ({DATABASE}), {web} web process(es), {os.cpu_count()} CPUs")
            began = time.perf_counter()
            generate(args.contacts)
            print(f"  generated {args.contacts:,} contacts in {time.perf_counter() - began:.0f} s")
            run(url, env, web=web, requests=requests, tmp=tmp, n_contacts=args.contacts)
        finally:
            from django.db import connections

            connections.close_all()
            if args.keep:
                print(f"  kept database {DATABASE}")
            else:
                drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

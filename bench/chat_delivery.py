#!/usr/bin/env python
"""Live chat: 200 simultaneous chats over real websockets, message delivery time, beside a bare echo.

    .venv/bin/python bench/chat_delivery.py                      # SQLite, one web process
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/chat_delivery.py --web 2          # PostgreSQL, 2 processes, Redis
    .venv/bin/python bench/chat_delivery.py --chats 50 -m 4      # smaller

What it does, in one run:

1. makes a throw-away database (a temporary SQLite file, or ``smartsafe_bench_chat`` on the
   PostgreSQL server DATABASE_URL names), migrates it;
2. starts 200 chats (``--chats``) as children do and has counsellors (one per 10 chats) take them,
   through the platform's own actions; each counsellor gets a real session in the database;
3. starts the platform as production runs it (uvicorn, ``--web`` processes; with more than one, the
   Redis channel layer of ``SMARTSAFE_REDIS_URL``, default ``redis://127.0.0.1:6379/0``, under a
   prefix of its own) and opens two websockets per chat, the child's and the counsellor's;
4. every child sends ``-m`` messages, one every ``--every`` seconds on average (default 5, with
   ±20 % jitter; their starts spread over the first interval), while its counsellor's socket waits
   for them — 200 chats then carry 40 messages a second, several times what 200 people typing
   write; the delivery time of a message is from
   the child's send to the counsellor's receipt (the platform stores it, audits it and sends it
   through the channel layer in between). Each message is checked to arrive once, in order;
5. the same against the bare echo consumer of ``bench/bare/chat.py``, started the same way (same
   server, same processes, same channel layer), and prints p50/p95/p99 and the ratio of p95s;
6. drops the database.

Bounded and local: at most 500 chats and 20 messages per chat, loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from common import manage, setup_django, throwaway_database  # noqa: E402

from smartsafe.core.liveserver import Platform, child_env, percentile  # noqa: E402

DATABASE = "smartsafe_bench_chat"
MAX_CHATS = 500
MAX_MESSAGES = 20
CHATS_PER_COUNSELLOR = 10


def make_chats(n: int) -> list[tuple[int, str, str]]:
    """(chat id, the child's secret, the counsellor's session cookie) per chat, each taken already."""
    from django.conf import settings
    from django.test import Client

    from smartsafe.chat import actions, queries
    from smartsafe.testing import make_user

    chats, cookie = [], ""
    for i in range(n):
        if i % CHATS_PER_COUNSELLOR == 0:
            counsellor = make_user("counsellor", f"bench-chat-{i // CHATS_PER_COUNSELLOR}")
            client = Client()
            client.force_login(counsellor)
            cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        session, secret = actions.start_chat(
            client=queries.client_hash(f"10.0.{i // 250}.{i % 250}"), language="sr"
        )
        actions.take_chat(actor=counsellor, session=session)
        chats.append((session.pk, secret, cookie))
    return chats


async def one_chat(port, chat, messages, every, delays, failures, opened: list, go: asyncio.Event) -> None:
    import websockets

    chat_id, secret, cookie = chat
    uri = f"ws://127.0.0.1:{port}/ws/chat/"
    origin = f"http://127.0.0.1:{port}"
    async with (
        websockets.connect(uri, origin=origin, open_timeout=60, max_queue=None, ping_interval=None) as child,
        websockets.connect(
            uri, origin=origin, additional_headers={"Cookie": cookie}, open_timeout=60
        ) as staff,
    ):
        await child.send(json.dumps({"type": "hello", "session": chat_id, "token": secret, "since": 10**12}))
        await staff.send(json.dumps({"type": "hello", "session": chat_id, "since": 10**12}))
        for socket in (child, staff):
            first = json.loads(await asyncio.wait_for(socket.recv(), 60))
            if first.get("type") != "state":
                failures.append(f"chat {chat_id}: {first}")
                return
        sent: dict[str, float] = {}
        # Every chat is open before the first word: what is measured is delivery, not the storm
        # of 2 x chats connections opening at once.
        opened.append(chat_id)
        await go.wait()

        async def receive():
            expected = 0
            while expected < messages:
                frame = json.loads(await asyncio.wait_for(staff.recv(), 60))
                if frame.get("type") != "message" or frame.get("sender") != "child":
                    continue
                key = frame.get("client_id", "")
                if key != f"m{expected}":
                    failures.append(f"chat {chat_id}: got {key!r}, expected m{expected}")
                    return
                delays.append(time.perf_counter() - sent[key])
                expected += 1

        receiver = asyncio.create_task(receive())
        await asyncio.sleep(every * random.random())
        for i in range(messages):
            key = f"m{i}"
            sent[key] = time.perf_counter()
            await child.send(
                json.dumps(
                    {"type": "message", "text": f"Poruka {i} iz razgovora {chat_id}", "client_id": key}
                )
            )
            await asyncio.sleep(every * (0.8 + 0.4 * random.random()))
        try:
            await asyncio.wait_for(receiver, 60)
        except TimeoutError:
            failures.append(f"chat {chat_id}: a message did not arrive within 60 s")


async def drive(port: int, chats, messages: int, every: float) -> tuple[list[float], list[str], float]:
    delays: list[float] = []
    failures: list[str] = []
    opened: list[int] = []
    go = asyncio.Event()
    tasks = [
        asyncio.create_task(one_chat(port, chat, messages, every, delays, failures, opened, go))
        for chat in chats
    ]
    deadline = time.perf_counter() + 120
    # Until every chat is open (or has failed to open, which counts as a failure below).
    while len(opened) + sum(t.done() for t in tasks) < len(chats) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    go.set()
    began = time.perf_counter()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    failures += [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    return delays, failures, time.perf_counter() - began


def report(name: str, delays: list[float], failures: list[str], seconds: float, expected: int) -> float:
    p50, p95, p99 = (percentile(delays, q) * 1000 for q in (0.5, 0.95, 0.99))
    print(
        f"  {name:<10} {len(delays):>6}/{expected:<6} {len(delays) / seconds:>7.0f}/s "
        f"{p50:>8.1f} {p95:>8.1f} {p99:>8.1f}   {len(failures)} failures"
    )
    for failure in failures[:5]:
        print(f"    {failure}")
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("-m", "--messages", type=int, default=5, help="messages per chat")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between a chat's messages")
    parser.add_argument("--web", type=int, default=1, help="web processes (more than one: Redis layer)")
    parser.add_argument(
        "--redis", default=os.environ.get("SMARTSAFE_REDIS_URL", ""), help="force a Redis URL"
    )
    args = parser.parse_args()
    chats_n = max(1, min(args.chats, MAX_CHATS))
    messages = max(1, min(args.messages, MAX_MESSAGES))
    every = max(0.05, args.every)
    redis = args.redis or ("redis://127.0.0.1:6379/0" if args.web > 1 else "")
    with tempfile.TemporaryDirectory(prefix="smartsafe-chat-") as tmp_name:
        tmp = Path(tmp_name)
        url, drop = throwaway_database(DATABASE, tmp / "chat.sqlite3")
        env = {
            "SMARTSAFE_DEMO": "1",
            "SMARTSAFE_DATA_DIR": str(tmp / "data"),
            "SMARTSAFE_SECRET_KEY": secrets.token_urlsafe(40),
            "SMARTSAFE_LOG_LEVEL": "WARNING",
            "SMARTSAFE_CHAT_DAYS": "mon,tue,wed,thu,fri,sat,sun",
            "SMARTSAFE_CHAT_OPENS": "00:00",
            "SMARTSAFE_CHAT_CLOSES": "24:00",
            "SMARTSAFE_CLOSED_DAYS": "",
            "SMARTSAFE_CHAT_MESSAGES_PER_MINUTE": "0",
            "SMARTSAFE_DB_POOL_SIZE": "8",
        }
        if redis:
            env["SMARTSAFE_REDIS_URL"] = redis
            env["SMARTSAFE_CHANNELS_PREFIX"] = f"bench-chat-{secrets.token_hex(4)}"
        try:
            platform_env = child_env(url, **env)
            manage(platform_env, "migrate", "--noinput")
            setup_django(url, env)
            chats = make_chats(chats_n)
            from django.db import connections

            connections.close_all()
            engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
            layer = "Redis" if redis else "in-memory"
            print(
                f"chat delivery: {chats_n} chats x {messages} messages (one every {every:g} s), {engine}, "
                f"{args.web} web process(es), "
                f"{layer} layer, {os.cpu_count()} CPUs"
            )
            print(f"  {'':<10} {'delivered':>13} {'rate':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
            expected = chats_n * messages
            with Platform(url, web=args.web, env=env, log_path=tmp / "platform.log") as site:
                platform = report(
                    "platform", *asyncio.run(drive(site.port, chats, messages, every)), expected
                )
            bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bare.chat", "PYTHONPATH": str(ROOT / "bench")}
            with Platform(
                url, web=args.web, env=bare_env, app="bare.chat:application", log_path=tmp / "bare.log"
            ) as site:
                bare = report("bare echo", *asyncio.run(drive(site.port, chats, messages, every)), expected)
            print(f"  p95 ratio platform / bare: {platform / bare:.1f}")
        finally:
            from django.db import connections

            connections.close_all()
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

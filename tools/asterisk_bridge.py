#!/usr/bin/env python3
"""Asterisk → smartsafe: read call events from the Asterisk Manager Interface (AMI) and post them
to ``POST /api/v1/telephony/events`` (docs/telephony.md). Python standard library only.

    AMI_SECRET=… SMARTSAFE_PBX_TOKEN=ss_… python3 tools/asterisk_bridge.py \
        --ami-host 127.0.0.1 --ami-user smartsafe --url https://smartsafe.example.rs --number 19833

Mapping (Asterisk 16+; one call = one ``Linkedid``, the caller's channel is the one whose
``Uniqueid`` equals its ``Linkedid``):

=======================================  ======================================================
AMI event                                smartsafe event
=======================================  ======================================================
``Newchannel`` of the caller's channel    ``ringing`` (``from`` = CallerIDNum, ``to`` = Exten)
dialling the helpline number
``BridgeEnter`` of another channel of     ``answered`` (``extension`` from the channel name,
the same call (the agent's phone)         ``PJSIP/201-00000012`` → 201)
``QueueCallerAbandon``                    ``hung_up`` with ``reason`` = caller_hangup
``Hangup`` of the caller's channel        ``hung_up``; before an answer: Cause 16/32 →
                                          caller_hangup (abandoned), 17 busy, 19/18 no_answer,
                                          21 rejected, else failed (missed)
=======================================  ======================================================

The API is idempotent and tolerates events in any order, so the bridge simply retries a post that
failed (kept in a bounded queue) and may be restarted at any time. It is an example to adapt
(dialplan contexts, queue names, how extensions are named), not a supported daemon.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request

CHANNEL_EXTENSION = re.compile(r"^[A-Za-z0-9]+/([^-@/]+)")
NOT_ANSWERED_REASONS = {"16": "caller_hangup", "32": "caller_hangup", "17": "busy", "18": "no_answer",
                        "19": "no_answer", "21": "rejected"}  # fmt: skip


def read_blocks(stream):
    """AMI messages from a file-like object: dicts of ``Key: Value`` lines, ended by a blank line."""
    block: dict[str, str] = {}
    for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip("\r\n") if isinstance(raw, bytes) else raw.rstrip("\r\n")
        if not line:
            if block:
                yield block
                block = {}
            continue
        key, sep, value = line.partition(":")
        if sep:
            block[key.strip()] = value.strip()
    if block:
        yield block


def event_time(block: dict) -> str | None:
    """``Timestamp`` (manager.conf ``timestampevents = yes``) as ISO 8601, else None (the server
    then uses its own clock)."""
    try:
        return dt.datetime.fromtimestamp(float(block["Timestamp"]), tz=dt.UTC).isoformat()
    except (KeyError, ValueError, OverflowError, OSError):
        return None


class Mapper:
    """Turns AMI events into smartsafe call events. Keeps only what it must: which calls are ours
    and whether they were answered (for the hang-up reason)."""

    def __init__(self, numbers: set[str]):
        self.numbers = numbers
        self.calls: dict[str, bool] = {}  # linkedid → answered

    def map(self, block: dict) -> dict | None:
        name = block.get("Event", "")
        linked = block.get("Linkedid") or block.get("Uniqueid") or ""
        caller_leg = block.get("Uniqueid") == linked
        body = {"call_id": linked}
        at = event_time(block)
        if at:
            body["at"] = at
        if name == "Newchannel" and caller_leg and block.get("Exten") in self.numbers:
            self.calls[linked] = False
            number = block.get("CallerIDNum", "")
            return body | {"event": "ringing", "from": "" if number in ("<unknown>", "") else number,
                           "to": block["Exten"]}  # fmt: skip
        if linked not in self.calls:
            return None  # not a call to the helpline
        if name == "BridgeEnter" and not caller_leg:
            self.calls[linked] = True
            match = CHANNEL_EXTENSION.match(block.get("Channel", ""))
            return body | {"event": "answered", "extension": match.group(1) if match else ""}
        if name == "QueueCallerAbandon":
            return body | {"event": "hung_up", "reason": "caller_hangup"}
        if name == "Hangup" and caller_leg:
            answered = self.calls.pop(linked)
            reason = "" if answered else NOT_ANSWERED_REASONS.get(block.get("Cause", ""), "failed")
            return body | {"event": "hung_up", "reason": reason}
        return None


def post(url: str, token: str, body: dict, timeout: float = 10) -> int:
    request = urllib.request.Request(
        url.rstrip("/") + "/api/v1/telephony/events",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run(args) -> None:
    mapper = Mapper(set(args.number))
    backlog: collections.deque = collections.deque(maxlen=5000)
    with socket.create_connection((args.ami_host, args.ami_port), timeout=None) as conn:
        stream = conn.makefile("rb")
        stream.readline()  # "Asterisk Call Manager/…" greeting
        login = (f"Action: Login\r\nUsername: {args.ami_user}\r\nSecret: {args.ami_secret}\r\n"
                 "Events: call\r\n\r\n")  # fmt: skip
        conn.sendall(login.encode())
        for block in read_blocks(stream):
            if block.get("Response") == "Error":
                sys.exit(f"AMI refused: {block.get('Message', '')}")
            body = mapper.map(block)
            if body is not None:
                backlog.append(body)
            while backlog:
                try:
                    status = post(args.url, args.token, backlog[0])
                except OSError as error:  # smartsafe unreachable: keep the events, try with the next one
                    print(f"post failed ({error}); {len(backlog)} waiting", file=sys.stderr)
                    break
                if status >= 500:
                    break
                if status != 200:  # 4xx: this event will never be accepted; say so and drop it
                    print(f"refused {status}: {backlog[0]}", file=sys.stderr)
                backlog.popleft()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ami-host", default="127.0.0.1")
    parser.add_argument("--ami-port", type=int, default=5038)
    parser.add_argument("--ami-user", default="smartsafe")
    parser.add_argument("--ami-secret", default=os.environ.get("AMI_SECRET", ""))
    parser.add_argument("--url", required=True, help="smartsafe's base URL")
    parser.add_argument(
        "--token", default=os.environ.get("SMARTSAFE_PBX_TOKEN", ""), help="the pbx user's API token"
    )
    parser.add_argument("--number", action="append", default=[], help="helpline number(s) dialled (Exten)")
    args = parser.parse_args(argv)
    args.number = args.number or ["19833"]
    while True:  # reconnect to Asterisk after a restart
        try:
            run(args)
        except OSError as error:
            print(f"AMI connection lost ({error}); reconnecting in 5 s", file=sys.stderr)
        time.sleep(5)


if __name__ == "__main__":
    main()

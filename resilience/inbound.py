"""Scenarios 5-7: what comes in. A reply storm, bad input, and PostgreSQL restarted.

Each runs ``doorstep serve`` (gunicorn) on a throwaway PostgreSQL database and
posts to it as Twilio and Telegram would: signed, on 127.0.0.1, with bounded
counts. Twilio's answer to an inbound SMS is TwiML, so "answered once" is read
off the responses: across every delivery of one MessageSid, exactly one
response carries the replies.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import requests
from markupsafe import escape
from twilio.request_validator import RequestValidator

from bot.flows import FLOWS
from models.tenants import Identity, Tenant
from resilience import injection
from resilience.harness import (
    FICTIONAL_PREFIXES,
    LOG_DIR,
    ROOT,
    TELEGRAM_SECRET,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    Child,
    Database,
    Result,
    admin,
    app_env,
    doorstep_command,
    fictional_number,
    free_port,
    postgres_binaries,
    private_postgres,
    start,
    throwaway_database,
    wait_until,
)
from tests.helpers import csrf_token

SMS_PATH = "/webhooks/twilio/sms"
SCRIPT = ("Hello", "MENU", "1", "2", "marmalade {n}", "HELP", "3", "MENU", "9", "thanks")
# Markers in every body this suite sends, so the logs can be searched for them.
BODY_MARKERS = (
    "marmalade", "QUOKKA", "DROP TABLE", "<script", "onerror",
    "SMSKILL", "TGKILL", "RUN2:", "RUN4:", "FLAKY:", "POISON:",
)  # fmt: skip


# -- the server ----------------------------------------------------------------------


@dataclass
class Server:
    child: Child
    url: str
    db: Database

    def sign(self, path: str, params: dict[str, str]) -> str:
        return str(RequestValidator(TWILIO_TOKEN).compute_signature(self.url + path, params))


def serve(db: Database, workers: int, label: str) -> Server:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = app_env(
        db,
        PUBLIC_URL=url,
        TWILIO_ACCOUNT_SID=TWILIO_SID,
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        TWILIO_FROM_NUMBER=TWILIO_FROM,
        TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
    )
    child = start(
        doorstep_command("serve", "--port", str(port), "--workers", str(workers)), env, label
    )
    server = Server(child, url, db)
    up = wait_until(lambda: _answers(url) or not child.alive(), 60)
    if not (up and child.alive()):
        child.stop()
        raise RuntimeError(f"doorstep serve did not start: see {child.log}")
    return server


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def sms_params(number: str, body: str, sid: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": number,
        "To": TWILIO_FROM,
        "Body": body,
        "NumMedia": "0",
    }


def post_sms(http: requests.Session, server: Server, params: dict[str, str]) -> tuple[int, int]:
    """(status, how many replies the TwiML carries)."""
    response = http.post(
        server.url + SMS_PATH,
        data=params,
        headers={"X-Twilio-Signature": server.sign(SMS_PATH, params)},
        timeout=60,
    )
    return response.status_code, replies_in(response)


def replies_in(response: requests.Response) -> int:
    if response.status_code != 200:
        return 0
    try:
        root = ET.fromstring(response.text)  # noqa: S314 - our own server's TwiML
    except ET.ParseError:
        return -1
    return sum(1 for _ in root.iter("Message"))


@dataclass
class Ledger:
    """Every delivery of every MessageSid: its status and how many replies came back."""

    answers: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sid: str, status: int, replies: int) -> None:
        with self.lock:
            self.answers[sid].append((status, replies))

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for deliveries in self.answers.values():
            for status, _ in deliveries:
                counts[status] += 1
        return dict(counts)

    def answered(self) -> tuple[int, int]:
        """(SIDs no response answered, extra answering responses)."""
        unanswered = extra = 0
        for deliveries in self.answers.values():
            answering = sum(1 for status, replies in deliveries if status == 200 and replies)
            unanswered += answering == 0
            extra += max(0, answering - 1)
        return unanswered, extra


def stored_once(db: Database, ledger: Ledger, result: Result) -> tuple[int, int]:
    """(lost, duplicated) inbound rows; and each stored message's replies match its TwiML."""
    sids = list(ledger.answers)
    rows = db.rows(
        "SELECT i.provider_id, count(DISTINCT i.id), count(o.id) FROM inbound_messages i "
        "LEFT JOIN outbound_messages o ON o.in_reply_to = i.id "
        "WHERE i.channel = 'sms' GROUP BY i.provider_id"
    )
    stored = {sid: (inbound, replies) for sid, inbound, replies in rows}
    lost = sum(1 for sid in sids if sid not in stored)
    duplicated = sum(max(0, stored[sid][0] - 1) for sid in sids if sid in stored)
    mismatched = []
    for sid in sids:
        answering = [r for status, r in ledger.answers[sid] if status == 200 and r]
        if sid in stored and answering and stored[sid][1] != answering[0]:
            mismatched.append(sid)
    result.check(not mismatched, f"{len(mismatched)} messages' stored replies differ from TwiML")
    return lost, duplicated


def stuck_conversations(db: Database) -> list[str]:
    """Conversations parked on a flow or question that no longer exists."""
    stuck = []
    for flow, state in db.rows("SELECT flow, state FROM conversations"):
        known = FLOWS.get(flow)
        if known is None or state not in known.questions:
            stuck.append(f"{flow}/{state}")
    return stuck


def probe_every_conversation(server: Server, ledger: Ledger, result: Result) -> int:
    """MENU from every number still mid-conversation: each must be answered."""
    numbers = [
        n
        for (n,) in server.db.rows(
            "SELECT i.address FROM conversations c JOIN identities i "
            "ON i.tenant_id = c.tenant_id AND i.channel = 'sms'"
        )
    ]
    http = requests.Session()
    silent = 0
    for n, number in enumerate(numbers):
        sid = f"SMprobe{n:025d}"
        status, replies = post_sms(http, server, sms_params(number, "MENU", sid))
        silent += status != 200 or replies == 0
    result.check(
        silent == 0, f"{silent} of {len(numbers)} mid-conversation numbers left unanswered"
    )
    return len(numbers)


# -- 5. the reply storm ----------------------------------------------------------------


def reply_storm(quick: bool) -> Result:
    numbers_count = 200 if quick else 2000
    per_number = len(SCRIPT)
    result = Result(
        "5 reply storm (gunicorn x3)",
        load=f"{numbers_count * per_number} signed SMS from {numbers_count} numbers",
        faults="10% re-sent with the same MessageSid (half of them racing the original)",
    )
    chooser = random.Random(11)  # noqa: S311 - a repeatable pick
    with throwaway_database() as db:
        server = serve(db, 3, "s5-serve")
        ledger = Ledger()
        try:
            plans = []
            for n in range(numbers_count):
                number = fictional_number(n + 1)
                messages = []
                for step, body in enumerate(SCRIPT):
                    sid = f"SM{n:08d}{step:04d}{'0' * 20}"
                    repeat = chooser.random() < 0.10
                    racing = repeat and chooser.random() < 0.5
                    messages.append((sms_params(number, body.format(n=n), sid), repeat, racing))
                plans.append(messages)
            began = time.monotonic()
            with ThreadPoolExecutor(max_workers=24) as pool:
                list(pool.map(lambda plan: _text_in_turn(server, plan, ledger), plans))
            took = time.monotonic() - began
            sent = sum(len(v) for v in ledger.answers.values())
            result.notes.append(f"{sent} requests in {took:.0f}s ({sent / took:.0f}/s)")
            statuses = ledger.statuses()
            result.check(set(statuses) == {200}, f"answers other than 200: {statuses}")
            lost, duplicated = stored_once(db, ledger, result)
            unanswered, extra = ledger.answered()
            result.check(unanswered == 0, f"{unanswered} messages got no reply")
            result.check(extra == 0, f"{extra} messages answered more than once")
            stuck = stuck_conversations(db)
            result.check(not stuck, f"conversations in unknown states: {stuck[:5]}")
            probed = probe_every_conversation(server, ledger, result)
            result.notes.append(f"{probed} numbers mid-conversation afterwards: all answered MENU")
            result.lost, result.duplicated = lost + unanswered, duplicated + extra
        finally:
            server.child.stop()
    return result


def _text_in_turn(
    server: Server, plan: list[tuple[dict[str, str], bool, bool]], ledger: Ledger
) -> None:
    """One phone: its texts in order; a repeat goes at once (racing) or after the answer."""
    http = requests.Session()
    for params, repeat, racing in plan:
        sid = params["MessageSid"]
        racer = None
        if racing:
            racer = threading.Thread(
                target=lambda p=params, s=sid: ledger.add(s, *_post(server, p))
            )
            racer.start()
        ledger.add(sid, *post_sms(http, server, params))
        if racer is not None:
            racer.join()
        elif repeat:
            ledger.add(sid, *post_sms(http, server, params))


def _post(server: Server, params: dict[str, str]) -> tuple[int, int]:
    with requests.Session() as http:
        return post_sms(http, server, params)


# -- 6. bad input ----------------------------------------------------------------------


def bad_input(quick: bool) -> Result:
    result = Result("6 bad input", load="one server, one registered tenant", faults="-")
    with throwaway_database() as db:
        server = serve(db, 2, "s6-serve")
        try:
            tried = _malformed(server, result)
            _replayed(server, result)
            browser, token = _officer(server)
            injected = _injections_escaped(server, browser, result)
            api = injection.every_api_field(server.url, db, browser, token, result)
            generated = _generated_inputs(result)
            result.bad_inputs = (
                f"{tried} malformed/oversized bodies, 1 request replayed x5, "
                f"{injected} SQL/HTML injection SMS, {api.sent} injection strings "
                f"({len(injection.PAYLOADS)} kinds) into {api.fields} string fields of "
                f"{api.operations} API operations ({api.stored} stored, checked escaped), "
                f"{generated}"
            )
            result.notes.append(f"API answers to injection: {dict(sorted(api.statuses.items()))}")
        finally:
            server.child.stop()
    leaks = scan_logs()
    result.check(not leaks, f"numbers or bodies in the logs: {leaks[:5]}")
    result.notes.append(
        f"logs of every process this run started scanned for numbers and bodies: {len(leaks)} hits"
    )
    return result


GENERATED = ("tests/bot/test_engine_state_machine.py", "tests/staff/test_api_schemathesis.py")


def _generated_inputs(result: Result) -> str:
    """The generated attacks: hypothesis's state machine over the engine (random input in
    every state of every flow) and schemathesis over every operation of the OpenAPI
    document, run as the test suite runs them, on SQLite."""
    run = subprocess.run(  # noqa: S603 - our own interpreter and test files
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-k",
            "not postgresql",
            *GENERATED,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "no output"
    result.check(run.returncode == 0, f"generated inputs: {summary}")
    passed = re.search(r"(\d+) passed", summary)
    return (
        f"hypothesis engine state machine + schemathesis: {passed[1] if passed else 0} tests passed"
    )


def _malformed(server: Server, result: Result) -> int:
    """Bodies no provider would send: each must get a 4xx (or be stored cleanly), never a 5xx."""
    number = fictional_number(901)
    good = sms_params(number, "QUOKKA hello", "SMbad" + "0" * 29)
    twilio_cases: list[tuple[str, dict[str, str] | bytes, bool, str]] = [
        ("no signature", good, False, ""),
        ("missing MessageSid", {k: v for k, v in good.items() if k != "MessageSid"}, True, ""),
        ("missing From", {k: v for k, v in good.items() if k != "From"}, True, ""),
        ("200-char MessageSid", {**good, "MessageSid": "SM" + "9" * 198}, True, ""),
        (
            "NUL in body",
            {**good, "MessageSid": "SMnul" + "0" * 29, "Body": "QUOKKA\x00x"},
            True,
            "",
        ),
        (
            "100 kB body",
            {**good, "MessageSid": "SMbig" + "0" * 29, "Body": "QUOKKA" * 17000},
            True,
            "",
        ),
        (
            "NumMedia nonsense",
            {**good, "MessageSid": "SMnm" + "0" * 30, "NumMedia": "-9e99"},
            True,
            "",
        ),
        (
            "From not a number",
            {**good, "MessageSid": "SMfr" + "0" * 30, "From": "<b>x</b>'--"},
            True,
            "",
        ),
        (
            "RTL override, emoji",
            {**good, "MessageSid": "SMsu" + "0" * 30, "Body": "QUOKKA \u202e\U0001f600"},
            True,
            "",
        ),
    ]
    problems = []
    http = requests.Session()
    for label, params, signed, _ in twilio_cases:
        assert isinstance(params, dict)
        headers = {"X-Twilio-Signature": server.sign(SMS_PATH, params) if signed else ""}
        status = http.post(
            server.url + SMS_PATH, data=params, headers=headers, timeout=30
        ).status_code
        if status >= 500:
            problems.append(f"twilio {label}: {status}")
    raw_cases = [
        (
            "not UTF-8",
            b"MessageSid=SMx&From=%FF%FE&Body=%C3%28",
            "application/x-www-form-urlencoded",
        ),
        ("JSON to the SMS hook", b'{"MessageSid": 1}', "application/json"),
        ("2 MB form", b"Body=" + b"A" * (2 * 1024 * 1024), "application/x-www-form-urlencoded"),
    ]
    for label, body, kind in raw_cases:
        status = http.post(
            server.url + SMS_PATH, data=body, headers={"Content-Type": kind}, timeout=30
        ).status_code
        if status >= 500 or status < 400:
            problems.append(f"twilio {label}: {status}")
    status_hook = "/webhooks/twilio/status"
    for label, params in (
        ("status without fields", {"ref": "1"}),
        ("status for nobody", {"MessageSid": "SMnobody", "MessageStatus": "delivered'; --"}),
    ):
        headers = {"X-Twilio-Signature": server.sign(status_hook, params)}
        status = http.post(
            server.url + status_hook, data=params, headers=headers, timeout=30
        ).status_code
        if status >= 500:
            problems.append(f"twilio {label}: {status}")
    deep = "[" * 100_000 + "]" * 100_000
    telegram_cases: list[tuple[str, bytes | str, dict[str, str]]] = [
        ("no secret", "{}", {}),
        ("not JSON", "{{{", {}),
        ("a JSON list", "[1, 2]", {}),
        ("deeply nested", deep, {}),
        ("update_id a string", json.dumps({"update_id": "x", "message": {}}), {}),
        ("huge update_id", json.dumps({"update_id": 10**80}), {}),
        (
            "text a number",
            json.dumps({"update_id": 5, "message": {"message_id": 1, "date": 0,
                        "chat": {"id": 9, "type": "private"}, "text": 12}}),
            {},
        ),
        (
            "chat id a string",
            json.dumps({"update_id": 6, "message": {"message_id": 1, "date": 0,
                        "chat": {"id": "abc", "type": "private"}, "text": "QUOKKA"}}),
            {},
        ),
        ("2 MB JSON", json.dumps({"update_id": 7, "pad": "A" * (2 * 1024 * 1024)}), {}),
        ("not UTF-8", b'{"update_id": 8, "x": "\xff"}', {}),
    ]  # fmt: skip
    for label, payload, _ in telegram_cases:
        secret = "" if label == "no secret" else TELEGRAM_SECRET
        status = http.post(
            server.url + "/webhooks/telegram",
            data=payload if isinstance(payload, bytes) else payload.encode(),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": secret,
            },
            timeout=30,
        ).status_code
        if status >= 500:
            problems.append(f"telegram {label}: {status}")
    for problem in problems:
        result.problems.append(f"5xx for bad input: {problem}")
    return len(twilio_cases) + len(raw_cases) + 2 + len(telegram_cases)


def _replayed(server: Server, result: Result) -> None:
    """The same signed request five times (a replay): stored once, answered once."""
    params = sms_params(fictional_number(902), "Hello", "SMreplay" + "0" * 26)
    ledger = Ledger()
    http = requests.Session()
    for _ in range(5):
        ledger.add(params["MessageSid"], *post_sms(http, server, params))
    lost, duplicated = stored_once(server.db, ledger, result)
    unanswered, extra = ledger.answered()
    result.check(lost == 0 and duplicated == 0, f"replay stored {1 - lost + duplicated} times")
    result.check(unanswered == 0 and extra == 0, f"replay answered {1 - unanswered + extra} times")
    result.lost, result.duplicated = lost + unanswered, duplicated + extra


INJECTIONS = (
    "QUOKKA'; DROP TABLE tenants; --",
    'QUOKKA" OR 1=1; DELETE FROM inbound_messages; --',
    "QUOKKA <script>alert('x')</script>",
    "QUOKKA <img src=x onerror=alert(1)>",
    'QUOKKA "><svg/onload=alert(1)>',
    "QUOKKA {{ 7*7 }} {% raw %}",
)


def _injections_escaped(server: Server, browser: requests.Session, result: Result) -> int:
    """Injection strings from a registered tenant land in the inbox, shown escaped."""
    number = fictional_number(903)
    with server.db.sessions.begin() as session:
        tenant = Tenant(name="Inbox tester", phone=number, registered=True)
        tenant.identities.append(Identity(channel="sms", address=number))
        session.add(tenant)
    http = requests.Session()
    for n, body in enumerate(INJECTIONS):
        status, _ = post_sms(http, server, sms_params(number, body, f"SMinj{n:029d}"))
        result.check(status == 200, f"injection SMS {n} got {status}")
    tables = server.db.scalar("SELECT count(*) FROM tenants")
    result.check(tables >= 1, "the tenants table lost rows")
    page = browser.get(server.url + "/staff/inbox/", timeout=30).text
    for body in INJECTIONS:
        result.check(body not in page or body == str(escape(body)), f"shown raw: {body!r}")
        result.check(str(escape(body)) in page, f"not shown (escaped) in the inbox: {body!r}")
    return len(INJECTIONS)


def _officer(server: Server) -> tuple[requests.Session, str]:
    """An officer made by ``doorstep staff add``: a console session and their API token."""
    email = "resilience-officer@example.org"
    added = start(
        doorstep_command("staff", "add", email, "--role", "officer", "--generate-password"),
        app_env(server.db),
        "s6-staff-add",
    )
    added.process.wait(timeout=60)
    output = added.log.read_text()
    password = re.search(r"^password: (\S+)$", output, re.MULTILINE)
    api_token = re.search(r"^API token \(shown once\): (\S+)$", output, re.MULTILINE)
    if password is None or api_token is None:
        raise RuntimeError(f"doorstep staff add printed no password or token: {added.log}")
    browser = requests.Session()
    form_token = csrf_token(browser.get(server.url + "/staff/login", timeout=30).text)
    signed_in = browser.post(
        server.url + "/staff/login",
        data={"email": email, "password": password[1], "csrf_token": form_token},
        allow_redirects=False,
        timeout=30,
    )
    if signed_in.status_code != 302:
        raise RuntimeError(f"could not sign in: {signed_in.status_code}")
    _set_up_authenticator(server, browser)
    added.log.write_text("(password and token removed)\n")
    return browser, api_token[1]


def _set_up_authenticator(server: Server, browser: requests.Session) -> None:
    """The second step a new officer takes: add the key to an app, type the code it shows."""
    page = browser.get(server.url + "/staff/login", timeout=30).text
    key = re.search(r'id="secret">([A-Z2-7 ]+)<', page)
    if key is None:
        raise RuntimeError("the sign-in did not offer to set up an authenticator app")
    code = pyotp.TOTP(key[1].replace(" ", "")).now()
    enrolled = browser.post(
        server.url + "/staff/login/enrol",
        data={"code": code, "csrf_token": csrf_token(page)},
        allow_redirects=False,
        timeout=30,
    )
    if enrolled.status_code != 201:
        raise RuntimeError(f"could not set up the authenticator app: {enrolled.status_code}")


def scan_logs() -> list[str]:
    """Phone numbers (any usual spelling) and message bodies in any log this run made."""
    prefixes = [p.removeprefix("+44") for p in FICTIONAL_PREFIXES]
    number = re.compile("|".join(rf"{p[:4]}[\s-]?{p[4:]}[\s-]?\d{{3}}" for p in prefixes))
    hits = []
    for log in sorted(Path(LOG_DIR).glob("*.log")):
        text = log.read_text(errors="replace")
        for found in number.finditer(text):
            hits.append(f"{log.name}: number {found[0]}")
        for marker in BODY_MARKERS:
            if marker in text:
                hits.append(f"{log.name}: body marker {marker!r}")
    return hits


# -- 7. the database going away ----------------------------------------------------------


def database_outage(quick: bool) -> Result:
    """A real PostgreSQL of our own restarted under load; the stand-in if we cannot run one."""
    numbers_count = 30 if quick else 60
    per_number = 8
    real = postgres_binaries() is not None
    result = Result(
        "7 PostgreSQL restarted mid-stream" if real else "7 database outage (stand-in)",
        load=f"{numbers_count * per_number} signed SMS from {numbers_count} numbers",
        faults=(
            "pg_ctl stop -m fast, down 3s, pg_ctl start, mid-stream"
            if real
            else "connections refused + every backend terminated for 3s, mid-stream"
        ),
    )
    with contextlib.ExitStack() as stack:
        fault: Callable[[], str]
        if real:
            postgres = stack.enter_context(private_postgres())
            db = postgres.db
            fault = lambda: f"server away {postgres.restart(3):.1f}s (stop, 3s, start)"  # noqa: E731
        else:
            result.notes.append(
                "initdb/pg_ctl not found: stand-in on the shared server "
                "(ALLOW_CONNECTIONS false + pg_terminate_backend for 3s), no real restart"
            )
            db = stack.enter_context(throwaway_database())
            fault = lambda: _refuse_connections(db, 3)  # noqa: E731
        _webhooks_through(fault, db, numbers_count, per_number, result)
    return result


def _webhooks_through(
    fault: Callable[[], str], db: Database, numbers_count: int, per_number: int, result: Result
) -> None:
    """Texts arrive (retried on 5xx as Twilio does) while ``fault`` runs mid-stream; then the
    checks: only 200/503, stored once, none stored without its replies, each answered once."""
    server = serve(db, 2, "s7-serve")
    ledger = Ledger()
    progress = threading.Semaphore(0)
    try:
        outage = threading.Thread(target=_outage, args=(fault, progress, numbers_count * 2, result))
        outage.start()
        with ThreadPoolExecutor(max_workers=12) as pool:
            list(
                pool.map(
                    lambda n: _text_until_taken(server, n, per_number, ledger, progress),
                    range(numbers_count),
                )
            )
        outage.join()
    finally:
        server.child.stop()
    statuses = ledger.statuses()
    result.notes.append(f"answers during the run: {statuses}")
    result.check(503 in statuses, "the outage never showed: no 503 seen")
    result.check(set(statuses) <= {200, 503}, f"answers other than 200 and 503: {statuses}")
    lost, duplicated = stored_once(db, ledger, result)
    unanswered, extra = ledger.answered()
    half = db.scalar(
        "SELECT count(*) FROM inbound_messages i WHERE NOT EXISTS "
        "(SELECT 1 FROM outbound_messages o WHERE o.in_reply_to = i.id)"
    )
    result.check(half == 0, f"{half} messages stored without their replies")
    result.check(unanswered == 0, f"{unanswered} messages never answered")
    result.check(extra == 0, f"{extra} messages answered twice")
    result.lost, result.duplicated = lost + unanswered, duplicated + extra


def _outage(
    fault: Callable[[], str], progress: threading.Semaphore, after: int, result: Result
) -> None:
    for _ in range(after):
        progress.acquire(timeout=30)
    try:
        result.notes.append(fault())
    except Exception as exc:  # a failed scenario, not a dead thread; the texts keep retrying
        result.problems.append(f"the fault itself failed: {exc!r}")


def _refuse_connections(db: Database, seconds: float) -> str:
    """The stand-in: the shared server refuses this database and drops its sessions."""
    admin(f'ALTER DATABASE "{db.name}" WITH ALLOW_CONNECTIONS false')
    try:
        admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 - our own name
            f"WHERE datname = '{db.name}' AND pid <> pg_backend_pid()"
        )
        time.sleep(seconds)
    finally:
        admin(f'ALTER DATABASE "{db.name}" WITH ALLOW_CONNECTIONS true')
    return f"connections refused for {seconds:.0f}s"


def _text_until_taken(
    server: Server, n: int, count: int, ledger: Ledger, progress: threading.Semaphore
) -> None:
    """As Twilio does: a message answered with 5xx (or no answer) is sent again."""
    http = requests.Session()
    number = fictional_number(1500 + n)
    for step in range(count):
        params = sms_params(
            number, SCRIPT[step % len(SCRIPT)].format(n=n), f"SMout{n:06d}{step:023d}"
        )
        for _ in range(200):
            try:
                status, replies = post_sms(http, server, params)
            except requests.RequestException:
                status, replies = 599, 0
            ledger.add(params["MessageSid"], status, replies)
            progress.release()
            if status < 500:
                break
            time.sleep(0.1)

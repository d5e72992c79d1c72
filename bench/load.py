"""Page latency under concurrency on gunicorn (DESIGN §5: dashboard and worklist p95 ≤ 300 ms
with 20,000 enterprises / 1,000,000 items and 20 concurrent users).

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/load.py [--check]
        [--enterprises 20000] [--items 1000000] [--users 20] [--seconds 60]
        [--workers 4] [--threads 1] [--day]

Builds 20,000 enterprises in ten townships of three task groups through the ORM, 50 monthly
items each in one SQL statement (all overdue), a payment this month for every fifth
enterprise, every account (arrears.balances) and the townships' balances
(reports.balances), 400 cases spread over the stages and assigned to the caseworkers of the
enterprise's group, and the users: a 专班领导, a 工作组组长 leading each group, two caseworkers
(经办人员) in each group.

Then it serves the site with gunicorn on a free loopback port (config.settings, DEBUG=0; the
bench plays the office's TLS proxy by sending X-Forwarded-Proto: https) and runs locust as a
library in a child process. Baseline first: one user alone requests each page, one request
at a time (the first request of each page, a cold dashboard cache among them, is reported
apart). Then the load: `--users` locust users log in (session, CSRF token from the login
form) and request pages back to back, without think time — the task force leaders the
county dashboard, the group leaders their group's dashboard and 今日待办, the caseworkers
今日待办, the arrears overview, the case list and the enterprise register. As a browser does,
a 今日待办 that loads the user's own figures once shown (htmx) is followed by that request,
reported on its own line. Logins and a short warm-up (every worker fills its caches) are not
measured; then every request for `--seconds` is: count, median, p95, max and errors per page.

`--day` (issue: 40 users for 10 minutes, its defaults; p95 ≤ 1 s, no error) plays an office's
day instead: each user reads a page 1–5 s before the next, leaders also read the arrears
overview, group leaders the case list, and caseworkers the 文书 list, a fee question in the
calculator and the ledger of one of their enterprises, on which they then record a payment —
form, preview, confirmation: a write that locks the enterprise and replays its items. At the
end every user finishes the page it is on; then the payments the run confirmed and those in
the ledger must be the same, by reference, each once, and the ledgers it touched must equal a
replay of their history (arrears.verify, as `verify_ledger`).

`--check` runs 500 enterprises, 20,000 items, 5 users for 5 seconds, checks that no request
failed, every page was requested and (with `--day`) the payments check out, and writes no
figures.
"""

import argparse
import contextlib
import ctypes
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from common import ROOT, create_enterprises, insert_select, record, require, setup_django, stamp

FULL_ENTERPRISES, CHECK_ENTERPRISES = 20_000, 500
FULL_ITEMS, CHECK_ITEMS = 1_000_000, 20_000
FULL_USERS, CHECK_USERS = 20, 5
FULL_SECONDS, CHECK_SECONDS = 60, 5
# `--day`: the office day, 40 users for 10 minutes.
DAY_USERS, DAY_SECONDS = 40, 600
FULL_WARMUP, CHECK_WARMUP = 10, 1
FULL_BASELINE, CHECK_BASELINE = 20, 3
CASES = 400
TOWNSHIPS, GROUPS, CASEWORKERS_PER_GROUP = 10, 3, 2
# The server as production runs it (docker-compose.yml: 4 sync workers). Measured on 2026-12-06
# on 2 cores: 4 sync workers 76–80 requests a second, worklist p95 290–304 ms; 2 gthread
# workers × 4 threads 72–73 a second, p95 420–469 ms — locust keeps each user's connection
# open, and gthread serves it on the worker that accepted it, so the two workers' loads differ.
# Earlier figures in docs/benchmarks.md were taken with `--workers 2 --threads 4`.
DEFAULT_WORKERS, DEFAULT_THREADS = 4, 1
TARGET_MS = 300
TARGET_PAGES = ("dashboard", "worklist")
PASSWORD = "Bench-load-2026"

PAGES = {
    "dashboard": "/dashboard/",
    "worklist": "/cases/today/",
    # What 今日待办 loads once it is shown (htmx, hx-trigger="load"): a caseworker's own
    # figures. A browser requests it after every 今日待办 of a user who holds cases.
    "mine": "/dashboard/mine/",
    "overview": "/arrears/",
    "cases": "/cases/",
    "register": "/enterprises/",
    "documents": "/notices/",
    # A fee question answered: 12,345.67 yuan due on 15 March 2025, paid today.
    "calculator": "/arrears/calculator/?principal=12345.67&due_date=2025-03-15&as_of={today}",
    # An enterprise of the caseworker's townships (the next one each time): its ledger, and a
    # payment entered, previewed and confirmed (a write: the enterprise's row is locked and
    # its items replayed, arrears.services.payment_post).
    "ledger": "/arrears/enterprise/{enterprise}/",
    "payment_form": "/arrears/enterprise/{enterprise}/payments/new/",
    "payment_preview": "/arrears/enterprise/{enterprise}/payments/new/",
    "payment": "/arrears/enterprise/{enterprise}/payments/new/",
}
PAGE_TITLES = {
    "dashboard": "dashboard `/dashboard/`",
    "worklist": "今日待办 `/cases/today/`",
    "mine": "今日待办's own figures, loaded after it `/dashboard/mine/`",
    "overview": "arrears overview `/arrears/`",
    "cases": "case list `/cases/`",
    "register": "enterprise register `/enterprises/`",
    "documents": "文书 list `/notices/`",
    "calculator": "滞纳金试算 `/arrears/calculator/?…`",
    "ledger": "an enterprise's ledger `/arrears/enterprise/<id>/`",
    "payment_form": "登记缴款, form `GET …/payments/new/`",
    "payment_preview": "登记缴款, preview `POST …/payments/new/`",
    "payment": "登记缴款, confirm (written) `POST …/payments/new/`",
}
# Requests that are part of another page's (the page they are part of): never requested on their
# own, and required in `--check` when that page is.
PART_OF = {"payment_form": "payment", "payment_preview": "payment", "mine": "worklist"}
# Who requests what under load, and how many of the users each role gets (locust weights).
ROLE_PAGES = {
    "leader": ("dashboard",),
    "group_leader": ("dashboard", "worklist"),
    "caseworker": ("worklist", "overview", "cases", "register"),
}
ROLE_WEIGHTS = {"leader": 1, "group_leader": 1, "caseworker": 3}
# `--day`: an office's day rather than a stress test. People read a page before the next
# (1 to 5 s), caseworkers also open the 文书 list, answer a fee question with the calculator,
# open an enterprise's ledger and record a payment on it; leaders read the arrears overview.
# The target is p95 ≤ 1 s on every page with no error.
DAY_ROLE_PAGES = {
    "leader": ("dashboard", "overview"),
    "group_leader": ("dashboard", "worklist", "cases"),
    "caseworker": (
        "worklist",
        "overview",
        "ledger",
        "payment",
        "cases",
        "register",
        "documents",
        "calculator",
    ),
}
# Enterprises of each caseworker's townships the day's ledgers and payments go to.
DAY_ENTERPRISES_PER_CASEWORKER = 200
DAY_THINK_SECONDS = (1, 5)
# How long the users are given at the end to finish the page they are on.
STOP_SECONDS = 30
DAY_TARGET_MS = 1000
ROLE_NAMES = {"leader": "专班领导", "group_leader": "工作组组长", "caseworker": "经办人员"}
# The TLS proxy in front of gunicorn tells Django the request came over HTTPS: no redirect,
# and the secure session and CSRF cookies are what a browser would get.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


# --- data ------------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def build(enterprises: int, items: int, as_of: date) -> dict:
    """The county; returns the accounts to log in with, by role, and the enterprises each
    caseworker's ledgers and payments go to."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection

    from arrears.balances import balances_refresh
    from arrears.models import Allocation, LedgerItem, Payment
    from arrears.policy import current_policy, due_date_for
    from core import roles
    from core.models import User
    from enforcement.models import Case
    from enforcement.stages import Stage
    from enterprises.models import Enterprise, Region, TaskGroup
    from reports.balances import region_balances_refresh

    per_enterprise = max(1, items // enterprises)
    create_enterprises(enterprises)
    groups = [TaskGroup.objects.create(name=f"基准第{n}组") for n in range(1, GROUPS + 1)]
    regions = [
        Region.objects.create(name=f"基准{n}镇", code=f"1{n:08d}", task_group=groups[n % GROUPS])
        for n in range(TOWNSHIPS)
    ]
    table = Enterprise._meta.db_table
    with connection.cursor() as cursor:
        for n, region in enumerate(regions):
            cursor.execute(
                f'UPDATE "{table}" SET region_id = %s WHERE id %% %s = %s',
                [region.pk, TOWNSHIPS, n],
            )
    # The newest period two months back: every item is past its due date today.
    newest = months_before(as_of, 2)
    # Each period with its due date as the policy sets it (moved off rest days): what a replay
    # derives (arrears.verify), so that the ledgers the day's payments touch check out.
    policy = current_policy()
    periods = [months_before(newest, per_enterprise - 1 - m) for m in range(per_enterprise)]
    insert_select(
        LedgerItem,
        {
            "enterprise_id": "e.id",
            "insurance_type": "'pension'",
            "period": "p.period",
            "unit_amount": "round((500 + (e.id * 37 + p.m * 11) %% 4000)::numeric, 2)",
            "individual_amount": "round((250 + (e.id * 13 + p.m) %% 2000)::numeric, 2)",
            "due_date": "p.due",
        },
        f'"{table}" e CROSS JOIN (VALUES '
        + ", ".join(["(%s, %s::date, %s::date)"] * per_enterprise)
        + ") AS p(m, period, due)",
        [
            value
            for m, period in enumerate(periods)
            for value in (m, period, due_date_for(period, policy))
        ],
    )
    # A payment this month for every fifth enterprise, settling its newest item.
    items_table = LedgerItem._meta.db_table
    paid = f"i.period = DATE '{newest.isoformat()}' AND i.enterprise_id %% 5 = 0"
    insert_select(
        Payment,
        {
            "enterprise_id": "i.enterprise_id",
            "insurance_type": "'pension'",
            "amount": "i.unit_amount + i.individual_amount",
            "paid_on": f"DATE '{as_of.isoformat()}' - (i.enterprise_id %% {as_of.day})::int",
            "method": "(ARRAY['self', 'bank_transfer', 'court', 'other'])[(1 + i.enterprise_id %% 4)::int]",
            "external_ref": "'BENCH-' || i.id",
            "note": "''",
            "reversal_reason": "''",
        },
        f'"{items_table}" i WHERE {paid}',
        [],
    )
    insert_select(
        Allocation,
        {
            "payment_id": "p.id",
            "item_id": "i.id",
            "principal_amount": "p.amount",
            "fee_amount": "0",
        },
        f'"{Payment._meta.db_table}" p JOIN "{items_table}" i ON i.enterprise_id = p.enterprise_id '
        f"AND i.period = DATE '{newest.isoformat()}'",
        [],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{items_table}" i SET principal_paid = i.unit_amount + i.individual_amount '
            f"WHERE {paid.replace('%%', '%')}"
        )
    balances_refresh(as_of=as_of, lo=0, hi=2**31 - 1)
    region_balances_refresh(as_of=as_of)

    # Users: one hash for all (PBKDF2 costs a good part of a second each).
    hashed = make_password(PASSWORD)
    role_group = {name: Group.objects.get(name=name) for name in roles.ROLES}

    def user(username: str, full_name: str, role: str) -> User:
        account = User.objects.create(username=username, full_name=full_name, password=hashed)
        account.groups.add(role_group[role])
        return account

    accounts = {"leader": ["bench_lingdao"], "group_leader": [], "caseworker": []}
    user("bench_lingdao", "基准领导", roles.TASKFORCE_LEADER)
    caseworkers_of, enterprises_of = {}, {}
    for n, group in enumerate(groups, start=1):
        group.leader = user(f"bench_zuzhang{n}", f"基准组长{n}", roles.GROUP_LEADER)
        group.save()
        members = [
            user(f"bench_jingban{n}_{k}", f"基准经办{n}-{k}", roles.CASEWORKER)
            for k in range(1, CASEWORKERS_PER_GROUP + 1)
        ]
        group.members.set(members)
        caseworkers_of[group.pk] = members
        accounts["group_leader"].append(group.leader.username)
        accounts["caseworker"].extend(m.username for m in members)
        # The day's ledgers and payments: each caseworker their own enterprises of the group.
        theirs = list(
            Enterprise.objects.filter(region__task_group=group)
            .order_by("pk")
            .values_list("pk", flat=True)[: CASEWORKERS_PER_GROUP * DAY_ENTERPRISES_PER_CASEWORKER]
        )
        for k, member in enumerate(members):
            enterprises_of[member.username] = theirs[k::CASEWORKERS_PER_GROUP]

    # Cases: evenly over the enterprises and the open stages, each with a caseworker of the
    # enterprise's group; tracking cases due for review today, so the worklist shows them.
    stages = [s for s in Stage.values if s != Stage.CLOSED]
    group_of = dict(Region.objects.values_list("pk", "task_group_id"))
    count = min(CASES, enterprises // 5)
    step = max(1, enterprises // count)
    # Every step-th enterprise, one further each time: townships go by id modulo TOWNSHIPS,
    # and a plain stride that is a multiple of it would put every case in one township.
    everyone = list(Enterprise.objects.order_by("pk").values_list("pk", "region_id"))
    chosen = [everyone[(n * step + n) % len(everyone)] for n in range(count)]
    cases = []
    for n, (pk, region_id) in enumerate(chosen):
        group_id = group_of[region_id]
        stage = stages[n % len(stages)]
        cases.append(
            Case(
                enterprise_id=pk,
                stage=stage,
                assigned_to=caseworkers_of[group_id][n % CASEWORKERS_PER_GROUP],
                task_group_id=group_id,
                principal_at_opening=0,
                fee_at_opening=0,
                year=as_of.year,
                number=n + 1,
                number_text=f"基准〔{as_of.year}〕{n + 1}号",
                review_due=as_of - timedelta(days=n % 7) if stage == Stage.TRACKING else None,
            )
        )
    Case.objects.bulk_create(cases)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "enterprises": enterprises,
        "items": LedgerItem.objects.count(),
        "payments": Payment.objects.count(),
        "cases": len(cases),
        "accounts": accounts,
        "enterprises_of": enterprises_of,
    }


def forget_cached_dashboards() -> None:
    """A dashboard cached in a shared Redis by an earlier run (of another size, on another
    database with the same region ids) would be served for minutes: drop those entries."""
    if not os.environ.get("REDIS_URL"):
        return  # the cache lives in each gunicorn worker and starts empty
    import redis
    from django.core.cache import cache

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        for key in client.scan_iter(match=cache.make_key("dashboard:*"), count=1000):
            client.delete(key)
    finally:
        client.close()


# --- the server ------------------------------------------------------------------------------


def start_gunicorn(workers: int, threads: int, log) -> tuple[subprocess.Popen, str]:
    """gunicorn on a loopback port that is free because this process holds it: the socket is
    bound here and handed over (fd://), so nothing can take the port in between."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        # The load is about pages; a second factor costs one check at login, not per page,
        # and the simulated leaders hold no authenticator.
        "OTP_REQUIRED": "0",
        # The simulated users share accounts (20 users on the 10 accounts, and the baseline's
        # sessions beside them): one session per account would end all but the last login of
        # each, and their pages would be redirects to the login. The check reads nothing more
        # per page either way (core.middleware.LoginStepsMiddleware).
        "SINGLE_SESSION": "0",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        # As production runs it (docker-compose.yml): the worker's hook of config/gunicorn.py.
        "--config",
        "python:config.gunicorn",
        "--bind",
        f"fd://{listener.fileno()}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    try:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=own_group_dying_with_us,
        )
    finally:
        listener.close()
    url = f"http://127.0.0.1:{port}"
    return server, url


def wait_until_serving(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
        request = urllib.request.Request(url + "/login/", headers=PROXY_HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer within 60 s:\n{log_path.read_text()[-3000:]}")


def own_group_dying_with_us() -> None:
    """In a child before exec: its own process group (stopped whole by `stop`), and a SIGTERM
    when this script dies without its finally — killed by a timeout, say — so no gunicorn is
    left serving."""
    os.setsid()
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)


def stop(process: subprocess.Popen | None) -> None:
    """Stop a process started here, with its own process group (gunicorn's workers)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


# --- the load (locust, in a child process: gevent patches the whole interpreter) --------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def locust_child(config_path: str) -> None:
    from gevent import monkey

    monkey.patch_all()
    from http.cookiejar import DefaultCookiePolicy

    import gevent
    from gevent.event import Event
    from locust import FastHttpUser, between, constant, task
    from locust.contrib.fasthttp import FastHttpSession
    from locust.env import Environment
    from locust.exception import StopUser

    config = json.loads(Path(config_path).read_text())
    host, users = config["host"], config["users"]
    role_pages = DAY_ROLE_PAGES if config["day"] else ROLE_PAGES
    mode_pages = [page for page in PAGES if any(page in p for p in role_pages.values())]
    origin = "https://" + host.split("://", 1)[1]
    samples: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    messages: list[str] = []
    state = {"recording": False, "logged_in": 0, "login_failures": 0}
    confirmed: set[str] = set()  # the references of the payments confirmed
    everyone_in = Event()

    def on_request(name, response_time, exception, **_):
        if not state["recording"]:
            return
        samples.setdefault(name, []).append(response_time)
        if exception is not None:
            errors[name] = errors.get(name, 0) + 1
            if len(messages) < 10:
                messages.append(f"{name}: {exception}")

    def log_in(client, username: str) -> str | None:
        """Log in through the form; None when it worked, else why not."""
        # The session and CSRF cookies are Secure (the site is HTTPS behind its proxy); this
        # client talks plain HTTP to gunicorn, so it must be allowed to send them back.
        client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("https", "http")))
        form = client.get("/login/", name="login form")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content or b"")
        if form.status_code != 200 or token is None:
            return f"login form: HTTP {form.status_code}"
        response = client.post(
            "/login/",
            name="login",
            data=urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1).decode(),
                    "username": username,
                    "password": config["password"],
                }
            ),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + "/login/",
            },
            allow_redirects=False,
        )
        location = response.headers.get("Location", "") if response.headers else ""
        if response.status_code != 302 or "/login/" in location:
            return f"login of {username}: HTTP {response.status_code} → {location!r}"
        return None

    def post_headers(path: str) -> dict:
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + path,
        }

    def fetch(client, page: str, desk: "Desk"):
        """One page, a failure unless it is the page itself (no redirect to the login)."""
        if page == "payment":
            pay(client, desk)
            return
        if page == "ledger":
            desk.next_enterprise()
        path = PAGES[page].format(today=config["today"], enterprise=desk.enterprise)
        with client.get(path, name=page, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif page == "register" and "基准企业".encode() not in (response.content or b""):
                response.failure("the register lists no enterprise")
            elif page == "calculator" and "滞纳金".encode() not in (response.content or b""):
                response.failure("the calculator gave no fee")
        if page == "worklist" and b'hx-get="%s"' % PAGES["mine"].encode() in (
            response.content or b""
        ):
            fetch_fragment(client, "mine")

    def fetch_fragment(client, page: str):
        """What a page loads once shown, as htmx requests it."""
        with client.get(
            PAGES[page],
            name=page,
            headers={"HX-Request": "true"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def pay(client, desk: "Desk"):
        """登记缴款 as a caseworker does it: the form, the preview of the allocation, the
        confirmation; written only then, and the answer is the enterprise's ledger."""
        path = PAGES["payment"].format(enterprise=desk.enterprise)
        with client.get(
            path, name="payment_form", allow_redirects=False, catch_response=True
        ) as form:
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content or b"")
            if form.status_code != 200 or token is None:
                form.failure(f"HTTP {form.status_code}, no form")
                return
        reference = desk.next_reference()
        fields = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "insurance_type": "pension",
            "amount": f"{100 + desk.payments % 900}.{desk.payments % 100:02d}",
            "paid_on": config["today"],
            "method": "self",
            "external_ref": reference,
            "periods": "",
            "note": "",
        }
        with client.post(
            path,
            name="payment_preview",
            data=urlencode(fields),
            headers=post_headers(path),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "冲抵预览".encode() not in (response.content or b""):
                response.failure(f"HTTP {response.status_code}, no preview")
                return
        ledger = f"/arrears/enterprise/{desk.enterprise}/"
        with client.post(
            path,
            name="payment",
            data=urlencode({**fields, "confirm": "1"}),
            headers=post_headers(path),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or not location.endswith(ledger):
                response.failure(f"HTTP {response.status_code} → {location!r}")
            else:
                confirmed.add(reference)

    class Desk:
        """What one user works on: the enterprises a caseworker's ledgers and payments go to
        (the next one at each ledger opened; the payment is made on it) and the references of
        the payments made. Several simulated users share an account: each desk has a number of
        its own, so that their references differ (a repeated reference is the same payment, by
        design: arrears.services.payment_post records it once) and each starts on an
        enterprise of its own."""

        opened = 0

        def __init__(self, username: str):
            self.username = username
            self.number = Desk.opened
            Desk.opened += 1
            self.enterprises = config["enterprises_of"].get(username) or [None]
            self.turn = self.number * 7
            self.payments = 0

        @property
        def enterprise(self):
            return self.enterprises[self.turn % len(self.enterprises)]

        def next_enterprise(self):
            self.turn += 1

        def next_reference(self) -> str:
            self.payments += 1
            return f"LOAD-{config['run']}-{self.username}-{self.number}-{self.payments}"

    def visitor(role: str):
        accounts = config["accounts"][role]

        class Visitor(FastHttpUser):
            weight = ROLE_WEIGHTS[role]
            wait_time = between(*config["think"]) if config["day"] else constant(0)
            default_headers = PROXY_HEADERS
            network_timeout = 60.0
            counter = 0

            def on_start(self):
                cls = type(self)
                self.username = accounts[cls.counter % len(accounts)]
                self.desk = Desk(self.username)
                self.pages = role_pages[role]
                self.turn = cls.counter  # users of a role start on different pages
                cls.counter += 1
                failure = log_in(self.client, self.username)
                if failure:
                    state["login_failures"] += 1
                    messages.append(failure)
                state["logged_in"] += 1
                if state["logged_in"] >= users:
                    everyone_in.set()
                if failure:
                    raise StopUser()

            @task
            def next_page(self):
                fetch(self.client, self.pages[self.turn % len(self.pages)], self.desk)
                self.turn += 1

        Visitor.__name__ = Visitor.__qualname__ = role
        return Visitor

    # At the end each user finishes the page it is on (a payment: form, preview, confirmation)
    # instead of being cut off mid-request: a confirmation cut off after the server wrote the
    # payment would count as written but never confirmed.
    environment = Environment(
        user_classes=[visitor(role) for role in role_pages], host=host, stop_timeout=STOP_SECONDS
    )
    environment.events.request.add_listener(on_request)

    # Baseline: one user, one request at a time. The first request of each page is reported
    # apart (a cold dashboard cache, a worker compiling its templates), then a few warm-ups.
    baseline, first = {}, {}
    sessions = {}
    for role in role_pages:
        for username in config["accounts"][role]:
            session = FastHttpSession(
                base_url=host,
                request_event=environment.events.request,
                user=None,
                headers=PROXY_HEADERS,
            )
            failure = log_in(session, username)
            if failure:
                sys.exit(f"baseline: {failure}")
            sessions[username] = session
    leader = sessions[config["accounts"]["leader"][0]]
    caseworker = sessions[config["accounts"]["caseworker"][0]]
    leader_desk = Desk(config["accounts"]["leader"][0])
    caseworker_desk = Desk(config["accounts"]["caseworker"][0])
    for page in mode_pages:
        client, desk = (
            (leader, leader_desk) if page == "dashboard" else (caseworker, caseworker_desk)
        )
        names = (*(part for part, whole in PART_OF.items() if whole == page), page)
        state["recording"] = True
        fetch(client, page, desk)
        state["recording"] = False
        for name in names:
            first[name] = samples.pop(name)[0]
        for _ in range(3):
            fetch(client, page, desk)
        state["recording"] = True
        for _ in range(config["baseline_requests"]):
            fetch(client, page, desk)
        state["recording"] = False
        for name in names:
            times = samples.pop(name)
            if errors.pop(name, 0):
                sys.exit(f"baseline: {name} failed: {messages}")
            baseline[name] = statistics.median(times)
    # Each group's dashboard once, so that no later request finds that cache empty in Redis.
    for username in config["accounts"]["group_leader"]:
        fetch(sessions[username], "dashboard", Desk(username))

    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    if not everyone_in.wait(timeout=config["login_timeout"]):
        runner.quit()
        sys.exit(f"only {state['logged_in']} of {users} users logged in: {messages}")
    gevent.sleep(config["warmup"])
    samples.clear()
    errors.clear()
    state["recording"] = True
    meter, stop_meter = CpuMeter(config["server_pid"], config["database"]), Event()
    metering = gevent.spawn(meter.run, stop_meter)
    started = time.perf_counter()
    gevent.sleep(config["seconds"])
    state["recording"] = False
    window = time.perf_counter() - started
    stop_meter.set()
    metering.join()
    cpu = meter.cores(window)
    users_by_class = dict(runner.user_classes_count)
    runner.stop()
    runner.quit()
    pages = {
        name: {
            "count": len(times),
            "median": statistics.median(times),
            "p95": percentile(times, 0.95),
            "max": max(times),
            "errors": errors.get(name, 0),
        }
        for name, times in samples.items()
    }
    print(
        json.dumps(
            {
                "pages": pages,
                "baseline": baseline,
                "first": first,
                "window": window,
                "cpu": cpu,
                "login_failures": state["login_failures"],
                "paid": sorted(confirmed),
                "messages": messages,
                "users_by_class": users_by_class,
            }
        )
    )


class CpuMeter:
    """CPU time used while measuring by gunicorn (master and workers), the PostgreSQL backends
    serving the bench database, this load generator, and anything else on the machine (someone
    else's: the machine was not quiet).

    Sampled every half second, process by process: a backend replaced mid-run (CONN_MAX_AGE)
    counts from its start, one that ends loses at most its last half second."""

    def __init__(self, server_pid: int, database: str):
        import psutil

        self.psutil, self.server_pid, self.database = psutil, server_pid, database
        self.last: dict[int, tuple[str, float]] = {}
        self.used = {"server": 0.0, "database": 0.0, "locust": 0.0}
        self.machine = 0.0
        self._sample(first=True)

    def _busy(self) -> float:
        times = self.psutil.cpu_times()
        return times.user + times.nice + times.system + times.irq + times.softirq

    def _processes(self):
        psutil = self.psutil
        server = psutil.Process(self.server_pid)
        yield "server", server
        yield from (("server", p) for p in server.children(recursive=True))
        yield "locust", psutil.Process()
        for process in psutil.process_iter(["cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            if title.startswith("postgres: ") and f" {self.database} " in title:
                yield "database", process

    def _sample(self, first: bool = False) -> None:
        seen = {}
        for kind, process in self._processes():
            try:
                times = process.cpu_times()
            except self.psutil.Error:
                continue
            total = times.user + times.system
            _, before = self.last.get(process.pid, (kind, 0.0 if not first else total))
            if not first:
                self.used[kind] += total - before
            seen[process.pid] = (kind, total)
        self.last = seen
        busy = self._busy()
        if not first:
            self.machine += busy - self.machine_at
        self.machine_at = busy

    def run(self, stop) -> None:
        while not stop.wait(timeout=0.5):
            self._sample()
        self._sample()

    def cores(self, seconds: float) -> dict:
        other = self.machine - sum(self.used.values())
        return {**{k: v / seconds for k, v in self.used.items()}, "other": max(0, other) / seconds}


def connection_settings() -> dict:
    from django.db import connection

    return connection.settings_dict


def run_load(host: str, server_pid: int, built: dict, args) -> dict:
    from django.utils import timezone

    run = f"{time.time():.0f}"  # the payment references of this run: LOAD-<run>-…
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(
            {
                "host": host,
                "server_pid": server_pid,
                "database": connection_settings()["NAME"],
                "users": args.users,
                "seconds": args.seconds,
                "warmup": args.warmup,
                "baseline_requests": args.baseline,
                "login_timeout": 60 + 3 * args.users,
                "accounts": built["accounts"],
                "enterprises_of": built["enterprises_of"],
                "today": timezone.localdate().isoformat(),
                "run": run,
                "password": PASSWORD,
                "day": args.day,
                # The small run must still reach every page in its few seconds.
                "think": (0.05, 0.2) if args.check else DAY_THINK_SECONDS,
            },
            file,
        )
    child = None
    try:
        child = subprocess.Popen(
            [sys.executable, __file__, "--locust-child", file.name],
            cwd=ROOT / "bench",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=own_group_dying_with_us,
        )
        budget = 300 + args.seconds + args.warmup + 3 * args.users
        out, err = child.communicate(timeout=budget)
        if child.returncode:
            sys.exit(f"the locust run failed ({child.returncode}):\n{out[-2000:]}\n{err[-4000:]}")
        return {**json.loads(out.strip().splitlines()[-1]), "run": run}
    finally:
        stop(child)
        Path(file.name).unlink(missing_ok=True)


def verify_payments(result: dict) -> dict:
    """The payments the load confirmed are in the ledger, once each, and the ledgers they went
    to are what a replay of their history gives (arrears.verify, as `verify_ledger`)."""
    from django.utils import timezone

    from arrears.models import Payment
    from arrears.verify import enterprise_differences

    written = dict(
        Payment.objects.filter(external_ref__startswith=f"LOAD-{result['run']}-").values_list(
            "external_ref", "enterprise_id"
        )
    )
    confirmed = set(result["paid"])
    enterprises = sorted(set(written.values()))
    today = timezone.localdate()
    problems = [
        *(f"confirmed, not in the ledger: {ref}" for ref in sorted(confirmed - set(written))),
        *(f"in the ledger, never confirmed: {ref}" for ref in sorted(set(written) - confirmed)),
        *(line for pk in enterprises for line in enterprise_differences(pk, as_of=today)),
    ]
    return {
        "written": len(written),
        "confirmed": len(confirmed),
        "enterprises": len(enterprises),
        "problems": problems,
    }


# --- main ------------------------------------------------------------------------------------


def collect_static(folder: Path) -> None:
    """The manifest storage of the production settings needs collectstatic; the files
    themselves are not requested (static files are not part of the measurement)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    require((folder / "staticfiles.json").exists(), "collectstatic wrote no manifest")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--check", action="store_true", help="small run that checks its results, no figures"
    )
    parser.add_argument("--enterprises", type=int, help=f"default {FULL_ENTERPRISES:,}")
    parser.add_argument("--items", type=int, help=f"ledger items, default {FULL_ITEMS:,}")
    parser.add_argument(
        "--users", type=int, help=f"concurrent users, default {FULL_USERS} ({DAY_USERS} with --day)"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        help=f"measured seconds, default {FULL_SECONDS} ({DAY_SECONDS} with --day)",
    )
    parser.add_argument("--warmup", type=float, help=f"unmeasured seconds, default {FULL_WARMUP}")
    parser.add_argument(
        "--baseline", type=int, help=f"baseline requests a page, default {FULL_BASELINE}"
    )
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="> 1: gthread workers")
    parser.add_argument(
        "--day", action="store_true", help="an office's day: think time, more pages, p95 ≤ 1 s"
    )
    parser.add_argument("--locust-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.locust_child:
        locust_child(args.locust_child)
        return
    small = args.check
    args.enterprises = args.enterprises or (CHECK_ENTERPRISES if small else FULL_ENTERPRISES)
    args.items = args.items or (CHECK_ITEMS if small else FULL_ITEMS)
    full_users, full_seconds = (DAY_USERS, DAY_SECONDS) if args.day else (FULL_USERS, FULL_SECONDS)
    args.users = args.users or (CHECK_USERS if small else full_users)
    args.seconds = args.seconds or (CHECK_SECONDS if small else full_seconds)
    args.warmup = (
        args.warmup if args.warmup is not None else (CHECK_WARMUP if small else FULL_WARMUP)
    )
    args.baseline = args.baseline or (CHECK_BASELINE if small else FULL_BASELINE)

    with tempfile.TemporaryDirectory(prefix="qq-load-") as folder:
        static_root = Path(folder) / "static"
        os.environ["STATIC_ROOT"] = str(static_root)
        setup_django()
        from django.utils import timezone

        as_of = timezone.localdate()
        started = time.perf_counter()
        built = build(args.enterprises, args.items, as_of)
        build_seconds = time.perf_counter() - started
        collect_static(static_root)
        forget_cached_dashboards()
        from django.db import connections

        connections.close_all()
        log_path = Path(folder) / "gunicorn.log"
        server = None
        with log_path.open("w") as log:
            try:
                server, host = start_gunicorn(args.workers, args.threads, log)
                wait_until_serving(server, host, log_path)
                result = run_load(host, server.pid, built, args)
            finally:
                stop(server)
        server_log = log_path.read_text()
    result["payments"] = verify_payments(result)
    report(args, built, build_seconds, result, server_log)


def report(args, built: dict, build_seconds: float, result: dict, server_log: str) -> None:
    pages = result["pages"]
    errors = sum(p["errors"] for p in pages.values())
    print(
        f"load: {built['enterprises']:,} enterprises, {built['items']:,} items, "
        f"{built['cases']} cases, built in {build_seconds:.1f} s; {args.users} users, "
        f"{args.workers} workers × {args.threads} threads, {result['window']:.1f} s measured"
    )
    for page in PAGES:
        p = pages.get(page)
        if p:
            print(
                f"  {page:10} n={p['count']:5} p50={p['median']:7.1f} p95={p['p95']:7.1f} "
                f"max={p['max']:7.1f} errors={p['errors']}  alone p50={result['baseline'][page]:.1f}"
                f" first={result['first'][page]:.1f} ms"
            )
    cpu = result["cpu"]
    usage = (
        f"CPU while measured, in cores of {os.cpu_count()}: gunicorn {cpu['server']:.2f}, "
        f"PostgreSQL {cpu['database']:.2f}, locust {cpu['locust']:.2f}, "
        f"anything else on the machine {cpu['other']:.2f}"
    )
    print(f"  {usage}")
    if result["messages"]:
        print("  failures:", *result["messages"], sep="\n    ")
    if args.check:
        require(not result["login_failures"], f"logins failed: {result['messages']}")
        require(not errors, f"{errors} requests failed: {result['messages']}")
        mode = DAY_ROLE_PAGES if args.day else ROLE_PAGES
        expected = {page for role_pages in mode.values() for page in role_pages}
        expected |= {part for part, whole in PART_OF.items() if whole in expected}
        missing = [
            page for page in PAGES if page in expected and not pages.get(page, {}).get("count")
        ]
        require(not missing, f"never requested under load: {', '.join(missing)}")
        require(
            built["items"] == built["enterprises"] * (args.items // args.enterprises),
            f"{built['items']} items built",
        )
        require("Traceback" not in server_log, f"gunicorn logged an error:\n{server_log[-3000:]}")
        paid = result["payments"]
        require(
            not paid["problems"],
            f"{paid['confirmed']} payments confirmed, {paid['written']} in the ledger:\n"
            + "\n".join(paid["problems"][:20]),
        )
        print(
            "load --check: no failures, every page requested"
            + (f", {paid['written']} payments written and verified." if args.day else ".")
        )
        return
    paid = result["payments"]
    total = sum(p["count"] for p in pages.values())
    rate = total / result["window"]
    per_request = 1000 * (cpu["server"] + cpu["database"]) / rate
    by_role = ", ".join(f"{n} {ROLE_NAMES[c]}" for c, n in result["users_by_class"].items())
    mode = (
        f"{args.workers} sync workers"
        if args.threads == 1
        else f"{args.workers} gthread workers × {args.threads} threads"
    )
    lines = [
        stamp(),
        "",
        f"- {built['enterprises']:,} enterprises in {TOWNSHIPS} townships of {GROUPS} task "
        f"groups, {built['items']:,} ledger items, {built['payments']:,} payments this month, "
        f"{built['cases']} cases; data built in {build_seconds:.0f} s.",
        f"- gunicorn on loopback, {mode}, `config.settings` with DEBUG=0, "
        f"cache {'Redis' if os.environ.get('REDIS_URL') else 'in each worker (no REDIS_URL)'}; "
        f"locust {args.users} users ({by_role}) on the same {os.cpu_count()} cores, each logged in and "
        + (
            f"reading each page {DAY_THINK_SECONDS[0]}–{DAY_THINK_SECONDS[1]} s before the next. "
            if args.day
            else "requesting pages back to back, no think time. "
        )
        + f"Logins and a {args.warmup:.0f} s warm-up not measured; then {result['window']:.0f} s: "
        f"{total:,} requests, {rate:.0f} a second, {errors} errors.",
        f"- {usage}. That is {per_request:.0f} ms of CPU a request in gunicorn and PostgreSQL"
        + (
            "."
            if args.day
            else f"; with {args.users} users and no think time a request waits for the others' "
            f"(Little's law: {args.users} / {rate:.0f} a second = "
            f"{1000 * args.users / rate:.0f} ms on average)."
        ),
        "- Alone: one user, one request at a time after a few warm-ups (median of "
        f"{args.baseline}); first: the page's very first request (dashboard: cache empty).",
        *(
            [
                f"- Written: {paid['confirmed']:,} payments confirmed in the run (warm-up and "
                f"baseline included, each with a reference of its own) on "
                f"{paid['enterprises']} enterprises; in the ledger: {paid['written']:,}, each "
                "once. The ledgers of those enterprises against a replay of their history "
                f"(arrears.verify, as `verify_ledger`): {len(paid['problems'])} differences. "
                "At the end every user finished the page it was on before the server stopped."
            ]
            if args.day
            else []
        ),
        "",
        "| page | requests | median | p95 | max | errors | alone (median) | first |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    targets = [page for page in PAGES if page in result["baseline"]] if args.day else TARGET_PAGES
    target_ms = DAY_TARGET_MS if args.day else TARGET_MS
    for page in [page for page in PAGES if page in result["baseline"]]:
        p = pages.get(page, {"count": 0, "median": 0, "p95": 0, "max": 0, "errors": 0})
        target = page in targets
        p95 = f"**{p['p95']:.0f} ms**" if target else f"{p['p95']:.0f} ms"
        lines.append(
            f"| {PAGE_TITLES[page]} | {p['count']:,} | {p['median']:.0f} ms | {p95} | "
            f"{p['max']:.0f} ms | {p['errors']} | {result['baseline'][page]:.0f} ms | "
            f"{result['first'][page]:.0f} ms |"
        )
    verdict = ", ".join(
        f"{page} {'meets' if pages.get(page, {}).get('p95', 1e9) <= target_ms else 'misses'} it"
        for page in targets
    )
    if cpu["other"] > 0.2:
        lines += ["", f"The machine was not quiet ({cpu['other']:.2f} cores busy elsewhere)."]
    if args.day:
        lines += ["", f"Target: p95 ≤ {target_ms} ms on every page, no error — {verdict}; "]
        lines[-1] += f"{errors} errors."
        if paid["problems"]:
            lines[-1] += " The payments written do not check out: " + "; ".join(
                [f"{paid['confirmed']} confirmed, {paid['written']} written", *paid["problems"][:5]]
            )
        record("An office's day (bench/load.py --day)", lines)
        return
    lines += ["", f"Target: p95 ≤ {TARGET_MS} ms for the dashboard and the worklist — {verdict}."]
    record("Page load (bench/load.py)", lines)


if __name__ == "__main__":
    main()

"""Budget over HTTP: a voting peak through the real ballot form, and the results page of an
envelope with 100,000 ballots.

``prepare`` runs this file as a Django script in the bench's environment: it creates a
campaign open for voting with VOTERS verified residents, each signed in (a session row, as
after a login) with a CSRF token, and a closed campaign whose envelope holds 100,000
ballots (inserted with COPY), counted once and published. ``drive`` then has
``--connections`` clients POST the ballot form, each voter once, as the browser does
(session cookie, CSRF token, ``action=vote``; a 302 to the confirmation is an accepted
ballot), and checks every accepted ballot is in the database. Voters reach the app through
a proxy (LUTETIA_TRUSTED_PROXIES), each from their own address, so the per-address limit
on ballots applies to each voter as it would in production. The results page is an
ordinary case: its envelope has a fixed primary key so that its URL is known beforehand.
"""

import asyncio
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path
from statistics import median, quantiles
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Case, Measured
from bench.server import HarnessError, run_prepare

RESULTS_ENVELOPE = 900_001
RESULTS_BALLOTS = 100_000
VOTERS = 30_000
PROJECTS = 12
MIN_BALLOTS_PER_S = 200
WARM_UP_S = 3
SOCKET_TIMEOUT_S = 10
CASES = [
    Case(
        "results page, 100,000 ballots (cached)",
        f"/budget-participatif/enveloppes/{RESULTS_ENVELOPE}/resultats/",
        max_p95_ms=50,
    )
]

_prepared: dict = {}  # what prepare() created, for drive()


def prepare(env: dict[str, str]) -> None:
    env["LUTETIA_TRUSTED_PROXIES"] = "127.0.0.1"  # the load generator stands for the proxy
    _prepared.update(run_prepare(__file__, env), database_url=env["DATABASE_URL"])


# --- the voting peak ----------------------------------------------------------------------------


def drive(base_url: str, args) -> list[Measured]:
    """Warm up, then ``args.rounds`` rounds of voters POSTing their ballot; then count."""
    voters = _prepared["voters"]
    url = f"{base_url}/budget-participatif/enveloppes/{_prepared['envelope']}/"
    peaks = []
    for seconds in [WARM_UP_S] + [args.duration] * args.rounds:
        peak, voters = post_ballots(url, voters, args.connections, seconds)
        peaks.append(peak)
    measured = peaks[1:]
    rate = median(peak.per_s for peak in measured)
    p95 = median(peak.p95_ms for peak in measured)
    errors = sum(peak.errors for peak in peaks)
    accepted = sum(peak.accepted for peak in peaks)
    counted = ballots_in_database(_prepared["envelope"])
    return [
        Measured(
            "voting",
            f"voting peak: ballots POSTed through the form, {args.connections} clients",
            f"{rate:,.0f} ballots/s, p95 {p95:,.0f} ms, {errors} errors",
            f"≥ {MIN_BALLOTS_PER_S} ballots/s, 0 errors",
            rate >= MIN_BALLOTS_PER_S and errors == 0,
            f"median of {len(measured)} rounds of {args.duration:g} s",
        ),
        Measured(
            "voting",
            "ballots in the database / accepted (302 to the confirmation)",
            f"{counted:,} / {accepted:,}",
            "every accepted ballot counted",
            counted == accepted,
        ),
    ]


class Peak:
    """One round's outcome, summed over the load generator's processes."""

    def __init__(self, parts: list[dict], seconds: float):
        latencies = sorted(latency for part in parts for latency in part["latencies"])
        self.accepted = len(latencies)
        self.errors = sum(part["errors"] for part in parts)
        elapsed = max(part["seconds"] for part in parts) or seconds
        self.per_s = self.accepted / elapsed
        self.p95_ms = quantiles(latencies, n=100)[94] * 1000 if len(latencies) > 1 else 0.0
        statuses = sorted({status for part in parts for status in part["statuses"]})
        if self.errors:
            print(f"voting: {self.errors} errors, statuses {statuses}", file=sys.stderr)


def post_ballots(url: str, voters: list, connections: int, seconds: float) -> tuple[Peak, list]:
    """``connections`` clients POST ballots for ``seconds``, each voter once at most.

    The voters are shared out among processes (one per CPU); a process stops early if its
    share runs out. Returns the round and the voters who have not voted yet.
    """
    if urlsplit(url).hostname != "127.0.0.1":
        raise HarnessError(f"refusing to load anything but 127.0.0.1: {url}")
    processes = max(1, min(connections, multiprocessing.cpu_count()))
    shares = [voters[index::processes] for index in range(processes)]
    if min(map(len, shares)) == 0:
        raise HarnessError("voting: every voter has voted; raise VOTERS")
    clients = max(1, connections // processes)
    with multiprocessing.Pool(processes) as pool:
        parts = pool.starmap(_run_voters, [(url, share, clients, seconds) for share in shares])
    left = [
        voter for share, part in zip(shares, parts, strict=True) for voter in share[part["spent"] :]
    ]
    return Peak(parts, seconds), left


def _run_voters(url: str, voters: list, clients: int, seconds: float) -> dict:
    return asyncio.run(_voters(url, voters, clients, seconds))


async def _voters(url: str, voters: list, clients: int, seconds: float) -> dict:
    """Each client takes the next voter and POSTs their ballot, until time or voters run out."""
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    result = {"latencies": [], "errors": 0, "statuses": set(), "spent": 0}

    async def client():
        while result["spent"] < len(voters) and time.monotonic() < deadline:
            voter = voters[result["spent"]]
            result["spent"] += 1
            request = _ballot_request(parts, *voter)
            begun = time.monotonic()
            try:
                status, location = await asyncio.wait_for(
                    _send(parts.hostname, parts.port, request), SOCKET_TIMEOUT_S
                )
            except (OSError, TimeoutError, ValueError, IndexError):
                result["errors"] += 1
                continue
            if status == 302 and location.endswith("/merci/"):
                result["latencies"].append(time.monotonic() - begun)
            else:
                result["errors"] += 1
                result["statuses"].add(status)

    await asyncio.gather(*(client() for _ in range(clients)))
    result["seconds"] = time.monotonic() - started
    return result


def _ballot_request(parts, session: str, csrf: str, address: str, projects: list) -> bytes:
    body = urlencode(
        [("csrfmiddlewaretoken", csrf), *(("projects", pk) for pk in projects), ("action", "vote")]
    ).encode()
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Cookie: sessionid={session}; csrftoken={csrf}\r\n"
        f"X-Forwarded-For: {address}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nUser-Agent: lutetia-bench\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def _send(host: str, port: int, request: bytes) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        location = ""
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "location":
                location = value.strip()
        while await reader.read(65536):
            pass
    finally:
        writer.close()
    return status, location


def ballots_in_database(envelope_id: int) -> int:
    import psycopg

    with psycopg.connect(_prepared["database_url"]) as db:
        row = db.execute(
            "SELECT count(*) FROM budget_ballot WHERE envelope_id = %s", [envelope_id]
        ).fetchone()
    return row[0]


# --- the data (a Django script, run by prepare) -----------------------------------------------


def create_data(out: Path) -> None:
    import django

    django.setup()
    started = time.perf_counter()
    envelope, projects = _voting_envelope()
    voters = _signed_in_voters(projects)
    print(f"voting: {len(voters):,} signed-in voters in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    computed = _counted_envelope()
    print(
        f"voting: {RESULTS_BALLOTS:,} ballots inserted, counted in {computed:.1f} s, published "
        f"({time.perf_counter() - started:.1f} s in all)"
    )
    out.write_text(json.dumps({"envelope": envelope.pk, "voters": voters}))


def _campaign(slug: str, voting_start, voting_end, **fields):
    from datetime import timedelta

    from lutetia.services.budget.models import Campaign

    return Campaign.objects.create(
        name=f"Bench {slug}",
        slug=slug,
        ideas_start=voting_start - timedelta(days=90),
        ideas_end=voting_start - timedelta(days=60),
        review_end=voting_start - timedelta(days=30),
        voting_start=voting_start,
        voting_end=voting_end,
        **fields,
    )


def _projects(envelope, rng: random.Random) -> list:
    from lutetia.services.budget.models import Project

    return Project.objects.bulk_create(
        Project(
            envelope=envelope,
            title=f"Projet {index}",
            cost=rng.randrange(50, 400) * 1000,
            theme=rng.choice(["Environnement", "Mobilités", "Culture", "Sport"]),
            status=Project.Status.FEASIBLE,
        )
        for index in range(1, PROJECTS + 1)
    )


def _voting_envelope():
    from datetime import timedelta

    from django.utils import timezone

    from lutetia.accounts.models import VerificationLevel
    from lutetia.services.budget.models import Envelope

    now = timezone.now()
    campaign = _campaign("bench-vote", now - timedelta(days=1), now + timedelta(days=1))
    envelope = Envelope.objects.create(
        campaign=campaign,
        name="Tout Paris",
        amount=1_000_000,
        max_projects=3,
        required_level=VerificationLevel.RESIDENT,
    )
    return envelope, [project.pk for project in _projects(envelope, random.Random(1))]


def _signed_in_voters(projects: list[int]) -> list:
    """VOTERS verified residents, each with a session (as after a login) and a CSRF token.

    Each voter is [session key, CSRF token, address, chosen projects].
    """
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from lutetia.accounts.models import User, VerificationLevel

    password = make_password(None)
    users = User.objects.bulk_create(
        (
            User(
                email=f"votant{index}@bench.example",
                password=password,
                verification_level=VerificationLevel.RESIDENT,
            )
            for index in range(VOTERS)
        ),
        batch_size=5000,
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    expire = timezone.now() + timedelta(days=1)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    rng = random.Random(2)
    sessions, voters = [], []
    for index, user in enumerate(users):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expire)
        )
        address = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
        chosen = rng.sample(projects, rng.randint(1, 3))
        voters.append([key, get_random_string(32), address, chosen])
    Session.objects.bulk_create(sessions, batch_size=5000)
    return voters


def _counted_envelope() -> float:
    """The closed campaign's envelope: 100,000 ballots, counted (MES + add1), published.

    Returns the seconds the count took.
    """
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from lutetia.services.budget import actions
    from lutetia.services.budget.models import Ballot, Envelope

    now = timezone.now()
    campaign = _campaign(
        "bench-results",
        now - timedelta(days=15),
        now - timedelta(days=1),
        rule="mes",
        completion="add1",
    )
    envelope = Envelope.objects.create(
        pk=RESULTS_ENVELOPE, campaign=campaign, name="Tout Paris", amount=1_500_000
    )
    rng = random.Random(3)
    projects = [project.pk for project in _projects(envelope, rng)]
    weights = [rng.random() for _ in projects]
    ballots = Ballot.objects.bulk_create(
        (
            Ballot(envelope=envelope, voter_key=f"b{index}", source=Ballot.Source.PAPER)
            for index in range(RESULTS_BALLOTS)
        ),
        batch_size=10_000,
    )
    with connection.cursor() as cursor:
        columns = "ballot_id, project_id, points, rank"
        with cursor.cursor.copy(f"COPY budget_ballotchoice ({columns}) FROM STDIN") as copy:
            for ballot in ballots:
                for project in set(rng.choices(projects, weights, k=rng.randint(1, 4))):
                    copy.write_row((ballot.pk, project, None, None))
    started = time.perf_counter()
    actions.compute_results(envelope=envelope, acting_user=None)
    seconds = time.perf_counter() - started
    actions.publish_results(campaign=campaign, acting_user=None)
    return seconds


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        os.chdir(Path(__file__).resolve().parent.parent)
        create_data(Path(sys.argv[2]))

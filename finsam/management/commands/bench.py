"""The project's benchmark against the national dataset (`seed_national`): `make bench`.

For each main page and role it measures the number of queries (exact, in-process) and p50/p95 of
the response time over HTTP from gunicorn with DEBUG off; the throughput of the dashboard and the
insats list against a bare view behind the same middleware (interleaved rounds, so a busy machine
slows both alike); and the PDFs (verksamhetsplan of the largest förbund, årsredovisning, a meeting
packet with 100 attachment pages) with seconds and peak memory, each in its own process.

It writes a Markdown table to var/bench.md (the README shows the last one). A benchmark, not a
test: it reports, it does not pass or fail.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekonomi.models import Budget
from finsam.management.commands.seed_national import PREFIX
from forbund.models import Forbund, Styrelsemote, User
from insatser.models import Insats
from uppfoljning.models import Tertialrapport

ROLES = ("samordnare", "ekonom", "styrelseledamot", "revisor", "projektagare")
TARGET_P95_MS = 150
TARGET_RATIO = 0.25


@dataclass
class PageResult:
    label: str
    role: str
    status: int
    queries: int = 0
    timings_ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.timings_ms) if self.timings_ms else 0.0

    @property
    def p95(self) -> float:
        if not self.timings_ms:
            return 0.0
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def pages(forbund: Forbund) -> list[tuple[str, str]]:
    """(label, path) of the pages people open every day, in the largest förbund."""
    slug = forbund.slug
    year = Budget.objects.filter(forbund=forbund).order_by("-year").values_list("year", flat=True).first()
    insats = Insats.objects.filter(forbund=forbund, status="pagaende").order_by("-pk").first()
    meeting = (
        Styrelsemote.objects.filter(forbund=forbund, items__insats__isnull=False).order_by("-date").first()
    )
    report = Tertialrapport.objects.filter(insats=insats).order_by("-pk").first()
    f = {"forbund": slug}
    listed = [
        ("Översikt", reverse("forbund:dashboard", kwargs=f)),
        ("Insatser", reverse("insatser:list", kwargs=f)),
        ("En insats", reverse("insatser:detail", kwargs={**f, "pk": insats.pk})),
        ("Rapporter", reverse("uppfoljning:reports", kwargs=f)),
        ("Uppföljning", reverse("uppfoljning:followup", kwargs={**f, "year": year})),
        ("Möten", reverse("forbund:moten", kwargs=f)),
        ("Ett möte", reverse("forbund:mote", kwargs={**f, "pk": meeting.pk})),
        ("Möteshandlingar", reverse("forbund:motespaket_html", kwargs={**f, "pk": meeting.pk})),
        ("Budget", reverse("ekonomi:budget", kwargs={**f, "year": year})),
        ("Utfall", reverse("ekonomi:comparison", kwargs={**f, "year": year})),
        ("Fakturor", reverse("ekonomi:invoice_list", kwargs=f)),
        ("Huvudbok", reverse("ekonomi:ledger", kwargs=f)),
        ("Dokument", reverse("uppfoljning:documents", kwargs=f)),
        ("Styrelse", reverse("forbund:styrelse", kwargs=f)),
        ("Logg", reverse("forbund:logg", kwargs=f)),
    ]
    if report:
        listed.append(("En rapport", reverse("uppfoljning:report", kwargs={**f, "pk": report.pk})))
    return listed


class Server:
    """gunicorn with DEBUG off on the benchmark database, two workers, like a small production host."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            "DEBUG": "false",
            # The same key as this process, which signs the session cookies the benchmark sends.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "FINSAM_REQUIRE_2FA": "false",
            "FINSAM_BENCH": "true",
        }
        subprocess.run(  # noqa: S603 - collectstatic for the manifest DEBUG-off pages need
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=settings.BASE_DIR,
            check=True,
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "finsam.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/halsa/"), timeout=2)  # noqa: S310 - loopback
                return self
            except urllib.error.HTTPError:
                return self  # it answers (/halsa/ says 503 without a worker, which is fine here)
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise CommandError("gunicorn startade inte inom 30 s.")

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, cookie: str) -> tuple[int, float]:
        request = urllib.request.Request(self.url(path), headers={"Cookie": cookie})  # noqa: S310
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        return status, (time.perf_counter() - started) * 1000


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Command(BaseCommand):
    help = "Mäter sidor, genomströmning och PDF:er mot riksdata (kör seed_national först)."

    def add_arguments(self, parser):
        # 60, not 30: with 30 the p95 is the second slowest, and one hiccup of a shared machine moves it.
        parser.add_argument("--requests", type=int, default=60, help="Anrop per sida och roll (60).")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--seconds", type=float, default=4.0, help="Sekunder per genomströmningsomgång.")
        parser.add_argument("--pdf", help=argparse_suppress())
        parser.add_argument("--forbund", help=argparse_suppress())

    def handle(self, *args, **options):
        if options["pdf"]:
            return self.measure_pdf_here(options["pdf"], options["forbund"])
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client
        forbund = Forbund.objects.filter(slug__startswith=PREFIX).order_by("pk").first()
        if forbund is None:
            raise CommandError("Ingen riksdata: kör `manage.py seed_national` först.")
        users = {kind: User.objects.get(username=f"{forbund.slug}-{kind}") for kind in ROLES}
        listed = pages(forbund)
        self._paths = dict(listed)
        results = self.count_queries(listed, users)
        with Server(options["port"]) as server:
            cookies = {kind: session_cookie(user) for kind, user in users.items()}
            self.time_pages(server, results, cookies, options["requests"])
            throughput = self.throughput(server, forbund, cookies["samordnare"], options["seconds"])
        documents = [
            self.measure_pdf(kind, forbund) for kind in ("verksamhetsplan", "arsredovisning", "packet")
        ]
        report = self.table(forbund, results, throughput, documents)
        out = Path(settings.VAR_DIR) / "bench.md"
        out.write_text(report, encoding="utf-8")
        self.stdout.write(report)
        self.stdout.write(f"Skrivet till {out}")

    # Pages ---------------------------------------------------------------------------------

    def count_queries(self, listed, users) -> list[PageResult]:
        results = []
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            for label, path in listed:
                client.get(path)  # warm caches the way a returning user has them
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path)
                results.append(PageResult(label, role, response.status_code, len(queries), []))
        return results

    def time_pages(self, server: Server, results: list[PageResult], cookies, requests: int) -> None:
        for result in results:
            if result.status != 200:
                continue
            path = self._path_of(result)
            for _ in range(3):
                server.get(path, cookies[result.role])
            for _ in range(requests):
                status, ms = server.get(path, cookies[result.role])
                if status == 200:
                    result.timings_ms.append(ms)
            self.stdout.write(f"  {result.label} ({result.role}): p95 {result.p95:.0f} ms")

    def _path_of(self, result: PageResult) -> str:
        return self._paths[result.label]

    def throughput(self, server: Server, forbund: Forbund, cookie: str, seconds: float) -> dict[str, float]:
        """Requests per second with four clients, interleaved with the bare view, three rounds."""
        targets = {
            "bar vy": "/bench/bar/",
            "Översikt": reverse("forbund:dashboard", kwargs={"forbund": forbund.slug}),
            "Insatser": reverse("insatser:list", kwargs={"forbund": forbund.slug}),
        }
        rates: dict[str, list[float]] = {label: [] for label in targets}
        for _ in range(3):
            for label, path in targets.items():
                rates[label].append(self._rate(server, path, cookie, seconds))
        return {label: statistics.median(values) for label, values in rates.items()}

    def _rate(self, server: Server, path: str, cookie: str, seconds: float) -> float:
        done = [0]
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def client():
            while time.monotonic() < deadline:
                status, _ = server.get(path, cookie)
                if status == 200:
                    with lock:
                        done[0] += 1

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return done[0] / seconds

    # PDFs ----------------------------------------------------------------------------------

    def measure_pdf(self, kind: str, forbund: Forbund) -> tuple[str, float, float, int]:
        """Each PDF in a fresh process, so its peak memory is its own."""
        output = (
            subprocess.run(  # noqa: S603 - this command, fixed arguments
                [sys.executable, "manage.py", "bench", "--pdf", kind, "--forbund", forbund.slug],
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        label, seconds, peak, pages_count = output.split("\t")
        return label, float(seconds), float(peak), int(pages_count)

    def measure_pdf_here(self, kind: str, slug: str) -> None:
        from finsam import pdfbench

        label, seconds, peak_mb, page_count = pdfbench.measure(kind, Forbund.objects.get(slug=slug))
        self.stdout.write(f"{label}\t{seconds:.2f}\t{peak_mb:.0f}\t{page_count}")

    # The table -----------------------------------------------------------------------------

    def table(self, forbund, results, throughput, documents) -> str:
        national = Forbund.objects.filter(slug__startswith=PREFIX).count()
        lines = [
            f"Mätt {time.strftime('%Y-%m-%d %H:%M')} mot riksdata ({national} förbund), "
            f"gunicorn med 2 arbetare, DEBUG av. Sidor i {forbund.name}.",
            "",
            "| Sida | Roll | Frågor | p50 ms | p95 ms |",
            "|---|---|---:|---:|---:|",
        ]
        for result in results:
            if result.status != 200:
                continue
            flag = "" if result.p95 < TARGET_P95_MS else " ⚠"
            timing = f"{result.p50:.0f} | {result.p95:.0f}{flag}"
            lines.append(f"| {result.label} | {result.role} | {result.queries} | {timing} |")
        bare = throughput["bar vy"] or 1
        lines += ["", "| Genomströmning | Anrop/s | Andel av bar vy |", "|---|---:|---:|"]
        for label, rate in throughput.items():
            lines.append(f"| {label} | {rate:.0f} | {rate / bare:.0%} |")
        lines += ["", "| Dokument | Sekunder | Toppminne MB | Sidor |", "|---|---:|---:|---:|"]
        for label, seconds, peak, page_count in documents:
            lines.append(f"| {label} | {seconds:.2f} | {peak:.0f} | {page_count} |")
        return "\n".join(lines) + "\n"


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS

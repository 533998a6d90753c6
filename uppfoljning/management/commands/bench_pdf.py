"""Measure the verksamhetsplan's rendering for a large förbund: 40 insatser and 6 meetings.

The data is created inside a transaction that is rolled back, so the database is left as it was."""

import datetime
import resource
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from finsam.rendering import render_pdf
from forbund.models import Forbund, Medlem, Styrelsemote, User
from insatser.models import Beslut, GrantedAmount, Insats
from uppfoljning.selectors.documents import verksamhetsplan_context

YEAR = 2021


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Mäter hur lång tid och hur mycket minne verksamhetsplanen tar för ett förbund med 40 insatser."

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                forbund = self.build()
                seconds, pages = self.measure(forbund)
                raise Rollback
        except Rollback:
            pass
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"Verksamhetsplan med 40 insatser och 6 möten: {seconds:.2f} s, {pages} kB, topp {peak_mb:.0f} MB"
        )

    def measure(self, forbund):
        context = verksamhetsplan_context(forbund, YEAR)
        context.update(forbund=forbund, year=YEAR, generated_at=timezone.now())
        started = time.perf_counter()
        pdf = render_pdf("uppfoljning/pdf/verksamhetsplan.html", context)
        return time.perf_counter() - started, len(pdf) // 1024

    def build(self) -> Forbund:
        user = User.objects.create(username="bench-pdf-user")
        forbund = Forbund.objects.create(
            name="Samordningsförbundet Mätbyn", slug="bench-pdf", andamal="Mätning."
        )
        kommun = Medlem.objects.create(
            forbund=forbund, kind="kommun", name="Mätby kommun", joined=datetime.date(2010, 1, 1)
        )
        region = Medlem.objects.create(
            forbund=forbund, kind="region", name="Region Mät", joined=datetime.date(2010, 1, 1)
        )
        for month in (2, 3, 5, 9, 10, 11):
            Styrelsemote.objects.create(
                forbund=forbund, date=datetime.date(YEAR, month, 12), place="Mätby", planned_items="Möte"
            )
        for number in range(40):
            insats = Insats.objects.create(
                forbund=forbund,
                name=f"Insats {number + 1}",
                kind="individinriktad",
                status="pagaende",
                owner=kommun if number % 2 else region,
                start=datetime.date(YEAR, 1, 1),
                end=datetime.date(YEAR + 1, 12, 31),
                description="En insats för att fler ska komma i arbete eller studier. " * 4,
            )
            beslut = Beslut.objects.create(
                insats=insats, outcome="beviljad", decided_on=datetime.date(YEAR - 1, 11, 1), recorded_by=user
            )
            GrantedAmount.objects.create(beslut=beslut, year=YEAR, amount=Decimal(250_000 + number * 1000))
        return forbund

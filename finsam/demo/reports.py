"""Demo tertial reports for Trelleborg 2021: T1 approved for both insatser, T2 returned for
Yrkeskedjor and late for Unga Vuxna. The counts and texts are invented."""

from __future__ import annotations

import datetime
from decimal import Decimal

from finsam.workflow import transition
from forbund.models import Forbund, User
from insatser.models import Insats
from uppfoljning.models import ReportPeriod, Tertialrapport
from uppfoljning.services.reports import ReportData, report_period_save, report_save

D = datetime.date
PERIODS = [("T1", D(2021, 5, 15)), ("T2", D(2021, 9, 15)), ("AR", D(2022, 2, 15))]


def _counts(flow, gender, age, support, outcome) -> dict:
    counts = {}
    for dimension, values in (
        ("flow", flow),
        ("gender", gender),
        ("age", age),
        ("support", support),
        ("outcome", outcome),
    ):
        counts.update({(dimension, category): count for category, count in values.items()})
    return counts


YRKESKEDJOR_T1 = ReportData(
    cooperation="Arbetsmarknadsförvaltningen och Arbetsförmedlingen planerar utbildningskedjorna tillsammans "
    "varje vecka. Vårdcentralen deltar när deltagare behöver stöd i hälsofrågor.",
    activities="Två orienteringskurser, studie- och yrkesvägledning för alla nya deltagare och språkombud "
    "på sex kommunala arbetsplatser.",
    deviations="Färre praktikplatser än planerat inom äldreomsorgen på grund av pandemin.",
    implementation="Arbetssättet med språkombud diskuteras i kommunens personalenhet.",
    cost=Decimal(760_000),
    counts=_counts(
        {"nya": 25, "fortsatta": 10, "avslutade": 6},
        {"kvinnor": 18, "man": 17},
        {"20_24": 6, "25_29": 9, "30_39": 11, "40_49": 6, "50_64": 3},
        {"forsorjningsstod": 20, "a_kassa": 8, "ingen": 5, "annan": 2},
        {"arbete": 3, "studier": 1, "annan_insats": 1, "avbrott": 1},
    ),
)
UNGA_VUXNA_T1 = ReportData(
    cooperation="Elevhälsan och vårdcentralerna har en gemensam rutin för när elever behöver vård. "
    "Styrgruppen träffas varje månad.",
    activities="Föreläsningar för alla klasser i årskurs 1 och två coacher på plats på skolan.",
    deviations="Föreläsningarna hölls digitalt under våren.",
    cost=Decimal(240_000),
    counts=_counts(
        {"nya": 14, "fortsatta": 8, "avslutade": 4},
        {"kvinnor": 13, "man": 9},
        {"16_19": 15, "20_24": 7},
        {"ingen": 16, "sjukpenning": 2, "aktivitetsersattning": 4},
        {"studier": 3, "annat": 1},
    ),
)
YRKESKEDJOR_T2 = ReportData(
    cooperation="Samverkan fungerar väl; Region Skåne deltar nu i varje planeringsmöte.",
    activities="Ytterligare en utbildningskedja inom lokalvård har startat.",
    cost=Decimal(1_200_000),
    counts=_counts(
        {"nya": 20, "fortsatta": 29, "avslutade": 12},
        {"kvinnor": 26, "man": 23},
        {"20_24": 8, "25_29": 13, "30_39": 15, "40_49": 9, "50_64": 4},
        {"forsorjningsstod": 28, "a_kassa": 12, "ingen": 6, "annan": 3},
        {"arbete": 6, "studier": 2, "arbetssokande": 2, "avbrott": 2},
    ),
)


def load_reports(forbund: Forbund, samordnare: User, projektagare: User) -> None:
    for kind, due in PERIODS:
        period = ReportPeriod.objects.filter(forbund=forbund, year=2021, kind=kind).first() or ReportPeriod(
            year=2021, kind=kind
        )
        period.due_date = due
        report_period_save(forbund=forbund, by=samordnare, period=period)
    yrkeskedjor = Insats.objects.get(forbund=forbund, name="Yrkeskedjor")
    unga_vuxna = Insats.objects.get(forbund=forbund, name="Unga Vuxna")

    def report(insats, kind) -> Tertialrapport:
        return Tertialrapport.objects.get(
            insats=insats, period__forbund=forbund, period__year=2021, period__kind=kind
        )

    approved = Tertialrapport.Status.GODKAND
    for insats, data, by in (
        (yrkeskedjor, YRKESKEDJOR_T1, projektagare),
        (unga_vuxna, UNGA_VUXNA_T1, samordnare),
    ):
        first = report(insats, "T1")
        if first.status == Tertialrapport.Status.UTKAST:
            report_save(report=first, by=by, data=data)
            transition(first, to=Tertialrapport.Status.INSKICKAD, by=by)
            transition(first, to=approved, by=samordnare)

    second = report(yrkeskedjor, "T2")
    if second.status == Tertialrapport.Status.UTKAST:
        report_save(report=second, by=projektagare, data=YRKESKEDJOR_T2)
        transition(second, to=Tertialrapport.Status.INSKICKAD, by=projektagare)
        transition(
            second,
            to=Tertialrapport.Status.RETURNERAD,
            by=samordnare,
            comment="Kostnaden är lägre än fakturorna för perioden. Förklara skillnaden.",
        )
    late = report(unga_vuxna, "T2")
    if late.started_at is None:
        report_save(
            report=late,
            by=samordnare,
            data=ReportData(
                cooperation="Insatsen avslutades i juli; slutrapporten skrivs av projektledaren."
            ),
        )

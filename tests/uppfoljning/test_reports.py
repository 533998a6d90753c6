"""Tertial reports as services: the consistency rules for participant counts, the automatic creation
of a period's reports, and the workflow (who may move a report, what stops a submission, what the
history keeps)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from finsam import access, concurrency, workflow
from forbund.models import ActivityEvent, Medlem, Role
from insatser.models import Insats
from tests.factories import (
    ForbundFactory,
    GoalFactory,
    InsatsFactory,
    InvoiceFactory,
    MedlemFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
)
from uppfoljning import statistics
from uppfoljning.models import ParticipantCount, ReportPeriod, ReportStatusChange, Tertialrapport
from uppfoljning.selectors.reports import counts_of, invoiced_in_period, submission_problems
from uppfoljning.services.reports import ReportData, report_period_save, report_save

pytestmark = pytest.mark.django_db

S = Tertialrapport.Status
IS = Insats.Status
Kind = Role.Kind
D = datetime.date
OTHER_PROJEKTAGARE = "projektagare_annan_medlem"  # a projektägare of another member organisation
EVERY_ACTOR = [*Kind.values, OTHER_PROJEKTAGARE]
OWNER = Kind.PROJEKTAGARE  # the actor fixture makes the projektägare one of the insats's owner

# The report workflow as the förbund works: the project owner (or the samordnare for them) submits,
# only the samordnare returns a report for completion or approves it. Written out here, not read
# from the workflow's table, so that a wrong row in the table fails these tests.
STEPS = [
    (S.UTKAST, S.INSKICKAD, "Skicka in rapporten", {OWNER, Kind.SAMORDNARE}),
    (S.RETURNERAD, S.INSKICKAD, "Skicka in den kompletterade rapporten", {OWNER, Kind.SAMORDNARE}),
    (S.INSKICKAD, S.RETURNERAD, "Returnera för komplettering", {Kind.SAMORDNARE}),
    (S.INSKICKAD, S.GODKAND, "Godkänn rapporten", {Kind.SAMORDNARE}),
]
ALLOWED = [(source, target, kind) for source, target, _, who in STEPS for kind in sorted(who)]
REFUSED = [
    (source, target, label, kind)
    for source, target, label, who in STEPS
    for kind in EVERY_ACTOR
    if kind not in who
]
NOT_IN_TABLE = [
    (source, target)
    for source in S.values
    for target in S.values
    if source != target and (source, target) not in {(step[0], step[1]) for step in STEPS}
]


def counts(**dimensions: dict[str, int]) -> statistics.Counts:
    """counts(flow={"nya": 6}, gender={...}) as the service takes them."""
    return {
        (dimension, category): number
        for dimension, values in dimensions.items()
        for category, number in values.items()
    }


def consistent(**changes: dict[str, int]) -> statistics.Counts:
    """Ten participants (6 new, 4 continuing), three ended; every sum agrees unless changed."""
    dimensions = {
        "flow": {"nya": 6, "fortsatta": 4, "avslutade": 3},
        "gender": {"kvinnor": 5, "man": 5},
        "age": {"20_24": 4, "30_39": 6},
        "support": {"forsorjningsstod": 7, "ingen": 3},
        "outcome": {"arbete": 2, "studier": 1},
    }
    dimensions.update(changes)
    return counts(**dimensions)


def filled(**changes) -> ReportData:
    values = {
        "cooperation": "Kommunen och Arbetsförmedlingen planerar varje vecka.",
        "activities": "Två kurser och vägledning.",
        "deviations": "Färre praktikplatser än planerat.",
        "implementation": "Arbetssättet diskuteras i förvaltningen.",
        "cost": Decimal(150_000),
        "cost_comment": "",
        "counts": consistent(),
    }
    values.update(changes)
    return ReportData(**values)


@pytest.fixture
def owner(forbund) -> Medlem:
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")


@pytest.fixture
def actor(forbund, owner, user_in):
    """actor(kind) is a user with that role; a projektägare belongs to the insats's owner."""

    def _actor(kind: str):
        if kind == Kind.PROJEKTAGARE:
            return user_in(forbund, kind, medlem=owner)
        if kind == OTHER_PROJEKTAGARE:
            return user_in(
                forbund, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=forbund, name="Byn kommun")
            )
        return user_in(forbund, kind)

    return _actor


@pytest.fixture
def period(forbund) -> ReportPeriod:
    return ReportPeriodFactory(forbund=forbund, year=2021, kind="T1")


@pytest.fixture
def insats(forbund, owner) -> Insats:
    return InsatsFactory(forbund=forbund, owner=owner, name="Vägen till arbete")


@pytest.fixture
def report_in(period, insats, actor):
    """report_in(status) is a report of Vägen till arbete for T1 2021, filled in and consistent,
    left in that status (without history rows)."""

    def _report(status: str = S.UTKAST, data: ReportData | None = None) -> Tertialrapport:
        report = TertialrapportFactory(period=period, insats=insats)
        report_save(report=report, by=actor(Kind.SAMORDNARE), data=data or filled())
        Tertialrapport.objects.filter(pk=report.pk).update(status=status)
        report.refresh_from_db()
        return report

    return _report


def history(report: Tertialrapport) -> list[tuple[str, str, str]]:
    return list(report.status_changes.order_by("id").values_list("from_status", "to_status", "comment"))


# The consistency rules ---------------------------------------------------------------------------


def test_consistent_numbers_have_no_problems():
    assert statistics.problems(consistent(), "individinriktad") == []


def test_more_ended_than_participants_is_a_problem():
    numbers = consistent(
        flow={"nya": 2, "fortsatta": 0, "avslutade": 3},
        gender={"kvinnor": 2},
        age={"16_19": 2},
        support={"ingen": 2},
        outcome={"arbete": 3},
    )
    assert statistics.problems(numbers, "individinriktad") == [
        "Avslutade (3) kan inte vara fler än deltagarna, nya och fortsatta (2)."
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"gender": {"kvinnor": 5, "man": 4}},
            "Kön: summan (9) ska vara lika med antalet deltagare (10).",
        ),
        (
            {"age": {"20_24": 4, "30_39": 6, "50_64": 1}},
            "Ålder: summan (11) ska vara lika med antalet deltagare (10).",
        ),
        (
            {"support": {"forsorjningsstod": 7}},
            "Huvudsaklig försörjning vid start: summan (7) ska vara lika med antalet deltagare (10).",
        ),
        (
            {"outcome": {"arbete": 2}},
            "Efter avslut: summan (2) ska vara lika med antalet avslutade (3).",
        ),
    ],
    ids=["kon", "alder", "forsorjning", "efter_avslut"],
)
def test_a_sum_that_disagrees_is_named_with_both_numbers(change, message):
    assert statistics.problems(consistent(**change), "individinriktad") == [message]


def test_missing_numbers_are_problems_in_every_dimension():
    assert statistics.problems(counts(flow={"nya": 4}), "individinriktad") == [
        "Kön: summan (0) ska vara lika med antalet deltagare (4).",
        "Ålder: summan (0) ska vara lika med antalet deltagare (4).",
        "Huvudsaklig försörjning vid start: summan (0) ska vara lika med antalet deltagare (4).",
    ]


def test_strukturinriktad_insatser_have_no_participant_rules():
    nonsense = counts(flow={"avslutade": 9}, gender={"kvinnor": 1}, volume={"moten": 3})
    assert statistics.problems(nonsense, "strukturinriktad") == []
    assert [d.code for d in statistics.dimensions_for("strukturinriktad")] == ["volume"]
    assert [d.code for d in statistics.dimensions_for("individinriktad")] == [
        "flow",
        "gender",
        "age",
        "support",
        "outcome",
    ]


@pytest.mark.parametrize(
    ("value", "shown"), [(None, "–"), (0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (12, "12")]
)
def test_small_counts_are_masked_below_five(value, shown):
    assert statistics.masked(value) == shown


# Automatic creation of a period's reports --------------------------------------------------------


def t1_2021(**kwargs) -> ReportPeriod:
    return ReportPeriod(year=2021, kind="T1", due_date=kwargs.pop("due_date", D(2021, 5, 15)), **kwargs)


def reported(period: ReportPeriod) -> set[str]:
    return set(period.reports.values_list("insats__name", flat=True))


def test_saving_a_period_creates_a_report_for_each_granted_insats_running_in_it(forbund, actor):
    def insats(name, status=IS.PAGAENDE, **kwargs):
        kwargs.setdefault("start", D(2021, 1, 1))
        kwargs.setdefault("end", D(2022, 12, 31))
        return InsatsFactory(forbund=forbund, name=name, status=status, **kwargs)

    insats("Beviljad", IS.BEVILJAD, start=D(2021, 3, 1))
    insats("Pågående sedan länge", start=D(2019, 1, 1))
    insats("Avslutad i februari", IS.AVSLUTAD, start=D(2020, 1, 1), end=D(2021, 2, 28))
    insats("Implementerad", IS.IMPLEMENTERAD)
    insats("Avvecklad", IS.AVVECKLAD)
    insats("Börjar sista april", start=D(2021, 4, 30))
    insats("Slutar nyårsdagen", start=D(2020, 1, 1), end=D(2021, 1, 1))
    insats("Strukturinriktad", kind=Insats.Kind.STRUKTURINRIKTAD)
    for status in (IS.IDE, IS.UTKAST, IS.INSKICKAD, IS.UNDER_BEREDNING, IS.KOMPLETTERING_BEGARD, IS.AVSLAGEN):
        insats(f"Inte beviljad ({status})", status)
    insats("Slutade förra året", IS.AVSLUTAD, start=D(2019, 1, 1), end=D(2020, 12, 31))
    insats("Börjar i maj", IS.BEVILJAD, start=D(2021, 5, 1))
    elsewhere = ForbundFactory()
    InsatsFactory(forbund=elsewhere, name="Annat förbunds insats")

    period = report_period_save(forbund=forbund, by=actor(Kind.SAMORDNARE), period=t1_2021())

    assert period.forbund == forbund
    assert reported(period) == {
        "Beviljad",
        "Pågående sedan länge",
        "Avslutad i februari",
        "Implementerad",
        "Avvecklad",
        "Börjar sista april",
        "Slutar nyårsdagen",
        "Strukturinriktad",
    }
    assert set(Tertialrapport.objects.values_list("status", flat=True)) == {S.UTKAST}
    assert ActivityEvent.objects.filter(
        forbund=forbund, description="Sparade rapportperioden Tertial 1 2021 (8 nya rapporter)"
    ).exists()


def test_saving_the_period_again_creates_nothing_new_but_adds_insatser_that_came_later(forbund, owner, actor):
    samordnare = actor(Kind.SAMORDNARE)
    InsatsFactory(forbund=forbund, owner=owner, name="Vägen till arbete")
    application = InsatsFactory(forbund=forbund, name="Unga i fokus", status=IS.UNDER_BEREDNING)
    period = report_period_save(forbund=forbund, by=samordnare, period=t1_2021())
    first = set(period.reports.values_list("pk", flat=True))

    report_period_save(forbund=forbund, by=samordnare, period=period)
    assert set(period.reports.values_list("pk", flat=True)) == first

    InsatsFactory(forbund=forbund, name="Startar i mars", status=IS.BEVILJAD, start=D(2021, 3, 1))
    Insats.objects.filter(pk=application.pk).update(status=IS.BEVILJAD)
    report_period_save(forbund=forbund, by=samordnare, period=period)

    assert reported(period) == {"Vägen till arbete", "Startar i mars", "Unga i fokus"}
    assert first < set(period.reports.values_list("pk", flat=True))
    assert Tertialrapport.objects.count() == 3


def test_saving_the_period_again_keeps_what_was_written_in_its_reports(forbund, insats, actor):
    samordnare = actor(Kind.SAMORDNARE)
    period = report_period_save(forbund=forbund, by=samordnare, period=t1_2021())
    report = period.reports.get()
    report_save(report=report, by=samordnare, data=filled())

    period.due_date = D(2021, 5, 31)
    report_period_save(forbund=forbund, by=samordnare, period=period)

    report.refresh_from_db()
    assert report.cooperation == "Kommunen och Arbetsförmedlingen planerar varje vecka."
    assert counts_of(report) == consistent()
    assert ReportPeriod.objects.get().due_date == D(2021, 5, 31)


@pytest.mark.parametrize(
    ("kind", "due", "end"),
    [
        ("T1", D(2021, 4, 30), "2021-04-30"),
        ("T1", D(2021, 3, 15), "2021-04-30"),
        ("T2", D(2021, 8, 31), "2021-08-31"),
        ("AR", D(2021, 12, 31), "2021-12-31"),
    ],
)
def test_a_due_date_on_or_before_the_period_end_is_refused(forbund, insats, actor, kind, due, end):
    period = ReportPeriod(year=2021, kind=kind, due_date=due)

    with pytest.raises(ValidationError) as refused:
        report_period_save(forbund=forbund, by=actor(Kind.SAMORDNARE), period=period)

    assert refused.value.message_dict == {
        "due_date": [f"Sista dagen måste ligga efter periodens slut ({end})."]
    }
    assert not ReportPeriod.objects.exists()
    assert not Tertialrapport.objects.exists()


def test_the_same_period_cannot_be_added_twice(forbund, actor):
    samordnare = actor(Kind.SAMORDNARE)
    report_period_save(forbund=forbund, by=samordnare, period=t1_2021())
    with pytest.raises(ValidationError):
        report_period_save(forbund=forbund, by=samordnare, period=t1_2021(due_date=D(2021, 6, 1)))
    assert ReportPeriod.objects.get().due_date == D(2021, 5, 15)


@pytest.mark.parametrize("kind", [k for k in EVERY_ACTOR if k != Kind.SAMORDNARE])
def test_only_the_samordnare_saves_report_periods(forbund, insats, actor, kind):
    with pytest.raises(PermissionDenied, match="Bara samordnaren bestämmer rapportperioderna."):
        report_period_save(forbund=forbund, by=actor(kind), period=t1_2021())
    assert not ReportPeriod.objects.exists()
    assert not Tertialrapport.objects.exists()


def test_periods_run_from_january_to_the_end_of_april_august_and_december():
    ends = {kind: ReportPeriod(year=2024, kind=kind).end for kind in ("T1", "T2", "AR")}
    assert ends == {"T1": D(2024, 4, 30), "T2": D(2024, 8, 31), "AR": D(2024, 12, 31)}
    assert ReportPeriod(year=2024, kind="T2").start == D(2024, 1, 1)


# Drafts -----------------------------------------------------------------------------------------


def test_saving_a_draft_keeps_texts_goals_counts_and_cost(period, insats, actor):
    goal = GoalFactory(insats=insats, text="Hälften går vidare till arbete")
    report = TertialrapportFactory(period=period, insats=insats)

    report_save(
        report=report,
        by=actor(Kind.PROJEKTAGARE),
        data=filled(
            cooperation="  Veckomöten.  ",
            goals={goal.pk: ("delvis", " Sex av tio. ")},
            counts=consistent(age={"20_24": 4, "30_39": 6, "50_64": 0}),
        ),
    )

    report.refresh_from_db()
    assert report.cooperation == "Veckomöten."
    assert report.cost == Decimal(150_000)
    assert report.started_at is not None
    assert list(report.goal_progress.values_list("goal__text", "status", "comment")) == [
        ("Hälften går vidare till arbete", "delvis", "Sex av tio.")
    ]
    assert counts_of(report) == consistent()  # zeros are not stored
    assert report.status == S.UTKAST


def test_a_draft_may_hold_numbers_that_disagree(period, insats, actor):
    report = TertialrapportFactory(period=period, insats=insats)
    report_save(
        report=report, by=actor(Kind.SAMORDNARE), data=filled(counts=consistent(gender={"kvinnor": 1}))
    )
    assert counts_of(report)[("gender", "kvinnor")] == 1


def test_a_draft_refuses_negative_numbers_and_goals_of_another_insats(period, insats, actor):
    report = TertialrapportFactory(period=period, insats=insats)
    samordnare = actor(Kind.SAMORDNARE)
    foreign_goal = GoalFactory(insats=InsatsFactory(forbund=period.forbund))

    with pytest.raises(ValidationError) as negative_cost:
        report_save(report=report, by=samordnare, data=filled(cost=Decimal(-1)))
    assert negative_cost.value.message_dict == {"cost": ["Kostnaden kan inte vara negativ."]}
    with pytest.raises(ValidationError, match="Antal kan inte vara negativa."):
        report_save(report=report, by=samordnare, data=filled(counts={("flow", "nya"): -2}))
    with pytest.raises(ValidationError, match="Ett mål hör inte till insatsen."):
        report_save(report=report, by=samordnare, data=filled(goals={foreign_goal.pk: ("delvis", "")}))

    report.refresh_from_db()
    assert report.cooperation == ""
    assert not ParticipantCount.objects.exists()


@pytest.mark.parametrize(
    "kind", [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, OTHER_PROJEKTAGARE]
)
def test_only_the_samordnare_and_the_own_projektagare_fill_in_a_report(period, insats, actor, kind):
    report = TertialrapportFactory(period=period, insats=insats)
    with pytest.raises(
        PermissionDenied, match="Bara projektägarens organisation och samordnaren kan fylla i rapporten."
    ):
        report_save(report=report, by=actor(kind), data=filled())
    report.refresh_from_db()
    assert report.cooperation == ""
    assert report.started_at is None


def test_the_cost_suggestion_sums_the_insats_invoices_within_the_period(period, insats):
    report = TertialrapportFactory(period=period, insats=insats)
    assert invoiced_in_period(report) is None

    InvoiceFactory(insats=insats, period_start=D(2021, 1, 1), period_end=D(2021, 2, 28), amount=100_000)
    InvoiceFactory(insats=insats, period_start=D(2021, 3, 1), period_end=D(2021, 4, 30), amount=60_000)
    InvoiceFactory.create_credit_note(insats=insats, amount=Decimal(-5_000))
    InvoiceFactory(insats=insats, period_start=D(2021, 5, 1), period_end=D(2021, 6, 30), amount=70_000)
    InvoiceFactory(insats=insats, period_start=D(2020, 11, 1), period_end=D(2020, 12, 31), amount=80_000)
    InvoiceFactory(insats=InsatsFactory(forbund=period.forbund), amount=90_000)

    assert invoiced_in_period(report) == Decimal(155_000)


# The workflow ----------------------------------------------------------------------------------


def transitions(report: Tertialrapport) -> int:
    return ActivityEvent.objects.filter(object_id=str(report.pk), kind=ActivityEvent.Kind.TRANSITION).count()


def test_the_registered_table_is_the_reporting_rhythm():
    table = {(step.source, step.target): (step.label, step.roles) for step in Tertialrapport.workflow.steps}
    assert table == {(source, target): (label, who) for source, target, label, who in STEPS}
    assert not any(step.automatic for step in Tertialrapport.workflow.steps)


@pytest.mark.parametrize(("source", "target", "kind"), ALLOWED)
def test_allowed_role_makes_the_transition_and_history_records_it(report_in, actor, source, target, kind):
    report = report_in(source)
    user = actor(kind)
    version = report.lock_version

    change = workflow.transition(report, to=target, by=user, comment="  Komplettera kostnaden. ")

    report.refresh_from_db()
    assert report.status == target
    assert report.lock_version == version + 1
    assert history(report) == [(source, target, "Komplettera kostnaden.")]
    assert change.by == user
    assert (change.snapshot is not None) == (target == S.INSKICKAD)
    event = ActivityEvent.objects.get(object_id=str(report.pk), kind=ActivityEvent.Kind.TRANSITION)
    assert event.actor == user
    assert event.url == report.get_absolute_url()


@pytest.mark.parametrize(("source", "target", "label", "kind"), REFUSED)
def test_other_roles_are_refused_the_transition_and_nothing_changes(
    report_in, actor, source, target, label, kind
):
    report = report_in(source)

    with pytest.raises(PermissionDenied, match=f"Din roll får inte göra detta: {label.lower()}."):
        workflow.transition(report, to=target, by=actor(kind), comment="Försök")

    report.refresh_from_db()
    assert report.status == source
    assert not report.status_changes.exists()
    assert transitions(report) == 0


def test_the_refused_include_the_board_the_revisor_and_another_organisations_projektagare():
    refused = {(source, target): set() for source, target, _, _ in STEPS}
    for source, target, _, kind in REFUSED:
        refused[(source, target)].add(kind)
    for who in refused.values():
        assert {Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, OTHER_PROJEKTAGARE} <= who
    assert OWNER in refused[(S.INSKICKAD, S.GODKAND)]
    assert OWNER in refused[(S.INSKICKAD, S.RETURNERAD)]


def test_a_member_of_another_forbund_cannot_move_the_report(report_in, user_in):
    report = report_in(S.INSKICKAD)
    elsewhere = ForbundFactory()
    for kind in (Kind.SAMORDNARE, Kind.PROJEKTAGARE):
        with pytest.raises(PermissionDenied):
            workflow.transition(report, to=S.GODKAND, by=user_in(elsewhere, kind))
    report.refresh_from_db()
    assert report.status == S.INSKICKAD


@pytest.mark.parametrize(("source", "target"), NOT_IN_TABLE)
def test_transitions_outside_the_table_are_refused_with_a_swedish_reason(report_in, actor, source, target):
    report = report_in(source)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(report, to=target, by=actor(Kind.SAMORDNARE), comment="Försök")
    assert refused.value.messages == [
        f"En rapport som är {S(source).label.lower()} kan inte bli {S(target).label.lower()}."
    ]
    report.refresh_from_db()
    assert report.status == source
    assert not report.status_changes.exists()


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_returning_a_report_needs_a_comment(report_in, actor, comment):
    report = report_in(S.INSKICKAD)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(report, to=S.RETURNERAD, by=actor(Kind.SAMORDNARE), comment=comment)
    assert refused.value.message_dict == {"comment": ["Skriv vad som ska kompletteras."]}
    report.refresh_from_db()
    assert report.status == S.INSKICKAD
    assert not report.status_changes.exists()


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.PROJEKTAGARE])
def test_a_submission_with_numbers_that_disagree_is_refused_naming_them(report_in, actor, kind):
    report = report_in(S.UTKAST, filled(counts=consistent(gender={"kvinnor": 5, "man": 4}, outcome={})))

    with pytest.raises(ValidationError) as refused:
        workflow.transition(report, to=S.INSKICKAD, by=actor(kind))

    assert refused.value.messages == [
        "Kön: summan (9) ska vara lika med antalet deltagare (10).",
        "Efter avslut: summan (0) ska vara lika med antalet avslutade (3).",
    ]
    report.refresh_from_db()
    assert report.status == S.UTKAST
    assert not report.status_changes.exists()
    assert transitions(report) == 0


def test_an_empty_report_cannot_be_submitted(period, insats, actor):
    report = TertialrapportFactory(period=period, insats=insats)
    with pytest.raises(ValidationError) as refused:
        workflow.transition(report, to=S.INSKICKAD, by=actor(Kind.PROJEKTAGARE))
    assert refused.value.messages == [
        "Beskriv hur samverkan fungerar och har utvecklats.",
        "Ange hur många deltagare insatsen har haft under perioden.",
    ]
    report.refresh_from_db()
    assert report.status == S.UTKAST


def test_a_strukturinriktad_report_is_submitted_with_volumes_only(forbund, period, owner, actor):
    insats = InsatsFactory(forbund=forbund, owner=owner, kind=Insats.Kind.STRUKTURINRIKTAD)
    report = TertialrapportFactory(period=period, insats=insats)
    projektagare = actor(Kind.PROJEKTAGARE)
    report_save(
        report=report,
        by=projektagare,
        data=filled(counts=counts(volume={"moten": 12, "utbildade": 3})),
    )
    report.refresh_from_db()
    assert submission_problems(report) == []

    workflow.transition(report, to=S.INSKICKAD, by=projektagare)

    report.refresh_from_db()
    assert report.status == S.INSKICKAD


def test_submission_keeps_a_snapshot_of_texts_goals_cost_and_counts(report_in, insats, actor):
    goal = GoalFactory(insats=insats, text="Tio deltagare i arbete")
    report = report_in(S.UTKAST, filled(goals={goal.pk: ("enligt_plan", "Sju hittills.")}))

    change = workflow.transition(report, to=S.INSKICKAD, by=actor(Kind.PROJEKTAGARE))

    assert change.snapshot == {
        "texts": {
            "cooperation": "Kommunen och Arbetsförmedlingen planerar varje vecka.",
            "activities": "Två kurser och vägledning.",
            "deviations": "Färre praktikplatser än planerat.",
            "implementation": "Arbetssättet diskuteras i förvaltningen.",
        },
        "cost": "150000",
        "cost_comment": "",
        "goals": [{"goal": "Tio deltagare i arbete", "status": "enligt_plan", "comment": "Sju hittills."}],
        "counts": {
            "age/20_24": 4,
            "age/30_39": 6,
            "flow/avslutade": 3,
            "flow/fortsatta": 4,
            "flow/nya": 6,
            "gender/kvinnor": 5,
            "gender/man": 5,
            "outcome/arbete": 2,
            "outcome/studier": 1,
            "support/forsorjningsstod": 7,
            "support/ingen": 3,
        },
    }


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (S.INSKICKAD, "Rapporten är inskickad och kan inte ändras."),
        (S.GODKAND, "Rapporten är godkänd och kan inte ändras."),
    ],
)
@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.PROJEKTAGARE])
def test_a_submitted_or_approved_report_cannot_be_changed(report_in, actor, status, reason, kind):
    report = report_in(status)
    user = actor(kind)

    verdict = access.check("edit_report", user, report)
    assert not verdict
    assert verdict.locked  # refused because of the report's state, whoever asks
    assert verdict.reason == reason
    with pytest.raises(ValidationError) as refused:
        report_save(report=report, by=user, data=filled(cooperation="Ändrat i efterhand."))
    assert refused.value.messages == [reason]

    report.refresh_from_db()
    assert report.cooperation == "Kommunen och Arbetsförmedlingen planerar varje vecka."


def test_a_submitted_report_is_locked_for_its_owner_until_the_samordnare_returns_it(report_in, actor):
    report = report_in(S.UTKAST)
    owner, samordnare = actor(OWNER), actor(Kind.SAMORDNARE)
    assert access.check("edit_report", owner, report)

    workflow.transition(report, to=S.INSKICKAD, by=owner)
    assert not access.check("edit_report", owner, report)
    with pytest.raises(ValidationError, match="Rapporten är inskickad och kan inte ändras."):
        report_save(report=report, by=owner, data=filled(cooperation="Ändrat efter inskickning."))

    workflow.transition(report, to=S.RETURNERAD, by=samordnare, comment="Komplettera texten.")
    report_save(report=report, by=owner, data=filled(cooperation="Kompletterad text."))
    report.refresh_from_db()
    assert report.cooperation == "Kompletterad text."


def test_a_draft_saved_over_a_newer_save_is_refused_and_names_what_changed(report_in, actor):
    report = report_in(S.UTKAST)
    owner, samordnare = actor(OWNER), actor(Kind.SAMORDNARE)
    opened = Tertialrapport.objects.get(pk=report.pk).lock_version

    report_save(
        report=report, by=samordnare, data=filled(cooperation="Samordnarens text."), opened_version=opened
    )
    with pytest.raises(concurrency.StaleEdit) as stale:
        report_save(report=report, by=owner, data=filled(cooperation="Ägarens text."), opened_version=opened)

    message = stale.value.messages[0]
    assert message.startswith("Någon annan har sparat tertialrapport sedan du öppnade formuläret")
    assert "Samordnarens text." in message
    report.refresh_from_db()
    assert report.cooperation == "Samordnarens text."
    report_save(
        report=report,
        by=owner,
        data=filled(cooperation="Ägarens text."),
        opened_version=stale.value.current_version,
    )
    report.refresh_from_db()
    assert report.cooperation == "Ägarens text."


def test_a_saved_draft_is_in_the_log_with_the_values_before_and_after(period, insats, actor):
    report = TertialrapportFactory(period=period, insats=insats)
    owner = actor(OWNER)

    report_save(report=report, by=owner, data=filled(cost=Decimal(90_000), counts={("flow", "nya"): 3}))

    report.refresh_from_db()
    event = ActivityEvent.objects.get(object_id=str(report.pk), kind=ActivityEvent.Kind.CHANGED)
    assert event.actor == owner
    assert event.object_version == report.lock_version == 1
    assert event.url == report.get_absolute_url()
    changes = {change["field"]: (change["before"], change["after"]) for change in event.changes}
    assert changes["cost"] == ("", "90\xa0000")
    assert changes["cooperation"] == ("", "Kommunen och Arbetsförmedlingen planerar varje vecka.")
    # The log is read by the revisor, so a count below 5 is masked there as on every page outside the kansli.
    assert changes["counts"] == ("", "flow/nya <5")


def test_a_returned_report_keeps_everything_and_is_corrected_and_resubmitted(report_in, insats, actor):
    goal = GoalFactory(insats=insats, text="Tio deltagare i arbete")
    report = report_in(S.UTKAST, filled(goals={goal.pk: ("delvis", "Sju.")}))
    samordnare, projektagare = actor(Kind.SAMORDNARE), actor(Kind.PROJEKTAGARE)
    first = workflow.transition(report, to=S.INSKICKAD, by=projektagare)

    workflow.transition(report, to=S.RETURNERAD, by=samordnare, comment="Kostnaden avviker från fakturorna.")

    report.refresh_from_db()
    assert report.status == S.RETURNERAD
    assert report.cooperation == "Kommunen och Arbetsförmedlingen planerar varje vecka."
    assert report.cost == Decimal(150_000)
    assert counts_of(report) == consistent()
    assert list(report.goal_progress.values_list("status", "comment")) == [("delvis", "Sju.")]
    assert access.can_edit_report(projektagare, report)

    report_save(
        report=report,
        by=projektagare,
        data=filled(
            cost=Decimal(160_000),
            cost_comment="En faktura kom sent.",
            goals={goal.pk: ("delvis", "Sju.")},
        ),
    )
    second = workflow.transition(report, to=S.INSKICKAD, by=projektagare)
    workflow.transition(report, to=S.GODKAND, by=samordnare)

    report.refresh_from_db()
    assert report.status == S.GODKAND
    assert report.cost == Decimal(160_000)
    assert first.snapshot["cost"] == "150000"
    assert second.snapshot["cost"] == "160000"
    assert second.snapshot["cost_comment"] == "En faktura kom sent."
    rows = ReportStatusChange.objects.filter(report=report).order_by("id")
    assert [(c.from_status, c.to_status, c.by, c.comment) for c in rows] == [
        (S.UTKAST, S.INSKICKAD, projektagare, ""),
        (S.INSKICKAD, S.RETURNERAD, samordnare, "Kostnaden avviker från fakturorna."),
        (S.RETURNERAD, S.INSKICKAD, projektagare, ""),
        (S.INSKICKAD, S.GODKAND, samordnare, ""),
    ]
    assert all(c.at is not None for c in rows)
    assert ReportStatusChange.objects.get(pk=first.pk).snapshot["cost"] == "150000"


def test_one_small_part_hides_a_second_so_the_total_cannot_give_it_back():
    from uppfoljning.statistics import masked_breakdown

    assert masked_breakdown([4, 6, 0]) == ["<5", "..", "0"]
    assert masked_breakdown([3, 2, 9]) == ["<5", "<5", "9"]
    assert masked_breakdown([12, 7, 0]) == ["12", "7", "0"]
    assert masked_breakdown([1, 0, 0]) == ["<5", "0", "0"]  # nothing else to hide; the total is the part

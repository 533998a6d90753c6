"""The insats workflow: every transition, who may make it, what it leaves on record, what stops an
application from being submitted, and how the board's decision is recorded.

The expected transitions and roles are written out here from the domain, not read from the table
under test: applicants (the samordnare, and the projektägare of the member that owns the insats)
write and submit; the samordnare prepares, asks for completion, starts and closes; a grant or a
refusal is the board's decision, recorded with amounts and paragraph, never a button."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from finsam import workflow
from forbund.models import ActivityEvent, Medlem, Role
from insatser import services
from insatser.models import Beslut, BudgetAmount, GrantedAmount, Insats, StatusChange
from insatser.selectors import application_version
from insatser.workflow import WORKFLOW
from tests.factories import (
    AgendaItemFactory,
    BudgetLineFactory,
    ConfirmationFactory,
    MedlemFactory,
    StyrelsemoteFactory,
    complete_application,
)

pytestmark = pytest.mark.django_db

S = Insats.Status
Kind = Role.Kind
D = datetime.date
OTHER_PROJEKTAGARE = "projektagare_annan_medlem"  # a projektägare of another member organisation
EVERY_ACTOR = [*Kind.values, OTHER_PROJEKTAGARE]
SAMORDNARE, PROJEKTAGARE = Kind.SAMORDNARE, Kind.PROJEKTAGARE  # PROJEKTAGARE: of the owning member

# (from, to, label, who may take it) — the steps taken by a button.
STEPS = [
    (S.IDE, S.UTKAST, "Påbörja ansökan", {SAMORDNARE, PROJEKTAGARE}),
    (S.UTKAST, S.INSKICKAD, "Skicka in ansökan", {SAMORDNARE, PROJEKTAGARE}),
    (S.INSKICKAD, S.UNDER_BEREDNING, "Ta upp till beredning", {SAMORDNARE}),
    (S.UNDER_BEREDNING, S.KOMPLETTERING_BEGARD, "Begär komplettering", {SAMORDNARE}),
    (S.KOMPLETTERING_BEGARD, S.INSKICKAD, "Skicka in kompletterad ansökan", {SAMORDNARE, PROJEKTAGARE}),
    (S.BEVILJAD, S.PAGAENDE, "Starta insatsen", {SAMORDNARE}),
    (S.PAGAENDE, S.AVSLUTAD, "Avsluta insatsen", {SAMORDNARE}),
    (S.AVSLUTAD, S.IMPLEMENTERAD, "Implementerad i ordinarie verksamhet", {SAMORDNARE}),
    (S.AVSLUTAD, S.AVVECKLAD, "Avvecklad", {SAMORDNARE}),
]
# The steps that follow from recording the board's decision, and only from that.
BY_DECISION = [(S.UNDER_BEREDNING, S.BEVILJAD), (S.UNDER_BEREDNING, S.AVSLAGEN)]
DECISION_ONLY = "Beviljande och avslag registreras som styrelsens beslut, med belopp och paragraf."

ALLOWED = [(source, target, kind) for source, target, _, roles in STEPS for kind in sorted(roles)]
REFUSED = [
    (source, target, kind) for source, target, _, roles in STEPS for kind in EVERY_ACTOR if kind not in roles
]
# The buttons each actor sees on an insats in each state (everyone not named sees none).
BUTTONS = {
    S.IDE: {SAMORDNARE: ["Påbörja ansökan"], PROJEKTAGARE: ["Påbörja ansökan"]},
    S.UTKAST: {SAMORDNARE: ["Skicka in ansökan"], PROJEKTAGARE: ["Skicka in ansökan"]},
    S.INSKICKAD: {SAMORDNARE: ["Ta upp till beredning"]},
    S.UNDER_BEREDNING: {SAMORDNARE: ["Begär komplettering"]},
    S.KOMPLETTERING_BEGARD: {
        SAMORDNARE: ["Skicka in kompletterad ansökan"],
        PROJEKTAGARE: ["Skicka in kompletterad ansökan"],
    },
    S.BEVILJAD: {SAMORDNARE: ["Starta insatsen"]},
    S.AVSLAGEN: {},
    S.PAGAENDE: {SAMORDNARE: ["Avsluta insatsen"]},
    S.AVSLUTAD: {SAMORDNARE: ["Implementerad i ordinarie verksamhet", "Avvecklad"]},
    S.IMPLEMENTERAD: {},
    S.AVVECKLAD: {},
}


def step_id(value) -> str:
    return str(value)


@pytest.fixture
def owner(forbund) -> Medlem:
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")


@pytest.fixture
def partner(forbund) -> Medlem:
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Åby kommun")


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
def application(forbund, owner, partner):
    """application(status) is a complete application by the Region together with Åby kommun."""

    def _application(status: str = S.UTKAST) -> Insats:
        return complete_application(
            forbund=forbund, owner=owner, partner=partner, status=status, name="Vägen till arbete"
        )

    return _application


def history(insats: Insats) -> list[tuple[str, str]]:
    return list(insats.status_changes.order_by("id").values_list("from_status", "to_status"))


# Every transition ----------------------------------------------------------------------------------


def test_the_registered_table_is_the_domains():
    steps = {(step.source, step.target): step for step in WORKFLOW.steps}
    assert {key: (step.label, set(step.roles)) for key, step in steps.items() if not step.automatic} == {
        (source, target): (label, roles) for source, target, label, roles in STEPS
    }
    assert sorted(key for key, step in steps.items() if step.automatic) == sorted(BY_DECISION)
    assert all(steps[key].how == DECISION_ONLY for key in BY_DECISION)
    assert type(Insats.objects.first() or Insats()).workflow is WORKFLOW


@pytest.mark.parametrize(("source", "target", "kind"), ALLOWED, ids=step_id)
def test_allowed_role_makes_the_transition_and_history_records_it(application, actor, source, target, kind):
    insats = application(source)
    user = actor(kind)
    version = insats.lock_version

    change = services.insats_transition(
        insats=insats, to=target, by=user, comment="  Enligt beredningsgruppen.  "
    )

    insats.refresh_from_db()
    assert insats.status == target
    assert insats.lock_version == version + 1
    assert history(insats) == [(source, target)]
    assert change.by == user
    assert change.comment == "Enligt beredningsgruppen."
    event = ActivityEvent.objects.get(forbund=insats.forbund, actor=user, kind=ActivityEvent.Kind.TRANSITION)
    assert event.url == insats.get_absolute_url()
    assert [(c["before"], c["after"]) for c in event.changes] == [(S(source).label, S(target).label)]


@pytest.mark.parametrize(("source", "target", "kind"), REFUSED, ids=step_id)
def test_other_roles_are_refused_the_transition_and_nothing_changes(application, actor, source, target, kind):
    insats = application(source)

    with pytest.raises(PermissionDenied, match="Din roll får inte göra detta"):
        services.insats_transition(insats=insats, to=target, by=actor(kind), comment="Försök")

    insats.refresh_from_db()
    assert insats.status == source
    assert not insats.status_changes.exists()


def test_the_refused_roles_include_the_board_the_revisor_and_another_members_projektagare():
    refused = {(source, target): set() for source, target, _, _ in STEPS}
    for source, target, kind in REFUSED:
        refused[(source, target)].add(kind)
    for kinds in refused.values():
        assert {Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, Kind.EKONOM, OTHER_PROJEKTAGARE} <= kinds


@pytest.mark.parametrize("status", list(BUTTONS))
def test_each_actor_sees_the_buttons_of_the_steps_they_may_take(application, actor, status):
    insats = application(status)
    for kind in EVERY_ACTOR:
        labels = [step.label for step in workflow.steps_for(actor(kind), insats)]
        assert labels == BUTTONS[status].get(kind, []), kind


def test_every_other_pair_of_states_is_refused_for_the_samordnare(application, actor):
    """Any move not in the table — including a grant or refusal without the board's decision — is
    refused, and the insats stays as it was."""
    insats = application(S.UTKAST)
    samordnare = actor(Kind.SAMORDNARE)
    allowed = {(source, target) for source, target, _, _ in STEPS}
    for source in S.values:
        for target in S.values:
            if (source, target) in allowed:
                continue
            Insats.objects.filter(pk=insats.pk).update(status=source)
            insats.refresh_from_db()
            with pytest.raises((PermissionDenied, ValidationError)):
                services.insats_transition(insats=insats, to=target, by=samordnare, comment="Försök")
            insats.refresh_from_db()
            assert insats.status == source, (source, target)
    assert not insats.status_changes.exists()


@pytest.mark.parametrize(("source", "target"), BY_DECISION, ids=step_id)
def test_a_grant_or_refusal_is_not_a_plain_transition_even_for_the_samordnare(
    application, actor, source, target
):
    insats = application(source)
    with pytest.raises(PermissionDenied, match=DECISION_ONLY):
        services.insats_transition(insats=insats, to=target, by=actor(Kind.SAMORDNARE), comment="Ok")
    insats.refresh_from_db()
    assert insats.status == source
    assert not insats.status_changes.exists()
    assert not Beslut.objects.exists()


def test_projektagare_of_another_member_is_refused_submitting_even_a_complete_application(application, actor):
    insats = application(S.UTKAST)
    with pytest.raises(PermissionDenied, match="Din roll får inte göra detta: skicka in ansökan."):
        services.insats_transition(insats=insats, to=S.INSKICKAD, by=actor(OTHER_PROJEKTAGARE))
    insats.refresh_from_db()
    assert insats.status == S.UTKAST


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        (S.UTKAST, S.BEVILJAD, "En insats som är utkast kan inte bli beviljad."),
        (S.PAGAENDE, S.UTKAST, "En insats som är pågående kan inte bli utkast."),
        (S.AVSLAGEN, S.PAGAENDE, "En insats som är avslagen kan inte bli pågående."),
        (S.IDE, S.INSKICKAD, "En insats som är idé / förstudie kan inte bli inskickad."),
        (S.BEVILJAD, S.AVSLUTAD, "En insats som är beviljad kan inte bli avslutad."),
        (S.INSKICKAD, S.INSKICKAD, "En insats som är inskickad kan inte bli inskickad."),
    ],
)
def test_transitions_outside_the_table_are_refused_with_a_swedish_reason(
    application, actor, source, target, reason
):
    insats = application(source)
    with pytest.raises(ValidationError) as refused:
        services.insats_transition(insats=insats, to=target, by=actor(Kind.SAMORDNARE))
    assert refused.value.messages == [reason]
    insats.refresh_from_db()
    assert insats.status == source
    assert not insats.status_changes.exists()


def test_an_unknown_status_is_refused_not_a_crash(application, actor):
    insats = application(S.UTKAST)
    with pytest.raises(ValidationError, match="En insats som är utkast kan inte bli godkand."):
        services.insats_transition(insats=insats, to="godkand", by=actor(Kind.SAMORDNARE))


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_requesting_completion_needs_a_comment(application, actor, comment):
    insats = application(S.UNDER_BEREDNING)
    with pytest.raises(ValidationError) as refused:
        services.insats_transition(
            insats=insats, to=S.KOMPLETTERING_BEGARD, by=actor(Kind.SAMORDNARE), comment=comment
        )
    assert refused.value.message_dict == {"comment": ["Skriv vad som ska kompletteras."]}
    insats.refresh_from_db()
    assert insats.status == S.UNDER_BEREDNING
    assert not insats.status_changes.exists()


def test_the_transition_uses_the_stored_status_not_a_stale_object(application, actor):
    """Two samordnare with the same page open: the second click finds the insats already moved."""
    insats = application(S.INSKICKAD)
    stale = Insats.objects.get(pk=insats.pk)
    samordnare = actor(Kind.SAMORDNARE)
    services.insats_transition(insats=insats, to=S.UNDER_BEREDNING, by=samordnare)

    with pytest.raises(ValidationError, match="under beredning kan inte bli under beredning"):
        services.insats_transition(insats=stale, to=S.UNDER_BEREDNING, by=samordnare)
    assert history(insats) == [(S.INSKICKAD, S.UNDER_BEREDNING)]


# Submitting -------------------------------------------------------------------------------------


def no_period(insats: Insats) -> None:
    Insats.objects.filter(pk=insats.pk).update(start=None, end=None)


def no_partner(insats: Insats) -> None:
    insats.partners.clear()
    insats.confirmations.exclude(medlem=insats.owner).delete()


def no_malgrupp(insats: Insats) -> None:
    Insats.objects.filter(pk=insats.pk).update(malgrupp="")


def no_goal(insats: Insats) -> None:
    insats.goals.all().delete()


def empty_budget(insats: Insats) -> None:
    insats.budget_lines.all().delete()


def budget_of_zeros(insats: Insats) -> None:
    BudgetAmount.objects.filter(line__insats=insats).update(amount=Decimal(0))


def partner_not_asked(insats: Insats) -> None:
    insats.confirmations.exclude(medlem=insats.owner).delete()


def owner_not_asked(insats: Insats) -> None:
    insats.confirmations.filter(medlem=insats.owner).delete()


def partner_declined(insats: Insats) -> None:
    insats.confirmations.exclude(medlem=insats.owner).update(answer="avbojd", comment="Nej")


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (no_period, "Ange insatsens period (start- och slutdatum)."),
        (no_partner, "Minst två medlemmar måste stå bakom ansökan: ange minst en samverkanspart."),
        (no_malgrupp, "Ange målgrupp."),
        (no_goal, "Ange minst ett mål."),
        (empty_budget, "Fyll i budgeten."),
        (budget_of_zeros, "Fyll i budgeten."),
        (partner_not_asked, "Be en behörig företrädare för Åby kommun att bekräfta ansökan."),
        (owner_not_asked, "Be en behörig företrädare för Region Söder att bekräfta ansökan."),
        (partner_declined, "Be en behörig företrädare för Åby kommun att bekräfta ansökan."),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.PROJEKTAGARE])
def test_an_incomplete_application_cannot_be_submitted_and_says_what_is_missing(
    application, actor, spoil, problem, kind
):
    insats = application(S.UTKAST)
    spoil(insats)

    with pytest.raises(ValidationError) as refused:
        services.insats_transition(insats=insats, to=S.INSKICKAD, by=actor(kind))

    assert refused.value.messages == [problem]
    insats.refresh_from_db()
    assert insats.status == S.UTKAST
    assert not insats.status_changes.exists()


def test_a_bare_draft_lists_every_missing_piece(forbund, owner, actor):
    insats = Insats.objects.create(
        forbund=forbund, name="Tomt utkast", kind=Insats.Kind.INDIVIDINRIKTAD, owner=owner, status=S.UTKAST
    )
    with pytest.raises(ValidationError) as refused:
        services.insats_transition(insats=insats, to=S.INSKICKAD, by=actor(Kind.SAMORDNARE))
    assert refused.value.messages == [
        "Ange insatsens period (start- och slutdatum).",
        "Minst två medlemmar måste stå bakom ansökan: ange minst en samverkanspart.",
        "Ange målgrupp.",
        "Ange minst ett mål.",
        "Fyll i budgeten.",
        "Be en behörig företrädare för Region Söder att bekräfta ansökan.",
    ]


def test_a_resubmission_after_completion_is_checked_the_same_way(application, actor):
    insats = application(S.KOMPLETTERING_BEGARD)
    no_goal(insats)
    with pytest.raises(ValidationError, match="Ange minst ett mål."):
        services.insats_transition(insats=insats, to=S.INSKICKAD, by=actor(Kind.PROJEKTAGARE))
    insats.refresh_from_db()
    assert insats.status == S.KOMPLETTERING_BEGARD


def test_submitting_a_complete_application_keeps_a_snapshot_of_it(application, actor):
    insats = application(S.UTKAST)
    user = actor(Kind.PROJEKTAGARE)

    change = services.insats_transition(insats=insats, to=S.INSKICKAD, by=user)

    insats.refresh_from_db()
    assert insats.status == S.INSKICKAD
    assert (change.from_status, change.to_status, change.by) == (S.UTKAST, S.INSKICKAD, user)
    snapshot = StatusChange.objects.get(pk=change.pk).snapshot
    assert snapshot["name"] == "Vägen till arbete"
    assert snapshot["malgrupp"] == Insats.Malgrupp.UNGA_VUXNA
    assert snapshot["period"] == ["2021-01-01", "2022-12-31"]
    assert snapshot["owner"] == "Region Söder"
    assert snapshot["partners"] == ["Åby kommun"]
    assert [goal["text"] for goal in snapshot["goals"]] == [insats.goals.get().text]
    assert snapshot["budget"] == [
        {
            "section": "Övergripande",
            "description": "Processledare",
            "amounts": {"2021": "400000", "2022": "350000"},
        }
    ]
    assert snapshot["version"] == application_version(insats)
    assert [party["medlem"] for party in snapshot["confirmations"]] == ["Region Söder", "Åby kommun"]
    assert all(
        [r["state"] for r in party["representatives"]] == ["bekraftad"] for party in snapshot["confirmations"]
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.IDE, S.UTKAST),
        (S.INSKICKAD, S.UNDER_BEREDNING),
        (S.UNDER_BEREDNING, S.KOMPLETTERING_BEGARD),
        (S.BEVILJAD, S.PAGAENDE),
        (S.PAGAENDE, S.AVSLUTAD),
        (S.AVSLUTAD, S.AVVECKLAD),
    ],
)
def test_other_transitions_keep_no_snapshot(application, actor, source, target):
    insats = application(source)
    change = services.insats_transition(insats=insats, to=target, by=actor(Kind.SAMORDNARE), comment="Ok")
    assert change.snapshot is None


def test_editing_after_submission_leaves_the_submitted_snapshot_as_it_was(application, actor):
    insats = application(S.UTKAST)
    projektagare, samordnare = actor(Kind.PROJEKTAGARE), actor(Kind.SAMORDNARE)
    first = services.insats_transition(insats=insats, to=S.INSKICKAD, by=projektagare)
    submitted = StatusChange.objects.get(pk=first.pk).snapshot

    # While it is submitted, the application cannot be changed at all.
    insats.refresh_from_db()
    with pytest.raises(ValidationError, match="den är sparad som den skickades in"):
        services.budget_replace(insats=insats, by=projektagare, lines=[])
    with pytest.raises(ValidationError, match="den är sparad som den skickades in"):
        services.insats_update(insats=insats, by=projektagare)
    services.insats_transition(insats=insats, to=S.UNDER_BEREDNING, by=samordnare)
    services.insats_transition(
        insats=insats, to=S.KOMPLETTERING_BEGARD, by=samordnare, comment="Budgeten är för hög."
    )
    insats.refresh_from_db()
    insats.name = "Vägen till arbete, reviderad"
    services.insats_update(insats=insats, by=projektagare)
    services.budget_replace(
        insats=insats,
        by=projektagare,
        lines=[services.BudgetLineData(description="Processledare", amounts={2021: Decimal(300_000)})],
    )
    second = services.insats_transition(insats=insats, to=S.INSKICKAD, by=projektagare)

    assert StatusChange.objects.get(pk=first.pk).snapshot == submitted
    assert submitted["name"] == "Vägen till arbete"
    assert submitted["budget"][0]["amounts"] == {"2021": "400000", "2022": "350000"}
    resubmitted = StatusChange.objects.get(pk=second.pk).snapshot
    assert resubmitted["name"] == "Vägen till arbete, reviderad"
    assert resubmitted["budget"][0]["amounts"] == {"2021": "300000"}


# The board's decision -------------------------------------------------------------------------


def budget_amounts(insats: Insats) -> list[tuple]:
    return list(
        BudgetAmount.objects.filter(line__insats=insats)
        .order_by("line__order", "year")
        .values_list("line__description", "year", "amount")
    )


def board_item(insats):
    """The item about the insats on a board meeting's agenda, where the decision is taken."""
    meeting = StyrelsemoteFactory(forbund=insats.forbund, date=D(2020, 12, 3))
    return AgendaItemFactory(meeting=meeting, insats=insats, title=f"Ansökan: {insats.name}")


@pytest.fixture
def samordnare(actor):
    return actor(Kind.SAMORDNARE)


def test_grant_records_beslut_amounts_and_status(forbund, application, samordnare):
    insats = application(S.UNDER_BEREDNING)
    item = board_item(insats)
    applied = budget_amounts(insats)

    beslut = services.insats_decide(
        insats=insats,
        by=samordnare,
        outcome=Beslut.Outcome.BEVILJAD,
        agenda_item=item,
        motivation="Insatsen svarar mot förbundets mål.",
        amounts={2021: Decimal(300_000), 2022: Decimal(250_000)},
    )

    insats.refresh_from_db()
    assert insats.status == S.BEVILJAD
    assert beslut.agenda_item == item
    assert beslut.decided_on == D(2020, 12, 3)  # the meeting's date
    assert beslut.recorded_by == samordnare
    assert beslut.reference == "Styrelsen 2020-12-03 § (numreras i protokollet)"
    assert list(beslut.amounts.values_list("year", "amount")) == [(2021, 300_000), (2022, 250_000)]
    change = insats.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == (S.UNDER_BEREDNING, S.BEVILJAD, samordnare)
    assert change.comment == "Styrelsen 2020-12-03 § (numreras i protokollet)"
    # The application's budget stays as it was applied for.
    assert budget_amounts(insats) == applied


def test_refusal_stores_no_amounts(application, samordnare):
    insats = application(S.UNDER_BEREDNING)

    beslut = services.insats_decide(
        insats=insats,
        by=samordnare,
        outcome=Beslut.Outcome.AVSLAGEN,
        agenda_item=board_item(insats),
        amounts={2021: Decimal(300_000)},
    )

    insats.refresh_from_db()
    assert insats.status == S.AVSLAGEN
    assert beslut.outcome == Beslut.Outcome.AVSLAGEN
    assert not GrantedAmount.objects.exists()
    assert history(insats) == [(S.UNDER_BEREDNING, S.AVSLAGEN)]
    assert insats.status_changes.get().comment == "Styrelsen 2020-12-03 § (numreras i protokollet)"


@pytest.mark.parametrize("status", [S.UTKAST, S.INSKICKAD, S.KOMPLETTERING_BEGARD, S.BEVILJAD, S.AVSLAGEN])
def test_a_decision_can_only_be_recorded_under_beredning(application, samordnare, status):
    insats = application(status)
    with pytest.raises(
        ValidationError, match="Beslut kan bara registreras för en ansökan som är under beredning."
    ):
        services.insats_decide(
            insats=insats,
            by=samordnare,
            outcome=Beslut.Outcome.BEVILJAD,
            agenda_item=board_item(insats),
            amounts={2021: Decimal(1)},
        )
    assert not Beslut.objects.exists()


@pytest.mark.parametrize("kind", [k for k in EVERY_ACTOR if k != Kind.SAMORDNARE])
def test_only_the_samordnare_records_decisions(application, actor, kind):
    insats = application(S.UNDER_BEREDNING)
    with pytest.raises(PermissionDenied, match="Bara samordnaren registrerar styrelsens beslut."):
        services.insats_decide(
            insats=insats,
            by=actor(kind),
            outcome=Beslut.Outcome.BEVILJAD,
            agenda_item=board_item(insats),
            amounts={2021: Decimal(100_000)},
        )
    insats.refresh_from_db()
    assert insats.status == S.UNDER_BEREDNING
    assert not Beslut.objects.exists()


@pytest.mark.parametrize(
    ("amounts", "reason"),
    [
        ({}, "Ange beviljat belopp för minst ett år."),
        ({2021: None, 2022: None}, "Ange beviljat belopp för minst ett år."),
        ({2021: Decimal(0), 2022: Decimal(0)}, "Ange beviljat belopp för minst ett år."),
        ({2020: Decimal(100_000), 2021: Decimal(100_000)}, "2020 ligger utanför insatsens period."),
        ({2021: Decimal(100_000), 2023: Decimal(5), 2024: Decimal(5)}, "2023, 2024 ligger utanför"),
        ({2021: Decimal(-100_000), 2022: Decimal(200_000)}, "Beviljade belopp får inte vara negativa."),
    ],
)
def test_a_grant_with_bad_amounts_is_refused_and_nothing_is_recorded(
    application, samordnare, amounts, reason
):
    insats = application(S.UNDER_BEREDNING)
    with pytest.raises(ValidationError, match=reason):
        services.insats_decide(
            insats=insats,
            by=samordnare,
            outcome=Beslut.Outcome.BEVILJAD,
            agenda_item=board_item(insats),
            amounts=amounts,
        )
    insats.refresh_from_db()
    assert insats.status == S.UNDER_BEREDNING
    assert not Beslut.objects.exists()
    assert not insats.status_changes.exists()


def test_a_decision_cannot_name_another_forbunds_agenda_item(application, samordnare, other_forbund):
    insats = application(S.UNDER_BEREDNING)
    foreign = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=other_forbund, date=D(2020, 12, 3)))
    with pytest.raises(ValidationError, match="Dagordningspunkten hör till ett annat förbunds möte."):
        services.insats_decide(
            insats=insats, by=samordnare, outcome=Beslut.Outcome.AVSLAGEN, agenda_item=foreign
        )
    assert not Beslut.objects.exists()


def test_granted_amounts_may_differ_from_the_budget_which_is_kept(forbund, application, samordnare):
    insats = application(S.UNDER_BEREDNING)
    BudgetLineFactory(
        insats=insats, section="Övergripande", description="Utvärdering", amounts={2022: 50_000}
    )
    for medlem in [insats.owner, *insats.partners.all()]:  # the parties confirmed it with that line
        ConfirmationFactory(insats=insats, medlem=medlem)
    applied = budget_amounts(insats)

    services.insats_decide(
        insats=insats,
        by=samordnare,
        outcome=Beslut.Outcome.BEVILJAD,
        agenda_item=board_item(insats),
        amounts={2021: Decimal(1_000), 2022: None},
    )

    assert budget_amounts(insats) == applied
    assert list(GrantedAmount.objects.values_list("year", "amount")) == [(2021, 1_000)]

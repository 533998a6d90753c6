"""Joining and leaving with consequences: a member that leaves has its running board seats end on the
leaving date and later seats removed, the quorum and the board page count only seats in force, later
budgets leave it out and say when a party the law requires is missing, and history still shows it.
Only the samordnare changes membership."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekonomi.models import Budget, BudgetIncome
from ekonomi.selectors.budget import budget_overview
from forbund import membership
from forbund.meetings.selectors.minutes import quorum
from forbund.models import ActivityEvent, FundingRule, Medlem, MembershipEvent, Role, Styrelseuppdrag
from tests.factories import (
    BudgetFactory,
    BudgetIncomeFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = datetime.date
LEAVES = D(2026, 6, 30)
DECISION = membership.Decision(
    decided_by="Kommunfullmäktige i Kommun 1", decided_on=D(2026, 3, 2), reference="KF § 41"
)
Kind = Role.Kind


SEAT_START = D(2025, 1, 1)


def seat(forbund, medlem, *, role="ledamot", start=SEAT_START, end=None, name=None):
    person = PersonFactory(forbund=forbund, name=name or f"{medlem.name} {role} {start:%Y}")
    return StyrelseuppdragFactory(
        forbund=forbund, medlem=medlem, person=person, role=role, start=start, end=end
    )


@pytest.fixture
def world(forbund):
    """A förbund with one kommun: its ledamot and ersättare run, one seat ended long ago, one starts
    in 2027; a budget for 2026 (decided history) and a proposal for 2027 count on the kommun."""
    parties = finsam_parties(forbund, kommuner=1)
    kommun = parties["kommun1"]
    seats = {
        "fk": seat(forbund, parties["fk"], name="Fredrik FK"),
        "region": seat(forbund, parties["region"], name="Rut Region"),
        "running": seat(forbund, kommun, name="Karin Kommun"),
        "ersattare": seat(forbund, kommun, role="ersattare", end=D(2026, 12, 31), name="Erik Ersättare"),
        "old": seat(forbund, kommun, start=D(2020, 1, 1), end=D(2024, 12, 31), name="Olle Tidigare"),
        "later": seat(forbund, kommun, start=D(2027, 1, 1), name="Lisa Senare"),
    }
    decided = BudgetFactory(forbund=forbund, year=2026, status=Budget.Status.BESLUTAD)
    proposal = BudgetFactory(forbund=forbund, year=2027, status=Budget.Status.FORSLAG)
    for budget in (decided, proposal):
        BudgetIncomeFactory(budget=budget, medlem=parties["fk"], amount=Decimal(1_000_000))
        BudgetIncomeFactory(budget=budget, medlem=parties["region"], amount=Decimal(500_000))
        BudgetIncomeFactory(budget=budget, medlem=kommun, amount=Decimal(500_000))
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    return {
        "parties": parties,
        "kommun": kommun,
        "seats": seats,
        "decided": decided,
        "proposal": proposal,
        "samordnare": samordnare,
        "forbund": forbund,
    }


def leave(world, date=LEAVES):
    plan = membership.leave_plan(medlem=world["kommun"], date=date)
    return membership.medlem_leave(
        medlem=world["kommun"],
        by=world["samordnare"],
        date=date,
        decision=DECISION,
        confirmed=plan.fingerprint,
    )


def fresh(obj):
    return type(obj).objects.filter(pk=obj.pk).first()


# The plan the samordnare confirms ------------------------------------------------------------------


def test_the_plan_lists_seats_that_end_seats_removed_and_later_budget_lines(world):
    plan = membership.leave_plan(medlem=world["kommun"], date=LEAVES)

    assert {u.person.name for u in plan.ending} == {"Karin Kommun", "Erik Ersättare"}
    assert [u.person.name for u in plan.removing] == ["Lisa Senare"]
    assert [row.budget for row in plan.incomes] == [world["proposal"]]
    assert plan.missing == ["någon kommun"]
    assert "Förbundet saknar någon kommun som medlem från 2026-07-01" in plan.missing_message


# Leaving ------------------------------------------------------------------------------------------


def test_leaving_ends_running_seats_on_the_date_and_removes_later_ones(world):
    event = leave(world)

    seats = world["seats"]
    assert fresh(seats["running"]).end == LEAVES
    assert fresh(seats["ersattare"]).end == LEAVES  # was to run to the end of the year
    assert fresh(seats["old"]).end == D(2024, 12, 31)  # history as it was
    assert fresh(seats["later"]) is None
    assert fresh(seats["region"]).end is None
    assert fresh(world["kommun"]).left == LEAVES
    assert (event.kind, event.date, event.decided_by, event.reference) == (
        MembershipEvent.Kind.LEAVE,
        LEAVES,
        "Kommunfullmäktige i Kommun 1",
        "KF § 41",
    )


def test_leaving_takes_the_member_out_of_later_proposals_and_keeps_history(world):
    leave(world)

    assert not BudgetIncome.objects.filter(budget=world["proposal"], medlem=world["kommun"]).exists()
    assert BudgetIncome.objects.filter(budget=world["decided"], medlem=world["kommun"]).exists()
    history = budget_overview(world["decided"])
    assert world["kommun"] in [row.medlem for row in history.incomes]


def test_leaving_is_in_the_audit_log(world):
    leave(world)

    descriptions = list(
        ActivityEvent.objects.filter(forbund=world["forbund"]).values_list("description", flat=True)
    )
    assert any("Kommun 1 utträder ur förbundet 2026-06-30" in text for text in descriptions)
    assert any(text.startswith("Styrelseuppdraget slutar 2026-06-30") for text in descriptions)
    assert any("Lisa Senare" in text and "togs bort" in text for text in descriptions)
    assert any("Intäkten från Kommun 1" in text for text in descriptions)


def test_a_changed_plan_is_refused_and_nothing_changes(world):
    plan = membership.leave_plan(medlem=world["kommun"], date=LEAVES)
    seat(world["forbund"], world["kommun"], start=D(2026, 2, 1), name="Ny Ledamot")  # added after the list

    with pytest.raises(ValidationError, match="Listan över vad utträdet ändrar har ändrats"):
        membership.medlem_leave(
            medlem=world["kommun"],
            by=world["samordnare"],
            date=LEAVES,
            decision=DECISION,
            confirmed=plan.fingerprint,
        )

    assert fresh(world["kommun"]).left is None
    assert fresh(world["seats"]["running"]).end is None
    assert fresh(world["seats"]["later"]) is not None


@pytest.mark.parametrize("kind", [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.REVISOR])
def test_only_the_samordnare_may_make_a_member_leave(world, kind):
    from django.core.exceptions import PermissionDenied

    plan = membership.leave_plan(medlem=world["kommun"], date=LEAVES)
    with pytest.raises(PermissionDenied):
        membership.medlem_leave(
            medlem=world["kommun"],
            by=user_with_role(world["forbund"], kind),
            date=LEAVES,
            decision=DECISION,
            confirmed=plan.fingerprint,
        )
    assert fresh(world["kommun"]).left is None


def test_a_member_cannot_leave_twice(world):
    leave(world)
    with pytest.raises(ValidationError, match="har redan utträtt"):
        leave(world, date=D(2026, 9, 30))


# Quorum and the board page count only seats in force -------------------------------------------------


def test_quorum_counts_the_leavers_seat_on_the_leaving_day_and_not_the_day_after(world):
    leave(world)
    on_the_day = StyrelsemoteFactory(forbund=world["forbund"], date=LEAVES)
    day_after = StyrelsemoteFactory(forbund=world["forbund"], date=LEAVES + datetime.timedelta(days=1))

    # FK, the region and the kommun's ledamot on the day; FK and the region after.
    assert quorum(on_the_day, voting=set()).ledamoter == 3
    assert quorum(day_after, voting=set()).ledamoter == 2
    assert quorum(
        day_after, voting={world["seats"]["fk"].person_id, world["seats"]["region"].person_id}
    ).quorate


def test_quorum_leaves_out_a_seat_of_a_member_that_has_left_even_if_the_seat_was_never_ended(world):
    # Recorded before this feature: the member's leaving date set, its seat left running.
    Medlem.objects.filter(pk=world["kommun"].pk).update(left=LEAVES)
    before = StyrelsemoteFactory(forbund=world["forbund"], date=D(2026, 6, 1))
    after = StyrelsemoteFactory(forbund=world["forbund"], date=D(2026, 9, 1))

    assert quorum(before, voting=set()).ledamoter == 3
    assert quorum(after, voting=set()).ledamoter == 2


def test_quorum_does_not_count_a_seat_before_it_starts(world):
    meeting = StyrelsemoteFactory(forbund=world["forbund"], date=D(2026, 12, 31))
    january = StyrelsemoteFactory(forbund=world["forbund"], date=D(2027, 1, 1))

    # Lisa Senare's seat starts 2027-01-01 (a second ledamot of the kommun, counted from that day).
    assert quorum(meeting, voting=set()).ledamoter == 3
    assert quorum(january, voting=set()).ledamoter == 4


def test_the_board_page_shows_only_seats_in_force(world, login):
    leave(world)
    client = login(world["samordnare"])
    url = reverse("forbund:styrelse", args=[world["forbund"].slug])

    page_2027 = client.get(url + "?ar=2027").content.decode()
    page_2025 = client.get(url + "?ar=2025").content.decode()

    board_2027 = page_2027.split("Alla styrelseuppdrag")[0]
    assert "Karin Kommun" not in board_2027
    assert "Fredrik FK" in board_2027
    assert "Styrelsen den 2027-01-01: 2 ledamöter i uppdrag" in page_2027
    assert "Karin Kommun" in page_2025.split("Alla styrelseuppdrag")[0]
    assert "Karin Kommun" in page_2027  # still in the list of all seats: history


# Budgets after the date ---------------------------------------------------------------------------


def test_a_budget_after_the_date_says_no_kommun_is_left(world, login):
    leave(world)
    client = login(world["samordnare"])

    page_2027 = client.get(reverse("ekonomi:budget", args=[world["forbund"].slug, 2027])).content.decode()
    page_2026 = client.get(reverse("ekonomi:budget", args=[world["forbund"].slug, 2026])).content.decode()
    page_2028 = client.get(reverse("ekonomi:budget", args=[world["forbund"].slug, 2028])).content.decode()

    assert "Förbundet saknar någon kommun som medlem 2027" in page_2027
    assert "Kommun 1" not in page_2027.split("Beräknade intäkter")[1].split("</table>")[0]
    assert "saknar någon kommun" not in page_2026
    assert "Kommun 1" in page_2026  # the decided budget of the leaving year, as decided
    assert "Förbundet saknar någon kommun som medlem 2028" in page_2028  # no budget yet, still said


def test_the_edit_page_of_a_later_budget_says_so_and_the_calculator_refuses(world, login):
    leave(world)
    client = login(world["samordnare"])
    url = reverse("ekonomi:budget_edit", args=[world["forbund"].slug, world["proposal"].pk])

    page = client.get(url).content.decode()
    assert "Förbundet saknar någon kommun som medlem 2027" in page
    assert f'name="income_{world["kommun"].pk}"' not in page

    fk = world["parties"]["fk"]
    response = client.post(
        url,
        {"calculate": "1", "kalkyl-party": "total", "kalkyl-amount": "2000000", f"income_{fk.pk}": "1000000"},
    )
    text = response.content.decode()
    assert "Beräkningen går inte att göra: förbundet saknar någon kommun som medlem 2027" in text
    assert "Intäkterna är ifyllda" not in text
    typed = re.search(rf'name="income_{fk.pk}"[^>]*value="([^"]*)"', text).group(1)
    assert re.sub(r"\s", "", typed) == "1000000"  # as typed, nothing invented


# Joining ------------------------------------------------------------------------------------------


def test_joining_records_the_member_and_its_decision(forbund):
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)

    event = membership.medlem_join(
        forbund=forbund,
        by=samordnare,
        kind=Medlem.Kind.KOMMUN,
        name="Nyby kommun",
        organisationsnummer="",
        date=D(2027, 5, 1),
        decision=membership.Decision("Kommunfullmäktige i Nyby", D(2027, 2, 10), "KF § 7"),
    )

    assert event.medlem.joined == D(2027, 5, 1)
    assert event.kind == MembershipEvent.Kind.JOIN
    assert event.first_year_amount is None


# Seats that start after a date can be removed ---------------------------------------------------------


def test_a_seat_that_has_not_started_is_removed_from_the_board_page(world, login):
    client = login(world["samordnare"])
    later = world["seats"]["later"]

    response = client.post(reverse("forbund:styrelseuppdrag_remove", args=[world["forbund"].slug, later.pk]))

    assert response.status_code == 302
    assert fresh(later) is None


def test_a_seat_that_has_started_is_not_removed(world, login):
    client = login(world["samordnare"])
    running = world["seats"]["running"]

    response = client.post(
        reverse("forbund:styrelseuppdrag_remove", args=[world["forbund"].slug, running.pk]), follow=True
    )

    assert "Uppdraget har redan börjat och tas inte bort" in response.content.decode()
    assert fresh(running) is not None


def test_seat_removable_compares_the_start_with_today_and_the_leaving_date(world):
    later, running = world["seats"]["later"], world["seats"]["running"]
    assert membership.seat_removable(later, today=D(2026, 12, 31))
    assert not membership.seat_removable(later, today=D(2027, 1, 1))
    assert not membership.seat_removable(running, today=D(2026, 12, 31))
    world["kommun"].left = D(2026, 12, 31)
    later.medlem = world["kommun"]
    assert membership.seat_removable(later, today=D(2027, 3, 1))  # starts after its member left


def test_the_member_edit_form_no_longer_types_over_the_leaving_date(world, login):
    client = login(world["samordnare"])
    page = client.get(reverse("forbund:medlem_edit", args=[world["forbund"].slug, world["kommun"].pk]))
    assert 'name="left"' not in page.content.decode()


# The pages, for every role -----------------------------------------------------------------------

ROLES = [Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.PROJEKTAGARE, Kind.REVISOR]


def pages(world) -> dict[str, str]:
    slug = world["forbund"].slug
    return {
        "leave": reverse("forbund:medlem_leave", args=[slug, world["kommun"].pk]),
        "join": reverse("forbund:medlem_join", args=[slug]),
        "rule": reverse("forbund:medlem_fordelning", args=[slug]),
        "remove": reverse("forbund:styrelseuppdrag_remove", args=[slug, world["seats"]["later"].pk]),
    }


def valid_posts(world) -> dict[str, dict]:
    return {
        "leave": {
            "date": "2026-06-30",
            "decided_by": "Kommunfullmäktige",
            "decided_on": "2026-03-02",
            "reference": "KF § 41",
        },
        "join": {
            "kind": "kommun",
            "name": "Nyby kommun",
            "date": "2027-05-01",
            "decided_by": "Kommunfullmäktige i Nyby",
            "decided_on": "2027-02-10",
            "reference": "KF § 7",
        },
        "rule": {"kommun_method": "lika", "region_method": "invanare"},
        "remove": {},
    }


@pytest.mark.parametrize("kind", ROLES)
@pytest.mark.parametrize("name", ["leave", "join", "rule"])
def test_only_the_samordnare_opens_the_membership_pages(world, login, kind, name):
    user = (
        world["samordnare"]
        if kind == Kind.SAMORDNARE
        else user_with_role(
            world["forbund"], kind, **({"medlem": world["kommun"]} if kind == Kind.PROJEKTAGARE else {})
        )
    )
    response = login(user).get(pages(world)[name])
    assert response.status_code == (200 if kind == Kind.SAMORDNARE else 403)


@pytest.mark.parametrize("kind", ROLES[1:])
@pytest.mark.parametrize("name", ["leave", "join", "rule", "remove"])
def test_no_one_but_the_samordnare_changes_membership(world, login, kind, name):
    user = user_with_role(
        world["forbund"], kind, **({"medlem": world["kommun"]} if kind == Kind.PROJEKTAGARE else {})
    )
    before = (Medlem.objects.count(), Styrelseuppdrag.objects.count(), FundingRule.objects.count())

    response = login(user).post(pages(world)[name], {**valid_posts(world)[name], "confirm": "1"})

    assert response.status_code == 403
    assert (Medlem.objects.count(), Styrelseuppdrag.objects.count(), FundingRule.objects.count()) == before
    assert fresh(world["kommun"]).left is None


@pytest.mark.parametrize("name", ["leave", "join", "rule", "remove"])
def test_another_forbunds_samordnare_gets_404_and_anonymous_is_sent_to_login(
    world, login, client, other_forbund, name
):
    url = pages(world)[name]
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/konto/logga-in/" in anonymous["Location"]
    outsider = login(user_with_role(other_forbund, Kind.SAMORDNARE))
    assert outsider.get(url).status_code in (404, 405)
    assert outsider.post(url, valid_posts(world)[name]).status_code == 404


def test_the_samordnare_leaves_in_two_steps_on_the_page(world, login):
    client = login(world["samordnare"])
    url = pages(world)["leave"]

    preview = client.post(url, valid_posts(world)["leave"])
    text = preview.content.decode()
    assert "Det här händer när Kommun 1 utträder 2026-06-30" in text
    assert "Lisa Senare" in text and "Karin Kommun" in text
    assert "Förbundet saknar någon kommun som medlem från 2026-07-01" in text
    assert fresh(world["kommun"]).left is None  # nothing yet
    confirmed = re.search(r'name="confirmed" value="([0-9a-f]+)"', text).group(1)

    done = client.post(url, {**valid_posts(world)["leave"], "confirmed": confirmed, "confirm": "1"})

    assert done.status_code == 302
    assert fresh(world["kommun"]).left == LEAVES
    assert fresh(world["seats"]["running"]).end == LEAVES


def test_the_leave_form_says_what_is_missing_in_swedish(world, login):
    response = login(world["samordnare"]).post(pages(world)["leave"], {"date": "2009-01-01", "confirm": "1"})
    text = response.content.decode()
    assert "Utträdet kan inte ligga före inträdet (2010-01-01)." in text
    assert "Ange vilket organ som fattade beslutet." in text
    assert "Ange beslutets paragraf eller diarienummer." in text
    assert fresh(world["kommun"]).left is None


def test_the_samordnare_registers_a_joiner_on_the_page(world, login):
    client = login(world["samordnare"])
    response = client.post(
        pages(world)["join"], {**valid_posts(world)["join"], "first_year_amount": "120000"}
    )

    assert response.status_code == 302
    joiner = Medlem.objects.get(forbund=world["forbund"], name="Nyby kommun")
    assert joiner.joined == D(2027, 5, 1)
    event = joiner.membership_events.get()
    assert (event.reference, event.first_year_amount) == ("KF § 7", Decimal(120_000))
    listing = client.get(reverse("forbund:medlemmar", args=[world["forbund"].slug])).content.decode()
    assert "Kommunfullmäktige i Nyby, 2027-02-10, KF § 7" in listing


def test_the_samordnare_sets_the_rule_and_agreed_shares(world, login):
    client = login(world["samordnare"])
    kommun = world["kommun"]

    refused = client.post(pages(world)["rule"], {"kommun_method": "andelar", "region_method": "invanare"})
    assert "Med överenskomna andelar för kommunerna behöver Kommun 1 en andel." in refused.content.decode()

    saved = client.post(
        pages(world)["rule"],
        {"kommun_method": "andelar", "region_method": "lika", f"share_{kommun.pk}": "100"},
    )
    assert saved.status_code == 302
    rule = FundingRule.objects.get(forbund=world["forbund"])
    assert (rule.kommun_method, rule.region_method) == ("andelar", "lika")
    assert kommun.agreed_share.percent == Decimal(100)


def test_a_revision_of_a_later_budget_leaves_out_a_member_that_has_left(world):
    from ekonomi.services.budget import budget_create

    later_decided = BudgetFactory(
        forbund=world["forbund"], year=2027, version=2, status=Budget.Status.BESLUTAD
    )
    BudgetIncomeFactory(budget=later_decided, medlem=world["kommun"], amount=Decimal(500_000))
    BudgetIncomeFactory(budget=later_decided, medlem=world["parties"]["fk"], amount=Decimal(1_000_000))
    leave(world)

    decided_view = budget_overview(later_decided)
    revision = budget_create(
        forbund=world["forbund"], year=2027, by=world["samordnare"], based_on=later_decided
    )

    assert any("Kommun 1 är inte medlem 2027 men har en intäkt" in w for w in decided_view.warnings)
    assert list(revision.intakter.values_list("medlem__name", flat=True)) == ["Försäkringskassan"]

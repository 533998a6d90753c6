"""The inbox ("Att göra"), per role: each item what the person would act on, linked to the place to
act; never another organisation's or another förbund's; the union for several roles without
duplicates; and a fixed number of queries however much waits."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from finsam import audit
from forbund import inbox
from forbund.meetings.services import forhinder as forhinder_services
from forbund.models import (
    AgendaItem,
    Dokumentjobb,
    Faststallelse,
    Forhinder,
    Inkallelse,
    MeetingStatus,
    MinutesApproval,
    Person,
    Role,
    Styrelseuppdrag,
)
from insatser.models import Insats
from tests.factories import (
    ConfirmationFactory,
    InsatsFactory,
    InvoiceFactory,
    KansliuppdragFactory,
    LedgerEntryFactory,
    LedgerImportFactory,
    MedlemFactory,
    MilestoneFactory,
    PersonFactory,
    ReportPeriodFactory,
    StatusChangeFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    TertialrapportFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = datetime.date
K = Role.Kind
TODAY = D(2026, 10, 15)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def labels(items) -> list[str]:
    return [item.label for item in items]


def urls(items) -> list[str]:
    return [item.url for item in items]


def period(forbund, kind="T2", due=TODAY + datetime.timedelta(days=10)):
    return ReportPeriodFactory(forbund=forbund, year=TODAY.year, kind=kind, due_date=due)


# Projektägare ------------------------------------------------------------------------------------


@pytest.fixture
def owner(forbund):
    return MedlemFactory(forbund=forbund, name="Egna kommunen")


@pytest.fixture
def projektagare(forbund, owner):
    return user_with_role(forbund, K.PROJEKTAGARE, medlem=owner)


def test_projektagare_sees_reports_due_and_late_for_their_own_insatser_only(forbund, owner, projektagare):
    own = InsatsFactory(forbund=forbund, owner=owner, name="Egen insats")
    other = InsatsFactory(forbund=forbund, name="Grannens insats")
    t2 = period(forbund)
    t1 = period(forbund, "T1", due=TODAY - datetime.timedelta(days=30))
    due = TertialrapportFactory(period=t2, insats=own)
    late = TertialrapportFactory(period=t1, insats=own)
    TertialrapportFactory(period=t2, insats=other)
    far = period(forbund, "AR", due=TODAY + datetime.timedelta(days=120))
    TertialrapportFactory(period=far, insats=own)  # months away: not yet

    items = inbox.projektagare_items(projektagare, forbund, TODAY)

    assert labels(items) == [  # the late one first
        "Rapport att lämna: Egen insats, Tertial 1 2026",
        "Rapport att lämna: Egen insats, Tertial 2 2026",
    ]
    by_url = {item.url: item for item in items}
    assert by_url[reverse("uppfoljning:report_edit", args=[forbund.slug, late.pk])].urgency == "late"
    assert by_url[reverse("uppfoljning:report_edit", args=[forbund.slug, due.pk])].urgency == "action"


def test_projektagare_sees_a_returned_report_with_the_samordnarens_comment(forbund, owner, projektagare):
    from uppfoljning.models import ReportStatusChange

    report = TertialrapportFactory.create_returned(
        period=period(forbund), insats=InsatsFactory(forbund=forbund, owner=owner, name="Egen insats")
    )
    samordnare = user_with_role(forbund, K.SAMORDNARE)
    ReportStatusChange.objects.create(
        report=report, from_status="inskickad", to_status="returnerad", by=samordnare, comment="Fyll i antal."
    )

    [item] = inbox.projektagare_items(projektagare, forbund, TODAY)

    assert item.label == "Rapport returnerad: Egen insats, Tertial 2 2026"
    assert item.comment == "Fyll i antal."
    assert item.url == reverse("uppfoljning:report_edit", args=[forbund.slug, report.pk])


def test_projektagare_sees_applications_to_complete_and_confirmations_asked_of_them(
    forbund, owner, projektagare
):
    draft = InsatsFactory(forbund=forbund, owner=owner, name="Utkastet", status=Insats.Status.UTKAST)
    completion = InsatsFactory(
        forbund=forbund, owner=owner, name="Kompletteras", status=Insats.Status.KOMPLETTERING_BEGARD
    )
    StatusChangeFactory(insats=completion, from_status="under_beredning", comment="Beskriv målgruppen.")
    InsatsFactory(forbund=forbund, name="Grannens utkast", status=Insats.Status.UTKAST)
    InsatsFactory(forbund=forbund, owner=owner, name="Inskickad", status=Insats.Status.INSKICKAD)
    asked = InsatsFactory(forbund=forbund, name="Gemensam ansökan", status=Insats.Status.INSKICKAD)
    confirmation = ConfirmationFactory(
        insats=asked, medlem=owner, representative=projektagare, answer="", answered_at=None, method=""
    )

    items = {item.label: item for item in inbox.projektagare_items(projektagare, forbund, TODAY)}

    assert set(items) == {
        "Ansökan att göra klar: Utkastet",
        "Komplettera ansökan: Kompletteras",
        "Bekräfta ansökan: Gemensam ansökan",
    }
    assert items["Komplettera ansökan: Kompletteras"].comment == "Beskriv målgruppen."
    assert items["Ansökan att göra klar: Utkastet"].url == reverse(
        "insatser:detail", args=[forbund.slug, draft.pk]
    )
    assert items["Bekräfta ansökan: Gemensam ansökan"].url == reverse(
        "insatser:confirmation", args=[forbund.slug, confirmation.pk]
    )


def test_nothing_of_another_forbund_shows(forbund, other_forbund, owner, projektagare):
    foreign_owner = MedlemFactory(forbund=other_forbund)
    foreign = InsatsFactory(forbund=other_forbund, owner=foreign_owner, status=Insats.Status.UTKAST)
    TertialrapportFactory(period=period(other_forbund), insats=foreign)
    # The same person is also samordnare and ekonom in the other förbund.
    for kind in (K.SAMORDNARE, K.EKONOM):
        Role.objects.create(user=projektagare, forbund=other_forbund, kind=kind)
    InvoiceFactory(insats=foreign)
    StyrelsemoteFactory(forbund=other_forbund, date=TODAY + datetime.timedelta(days=3))

    assert inbox.inbox(projektagare, forbund, TODAY) == []
    assert inbox.inbox(projektagare, other_forbund, TODAY)  # there, it is theirs


# Styrelsen -----------------------------------------------------------------------------------------


@pytest.fixture
def board(forbund):
    kommun = MedlemFactory(forbund=forbund, name="Kommunen")
    ledamot = PersonFactory(
        forbund=forbund, name="Lisa Ledamot", user=user_with_role(forbund, K.STYRELSELEDAMOT)
    )
    ersattare = PersonFactory(
        forbund=forbund, name="Örjan Ersättare", user=user_with_role(forbund, K.ERSATTARE)
    )
    for person, role in ((ledamot, "ledamot"), (ersattare, "ersattare")):
        StyrelseuppdragFactory(
            forbund=forbund, medlem=kommun, person=person, role=role, start=D(2020, 1, 1), end=None
        )
    return ledamot, ersattare


def test_a_ledamot_sees_the_next_meeting_with_its_packet_and_may_report_forhinder(forbund, board):
    ledamot, ersattare = board
    StyrelsemoteFactory(forbund=forbund, date=TODAY - datetime.timedelta(days=20))
    meeting = StyrelsemoteFactory(forbund=forbund, date=TODAY + datetime.timedelta(days=9), status="kallat")
    StyrelsemoteFactory(forbund=forbund, date=TODAY + datetime.timedelta(days=60))

    items = inbox.board_items(ledamot.user, forbund, TODAY)

    assert labels(items) == [
        f"Nästa styrelsemöte {meeting.date:%Y-%m-%d}",
        f"Kan du inte komma den {meeting.date:%Y-%m-%d}?",
    ]
    packet = reverse("forbund:motespaket_html", args=[forbund.slug, meeting.pk])
    assert items[0].url == packet
    assert items[1].actions[0].url == reverse("forbund:forhinder_report", args=[forbund.slug, meeting.pk])
    # An ersättare is not asked to report förhinder: they are called in.
    assert labels(inbox.board_items(ersattare.user, forbund, TODAY)) == [
        f"Nästa styrelsemöte {meeting.date:%Y-%m-%d}"
    ]


def test_an_ersattare_asked_to_serve_sees_the_request_and_then_the_meeting_they_serve_at(forbund, board):
    ledamot, ersattare = board
    meeting = StyrelsemoteFactory(
        forbund=forbund, date=timezone.localdate() + datetime.timedelta(days=9), status="kallat"
    )
    forhinder = forhinder_services.forhinder_report(
        meeting=meeting, person=ledamot, by=ledamot.user, note="Tjänsteresa"
    )
    ask = forhinder.inkallelser.get()
    today = timezone.localdate()

    [_, request] = inbox.board_items(ersattare.user, forbund, today)
    assert request.label == f"Kan du tjänstgöra för Lisa Ledamot den {meeting.date:%Y-%m-%d}?"
    assert request.url == ask.get_absolute_url() and request.comment == "Tjänsteresa"
    assert reverse("forbund:motespaket_html", args=[forbund.slug, meeting.pk]) in urls(request.actions)

    forhinder_services.inkallelse_answer(inkallelse=ask, by=ersattare.user, accept=True)
    assert f"Du tjänstgör för Lisa Ledamot den {meeting.date:%Y-%m-%d}" in labels(
        inbox.board_items(ersattare.user, forbund, today)
    )
    assert f"Du har anmält förhinder till mötet {meeting.date:%Y-%m-%d}" in labels(
        inbox.board_items(ledamot.user, forbund, today)
    )


def test_minutes_to_justera_show_for_the_justerare_until_they_have_approved(forbund, board):
    ledamot, ersattare = board
    meeting = StyrelsemoteFactory(
        forbund=forbund, date=TODAY - datetime.timedelta(days=5), status="justering"
    )
    meeting.justerare.add(ledamot)
    justera = f"Justera protokollet från {meeting.date:%Y-%m-%d}"

    assert justera in labels(inbox.board_items(ledamot.user, forbund, TODAY))
    assert justera not in labels(inbox.board_items(ersattare.user, forbund, TODAY))

    MinutesApproval.objects.create(meeting=meeting, person=ledamot, role="justerare", user=ledamot.user)
    assert justera not in labels(inbox.board_items(ledamot.user, forbund, TODAY))


def test_a_user_with_several_roles_sees_each_item_once(forbund, board):
    ledamot, _ = board
    Role.objects.create(user=ledamot.user, forbund=forbund, kind=K.ERSATTARE)
    StyrelsemoteFactory(forbund=forbund, date=TODAY + datetime.timedelta(days=9))
    items = inbox.inbox(ledamot.user, forbund, TODAY)
    assert len(labels(items)) == len(set(labels(items))) == 2


# Ekonom ------------------------------------------------------------------------------------------


def test_ekonom_sees_invoices_to_attest_and_pay_but_not_their_own_registration(forbund):
    ekonom = user_with_role(forbund, K.EKONOM)
    insats = InsatsFactory(forbund=forbund, name="Jobbspåret")
    InvoiceFactory(insats=insats, number="A-1")
    InvoiceFactory(insats=insats, number="A-2", registered_by=ekonom)
    InvoiceFactory.create_attested(insats=insats, number="A-3")
    InvoiceFactory.create_paid(insats=insats, number="A-4")

    items = [item for item in inbox.ekonom_items(ekonom, forbund, TODAY) if item.group == "Ekonomi"]

    assert sorted(labels(items))[:2] == [
        "Attestera faktura nr A-1: Jobbspåret",
        "Betala faktura nr A-3: Jobbspåret",
    ]
    assert not any("A-2" in label or "A-4" in label for label in labels(items))
    assert "100\u00a0000\u00a0kr" in items[0].detail


def test_ekonom_sees_the_months_without_ledger_rows_up_to_last_month(forbund):
    ekonom = user_with_role(forbund, K.EKONOM)
    ledger = LedgerImportFactory(forbund=forbund, year=TODAY.year, first_month=1, last_month=8)
    for month in range(1, 9):
        if month != 3:
            LedgerEntryFactory(ledger_import=ledger, month=month)

    [item] = inbox.ekonom_items(ekonom, forbund, TODAY)

    assert item.label == f"Huvudbok saknas för mar, sep {TODAY.year}"  # October: up to September
    assert item.url == reverse("ekonomi:ledger_import", args=[forbund.slug])


# Samordnare ----------------------------------------------------------------------------------------


def test_samordnare_sees_what_waits_for_the_kansli(forbund):
    samordnare = user_with_role(forbund, K.SAMORDNARE)
    InsatsFactory(forbund=forbund, name="Ny ansökan", status=Insats.Status.INSKICKAD)
    InsatsFactory(forbund=forbund, name="Ett utkast", status=Insats.Status.UTKAST)
    report = TertialrapportFactory.create_submitted(
        period=period(forbund), insats=InsatsFactory(forbund=forbund, name="Rapporterande")
    )
    MilestoneFactory(insats=report.insats, title="Avtal klart", due=TODAY - datetime.timedelta(days=3))
    MilestoneFactory(
        insats=report.insats, title="Framtida", due=timezone.localdate() + datetime.timedelta(days=30)
    )
    no_account = PersonFactory(forbund=forbund, name="Kontolös Ledamot")
    StyrelseuppdragFactory(forbund=forbund, person=no_account, start=D(2020, 1, 1), end=None)
    KansliuppdragFactory(forbund=forbund, person__name="Kontolös Ekonom", role="ekonom")
    StyrelseuppdragFactory(
        forbund=forbund, person__name="Avgången Ledamot", start=D(2019, 1, 1), end=D(2020, 12, 31)
    )

    found = labels(inbox.samordnare_items(samordnare, forbund, TODAY))

    assert "Bered ansökan: Ny ansökan" in found
    assert not any("Ett utkast" in label for label in found)
    assert "Granska rapport: Rapporterande, Tertial 2 2026" in found
    assert "Försenat delmål: Rapporterande – Avtal klart" in found
    assert not any("Framtida" in label for label in found)
    assert "Kontolös Ledamot har inget konto" in found
    assert "Kontolös Ekonom har inget konto" in found
    assert not any("Avgången" in label for label in found)
    # October: this year's plan (late), next year's plan and last year's årsredovisning.
    assert "Verksamhetsplan 2026 är inte fastställd" in found
    assert "Verksamhetsplan 2027 är inte fastställd" in found
    assert "Årsredovisning 2025 är inte fastställd" in found


def adopt(forbund, kind, year):
    user = UserFactory()
    job = Dokumentjobb.objects.create(forbund=forbund, kind=kind, year=year, requested_by=user, status="klar")
    meeting = StyrelsemoteFactory(forbund=forbund, date=D(year, 3, 1), status=MeetingStatus.JUSTERAT)
    item = AgendaItem.objects.create(meeting=meeting, title=f"Fastställa {kind}", paragraph=4)
    return Faststallelse.objects.create(
        forbund=forbund,
        dokumentjobb=job,
        kind=kind,
        year=year,
        checksum="0" * 64,
        item=item,
        adopted_on=D(year, 3, 1),
        recorded_by=user,
    )


def test_an_adopted_document_is_no_longer_asked_for(forbund):
    samordnare = user_with_role(forbund, K.SAMORDNARE)
    adopt(forbund, "verksamhetsplan", 2026)
    found = labels(inbox.samordnare_items(samordnare, forbund, TODAY))
    assert "Verksamhetsplan 2026 är inte fastställd" not in found
    assert "Verksamhetsplan 2027 är inte fastställd" in found


def test_samordnare_sees_a_forhinder_until_an_ersattare_serves(forbund, board):
    ledamot, ersattare = board
    samordnare = user_with_role(forbund, K.SAMORDNARE)
    meeting = StyrelsemoteFactory(forbund=forbund, date=timezone.localdate() + datetime.timedelta(days=9))
    forhinder = forhinder_services.forhinder_report(meeting=meeting, person=ledamot, by=ledamot.user)
    label = f"Förhinder: Lisa Ledamot den {meeting.date:%Y-%m-%d}"
    assert label in labels(inbox.samordnare_items(samordnare, forbund, timezone.localdate()))

    forhinder_services.inkallelse_answer(
        inkallelse=forhinder.inkallelser.get(), by=ersattare.user, accept=True
    )
    assert label not in labels(inbox.samordnare_items(samordnare, forbund, timezone.localdate()))


# Revisor ----------------------------------------------------------------------------------------------


def test_revisor_sees_the_years_adopted_documents_and_justerade_minutes(forbund, other_forbund):
    revisor = user_with_role(forbund, K.REVISOR)
    adopt(forbund, "arsredovisning", 2025)
    StyrelsemoteFactory(forbund=forbund, date=D(2026, 5, 20), status=MeetingStatus.JUSTERAT)
    StyrelsemoteFactory(forbund=forbund, date=D(2026, 9, 20), status=MeetingStatus.JUSTERING)
    StyrelsemoteFactory(forbund=other_forbund, date=D(2026, 6, 20), status=MeetingStatus.JUSTERAT)

    found = labels(inbox.inbox(revisor, forbund, TODAY))

    assert "Årsredovisning 2025" in found
    assert "Protokoll 2026-05-20" in found
    assert "Protokoll 2026-09-20" not in found and "Protokoll 2026-06-20" not in found


# The pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [kind for kind, _ in Role.Kind.choices])
def test_every_role_opens_its_inbox_and_the_dashboard_shows_it_first(forbund, client, kind):
    extra = {"medlem": MedlemFactory(forbund=forbund)} if kind == K.PROJEKTAGARE else {}
    client.force_login(user_with_role(forbund, kind, **extra))
    response = client.get(reverse("forbund:inbox", args=[forbund.slug]))
    assert response.status_code == 200
    assert "Att göra" in response.content.decode()
    dashboard = client.get(reverse("forbund:dashboard", args=[forbund.slug])).content.decode()
    assert dashboard.index("rubrik-att-gora") < dashboard.index("rubrik-medlemmar")


def test_the_inbox_of_another_forbund_is_not_found(forbund, other_forbund, client):
    client.force_login(user_with_role(other_forbund, K.SAMORDNARE))
    assert client.get(reverse("forbund:inbox", args=[forbund.slug])).status_code == 404


def test_anonymous_is_sent_to_login(forbund, client):
    response = client.get(reverse("forbund:inbox", args=[forbund.slug]))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_the_page_links_each_item_and_shows_the_returned_reports_comment(
    forbund, owner, projektagare, client
):
    from uppfoljning.models import ReportStatusChange

    report = TertialrapportFactory.create_returned(
        period=period(forbund, due=timezone.localdate() + datetime.timedelta(days=5)),
        insats=InsatsFactory(forbund=forbund, owner=owner, name="Egen insats"),
    )
    ReportStatusChange.objects.create(
        report=report,
        from_status="inskickad",
        to_status="returnerad",
        by=UserFactory(),
        comment="Fyll i antal.",
    )
    client.force_login(projektagare)
    content = client.get(reverse("forbund:inbox", args=[forbund.slug])).content.decode()
    assert reverse("uppfoljning:report_edit", args=[forbund.slug, report.pk]) in content
    assert "Fyll i antal." in content


# A fixed number of queries ----------------------------------------------------------------------------


def add_rows(forbund, owner, start: int, stop: int) -> None:
    """Rows start..stop-1 of everything some inbox lists."""
    today = timezone.localdate()
    for i in range(start, stop):
        insats = InsatsFactory(forbund=forbund, owner=owner, name=f"Insats {i}")
        InsatsFactory(forbund=forbund, owner=owner, name=f"Ansökan {i}", status=Insats.Status.INSKICKAD)
        InsatsFactory(forbund=forbund, owner=owner, name=f"Utkast {i}", status=Insats.Status.UTKAST)
        p = ReportPeriodFactory(
            forbund=forbund, year=2000 + i, kind="T1", due_date=today + datetime.timedelta(days=5)
        )
        TertialrapportFactory(period=p, insats=insats)
        TertialrapportFactory.create_submitted(
            period=p, insats=InsatsFactory(forbund=forbund, owner=owner, name=f"Granskas {i}")
        )
        MilestoneFactory(insats=insats, due=today - datetime.timedelta(days=1))
        InvoiceFactory(insats=insats)
        InvoiceFactory.create_attested(insats=insats)
        ledamot = PersonFactory(forbund=forbund, name=f"Ledamot {i}")
        StyrelseuppdragFactory(forbund=forbund, person=ledamot, start=D(2020, 1, 1), end=None)
        meeting = StyrelsemoteFactory(
            forbund=forbund, date=today - datetime.timedelta(days=10 + i), status="justering"
        )
        meeting.justerare.add(*Person.objects.filter(forbund=forbund, user__isnull=False))
        StyrelsemoteFactory(
            forbund=forbund, date=D(today.year, 1, 1) + datetime.timedelta(days=i), status="justerat"
        )
    # The factories write around the services, which record an event with every change.
    audit.event(forbund=forbund, actor=None, description=f"Rader {start}–{stop}")


@pytest.mark.parametrize("kind", [K.SAMORDNARE, K.PROJEKTAGARE, K.EKONOM, K.STYRELSELEDAMOT, K.REVISOR])
def test_the_inbox_page_costs_the_same_queries_for_3_and_12_rows(
    forbund, client, django_assert_max_num_queries, kind
):
    owner = MedlemFactory(forbund=forbund, name="Ägaren")
    user = user_with_role(forbund, kind, **({"medlem": owner} if kind == K.PROJEKTAGARE else {}))
    person = PersonFactory(forbund=forbund, name="Den inloggade", user=user)
    if kind == K.STYRELSELEDAMOT:
        StyrelseuppdragFactory(forbund=forbund, person=person, start=D(2020, 1, 1), end=None)
        StyrelsemoteFactory(forbund=forbund, date=timezone.localdate() + datetime.timedelta(days=3))
    client.force_login(user)
    url = reverse("forbund:inbox", args=[forbund.slug])
    counts = []
    for start, stop in [(0, 3), (3, 12)]:
        add_rows(forbund, owner, start, stop)
        with django_assert_max_num_queries(25) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
    content = response.content.decode()
    assert {
        K.SAMORDNARE: "Ansökan 11",
        K.PROJEKTAGARE: "Utkast 11",
        K.EKONOM: "Insats 11",
        K.STYRELSELEDAMOT: "Justera protokollet",
        K.REVISOR: "Protokoll",
    }[kind] in content
    assert counts[0] == counts[1], f"{kind}: {counts[0]} queries for 3 rows but {counts[1]} for 12"


def test_seats_are_read_for_the_day_not_forever(forbund):
    # A person whose seat has ended is not a ledamot for a meeting after it.
    ledamot = PersonFactory(forbund=forbund, user=user_with_role(forbund, K.STYRELSELEDAMOT))
    StyrelseuppdragFactory(
        forbund=forbund, person=ledamot, start=D(2020, 1, 1), end=TODAY - datetime.timedelta(days=1)
    )
    StyrelsemoteFactory(forbund=forbund, date=TODAY + datetime.timedelta(days=3))
    assert not any("förhinder" in item.detail for item in inbox.board_items(ledamot.user, forbund, TODAY))
    assert Styrelseuppdrag.objects.count() == 1


# The same queries for 2 and for 10 of each item, for every role -----------------------------------

# The most queries each inbox may cost (besides the one that reads the login's roles); a guard against
# growth, set at what the inbox costs. The documents (at most three a year) do not grow.
INBOX_QUERIES = {
    K.SAMORDNARE: 6,
    K.EKONOM: 2,
    K.STYRELSELEDAMOT: 3,
    K.ERSATTARE: 3,
    K.PROJEKTAGARE: 4,
    K.REVISOR: 2,
    "several": 11,  # a ledamot who is also samordnare, projektägare and revisor
}


@pytest.fixture
def cast(forbund):
    """A login per role; the ledamot and the ersättare with their person and seat."""
    owner = MedlemFactory(forbund=forbund, name="Ägaren")
    kommun = MedlemFactory(forbund=forbund, name="Kommunen")
    users = {
        kind: user_with_role(forbund, kind, **({"medlem": owner} if kind == K.PROJEKTAGARE else {}))
        for kind, _ in Role.Kind.choices
    }
    persons = {}
    for kind, seat in ((K.STYRELSELEDAMOT, "ledamot"), (K.ERSATTARE, "ersattare")):
        persons[kind] = PersonFactory(forbund=forbund, name=f"Inloggad {seat}", user=users[kind])
        StyrelseuppdragFactory(
            forbund=forbund, medlem=kommun, person=persons[kind], role=seat, start=D(2020, 1, 1), end=None
        )
    several = user_with_role(forbund, K.STYRELSELEDAMOT)
    seat = StyrelseuppdragFactory(
        forbund=forbund, medlem=kommun, role="ledamot", start=D(2020, 1, 1), end=None
    )
    Person.objects.filter(pk=seat.person_id).update(user=several)
    for kind in (K.SAMORDNARE, K.REVISOR):
        Role.objects.create(user=several, forbund=forbund, kind=kind)
    Role.objects.create(user=several, forbund=forbund, kind=K.PROJEKTAGARE, medlem=owner)
    users["several"] = several
    adopt(forbund, "arsredovisning", timezone.localdate().year - 1)  # for the revisor
    return {"owner": owner, "kommun": kommun, "users": users, "persons": persons}


def add_items(forbund, cast, start: int, stop: int) -> None:
    """Items start..stop-1 of every kind an inbox lists."""
    from uppfoljning.models import ReportStatusChange

    today = timezone.localdate()
    owner, users, persons = cast["owner"], cast["users"], cast["persons"]
    for i in range(start, stop):
        # The projektägare: a report to write and one returned, a draft, a komplettering, a confirmation.
        own = InsatsFactory(forbund=forbund, owner=owner, name=f"Egen {i}")
        p = ReportPeriodFactory(
            forbund=forbund, year=2000 + i, kind="T1", due_date=today + datetime.timedelta(5)
        )
        TertialrapportFactory(period=p, insats=own)
        returned = TertialrapportFactory.create_returned(
            period=p, insats=InsatsFactory(forbund=forbund, owner=owner, name=f"Returnerad {i}")
        )
        ReportStatusChange.objects.create(
            report=returned, from_status="inskickad", to_status="returnerad", by=users[K.SAMORDNARE]
        )
        InsatsFactory(forbund=forbund, owner=owner, name=f"Utkast {i}", status=Insats.Status.UTKAST)
        completion = InsatsFactory(
            forbund=forbund, owner=owner, name=f"Kompletteras {i}", status=Insats.Status.KOMPLETTERING_BEGARD
        )
        StatusChangeFactory(insats=completion, from_status="under_beredning", comment=f"Fråga {i}")
        ConfirmationFactory(
            insats=InsatsFactory(forbund=forbund, name=f"Gemensam {i}", status=Insats.Status.INSKICKAD),
            medlem=owner,
            representative=users[K.PROJEKTAGARE],
            answer="",
            answered_at=None,
            method="",
        )
        # The samordnare: the application above to prepare, a report to review, a late milestone,
        # people without an account, a förhinder without an ersättare.
        TertialrapportFactory.create_submitted(
            period=p, insats=InsatsFactory(forbund=forbund, name=f"Granskas {i}")
        )
        MilestoneFactory(insats=own, due=today - datetime.timedelta(days=1))
        absent = PersonFactory(forbund=forbund, name=f"Utan konto {i}")
        StyrelseuppdragFactory(
            forbund=forbund,
            medlem=cast["kommun"],
            person=absent,
            role="ledamot",
            start=D(2020, 1, 1),
            end=None,
        )
        KansliuppdragFactory(forbund=forbund, person__name=f"Kansli utan konto {i}", role="ekonom", end=None)
        meeting = StyrelsemoteFactory(forbund=forbund, date=today + datetime.timedelta(days=30 + i))
        forhinder = Forhinder.objects.create(meeting=meeting, person=absent, reported_by=users[K.SAMORDNARE])
        # The ersättare: asked to serve, or serving.
        Inkallelse.objects.create(
            forhinder=forhinder, person=persons[K.ERSATTARE], answer="ja" if i % 2 else ""
        )
        # The ledamot: minutes to justera. The revisor: the year's justerade minutes.
        justering = StyrelsemoteFactory(
            forbund=forbund, date=today - datetime.timedelta(days=10 + i), status="justering"
        )
        justering.justerare.add(persons[K.STYRELSELEDAMOT])
        StyrelsemoteFactory(
            forbund=forbund, date=D(today.year, 1, 1) + datetime.timedelta(i), status="justerat"
        )
        # The ekonom: an invoice to attest and one to pay.
        InvoiceFactory(insats=own)
        InvoiceFactory.create_attested(insats=own)


@pytest.mark.parametrize("who", list(INBOX_QUERIES))
def test_the_inbox_costs_the_same_queries_for_2_and_10_of_each_item(forbund, cast, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forbund.models import User

    counts, shown = [], []
    for start, stop in [(0, 2), (2, 10)]:
        add_items(forbund, cast, start, stop)
        user = User.objects.get(pk=cast["users"][who].pk)  # a new request: nothing cached on the login
        with CaptureQueriesContext(connection) as captured:
            items = inbox.inbox(user, forbund)
        counts.append(len(captured) - 1)  # the login's roles are read once per request anyway
        shown.append(len(items))

    assert shown[1] >= shown[0] + 8, f"{who}: {shown[0]} items, then {shown[1]}: the rows should show"
    assert counts[0] == counts[1], f"{who}: {counts[0]} queries for 2 of each item but {counts[1]} for 10"
    assert counts[1] <= INBOX_QUERIES[who]

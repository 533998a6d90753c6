"""The parties' confirmations of an application: named representatives with accounts confirm one exact
version; a change of the application voids the earlier confirmations and asks again; the board grants
only a confirmed version."""

from __future__ import annotations

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from finsam.broker import BROKER_DOWN_MESSAGE
from finsam.celery import app
from forbund.models import ActivityEvent, Medlem, Role, User
from insatser import confirmations, services
from insatser.models import Beslut, Confirmation, Insats
from insatser.selectors import application_version, confirmation_overview, missing_confirmations
from tests.conftest import UNREACHABLE_BROKER, point_broker_at
from tests.factories import (
    AgendaItemFactory,
    BudgetLineFactory,
    ConfirmationFactory,
    DelprocessFactory,
    GoalFactory,
    MedlemFactory,
    SignatureFactory,
    StyrelsemoteFactory,
    UserFactory,
    complete_application,
    user_with_role,
)

pytestmark = pytest.mark.django_db

S = Insats.Status
Kind = Role.Kind
READERS = [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]


@pytest.fixture
def region(forbund):
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")


@pytest.fixture
def kommun(forbund):
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Åby kommun")


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Kind.SAMORDNARE)


@pytest.fixture
def per(forbund, region):
    """The projektägare of Region Söder, which owns the application."""
    return user_with_role(forbund, Kind.PROJEKTAGARE, medlem=region)


def application(forbund, region, kommun, status=S.UTKAST, name="Vägen till arbete") -> Insats:
    """Region Söder's application with Åby kommun, without confirmations."""
    insats = complete_application(forbund=forbund, owner=region, partner=kommun, status=status, name=name)
    insats.confirmations.all().delete()
    return insats


@pytest.fixture
def draft(forbund, region, kommun) -> Insats:
    return application(forbund, region, kommun)


def ask(insats, by, medlem, name, email, **kwargs) -> Confirmation:
    return confirmations.confirmation_request(
        insats=insats, by=by, medlem=medlem, name=name, email=email, **kwargs
    )


def answer(confirmation: Confirmation, confirmed: bool = True, comment: str = "") -> Confirmation:
    return confirmations.confirmation_answer(
        confirmation=confirmation,
        by=confirmation.representative,
        confirmed=confirmed,
        seen_version=confirmation.version,
        comment=comment,
    )


def confirmation_url(confirmation: Confirmation) -> str:
    return reverse(
        "insatser:confirmation",
        kwargs={"forbund": confirmation.insats.forbund.slug, "confirmation_pk": confirmation.pk},
    )


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The version --------------------------------------------------------------------------------------


def test_the_version_is_a_sha256_of_the_content_and_changes_only_with_it(draft, per):
    version = application_version(draft)
    assert re.fullmatch(r"[0-9a-f]{64}", version)
    assert application_version(Insats.objects.get(pk=draft.pk)) == version

    # Its status and bookkeeping are about the application, not in it.
    Insats.objects.filter(pk=draft.pk).update(lock_version=41, status=S.INSKICKAD)
    assert application_version(Insats.objects.get(pk=draft.pk)) == version

    GoalFactory(insats=draft, text="Tio deltagare har fått arbete")
    assert application_version(draft) != version


# Requests -----------------------------------------------------------------------------------------


def test_a_new_representative_gets_an_account_without_a_password(draft, per, kommun):
    confirmation = ask(draft, per, kommun, "Eva Ek", "Eva.Ek@aby.se", title="Kommundirektör")

    eva = confirmation.representative
    assert (eva.get_full_name(), eva.email, eva.username) == ("Eva Ek", "Eva.Ek@aby.se", "eva.ek@aby.se")
    assert not eva.has_usable_password()
    assert not eva.roles.exists()  # named on the request, nothing more
    assert confirmation.version == application_version(draft)
    assert confirmation.state == Confirmation.State.VANTAR
    assert ActivityEvent.objects.filter(description__contains="Eva Ek (Åby kommun) ombedd").exists()


def test_an_existing_account_is_reused_for_its_email_address(draft, per, kommun):
    eva = UserFactory(username="eva", email="eva.ek@aby.se")
    confirmation = ask(draft, per, kommun, "Eva Ek", "EVA.EK@aby.se")
    assert confirmation.representative == eva
    assert User.objects.filter(email__iexact="eva.ek@aby.se").count() == 1


def test_several_representatives_for_one_member_are_all_kept(draft, per, kommun):
    eva = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    olle = ask(draft, per, kommun, "Olle Ås", "olle@aby.se")
    answer(eva)

    rows = Confirmation.objects.filter(insats=draft, medlem=kommun).order_by("id")
    assert [(c.representative.get_full_name(), c.state) for c in rows] == [
        ("Eva Ek", "bekraftad"),
        ("Olle Ås", "vantar"),
    ]
    kommun_party = confirmation_overview(draft).parties[1]
    assert kommun_party.medlem == kommun
    assert [c.pk for c in kommun_party.current] == [eva.pk, olle.pk]
    assert kommun_party.confirmed


def test_the_same_representative_is_not_asked_twice_for_the_same_party(draft, per, kommun):
    ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    with pytest.raises(ValidationError, match="Eva Ek är redan ombedd att bekräfta ansökan för Åby kommun"):
        ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    assert Confirmation.objects.filter(insats=draft).count() == 1


def test_only_a_party_behind_the_application_can_be_asked(forbund, draft, per):
    outsider = MedlemFactory(forbund=forbund, name="Byn kommun")
    with pytest.raises(ValidationError, match="står inte bakom ansökan"):
        ask(draft, per, outsider, "Eva Ek", "eva@byn.se")


def test_no_requests_once_the_board_has_decided(forbund, region, kommun, per):
    granted = application(forbund, region, kommun, status=S.BEVILJAD)
    with pytest.raises(ValidationError, match="bekräftelser tas inte längre emot"):
        ask(granted, per, kommun, "Eva Ek", "eva@aby.se")


# Answers ------------------------------------------------------------------------------------------


def test_a_confirmation_records_who_when_which_version_and_how(draft, per, kommun):
    confirmation = answer(ask(draft, per, kommun, "Eva Ek", "eva@aby.se"))

    assert confirmation.answer == Confirmation.Answer.BEKRAFTAD
    assert confirmation.answered_at is not None
    assert confirmation.version == application_version(draft)
    assert confirmation.method == "inloggning"
    assert confirmation.evidence == f"Inloggad som {confirmation.representative.username}"
    logged = ActivityEvent.objects.filter(actor=confirmation.representative).get()
    assert "bekräftade ansökan för Vägen till arbete" in logged.description


def test_declining_needs_a_reason(draft, per, kommun):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    with pytest.raises(ValidationError, match="Skriv varför du avböjer."):
        answer(confirmation, confirmed=False)
    declined = answer(confirmation, confirmed=False, comment="Budgeten för kommunen är för hög.")
    assert declined.state == Confirmation.State.AVBOJD


def test_an_answer_is_given_once(draft, per, kommun):
    confirmation = answer(ask(draft, per, kommun, "Eva Ek", "eva@aby.se"))
    with pytest.raises(ValidationError, match="Du har redan svarat"):
        answer(confirmation, confirmed=False, comment="Ångrar mig")


def test_no_one_but_the_named_representative_answers(draft, per, kommun, samordnare):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    for other in (samordnare, per):
        with pytest.raises(PermissionDenied):
            confirmations.confirmation_answer(
                confirmation=confirmation, by=other, confirmed=True, seen_version=confirmation.version
            )
    assert Confirmation.objects.get(pk=confirmation.pk).state == Confirmation.State.VANTAR


# A changed application voids -------------------------------------------------------------------------


def edit(insats: Insats, by, **changes) -> None:
    edited = Insats.objects.get(pk=insats.pk)
    for name, value in changes.items():
        setattr(edited, name, value)
    services.insats_update(insats=edited, by=by)


def test_a_confirmation_voided_by_komplettering(forbund, region, kommun, per, samordnare):
    insats = application(forbund, region, kommun, status=S.UTKAST)
    eva = ask(insats, per, kommun, "Eva Ek", "eva@aby.se")
    rut = ask(insats, per, region, "Rut Ros", "rut@region.se")
    answer(eva)
    answer(rut)
    services.insats_transition(insats=insats, to=S.INSKICKAD, by=per)
    services.insats_transition(insats=insats, to=S.UNDER_BEREDNING, by=samordnare)
    assert missing_confirmations(insats) == []
    services.insats_transition(
        insats=insats, to=S.KOMPLETTERING_BEGARD, by=samordnare, comment="Beskriv målgruppen."
    )
    old_version = application_version(insats)

    edit(insats, per, malgrupp_description="Unga vuxna som står långt från arbete.")

    new_version = application_version(Insats.objects.get(pk=insats.pk))
    assert new_version != old_version
    voided = Confirmation.objects.filter(insats=insats, voided_at__isnull=False).order_by("id")
    assert [(c.pk, c.state, c.version) for c in voided] == [
        (eva.pk, "ogiltig", old_version),
        (rut.pk, "ogiltig", old_version),
    ]
    asked_again = Confirmation.objects.filter(insats=insats, voided_at__isnull=True).order_by("id")
    assert [(c.representative, c.medlem, c.state, c.version) for c in asked_again] == [
        (eva.representative, kommun, "vantar", new_version),
        (rut.representative, region, "vantar", new_version),
    ]
    assert missing_confirmations(insats) == [region, kommun]
    # The old answer can no longer be given, nor covers the new text.
    with pytest.raises(ValidationError, match="Gäller en tidigare version"):
        answer(Confirmation.objects.get(pk=eva.pk))


def test_an_unchanged_save_does_not_void(draft, per, kommun):
    confirmed = answer(ask(draft, per, kommun, "Eva Ek", "eva@aby.se"))

    edit(draft, per)  # saved as it was

    assert list(Confirmation.objects.filter(insats=draft).values_list("pk", "voided_at")) == [
        (confirmed.pk, None)
    ]
    assert Confirmation.objects.get(pk=confirmed.pk).state == Confirmation.State.BEKRAFTAD


def test_a_budget_change_voids_too(draft, per, kommun):
    confirmed = answer(ask(draft, per, kommun, "Eva Ek", "eva@aby.se"))
    services.budget_replace(
        insats=draft,
        by=per,
        lines=[
            services.BudgetLineData(description="Coach", section="Övergripande", amounts={2021: Decimal(9)})
        ],
    )
    assert Confirmation.objects.get(pk=confirmed.pk).state == Confirmation.State.OGILTIG


def test_an_answer_about_a_page_opened_before_a_change_is_refused(draft, per, kommun):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    seen = confirmation.version
    edit(draft, per, problem="Ny problembeskrivning")
    renewed = Confirmation.objects.get(insats=draft, voided_at__isnull=True)
    with pytest.raises(ValidationError, match="Ansökan har ändrats sedan sidan öppnades"):
        confirmations.confirmation_answer(
            confirmation=renewed, by=renewed.representative, confirmed=True, seen_version=seen
        )


# The board grants a confirmed version only --------------------------------------------------------


def decide(insats, by, outcome=Beslut.Outcome.BEVILJAD):
    return services.insats_decide(
        insats=insats,
        by=by,
        outcome=outcome,
        agenda_item=AgendaItemFactory(
            meeting=StyrelsemoteFactory(forbund=insats.forbund, date=datetime.date(2020, 12, 3)),
            insats=insats,
        ),
        amounts={2021: Decimal(100_000)},
    )


def test_a_grant_is_refused_while_a_party_lacks_a_valid_confirmation(forbund, region, kommun, samordnare):
    insats = application(forbund, region, kommun, status=S.UNDER_BEREDNING)
    ConfirmationFactory(insats=insats, medlem=region)
    ConfirmationFactory(insats=insats, medlem=kommun, answer="", answered_at=None)  # still waiting

    with pytest.raises(ValidationError, match="Ansökan kan inte beviljas: Åby kommun har inte bekräftat"):
        decide(insats, samordnare)
    assert not Beslut.objects.filter(insats=insats).exists()

    ConfirmationFactory(insats=insats, medlem=kommun)  # a second representative confirms
    assert decide(insats, samordnare).outcome == Beslut.Outcome.BEVILJAD


def test_a_refusal_needs_no_confirmation(forbund, region, kommun, samordnare):
    insats = application(forbund, region, kommun, status=S.UNDER_BEREDNING)
    assert decide(insats, samordnare, Beslut.Outcome.AVSLAGEN).outcome == Beslut.Outcome.AVSLAGEN


def test_legacy_typed_signatures_do_not_count_as_confirmations(forbund, region, kommun, samordnare):
    insats = application(forbund, region, kommun, status=S.UNDER_BEREDNING)
    SignatureFactory(insats=insats, medlem=region)
    SignatureFactory(insats=insats, medlem=kommun)
    with pytest.raises(ValidationError, match="Region Söder, Åby kommun har inte bekräftat"):
        decide(insats, samordnare)


# Pages ----------------------------------------------------------------------------------------------


def detail_url(insats) -> str:
    return reverse("insatser:detail", kwargs={"forbund": insats.forbund.slug, "pk": insats.pk})


def request_url(insats) -> str:
    return reverse("insatser:confirmation_request", kwargs={"forbund": insats.forbund.slug, "pk": insats.pk})


def test_the_insats_page_shows_each_party_its_representatives_and_their_state(
    draft, per, kommun, region, login
):
    eva = answer(ask(draft, per, kommun, "Eva Ek", "eva@aby.se", title="Kommundirektör"))
    ask(draft, per, kommun, "Olle Ås", "olle@aby.se")
    SignatureFactory(insats=draft, medlem=region, name="Gun Gammal", title="Direktör")

    content = login(per).get(detail_url(draft)).content.decode()

    assert f"Version {application_version(draft)[:8]}" in content
    assert f"Eva Ek, Kommundirektör – Bekräftad version {eva.short_version}" in content
    assert "Olle Ås – Väntar på svar" in content
    assert "Gun Gammal, Direktör – Bekräftat (äldre registrering, utan konto)" in content
    assert "Saknar giltig bekräftelse: Region Söder." in content


def test_a_voided_confirmation_is_shown_struck_through(draft, per, kommun, login):
    answer(ask(draft, per, kommun, "Eva Ek", "eva@aby.se"))
    edit(draft, per, activities="Nya aktiviteter")

    content = login(per).get(detail_url(draft)).content.decode()

    struck = r"<del>Eva Ek – Bekräftad version [0-9a-f]{8}\s*</del> <span[^>]*>Gäller en tidigare version"
    assert re.search(struck, content)
    assert "Eva Ek – Väntar på svar" in content


def test_the_beredning_warns_when_a_party_has_not_confirmed(forbund, region, kommun, samordnare, login):
    insats = application(forbund, region, kommun, status=S.UNDER_BEREDNING)
    ConfirmationFactory(insats=insats, medlem=region)
    client = login(samordnare)
    warning = "Styrelsen kan inte bevilja ansökan förrän alla parter har bekräftat den nuvarande versionen. "
    assert warning + "Saknas: Åby kommun." in client.get(detail_url(insats)).content.decode()
    decide_url = reverse("insatser:decide", kwargs={"forbund": forbund.slug, "pk": insats.pk})
    assert "Saknas: Åby kommun." in client.get(decide_url).content.decode()

    ConfirmationFactory(insats=insats, medlem=kommun)
    assert warning not in client.get(detail_url(insats)).content.decode()


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.PROJEKTAGARE])
def test_the_applicants_side_names_representatives(forbund, draft, kommun, region, kind, login):
    user = user_with_role(forbund, kind, **({"medlem": region} if kind == Kind.PROJEKTAGARE else {}))
    client = login(user)
    assert client.get(request_url(draft)).status_code == 200

    response = client.post(
        request_url(draft),
        {"medlem": kommun.pk, "representative": "", "name": "Eva Ek", "email": "eva@aby.se", "title": ""},
        follow=True,
    )

    assert "Eva Ek är ombedd att bekräfta ansökan för Åby kommun" in response.content.decode()
    assert Confirmation.objects.get(insats=draft).representative.email == "eva@aby.se"


def test_an_existing_user_of_the_forbund_can_be_chosen(forbund, draft, kommun, per, login):
    ekonom = user_with_role(forbund, Kind.EKONOM)
    client = login(per)
    form = client.get(request_url(draft)).content.decode()
    assert ekonom.get_full_name() in form
    assert ekonom.email not in form  # addresses are for the kansli's person register
    client.post(request_url(draft), {"medlem": kommun.pk, "representative": ekonom.pk})
    assert Confirmation.objects.get(insats=draft).representative == ekonom


def test_the_samordnare_sees_the_addresses_of_the_accounts_to_choose(forbund, draft, samordnare, login):
    ekonom = user_with_role(forbund, Kind.EKONOM)
    assert f"({ekonom.email})" in login(samordnare).get(request_url(draft)).content.decode()


def test_the_request_form_asks_for_a_user_or_a_name_and_address(draft, kommun, per, login):
    response = login(per).post(request_url(draft), {"medlem": kommun.pk, "name": "Eva Ek"})
    assert "Ange e-postadress, eller välj en befintlig användare." in response.content.decode()
    assert 'value="Eva Ek"' in response.content.decode()
    assert not Confirmation.objects.exists()


@pytest.mark.parametrize("kind", READERS)
def test_readers_cannot_name_representatives(forbund, draft, kommun, kind, login):
    client = login(user_with_role(forbund, kind))
    assert client.get(request_url(draft)).status_code == 403
    response = client.post(request_url(draft), {"medlem": kommun.pk, "name": "Eva Ek", "email": "eva@aby.se"})
    assert response.status_code == 403
    assert "Bara samordnaren och projektägarens organisation ber parterna" in response.content.decode()
    assert not Confirmation.objects.exists()
    assert "Be en företrädare bekräfta" not in client.get(detail_url(draft)).content.decode()


def test_another_members_projektagare_gets_404(forbund, draft, kommun, login):
    other = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=forbund))
    assert login(other).get(request_url(draft)).status_code == 404


def test_the_request_page_is_locked_once_decided(forbund, region, kommun, samordnare, login):
    granted = application(forbund, region, kommun, status=S.BEVILJAD)
    response = login(samordnare).get(request_url(granted))
    assert response.status_code == 403
    assert "parternas bekräftelser tas inte längre emot" in response.content.decode()


def test_the_representative_reads_the_version_and_confirms_on_their_page(draft, per, kommun):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    client = as_user(confirmation.representative)

    content = client.get(confirmation_url(confirmation)).content.decode()
    version = application_version(draft)
    assert f'Version <strong><span title="{version}">{version[:8]}</span></strong>' in content
    assert "Processledare" in content  # the budget it confirms
    assert draft.goals.get().text in content

    response = client.post(
        confirmation_url(confirmation), {"decision": "bekrafta", "version": version}, follow=True
    )
    assert f"Tack! Du har bekräftat ansökan, version {version[:8]}." in response.content.decode()
    assert "Du har redan svarat (bekräftad" in response.content.decode()


def test_a_representative_sees_nothing_else_of_the_forbund(forbund, draft, per, kommun, region):
    mine = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    other_insats = application(forbund, region, kommun, name="Annan ansökan")
    others = ask(other_insats, per, kommun, "Olle Ås", "olle@aby.se")
    client = as_user(mine.representative)

    assert client.get(confirmation_url(others)).status_code == 404
    assert (
        client.post(confirmation_url(others), {"decision": "bekrafta", "version": others.version}).status_code
        == 404
    )
    for url in (
        reverse("forbund:dashboard", kwargs={"forbund": forbund.slug}),
        reverse("insatser:list", kwargs={"forbund": forbund.slug}),
        detail_url(draft),
        request_url(draft),
    ):
        assert client.get(url).status_code == 404, url
    assert Confirmation.objects.get(pk=others.pk).state == Confirmation.State.VANTAR


@pytest.mark.parametrize("kind", [*READERS, Kind.SAMORDNARE, Kind.PROJEKTAGARE])
def test_no_role_in_the_forbund_opens_a_representatives_page(forbund, draft, per, kommun, region, kind):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    user = user_with_role(forbund, kind, **({"medlem": region} if kind == Kind.PROJEKTAGARE else {}))
    client = as_user(user)
    response = client.get(confirmation_url(confirmation))
    assert response.status_code == 403
    assert "Bara den namngivna företrädaren" in response.content.decode()
    client.post(confirmation_url(confirmation), {"decision": "bekrafta", "version": confirmation.version})
    assert Confirmation.objects.get(pk=confirmation.pk).state == Confirmation.State.VANTAR


def test_someone_outside_the_forbund_gets_404_and_a_visitor_the_login(draft, per, kommun, other_forbund):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    assert as_user(UserFactory()).get(confirmation_url(confirmation)).status_code == 404
    wrong_forbund = reverse(
        "insatser:confirmation", kwargs={"forbund": other_forbund.slug, "confirmation_pk": confirmation.pk}
    )
    assert as_user(confirmation.representative).get(wrong_forbund).status_code == 404
    response = Client().get(confirmation_url(confirmation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_old_link_leads_to_the_new_version(draft, per, kommun):
    old = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    edit(draft, per, problem="Ändrad")
    renewed = Confirmation.objects.get(insats=draft, voided_at__isnull=True)
    response = as_user(old.representative).get(confirmation_url(old))
    assert response.status_code == 302
    assert response["Location"] == confirmation_url(renewed)


def test_the_answer_page_keeps_the_comment_when_declining_without_one(draft, per, kommun):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    response = as_user(confirmation.representative).post(
        confirmation_url(confirmation), {"decision": "avboj", "comment": " ", "version": confirmation.version}
    )
    assert "Skriv varför du avböjer." in response.content.decode()
    assert Confirmation.objects.get(pk=confirmation.pk).state == Confirmation.State.VANTAR


# The broker -------------------------------------------------------------------------------------------


def test_broker_down_saves_no_request_and_no_account(draft, per, kommun, login, broker_down):
    users = User.objects.count()
    response = login(per).post(
        request_url(draft), {"medlem": kommun.pk, "name": "Eva Ek", "email": "eva@aby.se", "title": ""}
    )
    assert response.status_code == 200
    assert BROKER_DOWN_MESSAGE in response.content.decode()
    assert 'value="eva@aby.se"' in response.content.decode()
    assert not Confirmation.objects.exists()
    assert User.objects.count() == users


def test_broker_down_refuses_a_change_that_would_ask_again(draft, per, kommun, login):
    confirmed = answer(ask(draft, per, kommun, "Eva Ek", "eva@aby.se"))
    working = app.conf.broker_url
    point_broker_at(UNREACHABLE_BROKER)
    try:
        with pytest.raises(ValidationError, match="Bakgrundstjänsten går inte att nå"):
            edit(draft, per, problem="Ändrad när kön var nere")
    finally:
        point_broker_at(working)
    draft.refresh_from_db()
    assert draft.problem != "Ändrad när kön var nere"
    assert Confirmation.objects.get().pk == confirmed.pk
    assert Confirmation.objects.get().state == Confirmation.State.BEKRAFTAD


# The e-mails, through a real worker ---------------------------------------------------------------------


def wait_for_mail(count: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_invitation_and_the_new_request_after_a_change_arrive_by_email(
    forbund, region, kommun, per, celery_worker, settings
):
    insats = application(forbund, region, kommun)
    confirmation = ask(insats, per, kommun, "Eva Ek", "eva@aby.se")

    wait_for_mail(1)
    invitation = mail.outbox[0]
    assert invitation.to == ["eva@aby.se"]
    assert invitation.subject == "Bekräfta ansökan: Vägen till arbete"
    assert f"Ansökans version: {confirmation.short_version}" in invitation.body
    assert f"{settings.FINSAM_BASE_URL}/konto/aterstall/" in invitation.body
    assert f"{settings.FINSAM_BASE_URL}{confirmation_url(confirmation)}" in invitation.body

    edit(insats, per, problem="Kompletterad problembeskrivning")

    wait_for_mail(2)
    renewed = Confirmation.objects.get(insats=insats, voided_at__isnull=True)
    again = mail.outbox[1]
    assert again.subject == "Ändrad ansökan: Vägen till arbete"
    assert "Din tidigare bekräftelse gäller inte längre" in again.body
    assert f"Ansökans version: {renewed.short_version}" in again.body
    assert confirmation_url(renewed) in again.body


def test_the_representatives_page_costs_the_same_queries_however_long_the_application(
    forbund, draft, per, kommun, django_assert_max_num_queries
):
    confirmation = ask(draft, per, kommun, "Eva Ek", "eva@aby.se")
    client = as_user(confirmation.representative)
    counts = []
    for start, stop in [(0, 2), (2, 10)]:
        for i in range(start, stop):
            GoalFactory(insats=draft, text=f"Mål {i}")
            DelprocessFactory(insats=draft, owner=kommun, name=f"Delprocess {i}")
            BudgetLineFactory(
                insats=draft, section="Övergripande", description=f"Rad {i}", amounts={2021: 10}
            )
        Confirmation.objects.filter(pk=confirmation.pk).update(version=application_version(draft))
        with django_assert_max_num_queries(20) as captured:
            response = client.get(confirmation_url(confirmation))
        assert response.status_code == 200
        counts.append(len(captured))
    assert "Rad 9" in response.content.decode()
    assert counts[0] == counts[1], counts


# The start page ------------------------------------------------------------------------------------


def test_a_representative_without_a_role_finds_the_request_on_the_start_page(draft, per, kommun):
    confirmation = ask(draft, per, kommun, "Karin Ek", "karin.ek@aby.se")

    response = as_user(confirmation.representative).get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Ansökningar att bekräfta" in content
    assert confirmation_url(confirmation) in content and "Vägen till arbete" in content
    assert "ingen roll i något samordningsförbund" not in content


def test_an_answered_or_voided_request_leaves_the_start_page(draft, per, kommun):
    answered = answer(ask(draft, per, kommun, "Karin Ek", "karin.ek@aby.se"))
    voided = ask(draft, per, kommun, "Lars Ek", "lars.ek@aby.se")
    Confirmation.objects.filter(pk=voided.pk).update(voided_at=timezone.now())

    for person in (answered.representative, voided.representative):
        content = as_user(person).get(reverse("home")).content.decode()
        assert "Ansökningar att bekräfta" not in content


def test_someone_with_one_forbund_and_a_request_is_not_sent_past_the_request(forbund, draft, per, kommun):
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    ask(draft, per, kommun, samordnare.get_full_name(), samordnare.email)

    response = as_user(samordnare).get(reverse("home"))

    assert response.status_code == 200
    assert "Ansökningar att bekräfta" in response.content.decode()

"""Invoices tied to grants, from the domain: an insats invoices (or rekvisitions) what the board
granted, for the period of the insats and a year with a grant; the year's sum passes the grant only
with a recorded reason; the same supplier invoice number is not taken twice for an insats; someone
other than the registrar attests, and someone other than the attester pays, unless the förbund's
attest rules say otherwise."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from ekonomi.forms.outcome import InvoiceForm
from ekonomi.models import EconomySettings, Invoice
from ekonomi.services.outcome import invoice_save, invoice_transition, rekvisition_submit
from finsam import access
from forbund.models import Notification, Role
from insatser.models import Insats
from tests.factories import BeslutFactory, InsatsFactory, InvoiceFactory, MedlemFactory, user_with_role

pytestmark = pytest.mark.django_db

D = datetime.date
S = Invoice.Status
Kind = Role.Kind
NBSP = "\xa0"
GRANT_2021 = 300_000


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def kommun(forbund):
    return MedlemFactory(forbund=forbund, name="Trelleborgs kommun")


@pytest.fixture
def insats(forbund, kommun):
    """Granted 300 000 kr for 2021 and nothing for 2022, running 2021-02-01 – 2022-06-30."""
    insats = InsatsFactory(
        forbund=forbund,
        owner=kommun,
        name="Yrkeskedjor",
        status=Insats.Status.PAGAENDE,
        start=D(2021, 2, 1),
        end=D(2022, 6, 30),
    )
    BeslutFactory(insats=insats, amounts={2021: GRANT_2021})
    return insats


@pytest.fixture
def ekonom(forbund):
    return user_with_role(forbund, Kind.EKONOM)


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Kind.SAMORDNARE)


def invoice(insats, **values) -> Invoice:
    fields = {
        "insats": insats,
        "number": "F-1",
        "period_start": D(2021, 3, 1),
        "period_end": D(2021, 4, 30),
        "amount": Decimal(100_000),
        "received_on": D(2021, 5, 2),
    }
    return Invoice(**{**fields, **values})


def refusal(forbund, by, candidate) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        invoice_save(forbund=forbund, by=by, invoice=candidate)
    return error.value.message_dict


# Only granted insatser, for their period and a year with a grant -----------------------------------


@pytest.mark.parametrize(
    "status",
    [
        Insats.Status.IDE,
        Insats.Status.UTKAST,
        Insats.Status.INSKICKAD,
        Insats.Status.UNDER_BEREDNING,
        Insats.Status.KOMPLETTERING_BEGARD,
        Insats.Status.AVSLAGEN,
    ],
)
def test_an_invoice_for_an_insats_that_is_not_granted_is_refused(forbund, ekonom, status):
    idea = InsatsFactory(
        forbund=forbund, name="Idén", status=status, start=D(2021, 1, 1), end=D(2021, 12, 31)
    )
    errors = refusal(forbund, ekonom, invoice(idea, amount=Decimal(900_000)))
    assert errors["insats"][0].startswith("Idén är ")
    assert "Fakturor tas bara emot för insatser som styrelsen har beviljat." in errors["insats"][0]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("status", [Insats.Status.BEVILJAD, Insats.Status.PAGAENDE, Insats.Status.AVSLUTAD])
def test_a_granted_running_or_just_ended_insats_is_invoiced(forbund, insats, ekonom, status):
    Insats.objects.filter(pk=insats.pk).update(status=status)
    insats.refresh_from_db()
    saved = invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats))
    assert saved.status == S.MOTTAGEN and saved.registered_by == ekonom


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2021, 1, 31), D(2021, 2, 28)), (D(2022, 6, 1), D(2022, 7, 1))],
    ids=["a day before the insats starts", "a day after it ends"],
)
def test_a_period_outside_the_insats_is_refused(forbund, insats, ekonom, start, end):
    BeslutFactory(insats=insats, amounts={2022: 100_000})
    errors = refusal(forbund, ekonom, invoice(insats, period_start=start, period_end=end))
    assert errors["period_start"] == ["Perioden måste ligga inom insatsens period, 2021-02-01–2022-06-30."]


def test_the_insats_first_and_last_days_are_inside(forbund, insats, ekonom):
    BeslutFactory(insats=insats, amounts={2022: 100_000})
    invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, period_start=D(2021, 2, 1)))
    invoice_save(
        forbund=forbund,
        by=ekonom,
        invoice=invoice(insats, number="F-2", period_start=D(2022, 6, 1), period_end=D(2022, 6, 30)),
    )
    assert Invoice.objects.count() == 2


def test_a_year_without_a_grant_is_refused(forbund, insats, ekonom):
    errors = refusal(forbund, ekonom, invoice(insats, period_start=D(2022, 1, 1), period_end=D(2022, 2, 28)))
    assert errors["period_start"] == ["Yrkeskedjor har inga beviljade medel för 2022."]


def test_a_period_across_the_new_year_is_refused(forbund, insats, ekonom):
    BeslutFactory(insats=insats, amounts={2022: 100_000})
    errors = refusal(forbund, ekonom, invoice(insats, period_start=D(2021, 12, 1), period_end=D(2022, 1, 31)))
    assert "Dela upp den vid årsskiftet" in errors["period_end"][0]


# The year's sum against the grant ------------------------------------------------------------------


def test_the_years_sum_may_reach_the_grant_exactly(forbund, insats, ekonom):
    InvoiceFactory(insats=insats, number="A", amount=Decimal(200_000), period_start=D(2021, 2, 1))
    saved = invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, amount=Decimal(100_000)))
    assert saved.pk is not None


def test_an_over_grant_sum_without_a_reason_is_refused_then_accepted_with_one(forbund, insats, ekonom):
    InvoiceFactory(insats=insats, number="A", amount=Decimal(200_000), period_start=D(2021, 2, 1))

    errors = refusal(forbund, ekonom, invoice(insats, amount=Decimal(100_001)))
    assert errors["over_grant_reason"] == [
        f"Fakturerat för 2021 blir 300{NBSP}001{NBSP}kr, 1{NBSP}kr över beviljade 300{NBSP}000{NBSP}kr. "
        "Skriv skälet om fakturan ska tas emot ändå."
    ]
    assert Invoice.objects.count() == 1

    reason = "Styrelsen utökade ramen muntligt 2021-04-20; beslut i protokollet i maj."
    saved = invoice_save(
        forbund=forbund, by=ekonom, invoice=invoice(insats, amount=Decimal(100_001), over_grant_reason=reason)
    )
    assert saved.over_grant_reason == reason


def test_a_credit_note_makes_room_under_the_grant(forbund, insats, ekonom):
    InvoiceFactory(insats=insats, number="A", amount=Decimal(GRANT_2021), period_start=D(2021, 2, 1))
    InvoiceFactory.create_credit_note(insats=insats, number="K", amount=Decimal(-50_000))
    assert invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, amount=Decimal(50_000))).pk


def test_other_years_and_other_insatser_do_not_count_against_the_grant(forbund, insats, ekonom):
    BeslutFactory(insats=insats, amounts={2022: 100_000})
    InvoiceFactory(
        insats=insats,
        number="A",
        amount=Decimal(100_000),
        period_start=D(2022, 1, 1),
        period_end=D(2022, 1, 31),
    )
    other = InsatsFactory(forbund=forbund, start=D(2021, 1, 1), end=D(2021, 12, 31))
    InvoiceFactory(insats=other, number="B", amount=Decimal(GRANT_2021))
    assert invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, amount=Decimal(GRANT_2021))).pk


def test_a_correction_is_checked_against_the_grant_without_counting_itself(forbund, insats, ekonom):
    saved = invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, amount=Decimal(GRANT_2021)))
    saved.note = "Rättad period"
    invoice_save(forbund=forbund, by=ekonom, invoice=saved)  # 300 000 is still within the grant
    saved.amount = Decimal(GRANT_2021 + 1)
    errors = refusal(forbund, ekonom, saved)
    assert "over_grant_reason" in errors
    saved.refresh_from_db()
    assert saved.amount == GRANT_2021


# One supplier invoice number per insats ------------------------------------------------------------


def test_the_same_supplier_number_on_the_same_insats_is_refused(forbund, insats, ekonom):
    invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, number="TK-2021-0112"))
    errors = refusal(
        forbund,
        ekonom,
        invoice(insats, number="TK-2021-0112", period_start=D(2021, 5, 1), period_end=D(2021, 5, 31)),
    )
    assert errors["number"] == ["Fakturanummer TK-2021-0112 är redan registrerat för Yrkeskedjor."]
    assert Invoice.objects.count() == 1


def test_the_same_number_on_another_insats_and_blank_numbers_are_accepted(forbund, insats, ekonom):
    other = InsatsFactory(forbund=forbund, name="Unga Vuxna", start=D(2021, 1, 1), end=D(2021, 12, 31))
    BeslutFactory(insats=other, amounts={2021: 200_000})
    invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, number="F-9"))
    invoice_save(forbund=forbund, by=ekonom, invoice=invoice(other, number="F-9"))
    invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, number="", amount=Decimal(1)))
    invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats, number="", amount=Decimal(2)))
    assert Invoice.objects.count() == 4


def test_the_database_refuses_a_duplicate_number_too(forbund, insats):
    InvoiceFactory(insats=insats, number="F-DB")
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(insats=insats, number="F-DB")


def test_the_invoice_form_shows_the_duplicate_on_the_number_field(forbund, insats, ekonom, login):
    InvoiceFactory(insats=insats, number="TK-1")
    client = login(ekonom)
    url = reverse("ekonomi:invoice_create", kwargs={"forbund": forbund.slug})
    data = {
        "insats": insats.pk,
        "number": "TK-1",
        "period_start": "2021-03-01",
        "period_end": "2021-03-31",
        "amount": "1000",
        "received_on": "2021-04-01",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["number"] == ["Fakturanummer TK-1 är redan registrerat för Yrkeskedjor."]
    assert Invoice.objects.count() == 1


def test_the_form_keeps_what_was_typed_and_asks_for_the_reason(forbund, insats, ekonom, login):
    client = login(ekonom)
    url = reverse("ekonomi:invoice_create", kwargs={"forbund": forbund.slug})
    data = {
        "insats": insats.pk,
        "number": "TK-9",
        "period_start": "2021-03-01",
        "period_end": "2021-03-31",
        "amount": "400000",
        "received_on": "2021-04-01",
        "note": "Stor faktura",
    }
    page = client.post(url, data).content.decode()
    assert "Skriv skälet om fakturan ska tas emot ändå." in page
    assert 'value="TK-9"' in page and "Stor faktura" in page
    response = client.post(url, {**data, "over_grant_reason": "Utökat beslut 2021-03-15 § 12."})
    assert response.status_code == 302
    listing = client.get(reverse("ekonomi:invoice_list", kwargs={"forbund": forbund.slug})).content.decode()
    assert "Över beviljat" in listing and "Utökat beslut 2021-03-15 § 12." in listing


# Attest and payment --------------------------------------------------------------------------------


def test_the_registrar_may_not_attest_and_the_page_says_why(forbund, insats, ekonom, samordnare, login):
    saved = invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats))
    with pytest.raises(PermissionDenied, match="Den som registrerade fakturan attesterar den inte"):
        invoice_transition(invoice=saved, to=S.ATTESTERAD, by=ekonom, on=D(2021, 5, 3))
    assert Invoice.objects.get(pk=saved.pk).status == S.MOTTAGEN

    page = (
        login(ekonom).get(reverse("ekonomi:invoice_list", kwargs={"forbund": forbund.slug})).content.decode()
    )
    assert "/status/attesterad/" not in page
    assert "Attestera: Den som registrerade fakturan attesterar den inte" in page

    attested = invoice_transition(invoice=saved, to=S.ATTESTERAD, by=samordnare, on=D(2021, 5, 3))
    assert (attested.status, attested.attested_by) == (S.ATTESTERAD, samordnare)


def test_a_forbund_may_let_the_registrar_attest(forbund, insats, ekonom):
    EconomySettings.objects.create(forbund=forbund, registrar_may_attest=True)
    saved = invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats))
    assert invoice_transition(invoice=saved, to=S.ATTESTERAD, by=ekonom).status == S.ATTESTERAD


def test_the_attester_may_not_also_pay(forbund, insats, ekonom, samordnare):
    saved = invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats))
    invoice_transition(invoice=saved, to=S.ATTESTERAD, by=samordnare, on=D(2021, 5, 3))
    with pytest.raises(PermissionDenied, match="Den som attesterade fakturan markerar den inte som betald"):
        invoice_transition(invoice=saved, to=S.BETALD, by=samordnare, on=D(2021, 5, 10))
    paid = invoice_transition(invoice=saved, to=S.BETALD, by=ekonom, on=D(2021, 5, 10))
    assert (paid.status, paid.attested_by, paid.paid_by) == (S.BETALD, samordnare, ekonom)


def test_a_forbund_may_let_the_attester_pay(forbund, insats, ekonom, samordnare):
    EconomySettings.objects.create(forbund=forbund, attester_may_pay=True)
    saved = invoice_save(forbund=forbund, by=ekonom, invoice=invoice(insats))
    invoice_transition(invoice=saved, to=S.ATTESTERAD, by=samordnare)
    assert invoice_transition(invoice=saved, to=S.BETALD, by=samordnare).status == S.BETALD


def test_only_the_roles_the_attest_rules_name_attest(forbund, insats, ekonom, samordnare):
    EconomySettings.objects.create(forbund=forbund, ekonom_attests=False)
    received = InvoiceFactory(insats=insats, registered_by=None)
    verdict = access.check("transition", ekonom, received, S.ATTESTERAD)
    assert not verdict and verdict.reason == "Enligt förbundets attestregler attesterar bara samordnare."
    assert access.check("transition", samordnare, received, S.ATTESTERAD)
    # Paying is not attesting: the ekonom still pays.
    attested = InvoiceFactory.create_attested(insats=insats, number="F-2", attested_by=samordnare)
    assert access.check("transition", ekonom, attested, S.BETALD)


def test_the_samordnare_sets_the_attest_rules(forbund, samordnare, login):
    client = login(samordnare)
    url = reverse("ekonomi:invoice_attest_rules", kwargs={"forbund": forbund.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"samordnare_attests": "on", "registrar_may_attest": "on"})
    assert response.status_code == 302
    rules = EconomySettings.objects.get(forbund=forbund)
    assert (
        rules.samordnare_attests,
        rules.ekonom_attests,
        rules.registrar_may_attest,
        rules.attester_may_pay,
    ) == (
        True,
        False,
        True,
        False,
    )
    refused = client.post(url, {"registrar_may_attest": "on"})
    assert "Minst en roll måste få attestera fakturor." in refused.content.decode()


@pytest.mark.parametrize(
    "kind", [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, Kind.PROJEKTAGARE]
)
def test_no_one_else_sets_the_attest_rules(forbund, login, user_in, kind):
    client = login(user_in(forbund, kind))
    url = reverse("ekonomi:invoice_attest_rules", kwargs={"forbund": forbund.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"samordnare_attests": "on"}).status_code == 403
    assert not EconomySettings.objects.filter(forbund=forbund, ekonom_attests=False).exists()


def test_another_forbunds_samordnare_gets_404_on_the_attest_rules(forbund, other_forbund, login):
    client = login(user_with_role(other_forbund, Kind.SAMORDNARE))
    assert (
        client.get(reverse("ekonomi:invoice_attest_rules", kwargs={"forbund": forbund.slug})).status_code
        == 404
    )


# Rekvisition --------------------------------------------------------------------------------------


@pytest.fixture
def projektagare(forbund, kommun):
    return user_with_role(forbund, Kind.PROJEKTAGARE, medlem=kommun)


def pdf(name="rekvisition.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 rekvisition", content_type="application/pdf")


def rekvisition_post(insats, **overrides) -> dict:
    data = {
        "insats": insats.pk,
        "number": "REK-2021-03",
        "period_start": "2021-03-01",
        "period_end": "2021-03-31",
        "amount": "75000",
        "note": "Mars månad",
    }
    return {**data, **overrides}


def test_a_projektagare_rekvisition_awaits_attest_and_the_ekonom_is_told(
    forbund, insats, projektagare, ekonom, login, django_capture_on_commit_callbacks
):
    client = login(projektagare)
    url = reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})
    page = client.get(url).content.decode()
    assert "Yrkeskedjor" in page and f"300{NBSP}000{NBSP}kr" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**rekvisition_post(insats), "attachment": pdf()})
    assert response.status_code == 302
    made = Invoice.objects.get()
    assert (made.is_rekvisition, made.registered_by, made.status, made.amount) == (
        True,
        projektagare,
        S.MOTTAGEN,
        Decimal(75_000),
    )
    assert made.attachment.name.startswith("fakturor/")
    told = Notification.objects.get(recipient=ekonom)
    assert told.kind == "invoice_attest" and "Yrkeskedjor" in told.title
    assert not Notification.objects.filter(recipient=projektagare).exists()

    listing = login(ekonom).get(reverse("ekonomi:invoice_list", kwargs={"forbund": forbund.slug}))
    assert "Rekvisition" in listing.content.decode()
    attested = invoice_transition(invoice=made, to=S.ATTESTERAD, by=ekonom, on=made.received_on)
    assert attested.attested_by == ekonom


def test_a_rekvisition_needs_its_attachment(forbund, insats, projektagare, login):
    client = login(projektagare)
    response = client.post(
        reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug}), rekvisition_post(insats)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"] == ["Detta fält måste fyllas i."]
    assert not Invoice.objects.exists()


def test_a_rekvisition_follows_the_grant_rules(forbund, insats, projektagare, login):
    client = login(projektagare)
    url = reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})
    response = client.post(url, {**rekvisition_post(insats, amount="300001"), "attachment": pdf()})
    assert "Skriv skälet om fakturan ska tas emot ändå." in response.content.decode()
    response = client.post(url, {**rekvisition_post(insats, period_start="2021-01-01"), "attachment": pdf()})
    assert "Perioden måste ligga inom insatsens period" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_projektagare_rekvisitions_only_for_their_own_insats(forbund, insats, login):
    stranger = user_with_role(forbund, Kind.PROJEKTAGARE)  # another member organisation
    with pytest.raises(PermissionDenied, match="din egen organisations insatser"):
        rekvisition_submit(forbund=forbund, by=stranger, invoice=invoice(insats))
    response = login(stranger).post(
        reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug}),
        {**rekvisition_post(insats), "attachment": pdf()},
    )
    assert response.status_code == 200 and "insats" in response.context["form"].errors
    assert "Yrkeskedjor" not in response.content.decode()
    assert not Invoice.objects.exists()


def test_an_own_insats_not_yet_granted_cannot_be_rekvisitioned(forbund, kommun, projektagare):
    applied = InsatsFactory(forbund=forbund, owner=kommun, status=Insats.Status.INSKICKAD)
    with pytest.raises(ValidationError, match="medel rekvireras först när den är beviljad"):
        rekvisition_submit(forbund=forbund, by=projektagare, invoice=invoice(applied))


@pytest.mark.parametrize(
    "kind", [Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]
)
def test_only_projektagare_use_the_rekvisition_form(forbund, insats, login, kind):
    client = login(user_with_role(forbund, kind))
    url = reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})
    response = client.get(url)
    assert response.status_code == 403
    assert "Rekvisitioner skickas av projektägare" in response.content.decode()
    assert client.post(url, rekvisition_post(insats)).status_code == 403
    assert not Invoice.objects.exists()


def test_another_forbund_and_anonymous_cannot_reach_the_rekvisition_form(
    forbund, other_forbund, client, login
):
    url = reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})
    assert client.get(url).status_code == 302  # to the login page
    outsider = user_with_role(other_forbund, Kind.PROJEKTAGARE)
    assert login(outsider).get(url).status_code == 404


def test_a_double_submitted_rekvisition_is_registered_once(forbund, insats, projektagare, login):
    client = login(projektagare)
    url = reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())[1]
    data = rekvisition_post(insats, form_token=token)
    assert client.post(url, {**data, "attachment": pdf()}).status_code == 302
    assert client.post(url, {**data, "attachment": pdf()}).status_code == 302
    assert Invoice.objects.count() == 1


def test_the_invoice_form_offers_no_reason_needed_below_the_grant(forbund, insats):
    form = InvoiceForm(
        {
            "insats": insats.pk,
            "number": "X",
            "period_start": "2021-03-01",
            "period_end": "2021-03-31",
            "amount": "1000",
            "received_on": "2021-04-01",
        },
        forbund=forbund,
    )
    assert form.is_valid(), form.errors
    assert not form.fields["over_grant_reason"].required

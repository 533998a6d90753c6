"""Invoices from the insatser: registration, the steps mottagen → attesterad → betald through one
service, credit notes, attachments, and the warning for insatser that invoice too seldom."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ekonomi.forms.outcome import InvoiceForm
from ekonomi.models import EconomySettings, Invoice
from ekonomi.selectors.outcome import add_months, late_invoicing
from ekonomi.services.outcome import invoice_save, invoice_transition
from forbund.models import ActivityEvent, Role
from insatser.models import Insats
from tests.factories import BeslutFactory, InsatsFactory, InvoiceFactory, user_with_role

pytestmark = pytest.mark.django_db

D = datetime.date
S = Invoice.Status
Kind = Role.Kind
READERS = [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, Kind.PROJEKTAGARE]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def insats(forbund):
    insats = InsatsFactory(forbund=forbund, name="Yrkeskedjor", start=D(2021, 1, 1), end=D(2022, 5, 31))
    BeslutFactory(insats=insats, amounts={2021: 1_530_000, 2022: 640_000})
    return insats


@pytest.fixture
def ekonom(forbund):
    return user_with_role(forbund, Kind.EKONOM)


def form_data(insats, **overrides) -> dict:
    data = {
        "insats": insats.pk,
        "number": "TK-2021-0112",
        "period_start": "2021-01-01",
        "period_end": "2021-02-28",
        "amount": "382500",
        "received_on": "2021-03-01",
        "note": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Registering ---------------------------------------------------------------------------------------


def test_a_new_invoice_is_received_and_logged(forbund, insats, ekonom):
    form = InvoiceForm(form_data(insats), forbund=forbund)
    assert form.is_valid(), form.errors
    invoice = invoice_save(forbund=forbund, by=ekonom, invoice=form.save(commit=False))
    assert invoice.status == S.MOTTAGEN
    assert invoice.amount == Decimal("382500")
    assert ActivityEvent.objects.filter(
        forbund=forbund, actor=ekonom, description__contains="Registrerade fakturan"
    )


def test_a_new_invoice_cannot_be_registered_as_already_paid(forbund, insats, ekonom):
    invoice = Invoice(
        insats=insats,
        period_start=D(2021, 1, 1),
        period_end=D(2021, 2, 28),
        amount=Decimal(1),
        received_on=D(2021, 3, 1),
        status=S.BETALD,
        paid_on=D(2021, 3, 2),
    )
    invoice = invoice_save(forbund=forbund, by=ekonom, invoice=invoice)
    assert (invoice.status, invoice.paid_on) == (S.MOTTAGEN, None)


def test_negative_amount_needs_an_explicit_credit_note(forbund, insats):
    form = InvoiceForm(form_data(insats, amount="-5000"), forbund=forbund)
    assert not form.is_valid()
    assert form.errors["amount"] == ["Negativa belopp anges bara som kreditfaktura."]


def test_credit_note_with_a_positive_amount_is_refused(forbund, insats):
    form = InvoiceForm(form_data(insats, amount="5000", is_credit_note="on"), forbund=forbund)
    assert not form.is_valid()
    assert form.errors["amount"] == ["En kreditfaktura har ett negativt belopp."]


def test_credit_note_with_a_negative_amount_is_saved(forbund, insats, ekonom):
    form = InvoiceForm(form_data(insats, amount="-5000", is_credit_note="on"), forbund=forbund)
    assert form.is_valid(), form.errors
    invoice = invoice_save(forbund=forbund, by=ekonom, invoice=form.save(commit=False))
    assert invoice.is_credit_note and invoice.amount == -5000
    assert ActivityEvent.objects.filter(description__contains="kreditfakturan").exists()


def test_period_must_not_end_before_it_starts(forbund, insats):
    form = InvoiceForm(form_data(insats, period_end="2020-12-31"), forbund=forbund)
    assert not form.is_valid()
    assert form.errors["period_end"] == ["Perioden kan inte sluta innan den börjar."]


def test_another_forbunds_insats_cannot_be_chosen(forbund, other_forbund):
    foreign = InsatsFactory(forbund=other_forbund)
    form = InvoiceForm(form_data(foreign), forbund=forbund)
    assert not form.is_valid()
    assert "insats" in form.errors


def test_attachment_pdf_is_accepted(forbund, insats, ekonom):
    upload = SimpleUploadedFile("faktura.pdf", b"%PDF-1.4 faktura", content_type="application/pdf")
    form = InvoiceForm(form_data(insats), {"attachment": upload}, forbund=forbund)
    assert form.is_valid(), form.errors
    invoice = invoice_save(forbund=forbund, by=ekonom, invoice=form.save(commit=False))
    assert invoice.attachment.name.startswith("fakturor/")


def test_attachment_of_another_type_is_refused_in_swedish(forbund, insats):
    upload = SimpleUploadedFile("faktura.docx", b"PK", content_type="application/octet-stream")
    form = InvoiceForm(form_data(insats), {"attachment": upload}, forbund=forbund)
    assert not form.is_valid()
    assert form.errors["attachment"][0] == "Fakturan ska vara en PDF, PNG eller JPG."


def test_attachment_over_10_mb_is_refused_in_swedish(forbund, insats):
    upload = SimpleUploadedFile("faktura.pdf", b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf")
    form = InvoiceForm(form_data(insats), {"attachment": upload}, forbund=forbund)
    assert not form.is_valid()
    assert form.errors["attachment"] == ["Filen är för stor: högst 10 MB."]


def test_received_invoice_can_be_corrected(forbund, insats, ekonom):
    invoice = InvoiceFactory(insats=insats)
    invoice.amount = Decimal("99000")
    invoice_save(forbund=forbund, by=ekonom, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.amount == 99000


@pytest.mark.parametrize("make", [InvoiceFactory.create_attested, InvoiceFactory.create_paid])
def test_attested_or_paid_invoice_cannot_be_changed(forbund, insats, ekonom, make):
    invoice = make(insats=insats)
    invoice.amount = Decimal("1")
    with pytest.raises(ValidationError, match="kan inte ändras; registrera en kreditfaktura"):
        invoice_save(forbund=forbund, by=ekonom, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.amount == 100000


@pytest.mark.parametrize("kind", READERS)
def test_readers_cannot_register_invoices(forbund, insats, kind):
    invoice = InvoiceFactory.build(insats=insats, forbund=forbund)
    with pytest.raises(PermissionDenied):
        invoice_save(forbund=forbund, by=user_with_role(forbund, kind), invoice=invoice)
    assert not Invoice.objects.exists()


# The steps -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "payer_kind"), [(Kind.SAMORDNARE, Kind.EKONOM), (Kind.EKONOM, Kind.SAMORDNARE)]
)
def test_invoice_is_attested_then_paid_with_dates_recorded(forbund, insats, kind, payer_kind):
    user = user_with_role(forbund, kind)
    payer = user_with_role(forbund, payer_kind)
    invoice = InvoiceFactory(insats=insats, received_on=D(2021, 3, 1))

    invoice = invoice_transition(invoice=invoice, to=S.ATTESTERAD, by=user, on=D(2021, 3, 5))
    assert (invoice.status, invoice.attested_on, invoice.paid_on) == (S.ATTESTERAD, D(2021, 3, 5), None)
    assert invoice.attested_by == user

    invoice = invoice_transition(invoice=invoice, to=S.BETALD, by=payer, on=D(2021, 3, 15))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attested_on, invoice.paid_on) == (S.BETALD, D(2021, 3, 5), D(2021, 3, 15))
    history = [
        (step.from_status, step.to_status, step.by, step.snapshot["attested_on"], step.snapshot["paid_on"])
        for step in invoice.status_changes.all()
    ]
    assert history == [
        (S.MOTTAGEN, S.ATTESTERAD, user, "2021-03-05", None),
        (S.ATTESTERAD, S.BETALD, payer, "2021-03-05", "2021-03-15"),
    ]
    assert (invoice.attested_by, invoice.paid_by) == (user, payer)
    logged = ActivityEvent.objects.filter(forbund=forbund, object_id=str(invoice.pk))
    assert [(event.kind, event.actor, event.description) for event in logged.order_by("id")] == [
        (ActivityEvent.Kind.TRANSITION, user, f"Attestera: {invoice}"),
        (ActivityEvent.Kind.TRANSITION, payer, f"Markera som betald: {invoice}"),
    ]


def test_step_without_a_date_uses_today(forbund, insats, ekonom):
    invoice = invoice_transition(invoice=InvoiceFactory(insats=insats), to=S.ATTESTERAD, by=ekonom)
    assert invoice.attested_on == timezone.localdate()


def test_received_invoice_cannot_be_paid_before_it_is_attested(forbund, insats, ekonom):
    invoice = InvoiceFactory(insats=insats)
    with pytest.raises(ValidationError) as error:
        invoice_transition(invoice=invoice, to=S.BETALD, by=ekonom, on=D(2021, 3, 10))
    assert error.value.messages == ["En faktura som är mottagen kan inte bli betald."]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (S.MOTTAGEN, None)


@pytest.mark.parametrize(
    ("make", "target"),
    [
        (InvoiceFactory.create_paid, S.ATTESTERAD),
        (InvoiceFactory.create_paid, S.MOTTAGEN),
        (InvoiceFactory.create_paid, S.BETALD),
        (InvoiceFactory.create_attested, S.MOTTAGEN),
        (InvoiceFactory.create_attested, S.ATTESTERAD),
        (InvoiceFactory, "makulerad"),
    ],
)
def test_steps_cannot_go_backwards_repeat_or_leave_the_workflow(forbund, insats, ekonom, make, target):
    invoice = make(insats=insats)
    before = (invoice.status, invoice.attested_on, invoice.paid_on)
    with pytest.raises(ValidationError, match="kan inte bli"):
        invoice_transition(invoice=invoice, to=target, by=ekonom, on=D(2021, 4, 1))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attested_on, invoice.paid_on) == before


def test_step_date_cannot_precede_receipt_or_attest(forbund, insats, ekonom):
    invoice = InvoiceFactory(insats=insats, received_on=D(2021, 3, 1))
    with pytest.raises(ValidationError, match="före den dag fakturan kom in"):
        invoice_transition(invoice=invoice, to=S.ATTESTERAD, by=ekonom, on=D(2021, 2, 28))
    invoice = invoice_transition(invoice=invoice, to=S.ATTESTERAD, by=ekonom, on=D(2021, 3, 5))
    with pytest.raises(ValidationError, match="före attesten"):
        invoice_transition(
            invoice=invoice, to=S.BETALD, by=user_with_role(forbund, Kind.SAMORDNARE), on=D(2021, 3, 4)
        )


@pytest.mark.parametrize("kind", READERS)
def test_readers_cannot_attest_or_pay(forbund, insats, kind):
    invoice = InvoiceFactory(insats=insats)
    with pytest.raises(PermissionDenied):
        invoice_transition(
            invoice=invoice, to=S.ATTESTERAD, by=user_with_role(forbund, kind), on=D(2021, 3, 5)
        )
    invoice.refresh_from_db()
    assert invoice.status == S.MOTTAGEN


def test_samordnare_of_another_forbund_cannot_attest(forbund, other_forbund, insats):
    invoice = InvoiceFactory(insats=insats)
    with pytest.raises(PermissionDenied):
        invoice_transition(
            invoice=invoice,
            to=S.ATTESTERAD,
            by=user_with_role(other_forbund, Kind.SAMORDNARE),
            on=D(2021, 3, 5),
        )


# Late invoicing ------------------------------------------------------------------------------------


def late_names(forbund, today) -> list[str]:
    return [item.insats.name for item in late_invoicing(forbund, today)]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2021, 3, 15), 2, D(2021, 5, 15)),
        (D(2020, 12, 31), 2, D(2021, 2, 28)),
        (D(2021, 11, 30), 1, D(2021, 12, 30)),
        (D(2021, 3, 31), -1, D(2021, 2, 28)),
        (D(2021, 1, 10), -2, D(2020, 11, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_insats_without_invoice_since_a_start_over_two_months_ago_is_late(forbund, insats):
    assert late_names(forbund, D(2021, 3, 1)) == []
    late = late_invoicing(forbund, D(2021, 3, 2))
    assert [item.insats for item in late] == [insats]
    assert late[0].description == "ingen faktura sedan starten 2021-01-01"
    assert EconomySettings.objects.get(forbund=forbund).invoice_interval_months == 2


def test_insats_invoiced_within_the_interval_is_not_late(forbund, insats):
    InvoiceFactory(insats=insats, period_start=D(2021, 1, 1), period_end=D(2021, 2, 28))
    assert late_names(forbund, D(2021, 4, 28)) == []
    late = late_invoicing(forbund, D(2021, 4, 29))
    assert late_names(forbund, D(2021, 4, 29)) == ["Yrkeskedjor"]
    assert late[0].description == "senast fakturerat till och med 2021-02-28"


def test_latest_invoice_counts_and_credit_notes_do_not(forbund, insats):
    InvoiceFactory(insats=insats, period_start=D(2021, 1, 1), period_end=D(2021, 2, 28))
    InvoiceFactory(insats=insats, period_start=D(2021, 3, 1), period_end=D(2021, 4, 30))
    InvoiceFactory.create_credit_note(insats=insats, period_start=D(2021, 5, 1), period_end=D(2021, 8, 31))
    assert late_names(forbund, D(2021, 6, 30)) == []
    assert late_names(forbund, D(2021, 7, 1)) == ["Yrkeskedjor"]


def test_the_forbunds_interval_setting_is_used(forbund, insats):
    EconomySettings.objects.create(forbund=forbund, invoice_interval_months=3)
    InvoiceFactory(insats=insats, period_start=D(2021, 1, 1), period_end=D(2021, 2, 28))
    assert late_names(forbund, D(2021, 5, 28)) == []
    assert late_names(forbund, D(2021, 5, 29)) == ["Yrkeskedjor"]


def test_insats_invoiced_to_its_end_is_not_late(forbund):
    ended = InsatsFactory(forbund=forbund, start=D(2020, 8, 1), end=D(2021, 7, 31))
    InvoiceFactory(insats=ended, period_start=D(2021, 7, 1), period_end=D(2021, 7, 31))
    assert late_names(forbund, D(2022, 1, 1)) == []


def test_insats_not_yet_invoiced_to_its_end_is_late_after_it_ended(forbund):
    ended = InsatsFactory(forbund=forbund, name="Unga Vuxna", start=D(2020, 8, 1), end=D(2021, 7, 31))
    InvoiceFactory(insats=ended, period_start=D(2021, 5, 1), period_end=D(2021, 6, 30))
    assert late_names(forbund, D(2021, 9, 1)) == ["Unga Vuxna"]


@pytest.mark.parametrize(
    "status", [status for status in Insats.Status.values if status not in {"pagaende", "beviljad"}]
)
def test_only_granted_or_ongoing_insatser_are_checked(forbund, status):
    InsatsFactory(forbund=forbund, status=status, start=D(2020, 1, 1))
    assert late_names(forbund, D(2021, 6, 1)) == []


def test_granted_insats_counts_only_once_started(forbund):
    InsatsFactory(forbund=forbund, name="Kommande", status=Insats.Status.BEVILJAD, start=D(2021, 9, 1))
    assert late_names(forbund, D(2021, 8, 1)) == []
    assert late_names(forbund, D(2021, 11, 2)) == ["Kommande"]


def test_other_forbunds_insatser_are_not_listed(forbund, other_forbund):
    InsatsFactory(forbund=other_forbund, start=D(2020, 1, 1))
    assert late_names(forbund, D(2021, 6, 1)) == []


def test_late_list_starts_with_the_longest_overdue(forbund):
    InsatsFactory(forbund=forbund, name="A nyare", start=D(2021, 1, 1))
    InsatsFactory(forbund=forbund, name="B äldre", start=D(2020, 1, 1))
    assert late_names(forbund, D(2021, 6, 1)) == ["B äldre", "A nyare"]


# Corrections ---------------------------------------------------------------------------------------


def test_a_correction_cannot_move_the_invoice_along_its_workflow(forbund, insats, ekonom):
    invoice = InvoiceFactory(insats=insats)
    invoice.amount = Decimal("99000")
    invoice.status, invoice.attested_on, invoice.paid_on = S.BETALD, D(2021, 3, 2), D(2021, 3, 3)

    invoice_save(forbund=forbund, by=ekonom, invoice=invoice)

    invoice.refresh_from_db()
    assert (invoice.amount, invoice.status, invoice.attested_on, invoice.paid_on) == (
        99000,
        S.MOTTAGEN,
        None,
        None,
    )
    assert not invoice.status_changes.exists()


def test_a_correction_over_a_newer_version_is_refused(forbund, insats, ekonom):
    from finsam.concurrency import StaleEdit

    invoice = InvoiceFactory(insats=insats)
    opened = invoice.lock_version
    first = Invoice.objects.get(pk=invoice.pk)
    first.amount = Decimal("90000")
    invoice_save(forbund=forbund, by=ekonom, invoice=first, opened_version=opened)
    invoice.amount = Decimal("80000")

    with pytest.raises(StaleEdit, match="belopp"):
        invoice_save(forbund=forbund, by=ekonom, invoice=invoice, opened_version=opened)

    invoice.refresh_from_db()
    assert invoice.amount == 90000


def test_a_correction_records_the_amount_before_and_after(forbund, insats, ekonom):
    invoice = InvoiceFactory(insats=insats)
    invoice.amount = Decimal("99000")

    invoice_save(forbund=forbund, by=ekonom, invoice=invoice)

    event = ActivityEvent.objects.get(object_id=str(invoice.pk), kind=ActivityEvent.Kind.CHANGED)
    assert [(c["label"], c["before"], c["after"]) for c in event.changes] == [
        ("belopp (kr)", "100\xa0000", "99\xa0000")
    ]
    assert event.url == invoice.get_absolute_url()


def test_a_paid_invoice_cannot_be_corrected_even_by_the_samordnare(forbund, insats):
    invoice = InvoiceFactory.create_paid(insats=insats)
    invoice.note = "Ändrad efter betalning"

    with pytest.raises(ValidationError, match="Fakturan är betald och kan inte ändras"):
        invoice_save(forbund=forbund, by=user_with_role(forbund, Kind.SAMORDNARE), invoice=invoice)

    invoice.refresh_from_db()
    assert invoice.note == ""

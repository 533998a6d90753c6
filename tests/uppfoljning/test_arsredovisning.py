"""The årsredovisning: figures computed from the ledger and the balance report, the members'
decisions on ansvarsfrihet, who may write it, and the PDF through a real worker."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from finsam import rendering
from finsam.demo import load_demo
from forbund.models import Dokumentjobb, Forbund, Medlem, Role, User
from tests.factories import ForbundFactory, MedlemFactory, user_with_role
from uppfoljning.selectors.arsredovisning import Balance, arsredovisning_context
from uppfoljning.services.arsredovisning import ansvarsfrihet_record, arsredovisning_for

D = Decimal
Kind = Role.Kind


def test_balance_sheet_and_cash_flow_are_computed_from_the_figures():
    balance = Balance(
        opening_equity=D(1_893_000),
        result=D(-1_268_000),
        kassa_bank=D(700_000),
        fordringar=D(50_000),
        skulder=D(125_000),
        kassa_bank_fg=D(2_000_000),
        fordringar_fg=D(30_000),
        skulder_fg=D(112_000),
    )
    assert balance.closing_equity == D(625_000)
    assert balance.assets == D(750_000)
    assert balance.equity_and_liabilities == D(750_000)
    assert balance.difference == 0
    assert balance.receivables_effect == D(-20_000)
    assert balance.cash_flow == D(-1_268_000 - 20_000 + 13_000)
    assert balance.cash_at_end == D(2_000_000 - 1_275_000)


def test_missing_balance_figures_leave_the_sums_empty_rather_than_wrong():
    balance = Balance(D(100), D(10), None, None, None, None, None, None)
    assert balance.closing_equity == D(110)
    assert balance.assets is None and balance.difference is None and balance.cash_flow is None


@pytest.mark.django_db
def test_demo_2021_report_takes_its_result_from_the_ledger_and_equity_from_the_budget(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    trelleborg = Forbund.objects.get(slug="trelleborg")
    context = arsredovisning_context(trelleborg, 2021)
    assert context["balance"].opening_equity == D(1_893_000)
    assert context["comparison"].result.outcome == context["balance"].result
    assert not context["balanskrav_met"]  # the 2021 budget planned a deficit
    assert [m.date.isoformat() for m in context["meetings_held"]] == ["2021-03-17"]
    assert {row.insats.name for row in context["insatser"]} == {"Unga Vuxna", "Yrkeskedjor"}


@pytest.mark.django_db
def test_each_member_decides_on_ansvarsfrihet_once_and_after_the_year():
    forbund = ForbundFactory()
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    kommun = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN)
    report = arsredovisning_for(forbund=forbund, year=2021, by=samordnare)

    ansvarsfrihet_record(
        report=report, by=samordnare, medlem=kommun, decided_on=datetime.date(2022, 4, 20), granted=True
    )
    ansvarsfrihet_record(
        report=report,
        by=samordnare,
        medlem=kommun,
        decided_on=datetime.date(2022, 5, 2),
        granted=False,
        comment="Rättad",
    )
    decision = report.ansvarsfrihet.get()
    assert (decision.granted, decision.comment) == (False, "Rättad")
    with pytest.raises(ValidationError, match="efter årets slut"):
        ansvarsfrihet_record(
            report=report, by=samordnare, medlem=kommun, decided_on=datetime.date(2021, 12, 1), granted=True
        )
    with pytest.raises(ValidationError, match="annat förbund"):
        ansvarsfrihet_record(
            report=report,
            by=samordnare,
            medlem=MedlemFactory(),
            decided_on=datetime.date(2022, 4, 20),
            granted=True,
        )
    with pytest.raises(PermissionDenied):
        ansvarsfrihet_record(
            report=report,
            by=user_with_role(forbund, Kind.STYRELSELEDAMOT),
            medlem=kommun,
            decided_on=datetime.date(2022, 4, 20),
            granted=True,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.REVISOR])
def test_readers_preview_but_only_samordnare_writes(client, kind):
    forbund = ForbundFactory()
    client.force_login(user_with_role(forbund, kind))
    kwargs = {"forbund": forbund.slug, "year": 2021}
    preview = client.get(reverse("uppfoljning:arsredovisning_preview", kwargs=kwargs))
    assert preview.status_code == 200 and "Årsredovisning 2021" in preview.content.decode()
    assert client.get(reverse("uppfoljning:arsredovisning", kwargs=kwargs)).status_code == 403
    assert (
        client.post(reverse("uppfoljning:arsredovisning", kwargs=kwargs), {"noter": "x"}).status_code == 403
    )


@pytest.mark.django_db
def test_samordnare_saves_texts_and_balance_figures_and_projektagare_and_others_are_kept_out(client):
    forbund = ForbundFactory()
    client.force_login(user_with_role(forbund, Kind.SAMORDNARE))
    url = reverse("uppfoljning:arsredovisning", kwargs={"forbund": forbund.slug, "year": 2021})
    response = client.post(
        url, {"arets_handelser": "Ett år av omstart.", "kassa_bank": "700000", "skulder": "tio"}
    )
    assert response.status_code == 200  # text in a number field: shown again, nothing lost
    assert "Ett år av omstart." in response.content.decode()
    response = client.post(url, {"arets_handelser": "Ett år av omstart.", "kassa_bank": "700000"})
    assert response.status_code == 302
    preview = client.get(
        reverse("uppfoljning:arsredovisning_preview", kwargs={"forbund": forbund.slug, "year": 2021})
    )
    assert "Ett år av omstart." in preview.content.decode() and "700\xa0000\xa0kr" in preview.content.decode()
    client.force_login(user_with_role(forbund, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=forbund)))
    assert client.get(url).status_code == 403
    client.force_login(user_with_role(ForbundFactory(), Kind.SAMORDNARE))
    assert client.get(url).status_code == 404


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_renders_the_arsredovisning_with_every_part(settings, tmp_path, celery_worker):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    trelleborg = Forbund.objects.get(slug="trelleborg")
    job = rendering.document_request(
        forbund=trelleborg, kind="arsredovisning", year=2021, by=User.objects.get(username="samordnare")
    )
    deadline = time.monotonic() + 90
    while job.is_running and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == Dokumentjobb.Status.KLAR, job.error
    with job.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    for part in [
        "Förvaltningsberättelse",
        "Resultaträkning",
        "Balansräkning",
        "Kassaflödesanalys",
        "Driftredovisning",
        "Noter",
        "Underskrifter",
        "Yrkeskedjor",
        "Eva Holmberg",
    ]:
        assert part in text, part


@pytest.mark.django_db
def test_the_second_of_two_saves_of_the_arsredovisning_is_refused_and_keeps_what_was_typed():
    from django.test import Client

    from uppfoljning.models import Arsredovisning

    forbund = ForbundFactory()
    url = reverse("uppfoljning:arsredovisning", kwargs={"forbund": forbund.slug, "year": 2021})
    anna, olle = Client(), Client()
    anna.force_login(user_with_role(forbund, Kind.SAMORDNARE))
    olle.force_login(user_with_role(forbund, Kind.SAMORDNARE))
    anna.get(url)

    assert anna.post(url, {"kassa_bank": "700000", "opened_version": "0"}).status_code == 302
    refused = olle.post(url, {"kassa_bank": "650000", "noter": "Olles noter.", "opened_version": "0"})

    content = refused.content.decode()
    assert refused.status_code == 200
    assert "Någon annan har sparat årsredovisning sedan du öppnade formuläret" in content
    assert "700\xa0000" in content and "Olles noter." in content
    assert Arsredovisning.objects.get(forbund=forbund, year=2021).kassa_bank == D(700_000)


def test_the_summary_in_tkr_adds_up_as_printed():
    from types import SimpleNamespace

    from uppfoljning.selectors.arsredovisning import summary_in_tkr

    def row(label, budget, outcome):
        return SimpleNamespace(label=label, budget_year=Decimal(budget), outcome=Decimal(outcome))

    # Each figure rounded on its own: 2 000 − 1 002 − 997 = 1 tkr, but the result 2 000 000 − 1 001 500 −
    # 996 500 = 2 000 kr prints as 2 tkr.
    comparison = SimpleNamespace(
        income=SimpleNamespace(total=row("Intäkter", "2000000", "2000000")),
        internal=SimpleNamespace(total=row("Interna kostnader", "1001500", "1001500")),
        insatser=SimpleNamespace(total=row("Insatser", "996500", "996500")),
        result=SimpleNamespace(label="Resultat"),
    )

    income, internal, insatser, result = summary_in_tkr(comparison)

    for column in ("budget_year", "outcome"):
        printed = [getattr(line, column) / 1000 for line in (income, internal, insatser, result)]
        assert printed[0] - printed[1] - printed[2] == printed[3] == 2
    assert result.deviation == income.outcome - income.budget_year - internal.deviation - insatser.deviation

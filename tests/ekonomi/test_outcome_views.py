"""The outcome pages as each role meets them: samordnare and ekonom work, the board and the revisor
read, projektägare are refused, another förbund does not exist. Also the import journey over HTTP,
list pages whose query count does not grow with their rows, and the demo outcome loaded twice."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekonomi.models import AccountMapping, CostCategory, Invoice, LedgerEntry, LedgerImport, LedgerUpload
from ekonomi.selectors.outcome import ledger_amounts
from ekonomi.services.outcome import ledger_import, ledger_upload_parse, ledger_upload_start
from ekonomi.views.outcome import urlpatterns
from forbund.models import ActivityEvent, Forbund, Medlem, Role
from tests.factories import (
    AccountMappingFactory,
    BeslutFactory,
    CostCategoryFactory,
    InsatsFactory,
    InvoiceFactory,
    MedlemFactory,
    user_with_role,
)

from .test_ledger_import import HEADER, xlsx

pytestmark = pytest.mark.django_db

D = datetime.date
Kind = Role.Kind
NBSP = "\xa0"
EDITORS = [Kind.SAMORDNARE, Kind.EKONOM]
READERS = [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]
ECONOMY_REFUSED = "Förbundets ekonomi är till för kansliet, styrelsen och revisorn."
MANAGE_REFUSED = "Bara samordnaren och ekonomen kan ändra förbundets ekonomi."

READ_PAGES = ["invoice_list", "invoice_attachment", "account_list", "ledger", "ledger_file"]
FORM_PAGES = ["invoice_create", "invoice_edit", "account_create", "account_edit", "ledger_import"]
POST_ONLY_PAGES = ["invoice_transition", "account_delete", "ledger_confirm", "year_lock"]
MANAGE_PAGES = ["ledger_upload", "ledger_upload_status"]  # an upload's page: only who may import
ALL_PAGES = READ_PAGES + FORM_PAGES + POST_ONLY_PAGES + MANAGE_PAGES
WRITABLE = [Invoice, AccountMapping, CostCategory, LedgerImport, LedgerEntry, LedgerUpload, ActivityEvent]
UPLOAD_DIR = "huvudbok/uppladdat"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class Economy:
    """A förbund with one record of everything the outcome pages show."""

    def __init__(self, forbund: Forbund):
        self.forbund = forbund
        self.medlem = MedlemFactory(
            forbund=forbund, kind=Medlem.Kind.FORSAKRINGSKASSAN, name="Försäkringskassan"
        )
        self.category = CostCategoryFactory(forbund=forbund, name="Samordnare")
        self.insats = InsatsFactory(
            forbund=forbund, name="Yrkeskedjor", start=D(2021, 1, 1), end=D(2022, 5, 31)
        )
        BeslutFactory(insats=self.insats, amounts={2021: 1_000_000, 2022: 400_000})
        self.invoice = InvoiceFactory(
            insats=self.insats,
            attachment=SimpleUploadedFile("faktura.pdf", b"%PDF-1.4 faktura"),
        )
        self.mapping = AccountMappingFactory(forbund=forbund, account="4010", category=self.category)
        AccountMappingFactory(forbund=forbund, account="3010", category=None, medlem=self.medlem)
        AccountMappingFactory(forbund=forbund, account="4510", category=None, insats=self.insats)
        self.ledger = ledger_import(
            forbund=forbund,
            by=user_with_role(forbund, Kind.EKONOM),
            file=io.BytesIO(xlsx([HEADER, ["4010", D(2021, 1, 25), "1", "Samordnare", 25000]])),
            filename="jan.xlsx",
        )
        self.upload = ledger_upload_start(
            forbund=forbund,
            by=user_with_role(forbund, Kind.EKONOM),
            file=io.BytesIO(xlsx([HEADER, ["4010", D(2021, 3, 25), "1", "", 100]])),
            filename="mar.xlsx",
        )

    def kwargs(self, name: str) -> dict:
        return {
            "invoice_edit": {"pk": self.invoice.pk},
            "invoice_transition": {"pk": self.invoice.pk, "target": "attesterad"},
            "invoice_attachment": {"pk": self.invoice.pk},
            "account_edit": {"pk": self.mapping.pk},
            "account_delete": {"pk": self.mapping.pk},
            "ledger_file": {"pk": self.ledger.pk},
            "year_lock": {"year": self.ledger.year},
            "ledger_upload": {"pk": self.upload.pk},
            "ledger_upload_status": {"pk": self.upload.pk},
            "ledger_confirm": {"pk": self.upload.pk},
        }.get(name, {})

    def url(self, name: str, slug: str | None = None) -> str:
        return reverse(f"ekonomi:{name}", kwargs={"forbund": slug or self.forbund.slug, **self.kwargs(name)})

    def valid_post(self, name: str) -> tuple[dict, dict]:
        """(data, files) that page `name` accepts and that change the database."""
        upload = SimpleUploadedFile("feb.xlsx", xlsx([HEADER, ["4010", D(2021, 2, 25), "2", "", 25000]]))
        return {
            "invoice_create": (invoice_post(self.insats), {}),
            "invoice_edit": (invoice_post(self.insats, number=self.invoice.number, amount="120000"), {}),
            "invoice_transition": ({"on": "2021-05-10"}, {}),
            "year_lock": ({}, {}),
            "account_create": (
                {"account": "4020", "name": "Styrelse", "target": f"category:{self.category.pk}"},
                {},
            ),
            "account_edit": (
                {"account": "4010", "name": "Samordnare, lön", "target": f"category:{self.category.pk}"},
                {},
            ),
            "account_delete": ({}, {}),
            "ledger_import": ({}, {"file": upload}),
            "ledger_confirm": ({"avbryt": "1"}, {}),
        }[name]


def invoice_post(insats, **overrides) -> dict:
    data = {
        "insats": insats.pk,
        "number": "F-1",
        "period_start": "2021-03-01",
        "period_end": "2021-04-30",
        "amount": "100000",
        "received_on": "2021-05-02",
        "note": "",
    }
    return {**data, **overrides}


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WRITABLE}


@pytest.fixture
def economy(forbund) -> Economy:
    return Economy(forbund)


@pytest.fixture
def client_as(login, user_in):
    def _client(economy: Economy, kind: str):
        return login(user_in(economy.forbund, kind))

    return _client


def refused_with(response, reason: str) -> bool:
    return response.status_code == 403 and reason in response.content.decode()


# The attest rules page is the samordnare's; its roles are tested in test_invoice_rules.py.
ATTEST_RULES_PAGE = "invoice_attest_rules"


def test_every_outcome_page_has_its_access_rule_tested():
    names = {pattern.name for pattern in urlpatterns}
    assert names == {*ALL_PAGES, ATTEST_RULES_PAGE}
    accepts_post = {pattern.name for pattern in urlpatterns if hasattr(pattern.callback.view_class, "post")}
    assert accepts_post == {*FORM_PAGES, *POST_ONLY_PAGES, ATTEST_RULES_PAGE}


# Roles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", EDITORS + READERS)
def test_kansli_board_and_revisor_can_read_the_outcome(economy, client_as, kind):
    client = client_as(economy, kind)
    for name in READ_PAGES:
        response = client.get(economy.url(name))
        assert response.status_code == 200, name
    page = client.get(economy.url("invoice_list")).content.decode()
    assert "Yrkeskedjor" in page and f"100{NBSP}000{NBSP}kr" in page


@pytest.mark.parametrize("kind", EDITORS)
def test_samordnare_and_ekonom_open_every_form(economy, client_as, kind):
    client = client_as(economy, kind)
    for name in FORM_PAGES:
        assert client.get(economy.url(name)).status_code == 200, name
    page = client.get(economy.url("invoice_list")).content.decode()
    assert "Ny faktura" in page and economy.url("invoice_transition") in page


@pytest.mark.parametrize("kind", READERS)
def test_readers_see_no_buttons_and_are_refused_every_form(economy, client_as, kind):
    client = client_as(economy, kind)
    page = client.get(economy.url("invoice_list")).content.decode()
    assert "Ny faktura" not in page and "/status/attesterad/" not in page
    assert "Ny kontokoppling" not in client.get(economy.url("account_list")).content.decode()
    assert "Läs in huvudbok" not in client.get(economy.url("ledger")).content.decode()
    for name in FORM_PAGES + MANAGE_PAGES:
        assert refused_with(client.get(economy.url(name)), MANAGE_REFUSED), name


@pytest.mark.parametrize("kind", READERS)
def test_readers_posts_are_refused_and_change_nothing(economy, client_as, kind):
    client = client_as(economy, kind)
    before = snapshot()
    for name in FORM_PAGES + POST_ONLY_PAGES:
        data, files = economy.valid_post(name)
        response = client.post(economy.url(name), {**data, **files})
        assert refused_with(response, MANAGE_REFUSED), name
    assert snapshot() == before


def test_projektagare_is_refused_every_economy_page(economy, client_as):
    client = client_as(economy, Kind.PROJEKTAGARE)
    before = snapshot()
    for name in ALL_PAGES:
        if name not in POST_ONLY_PAGES:
            assert refused_with(client.get(economy.url(name)), ECONOMY_REFUSED), name
        if name in FORM_PAGES + POST_ONLY_PAGES:
            data, files = economy.valid_post(name)
            assert refused_with(client.post(economy.url(name), {**data, **files}), ECONOMY_REFUSED), name
    assert snapshot() == before


@pytest.mark.parametrize("kind", EDITORS)
def test_editors_valid_posts_change_the_database(economy, client_as, kind):
    client = client_as(economy, kind)
    for name in FORM_PAGES + POST_ONLY_PAGES:
        before = snapshot()
        data, files = economy.valid_post(name)
        response = client.post(economy.url(name), {**data, **files})
        assert response.status_code == 302, (name, response.content.decode()[:3000])
        assert snapshot() != before, name


def test_another_forbunds_user_gets_404_everywhere(economy, other_forbund, login):
    client = login(user_with_role(other_forbund, Kind.SAMORDNARE))
    for name in ALL_PAGES:
        assert client.get(economy.url(name)).status_code == 404, name
        if name in FORM_PAGES + POST_ONLY_PAGES:
            data, files = economy.valid_post(name)
            assert client.post(economy.url(name), {**data, **files}).status_code == 404, name


RECORD_PAGES = [
    "invoice_edit",
    "invoice_transition",
    "invoice_attachment",
    "account_edit",
    "account_delete",
    "ledger_file",
]


def test_another_forbunds_records_are_404_under_ones_own_forbund(economy, other_forbund, login):
    mine = Economy(other_forbund)
    client = login(user_with_role(other_forbund, Kind.SAMORDNARE))
    before = snapshot()
    for name in RECORD_PAGES:
        url = economy.url(name, slug=mine.forbund.slug)
        if name not in POST_ONLY_PAGES:
            assert client.get(url).status_code == 404, name
        if name not in READ_PAGES:
            data, files = economy.valid_post(name)
            assert client.post(url, {**data, **files}).status_code == 404, name
    assert snapshot() == before


# Invoices over HTTP --------------------------------------------------------------------------------


def test_invoice_form_shows_the_credit_note_error_in_swedish(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    response = client.post(economy.url("invoice_create"), invoice_post(economy.insats, amount="-5000"))
    assert response.status_code == 200
    assert "Negativa belopp anges bara som kreditfaktura." in response.content.decode()
    assert Invoice.objects.count() == 1


def test_invoice_steps_over_http(economy, client_as):
    client = client_as(economy, Kind.SAMORDNARE)
    url = economy.url("invoice_transition")
    assert client.post(url, {"on": "2021-03-05"}).status_code == 302
    pay = reverse(
        "ekonomi:invoice_transition",
        kwargs={"forbund": economy.forbund.slug, "pk": economy.invoice.pk, "target": "betald"},
    )
    client = client_as(economy, Kind.EKONOM)  # the attester does not also pay
    client.post(pay, {"on": "2021-03-15"})
    economy.invoice.refresh_from_db()
    assert (economy.invoice.status, economy.invoice.paid_on) == ("betald", D(2021, 3, 15))
    response = client.post(url, {"on": "2021-03-20"}, follow=True)
    assert "En faktura som är betald kan inte bli attesterad." in response.content.decode()
    assert client.get(economy.url("invoice_edit")).status_code == 302  # paid: not editable


def test_invoice_list_filters_by_insats_year_and_status(economy, client_as):
    other = InsatsFactory(forbund=economy.forbund, name="Unga Vuxna")
    InvoiceFactory(insats=other, period_start=D(2022, 1, 1), period_end=D(2022, 2, 28))
    InvoiceFactory.create_paid(insats=economy.insats, period_start=D(2021, 3, 1), period_end=D(2021, 4, 30))
    client = client_as(economy, Kind.REVISOR)

    def listed(query: dict) -> int:
        return len(client.get(economy.url("invoice_list"), query).context["rows"])

    assert listed({}) == 3
    assert listed({"insats": other.pk}) == 1
    assert listed({"year": "2021"}) == 2
    assert listed({"status": "betald"}) == 1
    assert listed({"year": "2021", "status": "mottagen"}) == 1


def test_invoice_list_warns_about_late_invoicing(economy, client_as):
    InsatsFactory(forbund=economy.forbund, name="Tyst insats", start=D(2020, 1, 1), end=None)
    page = client_as(economy, Kind.STYRELSELEDAMOT).get(economy.url("invoice_list")).content.decode()
    assert "Sen fakturering" in page
    assert "Tyst insats" in page and "ingen faktura sedan starten 2020-01-01" in page


def test_invoice_attachment_is_downloaded(economy, client_as):
    response = client_as(economy, Kind.REVISOR).get(economy.url("invoice_attachment"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 faktura"


# Account mappings over HTTP ------------------------------------------------------------------------


def test_account_mapping_is_created_edited_and_deleted(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    client.post(
        economy.url("account_create"),
        {"account": "3020", "name": "", "target": f"medlem:{economy.medlem.pk}"},
    )
    created = AccountMapping.objects.get(forbund=economy.forbund, account="3020")
    assert created.medlem == economy.medlem and created.category is None

    client.post(
        reverse("ekonomi:account_edit", kwargs={"forbund": economy.forbund.slug, "pk": created.pk}),
        {"account": "3020", "name": "Bidrag", "target": f"insats:{economy.insats.pk}"},
    )
    created.refresh_from_db()
    assert (created.insats, created.medlem, created.name) == (economy.insats, None, "Bidrag")

    client.post(reverse("ekonomi:account_delete", kwargs={"forbund": economy.forbund.slug, "pk": created.pk}))
    assert not AccountMapping.objects.filter(pk=created.pk).exists()


def test_account_mapping_form_errors_are_swedish(economy, other_forbund, client_as):
    client = client_as(economy, Kind.EKONOM)
    target = f"category:{economy.category.pk}"
    taken = client.post(economy.url("account_create"), {"account": "4010", "target": target})
    assert "Konto 4010 har redan en kontokoppling." in taken.content.decode()
    letters = client.post(economy.url("account_create"), {"account": "konto", "target": target})
    assert "Ange kontonumret med siffror, t.ex. 4010." in letters.content.decode()
    foreign = CostCategoryFactory(forbund=other_forbund)
    other = client.post(
        economy.url("account_create"), {"account": "4020", "target": f"category:{foreign.pk}"}
    )
    assert other.status_code == 200 and not AccountMapping.objects.filter(account="4020").exists()


# The import journey over HTTP ----------------------------------------------------------------------


def upload_and_read(client, economy, upload) -> str:
    """Post the file, let the service the worker runs read it, and return the upload's page."""
    response = client.post(economy.url("ledger_import"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    ledger_upload_parse(upload_id=LedgerUpload.objects.latest("pk").pk)
    page = client.get(response.url)
    assert page.status_code == 200
    return page.content.decode()


def test_upload_preview_confirm_imports_the_ledger(
    economy, client_as, media, django_capture_on_commit_callbacks
):
    client = client_as(economy, Kind.EKONOM)
    rows = [HEADER, ["4010", D(2021, 1, 25), "1", "", 26000], ["4010", D(2021, 2, 25), "2", "", 25000]]
    rows += [["3010", D(2021, 1, 20), "3", "", -250000], ["4510", D(2021, 2, 26), "4", "", 382500]]

    page = upload_and_read(client, economy, SimpleUploadedFile("jan-feb.xlsx", xlsx(rows)))

    assert "Granska huvudboken" in page and "jan–feb 2021" in page
    assert f"382{NBSP}500{NBSP}kr" in page and f"250{NBSP}000{NBSP}kr" in page
    assert "jan.xlsx" in page  # the earlier import it replaces
    assert LedgerImport.objects.count() == 1
    upload = LedgerUpload.objects.latest("pk")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ekonomi:ledger_confirm", args=[economy.forbund.slug, upload.pk]))

    assert response.status_code == 302 and response.url.endswith("?ar=2021")
    assert ledger_amounts(economy.forbund, 2021) == {
        ("3010", 1): Decimal(-250000),
        ("4010", 1): Decimal(26000),
        ("4010", 2): Decimal(25000),
        ("4510", 2): Decimal(382500),
    }
    assert LedgerImport.objects.filter(replaced_by__isnull=True).count() == 1
    assert not LedgerUpload.objects.filter(pk=upload.pk).exists()
    assert upload.file.name.split("/")[-1] not in [path.name for path in (media / UPLOAD_DIR).iterdir()]
    outcome = client.get(response.url).content.decode()
    assert "Utfall från huvudboken 2021" in outcome and f"26{NBSP}000{NBSP}kr" in outcome


def test_upload_with_errors_lists_them_and_saves_nothing(economy, client_as, media):
    client = client_as(economy, Kind.SAMORDNARE)
    rows = [HEADER, ["4010", D(2021, 1, 25), "1", "", "tio tusen"], ["4999", D(2021, 1, 26), "2", "", 5]]
    before = {name: rows_ for name, rows_ in snapshot().items() if name != "LedgerUpload"}

    page = upload_and_read(client, economy, SimpleUploadedFile("fel.xlsx", xlsx(rows)))

    assert "Rad 2, kolumn E: &#x27;tio tusen&#x27; är inte ett belopp." in page
    assert "Rad 3: konto 4999 saknar kontokoppling." in page
    assert "Bekräfta" not in page
    assert {name: rows_ for name, rows_ in snapshot().items() if name != "LedgerUpload"} == before


def test_upload_of_another_file_type_is_refused_in_swedish(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    upload = SimpleUploadedFile("huvudbok.csv", b"Konto;Datum;Belopp\n")
    response = client.post(economy.url("ledger_import"), {"file": upload})
    assert "Filen måste vara en Excelfil (.xlsx)." in response.content.decode()


def test_cancel_removes_the_upload_and_its_file(
    economy, client_as, media, django_capture_on_commit_callbacks
):
    client = client_as(economy, Kind.EKONOM)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(economy.url("ledger_confirm"), {"avbryt": "1"})
    assert not LedgerUpload.objects.exists()
    assert not list((media / UPLOAD_DIR).iterdir())
    assert LedgerImport.objects.count() == 1


def test_confirm_of_an_upload_that_is_gone_is_refused(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    gone = reverse("ekonomi:ledger_confirm", args=[economy.forbund.slug, economy.upload.pk + 1000])
    response = client.post(gone, follow=True)
    assert "Förhandsgranskningen har gått ut. Ladda upp filen igen." in response.content.decode()
    assert LedgerImport.objects.count() == 1


# Query counts --------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    client.get(url)  # first visit creates the förbund's economy settings
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_invoice_list_query_count_does_not_grow_with_rows(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    few = count_queries(client, economy.url("invoice_list"))
    for number in range(15):
        insats = InsatsFactory(forbund=economy.forbund, name=f"Insats nr {number}", start=D(2021, 1, 1))
        InvoiceFactory(insats=insats, attachment=SimpleUploadedFile("f.pdf", b"%PDF"))
        InvoiceFactory.create_paid(insats=insats, period_start=D(2021, 3, 1), period_end=D(2021, 4, 30))
    assert count_queries(client, economy.url("invoice_list")) == few


def test_account_list_query_count_does_not_grow_with_rows(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    few = count_queries(client, economy.url("account_list"))
    for number in range(15):
        AccountMappingFactory(forbund=economy.forbund, account=str(5000 + number))
        AccountMappingFactory(
            forbund=economy.forbund,
            account=str(6000 + number),
            category=None,
            insats=InsatsFactory(forbund=economy.forbund),
        )
        AccountMappingFactory(
            forbund=economy.forbund,
            account=str(3100 + number),
            category=None,
            medlem=MedlemFactory(forbund=economy.forbund),
        )
    assert count_queries(client, economy.url("account_list")) == few


def test_ledger_page_query_count_does_not_grow_with_imports(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    few = count_queries(client, economy.url("ledger"))
    for month in range(2, 10):
        ledger_import(
            forbund=economy.forbund,
            by=user_with_role(economy.forbund, Kind.EKONOM),
            file=io.BytesIO(
                xlsx(
                    [
                        HEADER,
                        ["4010", D(2021, month, 25), "1", "", 100],
                        ["4510", D(2021, month, 26), "", "", 5],
                    ]
                )
            ),
            filename=f"m{month}.xlsx",
        )
    assert count_queries(client, economy.url("ledger")) == few


# The demo ------------------------------------------------------------------------------------------


def test_demo_outcome_loaded_twice_gives_the_same_totals():
    from finsam.demo import load_demo
    from finsam.demo.ledger import load_demo_outcome
    from forbund.models import User

    load_demo()
    trelleborg = Forbund.objects.get(slug="trelleborg")
    ekonom = User.objects.get(username="ekonom")

    first = load_demo_outcome(trelleborg, ekonom)
    totals = ledger_amounts(trelleborg, 2021)
    counts = (Invoice.objects.count(), AccountMapping.objects.count(), CostCategory.objects.count())
    second = load_demo_outcome(trelleborg, ekonom)

    assert ledger_amounts(trelleborg, 2021) == totals
    assert (Invoice.objects.count(), AccountMapping.objects.count(), CostCategory.objects.count()) == counts
    first.refresh_from_db()
    assert first.replaced_by == second
    by_account: dict[str, Decimal] = {}
    for (account, _month), amount in totals.items():
        by_account[account] = by_account.get(account, Decimal(0)) + amount
    assert by_account["3010"] == -500000
    assert by_account["3020"] == by_account["3030"] == -250000
    for account, insats in [("4510", "Yrkeskedjor"), ("4520", "Unga Vuxna")]:
        invoiced = sum(i.amount for i in Invoice.objects.filter(forbund=trelleborg, insats__name=insats))
        assert by_account[account] == invoiced
    assert by_account["4510"] == 2295000 * 8 // 12
    assert Invoice.objects.filter(forbund=trelleborg, status="mottagen").count() == 2
    assert (first.first_month, first.last_month, second.year) == (1, 8, 2021)


# Locked invoices, no double invoices, no lost corrections -------------------------------------------


@pytest.mark.parametrize(("make", "status"), [("create_attested", "attesterad"), ("create_paid", "betald")])
def test_an_attested_or_paid_invoice_has_no_edit_button_and_its_form_sends_back_with_the_reason(
    economy, client_as, make, status
):
    locked = getattr(InvoiceFactory, make)(insats=economy.insats, number="LÅST-1")
    client = client_as(economy, Kind.EKONOM)
    edit_url = reverse("ekonomi:invoice_edit", kwargs={"forbund": economy.forbund.slug, "pk": locked.pk})
    reason = f"Fakturan är {status} och kan inte ändras; registrera en kreditfaktura om något behöver rättas."
    before = snapshot()

    listing = client.get(economy.url("invoice_list")).content.decode()
    opened = client.get(edit_url, follow=True)
    posted = client.post(edit_url, invoice_post(economy.insats, amount="1"), follow=True)

    assert edit_url not in listing
    assert economy.url("invoice_edit") in listing  # the received invoice can still be corrected
    assert reason in listing
    for response in (opened, posted):
        assert response.redirect_chain == [(economy.url("invoice_list"), 302)]
        assert reason in response.content.decode()
    assert snapshot() == before


def test_a_double_submitted_new_invoice_is_registered_once(economy, client_as):
    client = client_as(economy, Kind.EKONOM)
    token = re.search(
        r'name="form_token" value="([^"]+)"', client.get(economy.url("invoice_create")).content.decode()
    )[1]
    data = invoice_post(economy.insats, number="F-DUBBEL", form_token=token)

    first = client.post(economy.url("invoice_create"), data)
    second = client.post(economy.url("invoice_create"), data)

    assert first.status_code == second.status_code == 302
    assert Invoice.objects.filter(number="F-DUBBEL").count() == 1


def test_a_correction_over_someone_elses_is_refused_and_keeps_what_was_typed(economy, client_as, login):
    ekonom = client_as(economy, Kind.EKONOM)
    page = ekonom.get(economy.url("invoice_edit")).content.decode()
    opened = re.search(r'name="opened_version" value="([^"]+)"', page)[1]
    ekonom.post(
        economy.url("invoice_edit"), invoice_post(economy.insats, amount="110000", opened_version=opened)
    )

    samordnare = login(user_with_role(economy.forbund, Kind.SAMORDNARE))
    refused = samordnare.post(
        economy.url("invoice_edit"), invoice_post(economy.insats, amount="120000", opened_version=opened)
    )

    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Någon annan har sparat faktura sedan du öppnade formuläret" in page
    assert 'value="120 000"' in page  # what was typed, grouped as amounts are shown
    economy.invoice.refresh_from_db()
    assert economy.invoice.amount == 110000

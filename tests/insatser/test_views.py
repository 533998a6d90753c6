"""Insats pages as each role meets them: what opens, what is refused and why, another förbund's
insatser, the whole application journey over HTTP, forms that keep what was typed, attachments and
the list's filters."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from forbund.models import ActivityEvent, Forbund, Medlem, Role, User
from insatser import selectors
from insatser.models import (
    Attachment,
    Beslut,
    BudgetAmount,
    BudgetLine,
    Confirmation,
    Delprocess,
    Goal,
    GrantedAmount,
    Insats,
    Milestone,
    Signature,
    StatusChange,
)
from insatser.urls import urlpatterns
from tests.factories import (
    AttachmentFactory,
    DelprocessFactory,
    InsatsFactory,
    MedlemFactory,
    MilestoneFactory,
    StyrelsemoteFactory,
    complete_application,
    user_with_role,
)

pytestmark = pytest.mark.django_db

S = Insats.Status
Kind = Role.Kind
D = datetime.date
NBSP = "\xa0"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = b"%PDF-1.4\n% projektplan\n"

ALL_ROLES = list(Kind.values)
EDITORS = [Kind.SAMORDNARE, Kind.PROJEKTAGARE]
READERS = [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]
# The application is written as an idea, a draft or when completion is asked for; otherwise it is kept
# as submitted and, once decided, changes only through the workflow.
EDITABLE = [S.IDE, S.UTKAST, S.KOMPLETTERING_BEGARD]
NOT_EDITABLE = [status for status in S.values if status not in EDITABLE]

# Reasons the access module gives, as the user reads them on the 403 page.
CREATE_REFUSED = "Bara samordnare och projektägare kan skriva ansökningar."
EDIT_REFUSED = "Bara samordnaren och projektägarens organisation kan ändra ansökan."
DECIDE_REFUSED = "Bara samordnaren registrerar styrelsens beslut."
NOT_UNDER_BEREDNING = "Beslut kan bara registreras för en ansökan som är under beredning."
FOLLOW_UP_REFUSED = "Bara samordnaren för in delmål och styrgruppsmöten."

# Pages about one insats, by URL name; EDIT_PAGES change the application's content.
EDIT_PAGES = ["insatser:edit", "insatser:budget", "insatser:delprocess_create", "insatser:delprocess_edit"]
MILESTONE_PAGES = ["insatser:milestone_create", "insatser:milestone_edit"]
GET_PAGES = ["insatser:detail", *EDIT_PAGES, "insatser:decide", *MILESTONE_PAGES, "insatser:attachment"]
POST_PAGES = [
    "insatser:edit",
    "insatser:budget",
    "insatser:delprocess_create",
    "insatser:delprocess_edit",
    "insatser:delprocess_delete",
    "insatser:confirmation_request",
    "insatser:transition",
    "insatser:decide",
    "insatser:milestone_create",
    "insatser:milestone_edit",
    "insatser:attachment_upload",
    "insatser:attachment_remove",
]
FORBUND_PAGES = ["insatser:list", "insatser:create", "insatser:create_idea"]
# The named representative's own page, outside the förbund's pages: tests/insatser/test_confirmations.py.
REPRESENTATIVE_PAGES = ["insatser:confirmation"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class World:
    """A förbund with a draft application (Region Söder with Åby kommun), an application under
    beredning, and a draft of another member (Byn kommun)."""

    forbund: Forbund
    region: Medlem
    kommun: Medlem
    byn: Medlem
    draft: Insats
    pending: Insats
    others: Insats
    delprocess: Delprocess
    milestone: Milestone
    attachment: Attachment
    users: dict[str, User] = field(default_factory=dict)

    def user(self, kind: str) -> User:
        """One user per role; the projektägare belongs to Region Söder, which owns draft and pending."""
        if kind not in self.users:
            extra = {"medlem": self.region} if kind == Kind.PROJEKTAGARE else {}
            self.users[kind] = user_with_role(self.forbund, kind, **extra)
        return self.users[kind]

    def url(self, name: str, insats: Insats | None = None, slug: str | None = None, **kwargs) -> str:
        kwargs = {"forbund": slug or self.forbund.slug, **kwargs}
        if name in FORBUND_PAGES:
            return reverse(name, kwargs=kwargs)
        insats = insats or self.draft
        kwargs["pk"] = insats.pk
        if name in ("insatser:delprocess_edit", "insatser:delprocess_delete"):
            kwargs.setdefault("delprocess_pk", self.delprocess.pk)
        if name == "insatser:milestone_edit":
            kwargs.setdefault("milestone_pk", self.milestone.pk)
        if name in ("insatser:attachment", "insatser:attachment_remove"):
            kwargs.setdefault("attachment_pk", self.attachment.pk)
        if name == "insatser:transition":
            kwargs.setdefault("target", S.INSKICKAD)
        return reverse(name, kwargs=kwargs)

    def application_data(self, **changes) -> dict:
        """What the application form posts for the draft (a complete application)."""
        data = {
            "name": "Vägen till arbete",
            "description": "Samordnat stöd till unga vuxna.",
            "kind": Insats.Kind.INDIVIDINRIKTAD,
            "malgrupp": Insats.Malgrupp.UNGA_VUXNA,
            "malgrupp_description": "",
            "problem": "",
            "activities": "",
            "implementation_plan": "",
            "owner": self.region.pk,
            "owner_unit": "",
            "partners": [self.kommun.pk],
            "contact": "",
            "start": "2021-01-01",
            "end": "2022-12-31",
            "budgeted_participants": "",
            "resultatmal": "40 deltagare",
            "effektmal": "",
        }
        data.update(changes)
        return data

    def valid_post(self, name: str) -> tuple[Insats, dict]:
        """(insats, data) that page `name` accepts from the samordnare, changing the database."""
        draft, pending = self.draft, self.pending
        return {
            "insatser:edit": (draft, self.application_data(name="Vägen till arbete 2.0")),
            "insatser:budget": (
                draft,
                budget_data([{"section": "Övergripande", "description": "Coach", "amount_2021": "5000"}]),
            ),
            "insatser:delprocess_create": (draft, {"name": "Delprocess Byn", "owner": self.kommun.pk}),
            "insatser:delprocess_edit": (draft, {"name": "Delprocess omdöpt", "owner": self.kommun.pk}),
            "insatser:delprocess_delete": (draft, {}),
            "insatser:confirmation_request": (
                draft,
                {"medlem": self.kommun.pk, "name": "Eva Ek", "email": "eva.ek@aby.se", "title": "Direktör"},
            ),
            "insatser:transition": (draft, {}),
            "insatser:decide": (
                pending,
                {
                    "outcome": "beviljad",
                    "decided_by": "delegation",
                    "decided_on": "2020-12-03",
                    "amount_2021": "100000",
                },
            ),
            "insatser:milestone_create": (
                draft,
                {"title": "Styrgrupp utsedd", "due": "2021-03-31", "status": "klar"},
            ),
            "insatser:milestone_edit": (
                draft,
                {"title": "Omdöpt delmål", "due": "2021-09-30", "status": "pagar"},
            ),
            "insatser:attachment_upload": (
                draft,
                {"file": SimpleUploadedFile("budget.pdf", PDF, "application/pdf"), "description": "Budget"},
            ),
            "insatser:attachment_remove": (draft, {}),
        }[name]


def make_world(forbund: Forbund) -> World:
    tag = f"({forbund.slug})"  # so no förbund's names are substrings of another's
    region = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name=f"Region Söder {tag}")
    kommun = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name=f"Åby kommun {tag}")
    byn = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name=f"Byn kommun {tag}")
    draft = complete_application(
        forbund=forbund, owner=region, partner=kommun, name=f"Vägen till arbete {tag}"
    )
    return World(
        forbund=forbund,
        region=region,
        kommun=kommun,
        byn=byn,
        draft=draft,
        pending=complete_application(
            forbund=forbund,
            owner=region,
            partner=kommun,
            status=S.UNDER_BEREDNING,
            name=f"Unga i fokus {tag}",
        ),
        others=InsatsFactory(forbund=forbund, owner=byn, status=S.UTKAST, name=f"Byns egen insats {tag}"),
        delprocess=DelprocessFactory(insats=draft, owner=kommun, name=f"Delprocess Åby {tag}"),
        milestone=MilestoneFactory(insats=draft, title=f"Projektledare anställd {tag}"),
        attachment=AttachmentFactory(insats=draft, description=f"Projektplan {tag}"),
    )


@pytest.fixture
def world(forbund) -> World:
    return make_world(forbund)


@pytest.fixture
def client_as(world, login):
    """client_as(kind) logs in the world's user with that role."""
    return lambda kind: login(world.user(kind))


def budget_data(rows: list[dict]) -> dict:
    """The budget formset's POST: management form 'rad' and rad-<n>-<field> per row."""
    data = {
        "rad-TOTAL_FORMS": str(len(rows)),
        "rad-INITIAL_FORMS": "0",
        "rad-MIN_NUM_FORMS": "0",
        "rad-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        data.update({f"rad-{number}-{key}": value for key, value in row.items()})
    return data


INSATS_MODELS = [
    Insats,
    Insats.partners.through,
    Goal,
    Delprocess,
    BudgetLine,
    BudgetAmount,
    Signature,
    Confirmation,
    StatusChange,
    Beslut,
    GrantedAmount,
    Milestone,
    Attachment,
    ActivityEvent,
]


def database_snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in INSATS_MODELS}


def refused_with(response, reason: str) -> bool:
    content = response.content.decode()
    return response.status_code == 403 and reason in content and "Du har inte behörighet" in content


def text(response) -> str:
    return response.content.decode()


def form_errors(response) -> dict:
    """The errors of the form or formset a re-rendered page shows, for assertion messages."""
    context = response.context or {}
    return {key: context[key].errors for key in ("form", "formset") if key in context}


def select_options(content: str, name: str) -> list[str]:
    """The option labels of the <select name=...> on the page."""
    select = re.search(rf'<select name="{name}".*?</select>', content, re.S)
    assert select, f"no select {name}"
    return [label.strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select.group(0), re.S)]


def confirm_as_representatives(insats: Insats) -> None:
    """Every representative asked about the application as it stands logs in and confirms it."""
    for confirmation in Confirmation.objects.filter(insats=insats, voided_at__isnull=True):
        client = Client()
        client.force_login(confirmation.representative)
        url = reverse(
            "insatser:confirmation",
            kwargs={"forbund": insats.forbund.slug, "confirmation_pk": confirmation.pk},
        )
        data = {"decision": "bekrafta", "comment": "", "version": confirmation.version}
        assert "Tack! Du har bekräftat ansökan" in text(client.post(url, data, follow=True))


def test_every_insats_url_is_covered_here():
    """A new URL in insatser/urls.py must be placed in one of the lists above, which decide who is
    expected to reach it."""
    names = {f"insatser:{pattern.name}" for pattern in urlpatterns}
    assert names == set(FORBUND_PAGES) | set(GET_PAGES) | set(POST_PAGES) | set(REPRESENTATIVE_PAGES)


# Who can open what --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_ROLES)
def test_every_role_can_open_the_list_and_the_detail_page(world, client_as, kind):
    client = client_as(kind)

    listing = client.get(world.url("insatser:list"))
    detail = client.get(world.url("insatser:detail"))

    assert listing.status_code == 200
    assert world.draft.name in text(listing)
    assert detail.status_code == 200
    assert world.draft.name in text(detail)
    assert "Processledare" in text(detail)


@pytest.mark.parametrize("kind", EDITORS)
def test_samordnare_and_projektagare_can_open_the_application_form(world, client_as, kind):
    response = client_as(kind).get(world.url("insatser:create"))
    assert response.status_code == 200
    assert "Ny ansökan om medel" in text(response)
    assert 'method="post"' in text(response)


@pytest.mark.parametrize("kind", READERS)
def test_other_roles_are_refused_the_application_form_with_reason(world, client_as, kind):
    client = client_as(kind)
    assert refused_with(client.get(world.url("insatser:create")), CREATE_REFUSED)
    assert "Ny ansökan" not in text(client.get(world.url("insatser:list")))


def test_only_the_samordnare_may_register_an_idea(world, client_as):
    samordnare = client_as(Kind.SAMORDNARE)
    assert "Ny idé eller förstudie" in text(samordnare.get(world.url("insatser:create_idea")))
    assert "Ny idé" in text(samordnare.get(world.url("insatser:list")))
    client = client_as(Kind.PROJEKTAGARE)
    assert "Ny idé" not in text(client.get(world.url("insatser:list")))
    before = database_snapshot()
    reason = "Bara samordnaren registrerar idéer och förstudier."
    assert refused_with(client.get(world.url("insatser:create_idea")), reason)
    response = client.post(world.url("insatser:create_idea"), world.application_data(name="Idé"))
    assert refused_with(response, reason)
    assert database_snapshot() == before

    samordnare = client_as(Kind.SAMORDNARE)
    response = samordnare.post(world.url("insatser:create_idea"), world.application_data(name="Idé"))
    assert response.status_code == 302
    assert Insats.objects.get(name="Idé").status == S.IDE


@pytest.mark.parametrize("status", EDITABLE)
def test_samordnare_and_own_projektagare_can_open_the_edit_pages_while_editable(world, client_as, status):
    Insats.objects.filter(pk=world.draft.pk).update(status=status)
    for kind in EDITORS:
        client = client_as(kind)
        for name in EDIT_PAGES:
            response = client.get(world.url(name))
            assert response.status_code == 200, (kind, name)
            assert 'method="post"' in text(response), (kind, name)
    detail = text(client.get(world.url("insatser:detail")))
    assert "Ändra ansökan" in detail
    assert "Ändra budget" in detail


@pytest.mark.parametrize("status", NOT_EDITABLE)
def test_the_application_cannot_be_edited_once_submitted(world, client_as, status):
    Insats.objects.filter(pk=world.draft.pk).update(status=status)
    label = S(status).label.lower()
    reason = f"Ansökan kan inte ändras när insatsen är {label}; den är sparad som den skickades in."
    for kind in EDITORS:
        client = client_as(kind)
        for name in EDIT_PAGES:
            assert refused_with(client.get(world.url(name)), reason), (kind, name)
        # No button for an edit that would be refused: the page says why instead.
        detail = text(client.get(world.url("insatser:detail")))
        for control in [
            "Ändra ansökan",
            "Ändra budget",
            "Ny delprocess",
            "Registrera bekräftelse",
            "Ladda upp",
        ]:
            assert control not in detail, (kind, control)
        for name in ["insatser:delprocess_edit", "insatser:delprocess_delete", "insatser:attachment_remove"]:
            assert world.url(name) not in detail, (kind, name)
        assert reason in detail, kind


def test_projektagare_cannot_edit_granted_insats(world, client_as):
    Insats.objects.filter(pk=world.draft.pk).update(status=S.BEVILJAD)
    client = client_as(Kind.PROJEKTAGARE)
    before = database_snapshot()

    response = client.post(world.url("insatser:edit"), world.application_data(name="Ändrad i efterhand"))

    assert refused_with(
        response, "Ansökan kan inte ändras när insatsen är beviljad; den är sparad som den skickades in."
    )
    assert database_snapshot() == before
    assert "den är sparad som den skickades in" in text(client.get(world.url("insatser:detail")))


@pytest.mark.parametrize("kind", READERS)
def test_readers_are_refused_the_edit_pages_with_reason(world, client_as, kind):
    client = client_as(kind)
    for name in EDIT_PAGES:
        assert refused_with(client.get(world.url(name)), EDIT_REFUSED), name
    assert "Ändra ansökan" not in text(client.get(world.url("insatser:detail")))


def test_samordnare_can_open_the_decision_page_only_under_beredning(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    response = client.get(world.url("insatser:decide", world.pending))
    assert response.status_code == 200
    assert "Registrera styrelsens beslut" in text(response)
    assert "Registrera beslut" in text(client.get(world.url("insatser:detail", world.pending)))

    assert refused_with(client.get(world.url("insatser:decide", world.draft)), NOT_UNDER_BEREDNING)
    assert "Registrera beslut" not in text(client.get(world.url("insatser:detail", world.draft)))


@pytest.mark.parametrize("kind", [*READERS, Kind.PROJEKTAGARE])
def test_other_roles_are_refused_the_decision_page(world, client_as, kind):
    client = client_as(kind)
    assert refused_with(client.get(world.url("insatser:decide", world.pending)), DECIDE_REFUSED)
    assert "Registrera beslut" not in text(client.get(world.url("insatser:detail", world.pending)))


def test_samordnare_can_open_the_milestone_pages(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    for name in MILESTONE_PAGES:
        assert client.get(world.url(name)).status_code == 200, name
    assert "Nytt delmål" in text(client.get(world.url("insatser:detail")))


@pytest.mark.parametrize("kind", [*READERS, Kind.PROJEKTAGARE])
def test_other_roles_are_refused_the_milestone_pages(world, client_as, kind):
    client = client_as(kind)
    for name in MILESTONE_PAGES:
        assert refused_with(client.get(world.url(name)), FOLLOW_UP_REFUSED), name
    assert "Nytt delmål" not in text(client.get(world.url("insatser:detail")))


# Nothing changes for those who may only read ------------------------------------------------------


@pytest.mark.parametrize("kind", READERS)
def test_readers_posts_to_every_insats_url_are_refused_and_change_nothing(world, client_as, kind):
    """The revisor above all, whose independence depends on it."""
    client = client_as(kind)
    before = database_snapshot()
    for name in ["insatser:create", "insatser:create_idea", *POST_PAGES]:
        insats, data = (
            (None, world.application_data(name="Ny ansökan"))
            if name in FORBUND_PAGES
            else world.valid_post(name)
        )
        response = client.post(world.url(name, insats), data)
        assert response.status_code == 403, name
        assert "Du har inte behörighet" in text(response), name
        assert database_snapshot() == before, name


@pytest.mark.parametrize("name", POST_PAGES)
def test_the_samordnares_post_of_the_same_data_changes_the_insats(world, client_as, name):
    """The data refused above is valid: the samordnare posting it gets it saved."""
    client = client_as(Kind.SAMORDNARE)
    before = database_snapshot()
    insats, data = world.valid_post(name)

    response = client.post(world.url(name, insats), data)

    assert response.status_code == 302, form_errors(response)
    assert database_snapshot() != before


# Projektägare: their own organisation only -------------------------------------------------------


def test_projektagare_sees_only_their_own_organisations_insatser(world, client_as):
    content = text(client_as(Kind.PROJEKTAGARE).get(world.url("insatser:list")))
    assert world.draft.name in content
    assert world.pending.name in content
    assert world.others.name not in content
    assert "Du ser de insatser som din organisation äger." in content


def test_projektagare_gets_404_on_another_members_insats(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)
    world.delprocess = DelprocessFactory(insats=world.others)
    world.milestone = MilestoneFactory(insats=world.others)
    world.attachment = AttachmentFactory(insats=world.others)
    before = database_snapshot()
    for name in GET_PAGES:
        assert client.get(world.url(name, world.others)).status_code == 404, name
    for name in POST_PAGES:
        _, data = world.valid_post(name)
        assert client.post(world.url(name, world.others), data).status_code == 404, name
    assert database_snapshot() == before


def test_projektagare_can_only_apply_for_their_own_organisation(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)
    form = text(client.get(world.url("insatser:create")))
    assert select_options(form, "owner") == [world.region.name]

    before = database_snapshot()
    response = client.post(
        world.url("insatser:create"),
        world.application_data(name="Byns ansökan", owner=world.byn.pk, partners=[world.kommun.pk]),
    )

    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.context["form"].errors["owner"][0]
    assert 'value="Byns ansökan"' in text(response)
    assert database_snapshot() == before


def test_samordnare_may_apply_for_any_member(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    assert world.byn.name in select_options(text(client.get(world.url("insatser:create"))), "owner")
    response = client.post(
        world.url("insatser:create"), world.application_data(name="Byns ansökan", owner=world.byn.pk)
    )
    assert response.status_code == 302
    assert Insats.objects.get(name="Byns ansökan").owner == world.byn


# Another förbund ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.PROJEKTAGARE, Kind.REVISOR])
def test_another_forbunds_insats_is_404_everywhere(world, client_as, other_forbund, kind):
    other = make_world(other_forbund)
    client = client_as(kind)
    before = database_snapshot()
    for slug in (world.forbund.slug, other_forbund.slug):
        for name in GET_PAGES:
            assert client.get(other.url(name, slug=slug)).status_code == 404, (slug, name)
        for name in POST_PAGES:
            insats, data = other.valid_post(name)
            assert client.post(other.url(name, insats, slug=slug), data).status_code == 404, (slug, name)
    for name in FORBUND_PAGES:
        assert client.get(other.url(name)).status_code == 404, name
    assert database_snapshot() == before


# The whole journey over HTTP --------------------------------------------------------------------


def test_application_journey_from_draft_to_grant(world):
    forbund, region, kommun = world.forbund, world.region, world.kommun
    projektagare, samordnare = Client(), Client()  # two browsers, one for each person
    projektagare.force_login(world.user(Kind.PROJEKTAGARE))
    samordnare.force_login(world.user(Kind.SAMORDNARE))
    meeting = StyrelsemoteFactory(forbund=forbund, date=D(2020, 12, 3))

    # The projektägare writes the application.
    response = projektagare.post(
        world.url("insatser:create"),
        world.application_data(
            name="Steget vidare",
            partners=[kommun.pk],
            resultatmal="30 deltagare har en planering\n\n15 deltagare i arbete eller studier ",
            effektmal="Minskat utanförskap",
        ),
    )
    insats = Insats.objects.get(name="Steget vidare")
    detail_url = world.url("insatser:detail", insats)
    assert response.status_code == 302 and response.url == detail_url
    assert insats.status == S.UTKAST and insats.owner == region
    assert [g.text for g in insats.resultatmal] == [
        "30 deltagare har en planering",
        "15 deltagare i arbete eller studier",
    ]
    assert [g.text for g in insats.effektmal] == ["Minskat utanförskap"]

    # A delprocess and the budget, with a line for the delprocess.
    response = projektagare.post(
        world.url("insatser:delprocess_create", insats),
        {"name": "Delprocess Åby", "owner": kommun.pk, "goals": "Tio deltagare\nFem i arbete"},
    )
    assert response.status_code == 302
    delprocess = insats.delprocesser.get()
    assert projektagare.get(world.url("insatser:budget", insats)).status_code == 200
    response = projektagare.post(
        world.url("insatser:budget", insats),
        budget_data(
            [
                {
                    "section": "Övergripande",
                    "description": "Processledare",
                    "organisation": region.pk,
                    "share": "50 %",
                    "amount_2021": "400000",
                    "amount_2022": "350000",
                },
                {"delprocess": delprocess.pk, "description": "Arbetscoach", "amount_2021": "300000"},
                {"section": "", "description": "", "amount_2021": "", "amount_2022": ""},
            ]
        ),
    )
    assert response.status_code == 302
    assert selectors.budget_table(insats).total == 1_050_000

    # No representative asked yet: submitting is refused with what is missing.
    response = projektagare.post(world.url("insatser:transition", insats, target=S.INSKICKAD), follow=True)
    missing = f"Skicka in ansökan gick inte: Be en behörig företrädare för {kommun} att bekräfta"
    assert missing in text(response)
    insats.refresh_from_db()
    assert insats.status == S.UTKAST

    asked = [(region, "Rut Regionsson", "rut@region.se"), (kommun, "Kim Kim", "kim@aby.se")]
    for medlem, name, email in asked:
        response = projektagare.post(
            world.url("insatser:confirmation_request", insats),
            {"medlem": medlem.pk, "name": name, "email": email, "title": "Direktör"},
            follow=True,
        )
        assert f"{name} är ombedd att bekräfta ansökan för {medlem}" in text(response)

    response = projektagare.post(world.url("insatser:transition", insats, target=S.INSKICKAD), follow=True)
    assert "Steget vidare är nu inskickad." in text(response)

    # The representatives confirm the submitted version; the samordnare prepares it and asks for more.
    confirm_as_representatives(insats)
    samordnare.post(world.url("insatser:transition", insats, target=S.UNDER_BEREDNING))
    response = samordnare.post(
        world.url("insatser:transition", insats, target=S.KOMPLETTERING_BEGARD),
        {"komplettering_begard-comment": "Beskriv hur deltagarna rekryteras."},
        follow=True,
    )
    assert "Steget vidare är nu komplettering begärd." in text(response)

    # The projektägare reads the request, completes the application and sends it in again.
    content = text(projektagare.get(detail_url))
    assert "Beskriv hur deltagarna rekryteras." in content
    assert "Skicka in kompletterad ansökan" in content
    response = projektagare.post(
        world.url("insatser:edit", insats),
        world.application_data(
            name="Steget vidare",
            malgrupp_description="Unga som rekryteras via Arbetsförmedlingen och kommunens KAA.",
            resultatmal="30 deltagare har en planering",
        ),
    )
    assert response.status_code == 302
    projektagare.post(world.url("insatser:transition", insats, target=S.INSKICKAD))

    # The completion changed the application: the earlier confirmations no longer count, so the
    # board cannot grant it until the representatives have confirmed the new version.
    samordnare.post(world.url("insatser:transition", insats, target=S.UNDER_BEREDNING))
    assert "Saknas: " in text(samordnare.get(world.url("insatser:decide", insats)))
    grant = {
        "outcome": "beviljad",
        "decided_by": "styrelsen",
        "new_item_meeting": meeting.pk,
        "amount_2021": "750000",
        "amount_2022": "300000",
    }
    response = samordnare.post(world.url("insatser:decide", insats), grant)
    assert "Ansökan kan inte beviljas" in text(response)
    confirm_as_representatives(insats)
    response = samordnare.post(world.url("insatser:decide", insats), grant, follow=True)
    assert "Beslutet är registrerat: beviljad." in text(response)

    insats.refresh_from_db()
    assert insats.status == S.BEVILJAD
    assert list(insats.status_changes.values_list("to_status", flat=True)) == [
        S.UTKAST,
        S.INSKICKAD,
        S.UNDER_BEREDNING,
        S.KOMPLETTERING_BEGARD,
        S.INSKICKAD,
        S.UNDER_BEREDNING,
        S.BEVILJAD,
    ]
    by_projektagare, by_samordnare = world.user(Kind.PROJEKTAGARE), world.user(Kind.SAMORDNARE)
    assert [change.by for change in insats.status_changes.order_by("id")] == [
        by_projektagare,
        by_projektagare,
        by_samordnare,
        by_samordnare,
        by_projektagare,
        by_samordnare,
        by_samordnare,
    ]
    for client in (projektagare, samordnare):
        content = text(client.get(detail_url))
        assert "Beviljad" in content
        assert f"750{NBSP}000{NBSP}kr" in content
        assert f"300{NBSP}000{NBSP}kr" in content
        assert "Styrelsen 2020-12-03 § (numreras i protokollet)" in content
        # The budget as applied for is still shown.
        assert f"1{NBSP}050{NBSP}000{NBSP}kr" in content
    # Once granted the projektägare can no longer change it.
    assert projektagare.get(world.url("insatser:budget", insats)).status_code == 403


# Bad input keeps what was typed --------------------------------------------------------------------


def test_a_negative_budget_amount_is_shown_with_everything_typed_and_nothing_saved(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)
    before = database_snapshot()

    response = client.post(
        world.url("insatser:budget"),
        budget_data(
            [
                {
                    "section": "Övergripande",
                    "description": "Processledare",
                    "amount_2021": "-5",
                    "amount_2022": "350000",
                },
                {"section": "Utvärdering", "description": "Extern utvärderare", "amount_2021": "50000"},
            ]
        ),
    )

    assert response.status_code == 200
    content = text(response)
    assert "Beloppet får inte vara negativt." in content
    assert "Inget har sparats ännu." in content
    # Amounts come back grouped in threes, as the form shows them (finsam.money.KronorInput).
    for typed in ['value="-5"', 'value="350 000"', 'value="Processledare"', 'value="Extern utvärderare"']:
        assert typed in content, typed
    assert 'value="50 000"' in content
    assert database_snapshot() == before


def test_the_budget_page_asks_for_the_period_first(world, client_as):
    Insats.objects.filter(pk=world.draft.pk).update(start=None, end=None)
    response = client_as(Kind.PROJEKTAGARE).get(world.url("insatser:budget"), follow=True)
    assert response.redirect_chain[-1][0] == world.url("insatser:edit")
    assert "Ange insatsens period innan budgeten fylls i." in text(response)


def test_an_amount_without_a_description_is_refused(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    before = database_snapshot()
    response = client.post(world.url("insatser:budget"), budget_data([{"amount_2021": "1000"}]))
    assert response.status_code == 200
    assert "Beskriv kostnaden." in text(response)
    assert 'value="1000"' in text(response)
    assert database_snapshot() == before


def test_an_application_ending_before_it_starts_keeps_what_was_typed(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)
    before = database_snapshot()
    response = client.post(
        world.url("insatser:create"),
        world.application_data(
            name="Baklänges", start="2022-01-01", end="2021-01-01", resultatmal="Mitt mål"
        ),
    )
    assert response.status_code == 200
    content = text(response)
    assert "Insatsen kan inte sluta innan den börjar." in content
    assert 'value="Baklänges"' in content
    assert "Mitt mål" in content
    assert database_snapshot() == before


def test_shortening_the_period_past_the_budget_is_shown_on_the_end_date(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    before = database_snapshot()
    response = client.post(
        world.url("insatser:edit"), world.application_data(name="Nytt namn", end="2021-12-31")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == [
        "Budgeten har belopp för 2022, utanför perioden. Ändra budgeten först."
    ]
    assert 'value="Nytt namn"' in text(response)
    assert database_snapshot() == before


def test_a_grant_without_an_amount_is_refused_on_the_form(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    before = database_snapshot()
    response = client.post(
        world.url("insatser:decide", world.pending),
        {
            "outcome": "beviljad",
            "decided_by": "delegation",
            "decided_on": "2020-12-03",
            "amount_2021": "0",
            "amount_2022": "",
        },
    )
    assert response.status_code == 200
    assert "Ange beviljat belopp för minst ett år." in text(response)
    assert database_snapshot() == before


def test_a_completion_request_without_comment_says_what_is_missing(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    response = client.post(
        world.url("insatser:transition", world.pending, target=S.KOMPLETTERING_BEGARD), follow=True
    )
    assert "Skriv vad som ska kompletteras." in text(response)
    world.pending.refresh_from_db()
    assert world.pending.status == S.UNDER_BEREDNING


def test_an_unknown_status_in_the_url_is_refused_not_a_server_error(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    before = database_snapshot()
    response = client.post(world.url("insatser:transition", target="godkand"))
    assert refused_with(response, "En insats som är utkast kan inte bli godkand.")
    assert database_snapshot() == before


@pytest.mark.parametrize("target", [S.BEVILJAD, S.AVSLAGEN])
def test_a_grant_or_refusal_is_made_only_by_recording_the_boards_decision(world, client_as, target):
    client = client_as(Kind.SAMORDNARE)
    before = database_snapshot()
    response = client.post(world.url("insatser:transition", world.pending, target=target))
    assert refused_with(response, "Beviljande och avslag registreras som styrelsens beslut")
    world.pending.refresh_from_db()
    assert world.pending.status == S.UNDER_BEREDNING
    assert database_snapshot() == before


# Attachments -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "Bilagan sparades inte: Filändelsen “exe” är inte giltig."),
        (
            "stor.pdf",
            b"%PDF" + b"0" * (10 * 1024 * 1024),
            "Bilagan sparades inte: Filen är för stor: högst 10 MB.",
        ),
    ],
    ids=["exe", "over-10-mb"],
)
def test_attachments_of_wrong_type_or_size_are_refused_in_swedish(
    world, client_as, media, filename, data, message
):
    client = client_as(Kind.PROJEKTAGARE)
    before = database_snapshot()

    response = client.post(
        world.url("insatser:attachment_upload"), {"file": SimpleUploadedFile(filename, data)}, follow=True
    )

    assert response.status_code == 200
    assert message in text(response)
    assert database_snapshot() == before
    assert not list(media.rglob(filename))


def test_a_pdf_is_accepted_and_downloadable_by_those_who_see_the_insats(
    world, client_as, login, other_forbund
):
    response = client_as(Kind.PROJEKTAGARE).post(
        world.url("insatser:attachment_upload"),
        {"file": SimpleUploadedFile("ansokan.pdf", PDF, "application/pdf"), "description": "Ansökan i PDF"},
        follow=True,
    )
    assert "Bilagan Ansökan i PDF är uppladdad." in text(response)
    attachment = world.draft.attachments.get(description="Ansökan i PDF")
    url = world.url("insatser:attachment", attachment_pk=attachment.pk)

    for kind in ALL_ROLES:
        response = client_as(kind).get(url)
        assert response.status_code == 200, kind
        assert b"".join(response.streaming_content) == PDF, kind
        assert 'filename="ansokan.pdf"' in response["Content-Disposition"], kind

    other_projektagare = user_with_role(world.forbund, Kind.PROJEKTAGARE, medlem=world.byn)
    assert login(other_projektagare).get(url).status_code == 404
    stranger = user_with_role(other_forbund, Kind.SAMORDNARE)
    assert login(stranger).get(url).status_code == 404
    # Another insats's id in the URL does not reach the attachment either.
    wrong = world.url("insatser:attachment", world.pending, attachment_pk=attachment.pk)
    assert client_as(Kind.SAMORDNARE).get(wrong).status_code == 404


def test_removing_an_attachment_deletes_its_file(world, client_as, media):
    path = Path(world.attachment.file.path)
    response = client_as(Kind.SAMORDNARE).post(world.url("insatser:attachment_remove"), follow=True)
    assert "är borttagen" in text(response)
    assert not Attachment.objects.filter(pk=world.attachment.pk).exists()
    assert not path.exists()


# The list's filters ---------------------------------------------------------------------------------


@pytest.fixture
def listed(forbund):
    """Three insatser that differ in every filtered property."""
    region = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")
    kommun = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Åby kommun")
    return {
        "vagen": InsatsFactory(
            forbund=forbund,
            name="Vägen till arbete",
            status=S.UTKAST,
            owner=region,
            kind=Insats.Kind.INDIVIDINRIKTAD,
            malgrupp=Insats.Malgrupp.UNGA_VUXNA,
            start=D(2021, 1, 1),
            end=D(2022, 6, 30),
        ),
        "samverkan": InsatsFactory(
            forbund=forbund,
            name="Samverkan i norr",
            status=S.PAGAENDE,
            owner=kommun,
            kind=Insats.Kind.STRUKTURINRIKTAD,
            malgrupp=Insats.Malgrupp.PERSONAL,
            problem="Brist på gemensam kartläggning mellan parterna.",
            start=D(2023, 1, 1),
            end=D(2024, 12, 31),
        ),
        "ide": InsatsFactory(
            forbund=forbund,
            name="Hälsa först",
            status=S.IDE,
            owner=region,
            kind=Insats.Kind.INDIVIDINRIKTAD,
            malgrupp="",
            start=None,
            end=None,
        ),
    }


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, {"vagen", "samverkan", "ide"}),
        ({"status": "pagaende"}, {"samverkan"}),
        ({"status": "ide"}, {"ide"}),
        ({"year": "2022"}, {"vagen"}),
        ({"year": "2024"}, {"samverkan"}),
        ({"owner": "kommun"}, {"samverkan"}),
        ({"owner": "region"}, {"vagen", "ide"}),
        ({"kind": "strukturinriktad"}, {"samverkan"}),
        ({"malgrupp": "unga_vuxna"}, {"vagen"}),
        ({"q": "kartläggning"}, {"samverkan"}),
        ({"q": "vägen ARBETE"}, {"vagen"}),
        ({"q": "vägen norr"}, set()),
        ({"owner": "region", "status": "utkast"}, {"vagen"}),
    ],
)
def test_list_filters_narrow_the_list(forbund, listed, user_in, login, query, shown):
    members = {medlem.kind: medlem.pk for medlem in Medlem.objects.filter(forbund=forbund)}
    if "owner" in query:
        query = {**query, "owner": members[query["owner"]]}
    client = login(user_in(forbund, Kind.EKONOM))

    response = client.get(reverse("insatser:list", kwargs={"forbund": forbund.slug}), query)

    assert response.status_code == 200
    content = text(response)
    for key, insats in listed.items():
        assert (insats.name in content) == (key in shown), key
    if not shown:
        assert "Inga insatser matchar filtret." in content


def test_the_excel_export_has_the_same_filtered_rows(forbund, listed, user_in, login):
    client = login(user_in(forbund, Kind.SAMORDNARE))
    url = reverse("insatser:list", kwargs={"forbund": forbund.slug})

    content = text(client.get(url, {"kind": "strukturinriktad"}))
    assert 'href="?kind=strukturinriktad&amp;format=xlsx"' in content
    response = client.get(url, {"kind": "strukturinriktad", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f'filename="insatser-{forbund.slug}.xlsx"' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert "Samverkan i norr" in cells
    assert "Vägen till arbete" not in cells
    assert "Hälsa först" not in cells


def test_projektagare_export_holds_only_their_own_insatser(forbund, listed, user_in, login):
    region = listed["vagen"].owner
    client = login(user_in(forbund, Kind.PROJEKTAGARE, medlem=region))
    response = client.get(reverse("insatser:list", kwargs={"forbund": forbund.slug}), {"format": "xlsx"})
    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert {"Vägen till arbete", "Hälsa först"} <= cells
    assert "Samverkan i norr" not in cells


def test_the_list_survives_an_application_with_only_a_start_date(forbund, user_in, login):
    region = MedlemFactory(forbund=forbund)
    client = login(user_in(forbund, Kind.PROJEKTAGARE, medlem=region))
    InsatsFactory(forbund=forbund, owner=region, name="Start bestämd", status=S.UTKAST, end=None)
    response = client.get(reverse("insatser:list", kwargs={"forbund": forbund.slug}))
    assert response.status_code == 200
    assert "Start bestämd" in text(response)

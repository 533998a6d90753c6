"""A returned report or application shows the samordnare's comment at the top of its page and of
its form, not only under Historik; once it is sent in again, the comment stays only in the history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forbund.models import Medlem, Role
from insatser.models import Insats, StatusChange
from tests.factories import (
    ForbundFactory,
    InsatsFactory,
    MedlemFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
    user_with_role,
)
from uppfoljning.models import ReportStatusChange, Tertialrapport

pytestmark = pytest.mark.django_db

Kind = Role.Kind
S = Tertialrapport.Status
I = Insats.Status  # noqa: E741 - the insats's statuses, as in the workflow module

COMMENT = "Förklara varför kostnaden är högre än budgeterat."
OLD_COMMENT = "Ange antal deltagare per kön."


def top_of(html: str) -> str:
    """The page above its actions and history: what a reader sees first."""
    main = html.split('id="innehall"', 1)[1]
    for marker in ("rubrik-granskning", "rubrik-atgarder", "<form", "rubrik-historik"):
        if marker in main:
            main = main.split(marker, 1)[0]
    return main


@pytest.fixture
def setting():
    forbund = ForbundFactory()
    byn = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Byn kommun")
    insats = InsatsFactory(forbund=forbund, owner=byn, name="Byns insats")
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    owner = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=byn)
    return forbund, insats, samordnare, owner


def returned_report(insats, samordnare, *, status=S.RETURNERAD) -> Tertialrapport:
    period = ReportPeriodFactory(forbund=insats.forbund, year=2021, kind="T1")
    report = TertialrapportFactory(period=period, insats=insats, status=status)
    ReportStatusChange.objects.create(
        report=report, from_status=S.INSKICKAD, to_status=S.RETURNERAD, by=samordnare, comment=OLD_COMMENT
    )
    ReportStatusChange.objects.create(
        report=report, from_status=S.INSKICKAD, to_status=S.RETURNERAD, by=samordnare, comment=COMMENT
    )
    return report


def report_url(report, name="report") -> str:
    return reverse(f"uppfoljning:{name}", kwargs={"forbund": report.period.forbund.slug, "pk": report.pk})


def test_projektagare_reads_the_latest_return_comment_at_the_top_of_the_report(client, setting):
    _, insats, samordnare, owner = setting
    report = returned_report(insats, samordnare)
    client.force_login(owner)
    for name in ("report", "report_edit"):
        html = client.get(report_url(report, name)).content.decode()
        top = top_of(html)
        assert "Samordnaren returnerade rapporten" in top, name
        assert COMMENT in top, name
        assert OLD_COMMENT not in top, name  # the earlier return is history


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.EKONOM, Kind.REVISOR])
def test_staff_and_revisor_reading_the_returned_report_see_why(client, setting, kind):
    forbund, insats, samordnare, _ = setting
    report = returned_report(insats, samordnare)
    client.force_login(samordnare if kind == Kind.SAMORDNARE else user_with_role(forbund, kind))
    response = client.get(report_url(report))
    assert response.status_code == 200
    assert COMMENT in top_of(response.content.decode())


def test_a_report_sent_in_again_keeps_the_comment_only_in_its_history(client, setting):
    _, insats, samordnare, owner = setting
    report = returned_report(insats, samordnare, status=S.INSKICKAD)
    client.force_login(owner)
    html = client.get(report_url(report)).content.decode()
    assert COMMENT not in top_of(html)
    assert COMMENT in html.split("rubrik-historik", 1)[1]


def test_another_organisations_projektagare_and_other_forbund_do_not_see_the_comment(client, setting):
    forbund, insats, samordnare, _ = setting
    report = returned_report(insats, samordnare)
    other_org = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=forbund))
    client.force_login(other_org)
    response = client.get(report_url(report))
    assert response.status_code in (403, 404)
    assert COMMENT not in response.content.decode()
    client.force_login(user_with_role(ForbundFactory(), Kind.SAMORDNARE))
    assert client.get(report_url(report)).status_code == 404


# Applications ---------------------------------------------------------------------------------


def application_returned(insats, samordnare):
    StatusChange.objects.create(
        insats=insats,
        from_status=I.UNDER_BEREDNING,
        to_status=I.KOMPLETTERING_BEGARD,
        by=samordnare,
        comment=OLD_COMMENT,
    )
    StatusChange.objects.create(
        insats=insats,
        from_status=I.UNDER_BEREDNING,
        to_status=I.KOMPLETTERING_BEGARD,
        by=samordnare,
        comment=COMMENT,
    )


def insats_url(insats, name="detail") -> str:
    return reverse(f"insatser:{name}", kwargs={"forbund": insats.forbund.slug, "pk": insats.pk})


def test_projektagare_reads_the_komplettering_request_at_the_top_of_the_application(client, setting):
    _, insats, samordnare, owner = setting
    Insats.objects.filter(pk=insats.pk).update(status=I.KOMPLETTERING_BEGARD)
    application_returned(insats, samordnare)
    client.force_login(owner)
    for name in ("detail", "edit"):
        response = client.get(insats_url(insats, name))
        assert response.status_code == 200, name
        top = top_of(response.content.decode())
        assert "Samordnaren returnerade ansökan för komplettering" in top, name
        assert COMMENT in top, name
        assert OLD_COMMENT not in top, name


def test_an_application_sent_in_again_shows_the_request_only_in_its_history(client, setting):
    _, insats, samordnare, owner = setting
    Insats.objects.filter(pk=insats.pk).update(status=I.INSKICKAD)
    application_returned(insats, samordnare)
    client.force_login(owner)
    html = client.get(insats_url(insats)).content.decode()
    assert COMMENT not in top_of(html)
    assert COMMENT in html.split("rubrik-historik", 1)[1]

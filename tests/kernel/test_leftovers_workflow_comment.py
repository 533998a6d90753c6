"""The comment that goes with a workflow step (return with comment, approve, request completion) is
shown to the projektägare and kept in the history: a personnummer in it is refused, in Swedish, naming
the field and showing only the masked number."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError

from finsam import workflow
from tests.uppfoljning import test_report_views as reports

pytestmark = pytest.mark.django_db

# The report views' world: a förbund with a submitted Tertialrapport, and a login per role.
world, client_as = reports.world, reports.client_as
S, Kind = reports.S, reports.Kind

NUMBER = "850312-1231"  # a real date and a correct check digit
SAMORDNINGSNUMMER = "850372-1238"


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_returning_a_report_with_a_personnummer_in_the_comment_is_refused_and_masked(world, client_as):
    samordnare = client_as(Kind.SAMORDNARE)
    url = world.url("uppfoljning:report_transition", world.submitted, target=S.RETURNERAD)

    response = samordnare.post(
        url, {"returnerad-comment": f"Deltagaren {NUMBER} saknas i underlaget."}, follow=True
    )

    page = text(response)
    assert "Returnera för komplettering gick inte" in page
    assert "Fältet ”Kommentar” innehåller något som ser ut som ett personnummer (19850312-****)" in page
    assert NUMBER not in page and "-1231" not in page
    world.submitted.refresh_from_db()
    assert world.submitted.status == S.INSKICKAD
    assert not world.submitted.status_changes.filter(to_status=S.RETURNERAD).exists()

    # Without the number the same step goes through.
    samordnare.post(url, {"returnerad-comment": "En deltagare saknas i underlaget."}, follow=True)
    world.submitted.refresh_from_db()
    assert world.submitted.status == S.RETURNERAD


def test_a_step_that_needs_no_comment_is_not_taken_with_a_screened_one(world):
    """Approving with a samordningsnummer in the comment does not approve without the comment."""
    with pytest.raises(ValidationError) as refused:
        workflow.transition(
            world.submitted,
            to=S.GODKAND,
            by=world.user(Kind.SAMORDNARE),
            comment=f"Godkänd, se {SAMORDNINGSNUMMER}",
        )
    assert refused.value.message_dict["comment"] == [
        "Fältet ”Kommentar” innehåller något som ser ut som ett samordningsnummer (19850312-****). "
        "Skriv inte personuppgifter om deltagare här – beskriv utan att peka ut någon."
    ]
    world.submitted.refresh_from_db()
    assert world.submitted.status == S.INSKICKAD


def test_amounts_dates_and_organisationsnummer_in_a_comment_pass(world):
    workflow.transition(
        world.submitted,
        to=S.GODKAND,
        by=world.user(Kind.SAMORDNARE),
        comment="Kostnaden 1 893 000 kr bokförd 2021-03-17 av 212000-1234.",
    )
    world.submitted.refresh_from_db()
    assert world.submitted.status == S.GODKAND

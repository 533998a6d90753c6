"""No personal data about participants: a personnummer typed into any free-text field of the report
forms and the application forms is refused, with the field named and what was typed kept. The test
walks every text field the forms have, so a field added later is covered without being listed."""

from __future__ import annotations

import inspect
import re
from html import unescape
from io import StringIO

import pytest
from django import forms as django_forms
from django.core.management import CommandError, call_command
from django.urls import reverse

from finsam.personnummer import ScreenedTextMixin
from forbund.models import Medlem, Role
from insatser import forms as insats_forms
from insatser.models import Insats
from tests.factories import (
    DelprocessFactory,
    GoalFactory,
    InsatsFactory,
    MedlemFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
    user_with_role,
)
from uppfoljning import forms as report_forms
from uppfoljning.models import ReportStatusChange, Tertialrapport

pytestmark = pytest.mark.django_db

Kind = Role.Kind
TYPED = "Anna 850312-1231"  # a name and a personnummer (check digit 1, see tests/kernel)
REFUSAL = "innehåller något som ser ut som ett personnummer (19850312-****)"


@pytest.fixture
def insats(forbund):
    region = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")
    insats = InsatsFactory(forbund=forbund, owner=region, name="Vägen till arbete")
    GoalFactory(insats=insats, text="Hälften går vidare till arbete")
    GoalFactory(insats=insats, kind="effektmal", text="Fler i egen försörjning")
    DelprocessFactory(insats=insats)
    return insats


@pytest.fixture
def report(insats):
    period = ReportPeriodFactory(forbund=insats.forbund, year=2021, kind="T1")
    return TertialrapportFactory(period=period, insats=insats)


def form_builders(forbund, insats, report):
    """Every form of the report and application pages, built as its page builds it."""
    projektagare = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=insats.owner)
    return {
        "ReportForm": lambda data: report_forms.ReportForm(data, report=report),
        "InsatsForm": lambda data: insats_forms.InsatsForm(data, forbund=forbund, user=projektagare),
        "InsatsForm (ändra)": lambda data: insats_forms.InsatsForm(
            data, instance=insats, forbund=forbund, user=projektagare
        ),
        "DelprocessForm": lambda data: insats_forms.DelprocessForm(data, insats=insats),
        "BudgetLineForm": lambda data: insats_forms.BudgetLineForm(data, insats=insats),
        "DecisionForm": lambda data: insats_forms.DecisionForm(data, insats=insats),
        "MilestoneForm": lambda data: insats_forms.MilestoneForm(data),
        "AttachmentForm": lambda data: insats_forms.AttachmentForm(data),
        "IndicatorOutcomeForm": lambda data: report_forms.IndicatorOutcomeForm(data),
        "VerksamhetsplanForm": lambda data: report_forms.VerksamhetsplanForm(data),
        "IndicatorForm": lambda data: report_forms.IndicatorForm(data),
        "ActivityForm": lambda data: report_forms.ActivityForm(data),
        "ArsredovisningForm": lambda data: report_forms.ArsredovisningForm(data),
        "AnsvarsfrihetForm": lambda data: report_forms.AnsvarsfrihetForm(
            data, medlemmar=Medlem.objects.filter(forbund=forbund)
        ),
    }


FORMS = [
    "ReportForm",
    "InsatsForm",
    "InsatsForm (ändra)",
    "DelprocessForm",
    "BudgetLineForm",
    "DecisionForm",
    "MilestoneForm",
    "AttachmentForm",
    "IndicatorOutcomeForm",
    "VerksamhetsplanForm",
    "IndicatorForm",
    "ActivityForm",
    "ArsredovisningForm",
    "AnsvarsfrihetForm",
]


def text_fields(form) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, django_forms.CharField) and not field.widget.is_hidden
    ]


@pytest.mark.parametrize("name", FORMS)
def test_a_personnummer_is_refused_in_every_text_field_with_the_field_named_and_the_text_kept(
    forbund, insats, report, name
):
    build = form_builders(forbund, insats, report)[name]
    fields = text_fields(build(None))
    assert fields, f"{name} has no text field"
    form = build(dict.fromkeys(fields, TYPED))

    assert not form.is_valid()
    for field in fields:
        label = form.fields[field].label or field
        messages = form.errors.get(field, [])
        assert any(f"Fältet ”{label}” {REFUSAL}" in message for message in messages), (name, field, messages)
        assert all("1231" not in message for message in messages)
        assert form[field].value() == TYPED


def test_the_report_form_screens_the_comment_of_every_goal(insats, report):
    form = report_forms.ReportForm(None, report=report)
    goal_comments = [name for name in text_fields(form) if name.startswith("goal_")]
    assert len(goal_comments) == insats.goals.count() == 2


@pytest.mark.parametrize(
    "module_name",
    [
        "uppfoljning.forms",
        "insatser.forms",
        "insatser.confirmation_forms",
        "forbund.meetings.forms.agenda",
        "forbund.meetings.forms.minutes",
    ],
)
def test_every_form_with_a_text_field_is_screened(module_name):
    module = pytest.importorskip(module_name)
    unscreened = [
        name
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__
        and issubclass(cls, django_forms.BaseForm)
        and any(
            isinstance(field, django_forms.CharField) and not field.widget.is_hidden
            for field in cls.base_fields.values()
        )
        and not issubclass(cls, ScreenedTextMixin)
    ]
    assert unscreened == []


def test_ordinary_text_passes(insats, report):
    form = report_forms.ReportForm(
        {"cooperation": "Tre deltagare (kvinnor 2, män 1) började i mars; kostnad 1 893 000 kr."},
        report=report,
    )
    assert form.is_valid(), form.errors


# Over HTTP, as the projektägare meets it ----------------------------------------------------------


def textarea(content: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', content, re.S)
    assert found, f"no textarea {name}"
    return unescape(found.group(1)).strip()


def test_the_projektagare_saving_a_report_with_a_personnummer_is_refused_and_keeps_the_text(
    client, forbund, insats, report
):
    projektagare = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=insats.owner)
    client.force_login(projektagare)
    typed = "Två deltagare har börjat.\nAnna Svensson 19850312-1231 har fått arbete."
    url = reverse("uppfoljning:report_edit", kwargs={"forbund": forbund.slug, "pk": report.pk})

    response = client.post(
        url, {"cooperation": "Vi träffas varje vecka.", "deviations": typed, "opened_version": "0"}
    )

    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Fältet ”Avvikelser och risker” innehåller något som ser ut som ett personnummer" in content
    assert "(19850312-****, rad 2)" in content
    assert textarea(response.content.decode(), "deviations") == typed
    stored = Tertialrapport.objects.get(pk=report.pk)
    assert (stored.deviations, stored.cooperation) == ("", "")


def test_the_projektagare_saving_an_application_with_a_personnummer_is_refused_and_keeps_the_text(
    client, forbund, insats
):
    insats = InsatsFactory(forbund=forbund, owner=insats.owner, status=Insats.Status.UTKAST)
    projektagare = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=insats.owner)
    client.force_login(projektagare)
    form = insats_forms.InsatsForm(instance=insats, forbund=forbund, user=projektagare)
    data = {
        name: value
        for name, value in (
            (name, form[name].value()) for name in form.fields if name not in ("partners", "form_token")
        )
        if value is not None
    }
    data["malgrupp_description"] = "Till exempel Bo, 850372-1238, som bor i Byn."
    url = reverse("insatser:edit", kwargs={"forbund": forbund.slug, "pk": insats.pk})

    response = client.post(url, data)

    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "ser ut som ett samordningsnummer (19850312-****)" in content
    assert textarea(response.content.decode(), "malgrupp_description") == data["malgrupp_description"]
    insats.refresh_from_db()
    assert "850372" not in insats.malgrupp_description


# Texts already stored ----------------------------------------------------------------------------


def run_check(*args) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("check_personnummer", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


def test_the_command_lists_stored_numbers_masked_and_fails(forbund, insats, report, other_forbund):
    Tertialrapport.objects.filter(pk=report.pk).update(
        deviations="Rad ett.\nAnna 19850312-1231 slutade.", cost_comment="Ingen avvikelse."
    )
    ReportStatusChange.objects.create(
        report=report,
        by=user_with_role(forbund, Kind.SAMORDNARE),
        from_status="utkast",
        to_status="inskickad",
        snapshot={"texts": {"activities": "Bo 850372-1238 deltog."}, "cost": "150000"},
    )
    Insats.objects.filter(pk=insats.pk).update(description="Orgnr 222000-1230, 1 893 000 kr, 2021-03-17.")
    InsatsFactory(forbund=other_forbund, name="Annat förbunds", problem="Ring 19121212-1212.")

    output, returncode = run_check()

    assert returncode == 1
    lines = output.strip().splitlines()
    assert f"tertialrapport {report.pk} ({forbund.name}), fält deviations: 19850312-****" in lines
    assert any(
        line.startswith("statusändring för rapport")
        and "fält snapshot.texts.activities: 19850312-****" in line
        for line in lines
    )
    assert any(f"({other_forbund.name}), fält problem: 19121212-****" in line for line in lines)
    assert len(lines) == 3
    # The whole numbers never appear (ids and factory names may well contain "1231").
    assert not any(number in output for number in ("0312-1231", "0372-1238", "1212-1212"))


def test_the_command_can_look_in_one_forbund(forbund, insats, other_forbund):
    InsatsFactory(forbund=other_forbund, problem="Ring 19121212-1212.")
    assert run_check("--forbund", forbund.slug)[1] == 0
    output, returncode = run_check("--forbund", other_forbund.slug)
    assert returncode == 1
    assert "fält problem: 19121212-****" in output


def test_the_command_passes_when_no_text_holds_a_number(forbund, insats, report):
    Tertialrapport.objects.filter(pk=report.pk).update(deviations="Tre deltagare, 1 893 000 kr.")
    output, returncode = run_check()
    assert returncode == 0
    assert "Inga personnummer hittades." in output


def test_a_personnummer_in_an_agenda_items_proposal_is_refused_before_it_reaches_the_packet(forbund):
    from forbund.meetings.forms.agenda import AgendaItemForm
    from tests.factories import StyrelsemoteFactory

    meeting = StyrelsemoteFactory(forbund=forbund)
    form = AgendaItemForm(
        data={"kind": "beslut", "title": "Stöd i enskilt ärende", "proposal": "Gäller 19121212-1212."},
        meeting=meeting,
    )

    assert not form.is_valid()
    assert "personnummer" in " ".join(form.errors["proposal"])
    assert "title" not in form.errors

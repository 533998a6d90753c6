"""The access core (`finsam.access`): verdicts, the registry, the template flags and the sign-in rule.
The cases are written from the domain (who may do what to a meeting in which state), not built from
the rule table."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.test import RequestFactory

from finsam import access
from forbund.models import MeetingStatus, Role
from tests.factories import StyrelsemoteFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Role.Kind


# Verdicts ---------------------------------------------------------------------------------------


def test_an_allowed_verdict_is_truthy_and_requires_nothing():
    verdict = access.Verdict(True)
    assert verdict
    verdict.require()


def test_a_refusal_by_role_raises_permission_denied_with_its_reason():
    verdict = access.refused("Bara samordnaren får.")
    assert not verdict
    with pytest.raises(PermissionDenied, match="Bara samordnaren får."):
        verdict.require()


def test_a_refusal_by_the_records_state_raises_a_validation_error_not_a_403():
    verdict = access.locked("Protokollet är justerat.")
    assert not verdict
    with pytest.raises(ValidationError) as raised:
        verdict.require()
    assert raised.value.code == "locked"
    assert raised.value.messages == ["Protokollet är justerat."]
    assert not isinstance(raised.value, PermissionDenied)


# The registry -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["edit_meetings", "manage_organization", "", "can_view_forbund"])
def test_an_unknown_rule_name_raises_everywhere_it_can_be_named(forbund, user_in, name):
    user = user_in(forbund, Kind.SAMORDNARE)
    with pytest.raises(access.UnknownRule):
        access.get_rule(name)
    with pytest.raises(access.UnknownRule):
        access.check(name, user, forbund)
    with pytest.raises(access.UnknownRule):
        access.require(name, user, forbund)
    with pytest.raises(access.UnknownRule):
        access.declare(name)
    with pytest.raises(access.UnknownRule):
        access.Flags(user, forbund=forbund)[name]


def test_a_rule_knows_what_it_is_about_from_its_second_parameter():
    assert access.get_rule("manage_organisation").subject == "forbund"
    assert access.get_rule("view_audit_log").subject == "forbund"
    assert access.get_rule("edit_meeting").subject == "meeting"
    assert access.get_rule("use_finsam").subject == "account"


def test_declare_and_public_mark_a_function_view():
    @access.declare("view_audit_log")
    def view(request):
        return None

    @access.public
    def open_view(request):
        return None

    assert view.rule == "view_audit_log"
    assert open_view.rule == access.PUBLIC


# require() in services --------------------------------------------------------------------------


def test_require_lets_the_samordnare_plan_an_open_meeting(forbund, user_in):
    meeting = StyrelsemoteFactory(forbund=forbund, status=MeetingStatus.PLANERAT)
    access.require("edit_meeting", user_in(forbund, Kind.SAMORDNARE), meeting)


@pytest.mark.parametrize("status", [MeetingStatus.JUSTERING, MeetingStatus.JUSTERAT])
def test_require_refuses_the_samordnare_a_locked_meeting_as_a_state_error(forbund, user_in, status):
    meeting = StyrelsemoteFactory(forbund=forbund, status=status)
    with pytest.raises(ValidationError) as raised:
        access.require("edit_meeting", user_in(forbund, Kind.SAMORDNARE), meeting)
    assert raised.value.code == "locked"


@pytest.mark.parametrize("status", [MeetingStatus.PLANERAT, MeetingStatus.JUSTERAT])
def test_require_refuses_the_ekonom_any_meeting_as_a_403_whatever_its_state(forbund, user_in, status):
    meeting = StyrelsemoteFactory(forbund=forbund, status=status)
    with pytest.raises(PermissionDenied, match="Bara samordnaren förbereder"):
        access.require("edit_meeting", user_in(forbund, Kind.EKONOM), meeting)


# Flags in templates -----------------------------------------------------------------------------


def test_flags_answer_each_rule_for_the_pages_own_subject(forbund, user_in):
    open_meeting = StyrelsemoteFactory(forbund=forbund, status=MeetingStatus.KALLAT)
    justerat = StyrelsemoteFactory(forbund=forbund, status=MeetingStatus.JUSTERAT)
    samordnare = user_in(forbund, Kind.SAMORDNARE)

    on_open = access.Flags(samordnare, forbund=forbund, meeting=open_meeting)
    on_justerat = on_open.with_subjects(meeting=justerat)

    assert on_open.edit_meeting
    assert not on_justerat.edit_meeting
    assert "justerat" in on_justerat.edit_meeting.reason
    assert on_open.view_audit_log and on_justerat.view_audit_log  # the förbund is the same


@pytest.mark.parametrize(
    ("kind", "reads_log"),
    [
        (Kind.SAMORDNARE, True),
        (Kind.REVISOR, True),
        (Kind.EKONOM, False),
        (Kind.STYRELSELEDAMOT, False),
        (Kind.ERSATTARE, False),
        (Kind.PROJEKTAGARE, False),
    ],
)
def test_flags_answer_per_user(forbund, user_in, kind, reads_log):
    flags = access.Flags(user_in(forbund, kind), forbund=forbund)
    assert bool(flags.view_audit_log) is reads_log
    assert bool(flags["view_audit_log"]) is reads_log


def test_a_flag_about_a_subject_the_page_does_not_have_raises(forbund, user_in):
    flags = access.Flags(user_in(forbund, Kind.SAMORDNARE), forbund=forbund)
    with pytest.raises(access.UnknownRule, match="meeting"):
        bool(flags.edit_meeting)


def test_the_may_tag_answers_for_one_row(forbund, user_in):
    samordnare = user_in(forbund, Kind.SAMORDNARE)
    rows = [
        StyrelsemoteFactory(forbund=forbund, status=MeetingStatus.PLANERAT),
        StyrelsemoteFactory(forbund=forbund, status=MeetingStatus.JUSTERAT),
    ]
    request = RequestFactory().get("/")
    request.user = samordnare
    template = Template(
        '{% load access %}{% for mote in rows %}{% may "edit_meeting" mote as editable %}'
        "[{% if editable %}ändra{% else %}låst{% endif %}]{% endfor %}"
    )
    assert template.render(Context({"request": request, "rows": rows})) == "[ändra][låst]"


# Signed in --------------------------------------------------------------------------------------


def test_use_finsam_allows_an_active_account_on_itself():
    user = UserFactory()
    assert access.can_use_finsam(user, user)
    access.require("use_finsam", user, user)


def test_use_finsam_refuses_someone_elses_account():
    with pytest.raises(PermissionDenied):
        access.require("use_finsam", UserFactory(), UserFactory())


def test_use_finsam_refuses_an_inactive_account():
    user = UserFactory(is_active=False)
    assert not access.can_use_finsam(user, user)


def test_use_finsam_refuses_a_visitor_who_is_not_signed_in():
    visitor = AnonymousUser()
    verdict = access.can_use_finsam(visitor, visitor)
    assert not verdict
    assert verdict.reason == "Logga in för att använda finsam."


def test_a_board_member_who_is_also_a_projektagare_sees_only_their_own_drafts_and_the_approved():
    from tests.factories import ReportPeriodFactory, RoleFactory, TertialrapportFactory

    period = ReportPeriodFactory()
    own = TertialrapportFactory(period=period)
    others_draft = TertialrapportFactory(period=period)
    others_approved = TertialrapportFactory.create_approved(period=period)
    user = RoleFactory(forbund=period.forbund, kind=Role.Kind.STYRELSELEDAMOT).user
    RoleFactory(user=user, forbund=period.forbund, kind=Role.Kind.PROJEKTAGARE, medlem=own.insats.owner)

    visible = set(access.reports_visible_to(user, period.forbund))

    assert visible == {own, others_approved}
    assert others_draft not in visible

"""When the last approval makes the minutes justerade, the board and the kansli hear of it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from forbund.meetings.services import minutes
from forbund.models import MeetingStatus, Notification, Person, Role, Styrelseuppdrag
from forbund.notifications_forms import CHOOSABLE
from tests.factories import StyrelseuppdragFactory, user_with_role
from tests.forbund.test_meeting_minutes import held_and_locked, make_board, user_for

pytestmark = pytest.mark.django_db

TITLE = "Protokollet justerat"


@pytest.fixture
def board(forbund):
    return make_board(forbund)


def justera(board, django_capture_on_commit_callbacks):
    justerare = board.ledamoter[1]
    justerare_user = user_for(justerare)
    meeting = held_and_locked(board, justerare=[justerare])
    with django_capture_on_commit_callbacks(execute=True):
        minutes.minutes_approve(meeting=meeting, by=board.chair_user)
    assert not Notification.objects.filter(title__startswith=TITLE).exists()  # one approval is not enough
    with django_capture_on_commit_callbacks(execute=True):
        minutes.minutes_approve(meeting=meeting, by=justerare_user)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.JUSTERAT
    return meeting, justerare_user


def told() -> set[str]:
    return set(
        Notification.objects.filter(title__startswith=TITLE).values_list("recipient__username", flat=True)
    )


def test_justerade_minutes_reach_the_board_in_force_and_the_samordnare(
    board, forbund, django_capture_on_commit_callbacks
):
    ledamot = user_for(board.ledamoter[2])
    ersattare = user_for(board.ersattare[0], Role.Kind.ERSATTARE)
    former = user_with_role(forbund, Role.Kind.STYRELSELEDAMOT)
    StyrelseuppdragFactory(
        forbund=forbund,
        person=Person.objects.create(forbund=forbund, name="Avgången Ledamot", user=former),
        role=Styrelseuppdrag.Role.LEDAMOT,
        start=datetime.date(2018, 1, 1),
        end=datetime.date(2020, 12, 31),
    )
    projektagare = user_with_role(forbund, Role.Kind.PROJEKTAGARE)

    meeting, justerare_user = justera(board, django_capture_on_commit_callbacks)

    expected = {board.chair_user.username, ledamot.username, ersattare.username, board.samordnare.username}
    assert told() == expected
    # The one whose approval completed the justering is not told about it, nor are outsiders.
    assert justerare_user.username not in told()
    assert former.username not in told() and projektagare.username not in told()
    notice = Notification.objects.filter(title__startswith=TITLE).first()
    assert str(meeting) in notice.title
    assert notice.url == reverse("forbund:protokoll", kwargs={"forbund": forbund.slug, "pk": meeting.pk})
    assert notice.email == Notification.Email.PENDING  # e-mailed at once unless the person chose otherwise


def test_the_justerat_notice_follows_the_choice_on_the_preferences_page(
    board, client, django_capture_on_commit_callbacks
):
    # The samordnare wants no e-mail at all; the ordförande keeps the default (at once).
    client.force_login(board.samordnare)
    client.post(reverse("notifications:preferences"), {kind: "off" for kind, _ in CHOOSABLE})

    justera(board, django_capture_on_commit_callbacks)

    notice = Notification.objects.get(recipient=board.samordnare, title__startswith=TITLE)
    assert notice.email == Notification.Email.NONE  # still shown in the app
    chair = Notification.objects.get(recipient=board.chair_user, title__startswith=TITLE)
    assert chair.email == Notification.Email.PENDING
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert dict(CHOOSABLE)[notice.kind] in page  # the kind it is filed under can be chosen
    assert "ett styrelseprotokoll har justerats" in page  # and says that it covers this

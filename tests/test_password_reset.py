"""Password reset: the e-mail is sent by a real Celery worker on Redis, not inside the request."""

import re
import time

import pytest
from django.core import mail

from .factories import UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for_mail(count: int = 1, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def test_forgotten_password_mail_arrives_through_worker_and_link_sets_new_password(client, celery_worker):
    user = UserFactory(username="karin", email="karin@example.se")

    response = client.post("/konto/aterstall/", {"email": "karin@example.se"})
    assert response.status_code == 302
    assert response["Location"] == "/konto/aterstall/skickat/"

    wait_for_mail()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["karin@example.se"]
    assert message.subject == "Nytt lösenord till finsam"
    link = re.search(r"http://testserver(/konto/aterstall/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Välj nytt lösenord" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Ett-nytt-langt-losen-42", "new_password2": "Ett-nytt-langt-losen-42"},
    )
    assert done["Location"] == "/konto/aterstall/klart/"
    user.refresh_from_db()
    assert user.check_password("Ett-nytt-langt-losen-42")


def test_unknown_address_gets_same_answer_and_no_mail(client, celery_worker):
    response = client.post("/konto/aterstall/", {"email": "okand@example.se"})
    assert response["Location"] == "/konto/aterstall/skickat/"
    time.sleep(0.5)
    assert mail.outbox == []


SENT_PAGE_TEXT = "Om adressen hör till ett konto har vi skickat en länk"


def test_broker_down_gives_the_same_answer_for_an_existing_address(client, broker_down, caplog):
    UserFactory(username="karin", email="karin@example.se")
    response = client.post("/konto/aterstall/", {"email": "karin@example.se"})
    assert response.status_code == 302
    assert response["Location"] == "/konto/aterstall/skickat/"
    assert SENT_PAGE_TEXT in client.get(response["Location"]).content.decode()
    assert mail.outbox == []
    assert "kunde inte köas" in caplog.text


def test_an_existing_and_an_unknown_address_get_the_same_answer(client, celery_worker):
    UserFactory(username="karin", email="karin@example.se")
    answers = []
    for address in ("karin@example.se", "okand@example.se"):
        response = client.post("/konto/aterstall/", {"email": address}, follow=True)
        answers.append(
            (response.redirect_chain, response.status_code, SENT_PAGE_TEXT in response.content.decode())
        )
    assert answers[0] == answers[1] == ([("/konto/aterstall/skickat/", 302)], 200, True)

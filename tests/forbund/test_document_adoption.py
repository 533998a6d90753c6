"""Adopted versus draft documents: a verksamhetsplan or an årsredovisning reaches the public archive
only as the fastställd edition of the exact version an agenda item's decision adopted, once the
minutes are justerade; drafts carry UTKAST on every page and are never public."""

from __future__ import annotations

import datetime
import hashlib
import io
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from finsam import rendering
from forbund.meetings.services import adoption, minutes
from forbund.meetings.services.minutes import ItemDecision, meeting_transition
from forbund.models import AgendaItem, Dokumentjobb, Faststallelse, MeetingStatus, Role, Styrelsemote, User
from tests.factories import StyrelsemoteFactory, user_with_role
from tests.forbund.test_meeting_minutes import Board, make_board, user_for

D = datetime.date
K = Role.Kind


@pytest.fixture
def board(forbund) -> Board:
    return make_board(forbund)


# Helpers ----------------------------------------------------------------------------------------


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().replace("\xa0", " ").split()) for page in reader.pages]


def read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def wait_for(predicate, seconds: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"Väntade förgäves: {what}")


def finished_job(board: Board, *, year: int = 2021, kind: str = "verksamhetsplan") -> Dokumentjobb:
    """A finished job as the worker leaves it: a draft and its unwatermarked master, two pages each."""
    pages = '<p>Verksamhetsplan</p><p style="break-before: page">Budget</p>'
    draft = _pdf(f"<p>UTKAST</p>{pages}")
    master = _pdf(pages)
    job = Dokumentjobb.objects.create(
        forbund=board.forbund, kind=kind, year=year, requested_by=board.samordnare, status="klar"
    )
    job.file.save("vp.pdf", ContentFile(draft), save=False)
    job.master_file.save("vp.pdf", ContentFile(master), save=False)
    job.checksum = hashlib.sha256(draft).hexdigest()
    job.master_checksum = hashlib.sha256(master).hexdigest()
    job.save()
    return job


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def add_item(
    meeting: Styrelsemote, job: Dokumentjobb, title: str = "Verksamhetsplan och budget"
) -> AgendaItem:
    return AgendaItem.objects.create(
        meeting=meeting, order=10, title=title, proposal="Styrelsen fastställer planen.", dokumentjobb=job
    )


def decide(board: Board, meeting: Styrelsemote, item: AgendaItem, action: str, text: str = "") -> None:
    """Attendance and every item's decision, `item` with the document choice `action`."""
    minutes.attendance_save(meeting=meeting, by=board.samordnare, entries=board.entries())
    decisions = [ItemDecision(other, decision=other.proposal) for other in meeting.items.exclude(pk=item.pk)]
    decisions.append(ItemDecision(item, decision=text or item.proposal, document_action=action))
    minutes.minutes_save(
        meeting=meeting, by=board.samordnare, decisions=decisions, justerare=[board.ledamoter[1]]
    )


def lock(board: Board, meeting: Styrelsemote) -> Styrelsemote:
    meeting_transition(meeting=meeting, to=MeetingStatus.GENOMFORT, by=board.samordnare)
    minutes.minutes_lock(meeting=meeting, by=board.samordnare)
    meeting.refresh_from_db()
    return meeting


def justera(board: Board, meeting: Styrelsemote) -> Styrelsemote:
    minutes.minutes_approve(meeting=meeting, by=board.chair_user)
    person = board.ledamoter[1]
    user = User.objects.filter(personer=person).first() or user_for(person)
    minutes.minutes_approve(meeting=meeting, by=user)
    meeting.refresh_from_db()
    return meeting


def archive(client, board: Board) -> str:
    return client.get(reverse("public_archive", kwargs={"forbund": board.forbund.slug})).content.decode()


def public_url(board: Board, pk: int) -> str:
    return reverse("public_verksamhetsplan", kwargs={"forbund": board.forbund.slug, "pk": pk})


# Through the real worker -----------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_rendered_draft_never_reaches_the_archive(board, client, settings, tmp_path, celery_worker):
    settings.MEDIA_ROOT = tmp_path
    job = rendering.document_request(
        forbund=board.forbund, kind="verksamhetsplan", year=2021, by=board.samordnare
    )
    wait_for(lambda: not Dokumentjobb.objects.get(pk=job.pk).is_running, what="utkastet")
    job.refresh_from_db()
    assert job.status == Dokumentjobb.Status.KLAR, job.error

    draft = pdf_pages(read(job.file))
    assert len(draft) > 1
    for number, text in enumerate(draft, start=1):
        assert "UTKAST" in text, f"sida {number}"
        assert "Utkast – inte fastställt" in text, f"sida {number}"
    master = pdf_pages(read(job.master_file))
    assert len(master) == len(draft)
    assert not any("UTKAST" in text for text in master)

    html = archive(client, board)
    assert "Verksamhetsplan och budget 2021" not in html
    assert client.get(public_url(board, job.pk)).status_code == 404
    client.force_login(board.samordnare)
    assert client.get(public_url(board, job.pk)).status_code == 404
    page = client.get(reverse("uppfoljning:job", kwargs={"forbund": board.forbund.slug, "pk": job.pk}))
    assert "Styrelsens beslut: <strong>Utkast</strong>" in page.content.decode()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_adopted_plan_is_published_only_once_the_minutes_are_justerade(
    board, client, settings, tmp_path, celery_worker
):
    settings.MEDIA_ROOT = tmp_path
    job = rendering.document_request(
        forbund=board.forbund, kind="verksamhetsplan", year=2021, by=board.samordnare
    )
    wait_for(lambda: Dokumentjobb.objects.get(pk=job.pk).status == "klar", what="utkastet")
    job.refresh_from_db()
    meeting = board.meeting
    item = add_item(meeting, job)
    decide(board, meeting, item, adoption.ADOPT)
    adopted = Faststallelse.objects.get()
    assert (adopted.dokumentjobb, adopted.checksum, adopted.adopted_on) == (job, job.checksum, D(2021, 3, 17))

    meeting = lock(board, meeting)
    assert "Verksamhetsplan och budget 2021" not in archive(client, board)
    assert client.get(public_url(board, adopted.pk)).status_code == 404
    staff = User.objects.get(pk=board.samordnare.pk)
    client.force_login(staff)
    page = client.get(reverse("uppfoljning:job", kwargs={"forbund": board.forbund.slug, "pk": job.pk}))
    assert "Beslutad, publiceras när protokollet justerats" in page.content.decode()
    client.logout()

    justera(board, meeting)
    wait_for(lambda: Faststallelse.objects.get().published_at is not None, what="den fastställda utgåvan")
    adopted.refresh_from_db()
    # The fourth item of the year's first meeting: § 4.
    line = "Fastställd av styrelsen 2021-03-17 § 4"
    html = archive(client, board)
    assert "Verksamhetsplan och budget 2021 (PDF)" in html
    assert line in html
    response = client.get(public_url(board, adopted.pk))
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    assert hashlib.sha256(served).hexdigest() == adopted.published_checksum
    pages = pdf_pages(served)
    assert len(pages) == len(pdf_pages(read(job.file)))
    for number, text in enumerate(pages, start=1):
        assert line in text, f"sida {number}"
        assert "UTKAST" not in text and "Utkast" not in text, f"sida {number}"
    # The draft the staff see is unchanged, and still a draft.
    assert hashlib.sha256(read(job.file)).hexdigest() == job.checksum
    assert all("UTKAST" in text for text in pdf_pages(read(job.file)))
    # The job's own id on the public URL is not the edition (unless it happens to be the adoption's).
    if job.pk != adopted.pk:
        assert client.get(public_url(board, job.pk)).status_code == 404
    client.force_login(staff)
    page = client.get(reverse("uppfoljning:job", kwargs={"forbund": board.forbund.slug, "pk": job.pk}))
    assert "Fastställd 2021-03-17 § 4" in page.content.decode()


# The rules -------------------------------------------------------------------------------------


def test_a_file_that_differs_from_the_linked_version_is_not_adopted(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = finished_job(board)
    job.file.save("annan.pdf", ContentFile(_pdf("<p>En annan version</p>")))
    item = add_item(board.meeting, job)
    with pytest.raises(ValidationError, match="kontrollsumman skiljer sig"):
        decide(board, board.meeting, item, adoption.ADOPT)
    assert not Faststallelse.objects.exists()
    item.refresh_from_db()
    assert item.decision == ""  # all or nothing


def test_a_draft_that_is_not_finished_is_not_adopted(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = Dokumentjobb.objects.create(
        forbund=board.forbund, kind="verksamhetsplan", year=2021, requested_by=board.samordnare
    )
    item = add_item(board.meeting, job)
    with pytest.raises(ValidationError, match="inte färdigt"):
        decide(board, board.meeting, item, adoption.ADOPT)


def test_a_second_adoption_of_the_same_kind_and_year_is_refused_while_one_stands(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = add_item(board.meeting, finished_job(board))
    decide(board, board.meeting, first, adoption.ADOPT)
    later = StyrelsemoteFactory(forbund=board.forbund, date=D(2021, 5, 19), status=MeetingStatus.KALLAT)
    second = add_item(later, finished_job(board))
    with pytest.raises(ValidationError, match="redan fastställd av styrelsen 2021-03-17"):
        decide(board, later, second, adoption.ADOPT)
    assert Faststallelse.objects.count() == 1
    # Another year, or the other kind, is its own document.
    other_year = add_item(later, finished_job(board, year=2022), title="Plan 2022")
    decide(board, later, other_year, adoption.ADOPT)
    assert Faststallelse.objects.count() == 2


def test_unchoosing_the_adoption_before_justering_removes_it(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = add_item(board.meeting, finished_job(board))
    decide(board, board.meeting, item, adoption.ADOPT)
    decide(board, board.meeting, item, "")
    assert not Faststallelse.objects.exists()


def adopted_and_published(board: Board) -> tuple[Faststallelse, Dokumentjobb]:
    job = finished_job(board)
    item = add_item(board.meeting, job)
    decide(board, board.meeting, item, adoption.ADOPT)
    justera(board, lock(board, board.meeting))
    record = Faststallelse.objects.get()
    adoption.publish(adoption_id=record.pk)  # the worker's part, run here
    record.refresh_from_db()
    return record, job


def test_justering_publishes_the_stamped_master(board, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record, job = adopted_and_published(board)
    assert record.is_published and record.published_at is not None
    pages = pdf_pages(read(record.published_file))
    assert pages == [
        "Verksamhetsplan Fastställd av styrelsen 2021-03-17 § 4",
        "Budget Fastställd av styrelsen 2021-03-17 § 4",
    ]
    assert adoption.publish(adoption_id=record.pk) is None  # not twice


def test_an_adoption_the_broker_never_heard_of_is_published_by_the_sweep(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = finished_job(board)
    item = add_item(board.meeting, job)
    decide(board, board.meeting, item, adoption.ADOPT)
    justera(board, lock(board, board.meeting))  # no worker here: the publish task is never run

    assert adoption.publish_waiting() == 1

    record = Faststallelse.objects.get()
    assert record.is_published
    assert pdf_pages(read(record.published_file))[0].endswith("Fastställd av styrelsen 2021-03-17 § 4")
    assert adoption.publish_waiting() == 0


def test_an_adoption_whose_minutes_are_not_justerade_waits(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = finished_job(board)
    item = add_item(board.meeting, job)
    decide(board, board.meeting, item, adoption.ADOPT)
    lock(board, board.meeting)

    assert adoption.publish_waiting() == 0
    assert not Faststallelse.objects.get().is_published


def test_withdrawal_keeps_the_record_and_takes_the_file_out_of_the_archive(board, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record, job = adopted_and_published(board)
    assert client.get(public_url(board, record.pk)).status_code == 200

    later = StyrelsemoteFactory(forbund=board.forbund, date=D(2021, 9, 15), status=MeetingStatus.KALLAT)
    item = add_item(later, job, title="Återkallelse av verksamhetsplanen")
    decide(board, later, item, adoption.WITHDRAW, text="Planen återkallas: budgeten bygger på fel bidrag.")
    lock(board, later)

    record.refresh_from_db()
    assert (record.withdrawn_by_item, record.withdrawn_on) == (item, D(2021, 9, 15))
    assert record.withdrawal_reason == "Planen återkallas: budgeten bygger på fel bidrag."
    assert record.published_file  # kept, never deleted
    html = archive(client, board)
    # § numbers run through the year: the March meeting had § 1–4.
    assert "Återkallad 2021-09-15 § 5" in html
    assert "Fastställd av styrelsen 2021-03-17 § 4" in html
    assert public_url(board, record.pk) not in html
    assert client.get(public_url(board, record.pk)).status_code == 404
    # With the plan withdrawn, a new version may be adopted.
    next_meeting = StyrelsemoteFactory(
        forbund=board.forbund, date=D(2021, 10, 19), status=MeetingStatus.KALLAT
    )
    decide(board, next_meeting, add_item(next_meeting, finished_job(board)), adoption.ADOPT)
    assert Faststallelse.objects.count() == 2


def test_only_an_adopted_document_is_withdrawn_and_only_by_a_later_decision(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = finished_job(board)
    item = add_item(board.meeting, job)
    with pytest.raises(ValidationError, match="inget att återkalla"):
        decide(board, board.meeting, item, adoption.WITHDRAW)
    decide(board, board.meeting, item, adoption.ADOPT)
    earlier = StyrelsemoteFactory(forbund=board.forbund, date=D(2021, 2, 10), status=MeetingStatus.KALLAT)
    with pytest.raises(ValidationError, match="återkallas av ett senare beslut"):
        decide(board, earlier, add_item(earlier, job), adoption.WITHDRAW)


def test_a_decision_on_a_meeting_document_offers_no_adoption(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = finished_job(board, kind="motespaket")
    item = add_item(board.meeting, job)
    with pytest.raises(ValidationError, match="bara en verksamhetsplan eller en årsredovisning"):
        decide(board, board.meeting, item, adoption.ADOPT)


def test_the_service_refuses_anyone_but_the_samordnare(board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = add_item(board.meeting, finished_job(board))
    ekonom = user_with_role(board.forbund, K.EKONOM)
    with pytest.raises(PermissionDenied):
        adoption.record_document_decision(meeting=board.meeting, item=item, action=adoption.ADOPT, by=ekonom)


# The minutes page's POST -----------------------------------------------------------------------


def post_adoption(client, board: Board, item: AgendaItem):
    minutes.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    data = {f"punkt{i.pk}-decision": i.proposal for i in board.meeting.items.all()}
    data[f"punkt{item.pk}-document_action"] = adoption.ADOPT
    data["justerare"] = [str(board.ledamoter[1].pk)]
    url = reverse("forbund:protokoll", kwargs={"forbund": board.forbund.slug, "pk": board.meeting.pk})
    return client.post(url, data)


def test_the_samordnare_adopts_on_the_minutes_page(board, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = add_item(board.meeting, finished_job(board))
    client = login(board.samordnare)
    page = client.get(
        reverse("forbund:protokoll", kwargs={"forbund": board.forbund.slug, "pk": board.meeting.pk})
    )
    assert "Styrelsen fastställer dokumentet" in page.content.decode()
    response = post_adoption(client, board, item)
    assert response.status_code == 302, response.content.decode()
    assert Faststallelse.objects.get().item == item


@pytest.mark.parametrize("kind", [K.EKONOM, K.STYRELSELEDAMOT, K.ERSATTARE, K.REVISOR, K.PROJEKTAGARE])
def test_other_roles_cannot_adopt(board, login, user_in, settings, tmp_path, kind):
    settings.MEDIA_ROOT = tmp_path
    item = add_item(board.meeting, finished_job(board))
    response = post_adoption(login(user_in(board.forbund, kind)), board, item)
    assert response.status_code == 403
    assert not Faststallelse.objects.exists()


def test_a_samordnare_of_another_forbund_gets_404(board, other_forbund, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = add_item(board.meeting, finished_job(board))
    response = post_adoption(login(user_with_role(other_forbund, K.SAMORDNARE)), board, item)
    assert response.status_code == 404
    assert not Faststallelse.objects.exists()


def test_the_archive_lists_documents_and_minutes_per_year_in_few_queries(
    board, client, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    adopted_and_published(board)
    with django_assert_max_num_queries(6):
        html = archive(client, board)
    year = html.index('id="rubrik-ar-2021"')
    assert html.index("Verksamhetsplan och budget 2021 (PDF)") > year
    assert html.index("Styrelsemöte 2021-03-17") > year

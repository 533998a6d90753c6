"""Demo board meetings for Trelleborg 2021: 17 March held, minutes justerade and announced; 19 May
called with its agenda and papers. Everything goes through the same services as the pages, except
the notices (the demo's dates are in the past, and a notice is never sent for a past meeting)."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile

from ekonomi.models import Budget
from finsam import workflow
from forbund.meetings.selectors.notice import notice_snapshot
from forbund.meetings.services.agenda import (
    agenda_delegation_item_add,
    agenda_item_save,
    delegationsbeslut_save,
)
from forbund.meetings.services.minutes import (
    AttendanceEntry,
    ItemDecision,
    attendance_save,
    meeting_transition,
    minutes_approve,
    minutes_lock,
    minutes_save,
)
from forbund.models import (
    AgendaItem,
    Attendance,
    Delegationsbeslut,
    Forbund,
    MeetingStatus,
    NoticeVersion,
    Person,
    Styrelsemote,
    Styrelseuppdrag,
    User,
)
from uppfoljning.models import Tertialrapport

D = datetime.date


def load_meetings(forbund: Forbund, users: dict[str, User]) -> None:
    samordnare = users["samordnare"]
    march = Styrelsemote.objects.get(forbund=forbund, date=D(2021, 3, 17))
    if march.status == MeetingStatus.PLANERAT:
        _hold_march(forbund, march, users)
    may = Styrelsemote.objects.get(forbund=forbund, date=D(2021, 5, 19))
    if may.status == MeetingStatus.PLANERAT:
        _call_may(forbund, may, samordnare)


def _item(meeting, by, title, kind, proposal="", **links) -> AgendaItem:
    item = AgendaItem(
        meeting=meeting, title=title, kind=kind, proposal=proposal, presenter="Samordnaren", **links
    )
    return agenda_item_save(meeting=meeting, item=item, by=by)


def _call(meeting, by) -> None:
    """What notice_send records, for a meeting whose date has passed."""
    board = Person.objects.filter(
        forbund_id=meeting.forbund_id, styrelseuppdrag__start__lte=meeting.date
    ).distinct()
    NoticeVersion.objects.create(
        meeting=meeting,
        version=1,
        sent_by=by,
        recipients="\n".join(f"{p.name} <{p.email}>" for p in board if p.email),
        snapshot=notice_snapshot(meeting),
    )
    workflow.transition(meeting, to=MeetingStatus.KALLAT, by=by, comment="Kallelse version 1", automatic=True)


def _hold_march(forbund, meeting, users) -> None:
    samordnare = users["samordnare"]
    Styrelsemote.objects.filter(pk=meeting.pk).update(
        notice_text="Välkomna till styrelsemöte i Svedala. Årsredovisningen för 2020 ska godkännas."
    )
    chef = Person.objects.get(forbund=forbund, name="Karin Lindqvist")
    delegation = Delegationsbeslut(
        forbund=forbund,
        decided_on=D(2021, 2, 22),
        title="Avtal om extern utvärdering av Unga Vuxna",
        description="Samordnaren har tecknat avtal med en utvärderare inom den beviljade budgeten.",
        delegation_point="3.2",
        decided_by=chef,
    )
    if not Delegationsbeslut.objects.filter(forbund=forbund, title=delegation.title).exists():
        delegationsbeslut_save(forbund=forbund, instance=delegation, by=samordnare)
    budget = Budget.objects.filter(forbund=forbund, year=2021).order_by("-version").first()
    _item(
        meeting,
        samordnare,
        "Årsredovisning 2020",
        AgendaItem.Kind.BESLUT,
        "Styrelsen godkänner årsredovisningen för 2020 och överlämnar den till medlemmarna.",
    )
    ekonomi = _item(meeting, samordnare, "Ekonomisk rapport", AgendaItem.Kind.INFORMATION, budget=budget)
    agenda_delegation_item_add(meeting=meeting, by=samordnare)
    _call(meeting, samordnare)

    uppdrag = Styrelseuppdrag.objects.filter(forbund=forbund, start__lte=meeting.date).select_related(
        "person"
    )
    entries = [
        AttendanceEntry(
            person=u.person,
            role=Attendance.Role.LEDAMOT
            if u.role == Styrelseuppdrag.Role.LEDAMOT
            else Attendance.Role.ERSATTARE,
            present=u.role == Styrelseuppdrag.Role.LEDAMOT or u.person.name == "Mikael Nyström",
        )
        for u in uppdrag
    ]
    # The board's ordförande, Eva Holmberg, is present and so presides; Mikael Nyström justerar.
    attendance_save(meeting=meeting, by=samordnare, entries=entries)
    justerare = Person.objects.get(forbund=forbund, name="Mikael Nyström")
    texts = {ekonomi.pk: "Styrelsen noterar den ekonomiska rapporten."}
    decisions = [
        ItemDecision(item=item, decision=texts.get(item.pk, item.proposal))
        for item in meeting.items.all()
        if texts.get(item.pk, item.proposal)
    ]
    minutes_save(meeting=meeting, by=samordnare, decisions=decisions, justerare=[justerare])
    meeting_transition(meeting=meeting, to=MeetingStatus.GENOMFORT, by=samordnare)
    minutes_lock(meeting=meeting, by=samordnare)
    minutes_approve(meeting=meeting, by=users["ledamot"])  # Eva Holmberg, ordförande vid sammanträdet
    minutes_approve(meeting=meeting, by=users["ersattare"])  # Mikael Nyström, justerare
    Styrelsemote.objects.filter(pk=meeting.pk).update(announced_on=D(2021, 3, 24))


def _call_may(forbund, meeting, samordnare) -> None:
    Styrelsemote.objects.filter(pk=meeting.pk).update(
        notice_text="Välkomna till styrelsemötet. Insatsernas rapporter för januari–april behandlas."
    )
    for report in Tertialrapport.objects.filter(
        period__forbund=forbund, period__year=2021, period__kind="T1"
    ).select_related("insats"):
        _item(
            meeting,
            samordnare,
            f"Tertialrapport 1: {report.insats.name}",
            AgendaItem.Kind.BESLUT,
            "Styrelsen godkänner rapporten och lägger den till handlingarna.",
            tertialrapport=report,
        )
    item = _item(meeting, samordnare, "Information från parterna", AgendaItem.Kind.INFORMATION)
    if not item.attachments.exists():
        agenda_item_save(
            meeting=meeting,
            item=item,
            by=samordnare,
            attachment_title="Lägesbild från Arbetsförmedlingen",
            attachment_file=ContentFile(_small_pdf(), name="lagesbild-arbetsformedlingen.pdf"),
        )
    _call(meeting, samordnare)


def _small_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<html lang='sv'><body><h1>Lägesbild</h1><p>Arbetsförmedlingens omställning och "
        "vad den betyder för samverkan i Trelleborg under våren 2021.</p></body></html>"
    ).write_pdf()

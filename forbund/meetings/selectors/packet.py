"""What the meeting packet (*möteshandlingar*) contains, for the PDF and for the page: the notice,
the agenda, and every item followed by its papers: the linked insats, report, budget or document
and the uploaded files. For the PDF each uploaded PDF's pages are counted, so the template can
reserve a page for each of them (see `forbund.meetings.packet`)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from forbund.models import AgendaAttachment, AgendaItem, Dokumentjobb, NoticeVersion, Styrelsemote

logger = logging.getLogger(__name__)

ITEM_ANCHOR = "punkt-{pk}"
ATTACHMENT_ANCHOR = "bilaga-h{pk}"  # an uploaded paper
DOCUMENT_ANCHOR = "bilaga-d{pk}"  # a generated document (Dokumentjobb)
FOOTER_BAND = 16 * 72 / 25.4  # the reserved page's bottom margin, where the page stamp sits (pt)


@dataclass
class Paper:
    """One paper that follows an item: merged into the PDF when it is a readable PDF, otherwise listed."""

    title: str
    filename: str
    anchor: str = ""
    pages: int = 0  # pages reserved in the PDF; 0 = listed only
    download_url: str = ""
    problem: str = ""  # why it is only listed
    is_document: bool = False

    @property
    def merged(self) -> bool:
        return self.pages > 0

    @property
    def page_range(self) -> range:
        return range(self.pages)


@dataclass
class PacketItem:
    item: AgendaItem
    number: int
    anchor: str
    insats: dict | None = None
    report: dict | None = None
    budget: dict | None = None
    document: Dokumentjobb | None = None
    papers: list[Paper] = field(default_factory=list)


def _items(meeting: Styrelsemote):
    from insatser.selectors import budget_lines_for_table

    return (
        meeting.items.select_related(
            "insats__owner",
            "tertialrapport__insats",
            "tertialrapport__period",
            "budget",
            "dokumentjobb__meeting",
            "dokumentjobb__forbund",
        )
        .prefetch_related(
            Prefetch("attachments", queryset=AgendaAttachment.objects.order_by("uploaded_at", "id")),
            "insats__partners",
            Prefetch("insats__budget_lines", queryset=budget_lines_for_table()),
            "tertialrapport__counts",
        )
        .order_by("order", "id")
    )


def pdf_pages(file) -> tuple[int, str]:
    """How many pages a stored PDF has, or why it cannot be merged."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
            if reader.is_encrypted and not reader.decrypt(""):
                return 0, "filen är lösenordsskyddad"
            return len(reader.pages), ""
    except (PdfReadError, OSError, ValueError) as error:
        logger.warning("Bilagan %s kunde inte läsas: %s", file.name, error)
        return 0, "filen kunde inte läsas som PDF"


def _insats_section(insats) -> dict:
    from insatser.selectors import budget_table

    return {"insats": insats, "budget": budget_table(insats)}


def _report_section(report) -> dict:
    from uppfoljning.selectors.reports import count_groups

    # The packet goes to the board: small counts are masked, as on the report page for readers.
    groups = [{"dimension": dimension, "rows": rows} for dimension, rows in count_groups(report, exact=False)]
    texts = [
        (report._meta.get_field(name).verbose_name.capitalize(), getattr(report, name))
        for name in ("cooperation", "activities", "deviations", "implementation")
    ]
    return {"report": report, "texts": texts, "groups": groups}


def _budget_section(budget) -> dict:
    from ekonomi.selectors.budget import budget_overview

    return {"budget": budget, "overview": budget_overview(budget)}


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def document_title(job: Dokumentjobb) -> str:
    if job.meeting_id:
        return f"{job.get_kind_display()} {job.meeting.date:%Y-%m-%d}"
    return f"{job.get_kind_display()} {job.year}"


def packet_context(meeting: Styrelsemote, *, for_pdf: bool = True) -> dict:
    """Everything the packet shows, for the PDF and for the page. For the PDF each uploaded PDF's
    pages are counted, so the template can reserve them."""
    slug = meeting.forbund.slug
    items = []
    for number, item in enumerate(_items(meeting), start=1):
        entry = PacketItem(item=item, number=number, anchor=ITEM_ANCHOR.format(pk=item.pk))
        if item.insats_id:
            entry.insats = _insats_section(item.insats)
        elif item.tertialrapport_id:
            entry.report = _report_section(item.tertialrapport)
        elif item.budget_id:
            entry.budget = _budget_section(item.budget)
        elif item.dokumentjobb_id:
            job = item.dokumentjobb
            entry.document = job
            paper = Paper(
                title=document_title(job),
                filename=job.filename,
                anchor=DOCUMENT_ANCHOR.format(pk=job.pk),
                is_document=True,
            )
            if job.status != Dokumentjobb.Status.KLAR or not job.file:
                paper.problem = "dokumentet är inte färdigt"
            else:
                paper.download_url = _url("uppfoljning:job_download", forbund=slug, pk=job.pk)
                if for_pdf:
                    paper.pages, paper.problem = pdf_pages(job.file)
            entry.papers.append(paper)
        for attachment in item.attachments.all():
            paper = Paper(
                title=attachment.title,
                filename=attachment.file.name.rsplit("/", 1)[-1],
                anchor=ATTACHMENT_ANCHOR.format(pk=attachment.pk),
                download_url=_url(
                    "forbund:agenda_attachment", forbund=slug, pk=meeting.pk, attachment_pk=attachment.pk
                ),
            )
            if not attachment.is_pdf:
                paper.problem = "kan inte visas i PDF"
            elif for_pdf:
                paper.pages, paper.problem = pdf_pages(attachment.file)
            entry.papers.append(paper)
        items.append(entry)
    notice = NoticeVersion.objects.filter(meeting=meeting).order_by("-version").first()
    return {
        "meeting": meeting,
        "items": items,
        "notice": notice,
        "late_items": [entry for entry in items if entry.item.added_late],
        "for_pdf": for_pdf,
    }


def minutes_pdf_done(meeting: Styrelsemote) -> Dokumentjobb | None:
    """The latest finished PDF of the minutes, if it was asked for after the last rättelse (so it
    shows every rättelse); None when a new one is needed."""
    jobs = Dokumentjobb.objects.filter(
        meeting=meeting, kind=Dokumentjobb.Kind.PROTOKOLL, status=Dokumentjobb.Status.KLAR
    )
    last_correction = meeting.rattelser.order_by("-made_at").values_list("made_at", flat=True).first()
    if last_correction is not None:
        jobs = jobs.filter(requested_at__gt=last_correction)
    return jobs.order_by("-finished_at", "-id").first()

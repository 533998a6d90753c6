"""The meeting packet (*möteshandlingar*): one PDF with the notice, the agenda with page numbers and
every item followed by its papers, and the same content as a page for board members.

The packet is rendered by the one rendering service (finsam/rendering.py). Uploaded PDFs and
generated documents are merged in by `packet_postprocess`: the template reserves one empty page
per attachment page (with the running "sida x av y" footer), so the agenda's page numbers and the
page count are right from the start; afterwards each attachment page is laid onto its reserved page,
scaled to leave the footer free, and every item gets a PDF bookmark at its first page.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from django.db.models import Prefetch

from forbund.models import (
    AgendaAttachment,
    AgendaItem,
    Dokumentjobb,
    NoticeVersion,
    Styrelsemote,
)

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


# Context --------------------------------------------------------------------------------------


def _items(meeting: Styrelsemote):
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
            Prefetch("attachments", queryset=AgendaAttachment.objects.order_by("uploaded_at", "id"))
        )
        .order_by("order", "id")
    )


def _pdf_pages(file) -> tuple[int, str]:
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
    from uppfoljning import statistics
    from uppfoljning.reports import counts_of

    counts = counts_of(report)
    groups = []
    for dimension in statistics.dimensions_for(report.insats.kind):
        shown = statistics.masked_dimension(dimension, counts)
        labels = [label for _, label in dimension.categories]
        groups.append({"dimension": dimension, "rows": list(zip(labels, shown, strict=True))})
    texts = [
        (report._meta.get_field(name).verbose_name.capitalize(), getattr(report, name))
        for name in ("cooperation", "activities", "deviations", "implementation")
    ]
    return {"report": report, "texts": texts, "groups": groups}


def _budget_section(budget) -> dict:
    from ekonomi.selectors.budget import budget_overview

    return {"budget": budget, "overview": budget_overview(budget)}


def _url(name: str, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


def _document_title(job: Dokumentjobb) -> str:
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
                title=_document_title(job),
                filename=job.filename,
                anchor=DOCUMENT_ANCHOR.format(pk=job.pk),
                is_document=True,
            )
            if job.status != Dokumentjobb.Status.KLAR or not job.file:
                paper.problem = "dokumentet är inte färdigt"
            else:
                paper.download_url = _url("uppfoljning:job_download", forbund=slug, pk=job.pk)
                if for_pdf:
                    paper.pages, paper.problem = _pdf_pages(job.file)
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
                paper.pages, paper.problem = _pdf_pages(attachment.file)
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


def packet_document_context(forbund, year, meeting) -> dict:
    """The rendering service's context function for kind "motespaket"."""
    return packet_context(meeting, for_pdf=True)


# Postprocessing -------------------------------------------------------------------------------


def _fit_onto(target, source) -> None:
    """Lay `source` (an attachment page) onto `target` (a reserved A4 page), scaled to fit above the
    footer band and centred, so the page stamp stays readable."""
    from pypdf import Transformation

    if source.get("/Rotate", 0):
        source.transfer_rotation_to_content()
    box = source.cropbox
    width, height = float(box.width), float(box.height)
    target_width = float(target.mediabox.width)
    target_height = float(target.mediabox.height) - FOOTER_BAND
    scale = min(1.0, target_width / width, target_height / height)
    offset_x = (target_width - width * scale) / 2
    offset_y = FOOTER_BAND + (target_height - height * scale)
    transform = (
        Transformation()
        .translate(-float(box.left), -float(box.bottom))
        .scale(scale, scale)
        .translate(offset_x, offset_y)
    )
    target.merge_transformed_page(source, transform, over=True)


def _source_reader(anchor: str, meeting: Styrelsemote):
    from pypdf import PdfReader

    kind, pk = anchor[len("bilaga-")], int(anchor[len("bilaga-") + 1 :])
    if kind == "h":
        stored = AgendaAttachment.objects.get(pk=pk, item__meeting=meeting).file
    else:
        stored = Dokumentjobb.objects.get(pk=pk, forbund_id=meeting.forbund_id).file
    with stored.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def _outline(meeting: Styrelsemote):
    """(anchor, title, [(paper anchor, paper title)]) per item, in agenda order."""
    items = (
        meeting.items.select_related("dokumentjobb__meeting")
        .prefetch_related(
            Prefetch("attachments", queryset=AgendaAttachment.objects.order_by("uploaded_at", "id"))
        )
        .order_by("order", "id")
    )
    for number, item in enumerate(items, start=1):
        papers = []
        if item.dokumentjobb_id:
            papers.append(
                (DOCUMENT_ANCHOR.format(pk=item.dokumentjobb_id), _document_title(item.dokumentjobb))
            )
        papers += [(ATTACHMENT_ANCHOR.format(pk=a.pk), a.title) for a in item.attachments.all()]
        yield ITEM_ANCHOR.format(pk=item.pk), f"{number}. {item.title}", papers


def packet_postprocess(pdf: bytes, job: Dokumentjobb) -> bytes:
    """Merge the attachments onto their reserved pages and add one bookmark per item (with its
    attachments beneath it), using the anchors WeasyPrint wrote as named destinations."""
    from pypdf import PdfReader, PdfWriter

    meeting = job.meeting
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    pages_of = {
        name: writer.get_destination_page_number(dest) for name, dest in writer.named_destinations.items()
    }

    for anchor, first_page in pages_of.items():
        if not anchor.startswith("bilaga-"):
            continue
        reader = _source_reader(anchor, meeting)
        for offset, source in enumerate(reader.pages):
            _fit_onto(writer.pages[first_page + offset], source)

    # One bookmark per item at its first page, its merged papers beneath it.
    writer.root_object.pop("/Outlines", None)
    for anchor, title, papers in _outline(meeting):
        if anchor not in pages_of:
            continue
        parent = writer.add_outline_item(title, pages_of[anchor])
        for paper_anchor, paper_title in papers:
            if paper_anchor in pages_of:
                writer.add_outline_item(f"Bilaga: {paper_title}", pages_of[paper_anchor], parent=parent)
    writer.page_mode = "/UseOutlines"

    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# Registration ---------------------------------------------------------------------------------


def minutes_document_context(forbund, year, meeting) -> dict:
    """The rendering service's context function for kind "protokoll" (the minutes module is
    imported when a job runs, so this module does not depend on it at start-up)."""
    from forbund.meetings.minutes import minutes_context

    return minutes_context(meeting)


def register_documents() -> None:
    from finsam import rendering

    rendering.register(
        "motespaket",
        template="forbund/meetings/pdf/packet.html",
        context=packet_document_context,
        rule="view_meetings",
        per_meeting=True,
        postprocess=packet_postprocess,
    )
    rendering.register(
        "protokoll",
        template="forbund/meetings/pdf/minutes.html",
        context=minutes_document_context,
        rule="view_meetings",
        per_meeting=True,
    )

"""The meeting's documents for the one rendering service (finsam/rendering.py): the packet
(*möteshandlingar*) as one PDF, and the minutes.

Uploaded PDFs and generated documents are merged into the packet by `packet_postprocess`: the
template reserves one empty page per attachment page (with the running "sida x av y" footer), so
the agenda's page numbers and the page count are right from the start; afterwards each attachment
page is laid onto its reserved page, scaled to leave the footer free, and every item gets a PDF
bookmark at its first page. What the packet contains is `selectors.packet.packet_context`.
"""

from __future__ import annotations

import io

from django.db.models import Prefetch

from forbund.models import AgendaAttachment, Dokumentjobb, Styrelsemote

from .selectors.minutes import minutes_context
from .selectors.packet import (
    ATTACHMENT_ANCHOR,
    DOCUMENT_ANCHOR,
    FOOTER_BAND,
    ITEM_ANCHOR,
    document_title,
    packet_context,
)


def packet_document_context(forbund, year, meeting) -> dict:
    """The rendering service's context function for kind "motespaket"."""
    return packet_context(meeting, for_pdf=True)


def minutes_document_context(forbund, year, meeting) -> dict:
    """The rendering service's context function for kind "protokoll"."""
    return minutes_context(meeting)


# Postprocessing -------------------------------------------------------------------------------


def _fit_onto(writer, target, source) -> None:
    """Lay `source` (an attachment page) onto `target` (a reserved A4 page), scaled to fit above the
    footer band and centred, so the page stamp stays readable."""
    from finsam import pdfoverlay

    form = pdfoverlay.form_xobject(writer, source)
    box = source.cropbox
    width, height = float(box.width), float(box.height)
    target_width = float(target.mediabox.width)
    target_height = float(target.mediabox.height) - FOOTER_BAND
    scale = min(1.0, target_width / width, target_height / height)
    offset_x = (target_width - width * scale) / 2
    offset_y = FOOTER_BAND + (target_height - height * scale)
    matrix = (
        scale,
        0.0,
        0.0,
        scale,
        offset_x - float(box.left) * scale,
        offset_y - float(box.bottom) * scale,
    )
    pdfoverlay.draw(writer, target, form, matrix)


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
                (DOCUMENT_ANCHOR.format(pk=item.dokumentjobb_id), document_title(item.dokumentjobb))
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
            _fit_onto(writer, writer.pages[first_page + offset], source)

    # One bookmark per item at its first page, its merged papers beneath it.
    writer.root_object.pop("/Outlines", None)
    for anchor, title, papers in _outline(meeting):
        if anchor not in pages_of:
            continue
        parent = writer.add_outline_item(title=title, page_number=pages_of[anchor])
        for paper_anchor, paper_title in papers:
            if paper_anchor in pages_of:
                writer.add_outline_item(
                    title=f"Bilaga: {paper_title}", page_number=pages_of[paper_anchor], parent=parent
                )
    writer.page_mode = "/UseOutlines"

    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# Registration ---------------------------------------------------------------------------------


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

"""The PDFs `make bench` measures, each run in its own process by `manage.py bench --pdf <kind>`:
the verksamhetsplan of the largest förbund, its årsredovisning, and a meeting packet with a
100-page attachment merged in. Seconds are wall time of rendering (and merging); peak memory is
the process's maximum resident set, which includes Python and Django (about 80 MB)."""

from __future__ import annotations

import io
import resource
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

ATTACHMENT_PAGES = 100


class _Rollback(Exception):
    pass


def attachment_pdf() -> bytes:
    """A 100-page attachment, made once and kept in var/ (its making is not what is measured)."""
    path = Path(settings.VAR_DIR) / "bench-bilaga-100-sidor.pdf"
    if not path.exists():
        from weasyprint import HTML

        body = "".join(
            f'<section class="p"><h1>Bilaga, sida {n}</h1><p>{"Revisorernas granskning av året. " * 40}</p>'
            "</section>"
            for n in range(1, ATTACHMENT_PAGES + 1)
        )
        html = f"<style>.p {{ break-after: page; }}</style>{body}"
        path.write_bytes(HTML(string=html).write_pdf())
    return path.read_bytes()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, forbund) -> tuple[str, float, float, int]:
    from pypdf import PdfReader

    from ekonomi.models import Budget

    year = Budget.objects.filter(forbund=forbund).order_by("-year").values_list("year", flat=True).first()
    if kind == "packet":
        label, seconds, pdf = _packet(forbund)
    else:
        label, seconds, pdf = _document(kind, forbund, year)
    return label, seconds, _peak_mb(), len(PdfReader(io.BytesIO(pdf)).pages)


def _document(kind: str, forbund, year: int) -> tuple[str, float, bytes]:
    from finsam.rendering import mark_draft, render_pdf
    from uppfoljning.selectors.arsredovisning import arsredovisning_context
    from uppfoljning.selectors.documents import verksamhetsplan_context

    if kind == "verksamhetsplan":
        context, template, label = (
            verksamhetsplan_context(forbund, year),
            "verksamhetsplan",
            f"Verksamhetsplan {year}",
        )
    else:
        year -= 1
        context, template, label = (
            arsredovisning_context(forbund, year),
            "arsredovisning",
            f"Årsredovisning {year}",
        )
    context.update(forbund=forbund, year=year, generated_at=timezone.now())
    started = time.perf_counter()
    # As the worker does for a document the board adopts: the master, and the draft marked on it.
    pdf = mark_draft(render_pdf(f"uppfoljning/pdf/{template}.html", {**context, "draft": False}))
    return f"{label} (utkast och original)", time.perf_counter() - started, pdf


def _packet(forbund) -> tuple[str, float, bytes]:
    """A meeting with its insats items and one 100-page attachment, rendered and merged, then rolled back."""
    from finsam.rendering import render_pdf
    from forbund.meetings.packet import packet_document_context, packet_postprocess
    from forbund.models import AgendaAttachment, AgendaItem, Styrelsemote, User

    attachment = attachment_pdf()
    result = {}
    with tempfile.TemporaryDirectory() as media, _media_root(media):
        try:
            with transaction.atomic():
                meeting = Styrelsemote.objects.filter(forbund=forbund, items__insats__isnull=False).order_by(
                    "-date"
                )[0]
                item = AgendaItem.objects.create(
                    meeting=meeting, order=99, kind="information", title="Revisorernas granskning"
                )
                AgendaAttachment.objects.create(
                    item=item,
                    title="Granskningsrapport",
                    file=ContentFile(attachment, name="granskning.pdf"),
                    uploaded_by=User.objects.get(username=f"{forbund.slug}-samordnare"),
                )
                started = time.perf_counter()
                context = packet_document_context(forbund, meeting.date.year, meeting)
                context.update(
                    meeting=meeting, forbund=forbund, year=meeting.date.year, generated_at=timezone.now()
                )
                pdf = render_pdf("forbund/meetings/pdf/packet.html", {**context, "draft": False})
                job = type("Job", (), {"meeting": meeting})()
                pdf = packet_postprocess(pdf, job)
                result["seconds"] = time.perf_counter() - started
                result["pdf"] = pdf
                raise _Rollback
        except _Rollback:
            pass
    return f"Möteshandlingar med {ATTACHMENT_PAGES} sidors bilaga", result["seconds"], result["pdf"]


class _media_root:
    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self):
        from django.test.utils import override_settings

        self.override = override_settings(MEDIA_ROOT=self.path)
        self.override.enable()

    def __exit__(self, *exc):
        self.override.disable()

"""The one shape of a workflow's history (see `finsam.workflow`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StatusHistory(models.Model):
    """One step in a record's workflow: who took it, when, from and to which status, why, and where
    the workflow keeps one, the record as it was at that moment. Every workflow's history has this
    shape; each declares its key to the record and the choices of its statuses."""

    from_status = models.CharField("från", max_length=30, blank=True)
    to_status = models.CharField("till", max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="av"
    )
    at = models.DateTimeField("tidpunkt", auto_now_add=True)
    comment = models.TextField("kommentar", blank=True)
    snapshot = models.JSONField("posten vid tillfället", null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

"""`{% load board_decisions %}{% document_decisions job as decisions %}`: where the board decided on a
document, for `templates/includes/board_decision.html`."""

from django import template

from forbund.meetings.selectors.decisions import document_decisions as _document_decisions

register = template.Library()


@register.simple_tag
def document_decisions(dokumentjobb):
    return _document_decisions(dokumentjobb)

"""Template helpers for the list pages' filter forms (`templates/includes/filter_field.html`)."""

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def choice_list(field: BoundField) -> list[tuple]:
    """The field's choices read once. Not `list(...)`: that asks a model choice field's iterator for
    its length first, and it answers with a COUNT query, as a template loop would make it do."""
    return [choice for choice in field.field.choices]  # noqa: C416 - see above

"""`{% may "<rule>" subject as flag %}`: a rule from `finsam.access` for one row of a list (the page's
own subjects are answered by `may.<rule>`, which every förbund page gets)."""

from django import template

from finsam import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, rule: str, subject, *args) -> access.Verdict:
    return access.check(rule, context["request"].user, subject, *args)

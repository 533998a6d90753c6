"""Every page names the rule that guards it: a view reachable without one fails here."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import AdminSite
from django.urls import URLPattern, URLResolver, get_resolver

from finsam import access

# Django's own login, logout and password pages, and the admin site, which checks is_staff itself.
FRAMEWORK_MODULES = ("django.contrib.auth.views", "django.contrib.admin", "django.views.static")


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if isinstance(getattr(entry, "urlconf_name", None), list) and entry.app_name == "admin":
                continue
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _declared_rule(callback) -> str | None:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return getattr(view_class, "rule", None)
    return getattr(callback, "rule", None)


def _framework(callback) -> bool:
    view_class = getattr(callback, "view_class", callback)
    module = getattr(view_class, "__module__", "") or ""
    admin_site = getattr(callback, "admin_site", None) or isinstance(
        getattr(callback, "__self__", None), AdminSite
    )
    return module.startswith(FRAMEWORK_MODULES) or bool(admin_site)


APP_PATTERNS = [
    (route, callback) for route, callback in _patterns(get_resolver()) if not _framework(callback)
]


def test_the_urlconf_has_the_apps_pages():
    assert len(APP_PATTERNS) > 100


@pytest.mark.parametrize(("route", "callback"), APP_PATTERNS, ids=[route for route, _ in APP_PATTERNS])
def test_every_view_declares_an_existing_rule(route, callback):
    rule = _declared_rule(callback)
    assert rule is not None, f"{route} har ingen regel"
    assert rule == access.PUBLIC or rule in access.RULES, f"{route}: okänd regel {rule!r}"


def test_only_the_archive_the_health_check_and_the_start_page_are_public():
    public = sorted(route for route, callback in APP_PATTERNS if _declared_rule(callback) == access.PUBLIC)
    assert all(route.startswith("arkiv/") or route in {"halsa/", ""} for route in public), public
    assert "halsa/" in public
    assert any(route.startswith("arkiv/") for route in public)

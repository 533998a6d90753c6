"""Nobody who is not logged in sees anything but the login page: every URL of the project is walked,
so a new page that forgets protection fails here."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import resolve

from .conftest import walk_patterns

pytestmark = pytest.mark.django_db

LOGIN_URL = "/konto/logga-in/"
ADMIN_LOGIN_URL = "/admin/login/"

# Pages a visitor must reach without logging in (Django marks them login_not_required).
PUBLIC_PAGES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# The förbund's public archive (login_not_required): announced minutes and decided plans. The dummy
# förbund does not exist, so these answer 404 – never the login page.
PUBLIC_ARCHIVE = {"public_archive", "public_protokoll", "public_anslag", "public_verksamhetsplan"}
# The link in an invitation e-mail (login_not_required: the invitee has no account yet). The dummy
# token was never issued, so it answers 404 with an explanation – never the login page.
INVITATION_LINK = "invitation"
HEALTH_CHECK = "health"
ADMIN_LOGIN = "admin:login"

# Dummy values for URL parameters: by parameter name first, then by converter.
VALUES_BY_NAME = {"forbund": "trelleborg", "uidb64": "MQ", "token": "ogiltig-nyckel"}
VALUES_BY_CONVERTER = {
    "int": "1",
    "id": "1",
    "slug": "x",
    "str": "x",
    "path": "1",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "year": "2021",
}

REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _regex_value(match: re.Match) -> str:
    name, body = match["name"], match["body"]
    if name in VALUES_BY_NAME:
        return VALUES_BY_NAME[name]
    if "|" in body or re.fullmatch(r"[\w-]+", body):
        return body.split("|")[0]  # e.g. the admin's app_label alternatives
    return "finns-inte/"  # a catch-all such as (?P<url>.*)


def _route_value(match: re.Match) -> str:
    return VALUES_BY_NAME.get(match["name"]) or VALUES_BY_CONVERTER[match["converter"] or "str"]


def example_url(route: str) -> str:
    """A concrete URL for a route built from path() and re_path() pieces."""
    url = REGEX_GROUP.sub(_regex_value, route)
    url = ROUTE_PARAMETER.sub(_route_value, url)
    return "/" + url.replace("^", "").replace("$", "")


def all_urls() -> list[tuple[str, str | None, str]]:
    urls = []
    for route, name, pattern in walk_patterns():
        url = example_url(route)
        # The walker must build a URL that really reaches this pattern, or the test proves nothing.
        assert resolve(url).func is pattern.callback, f"{route} gav {url}, som går till en annan vy"
        urls.append((route, name, url))
    return urls


def test_every_url_redirects_an_anonymous_visitor_to_login(client):
    seen = set()
    for route, name, url in all_urls():
        seen.add(name)
        response = client.get(url)
        if name in PUBLIC_PAGES or name == ADMIN_LOGIN:
            assert response.status_code == 200, f"{url} ska vara öppen för inloggning"
        elif name in PUBLIC_ARCHIVE:
            assert response.status_code in {200, 404}, f"{url} ska vara öppen utan inloggning"
        elif name == INVITATION_LINK:
            assert response.status_code == 404, f"{url} ska förklara att länken inte gäller"
        elif name == HEALTH_CHECK:
            # Open without login; 503 here, as no worker has sent a heartbeat (tests/kernel/test_health.py).
            assert response.status_code in {200, 503}
            assert set(response.json()) >= {"database", "broker", "worker"}
        elif route.startswith("admin/"):
            # The admin site sends visitors to its own login page. Django's ModelAdmin views (and
            # UserAdmin's password page) carry no login_url, so LoginRequiredMiddleware sends those to
            # the site's login page, which also leads back to the admin. Nothing is shown either way.
            assert response.status_code == 302, url
            assert response.url in {
                f"{ADMIN_LOGIN_URL}?next={quote(url, safe='/')}",
                f"{LOGIN_URL}?next={quote(url, safe='/')}",
            }, url
            if name == "admin:index":
                assert response.url == f"{ADMIN_LOGIN_URL}?next=/admin/"
        else:
            assert response.status_code == 302, f"{url} ({name}) är inte skyddad: {response.status_code}"
            assert response.url == f"{LOGIN_URL}?next={quote(url, safe='/')}", url

    # The exceptions above must name pages that exist, or they would hide nothing and mean nothing.
    assert PUBLIC_PAGES | {HEALTH_CHECK, ADMIN_LOGIN, "admin:index"} <= seen
    assert "forbund:dashboard" in seen
    assert "insatser:detail" in seen


def test_anonymous_post_to_a_forbund_form_is_redirected_to_login_and_saves_nothing(client, forbund):
    from forbund.models import Medlem

    response = client.post(
        f"/f/{forbund.slug}/medlemmar/ny/",
        {"kind": "kommun", "name": "Smygby kommun", "joined": "2020-01-01"},
    )
    assert response.status_code == 302
    assert response.url.startswith(f"{LOGIN_URL}?next=")
    assert not Medlem.objects.exists()


def test_login_page_is_swedish(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert 'lang="sv"' in response.content.decode()

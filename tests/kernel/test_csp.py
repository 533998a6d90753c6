"""The Content-Security-Policy: every page forbids inline script and style and anything from another
origin; so no template served to browsers may depend on inline script, event-handler attributes or
style attributes. And `check --deploy` is clean with production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from forbund.models import Role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']\s*javascript:""", re.IGNORECASE)


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return dict(parts)


def browser_templates() -> list[Path]:
    """Everything under templates/ except the documents WeasyPrint turns into PDF (`*/pdf/*.html`),
    e-mails and plain-text files."""
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if "pdf" not in path.parts and not path.name.endswith("_email.html")
    )


@pytest.mark.django_db
def test_a_normal_page_has_the_strict_policy(client, forbund, user_in):
    client.force_login(user_in(forbund, Role.Kind.SAMORDNARE))
    response = client.get(f"/f/{forbund.slug}/")
    assert response.status_code == 200
    assert directives(response) == EXPECTED


@pytest.mark.django_db
def test_the_login_page_has_the_strict_policy(client):
    response = client.get("/konto/logga-in/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy == EXPECTED
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_admin_has_the_policy_and_still_works(admin_client):
    response = admin_client.get("/admin/forbund/forbund/add/")
    assert response.status_code == 200
    assert directives(response) == EXPECTED
    assert not INLINE_SCRIPT.search(
        re.sub(r'<script[^>]*type="application/json"[^>]*>', "", response.content.decode())
    )


def test_htmx_may_neither_inject_styles_nor_eval():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles":false' in base
    assert '"allowEval":false' in base
    assert ".htmx-indicator" in (ROOT / "static/css/finsam.css").read_text(encoding="utf-8")


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/x.js"></script>')
    assert HANDLER_ATTRIBUTE.search('<button type="button" onclick="go()">')
    assert not HANDLER_ATTRIBUTE.search('<form method="post" action="/x/">')
    assert STYLE_ATTRIBUTE.search('<div class="card" style="max-width: 40rem">')
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')


def test_there_are_templates_to_scan():
    names = {path.relative_to(TEMPLATES).as_posix() for path in browser_templates()}
    assert "base.html" in names
    assert "registration/login.html" in names
    assert not any("/pdf/" in name for name in names)


@pytest.mark.parametrize("path", browser_templates(), ids=lambda path: path.relative_to(TEMPLATES).as_posix())
def test_no_template_served_to_browsers_has_inline_script_handlers_or_style(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script> (lägg koden i static/js/)"
    assert not HANDLER_ATTRIBUTE.search(text), "on…=-attribut (koppla händelsen i static/js/)"
    assert not JAVASCRIPT_URL.search(text), "javascript:-adress"
    assert not STYLE_ATTRIBUTE.search(text), "style-attribut (lägg en klass i static/css/finsam.css)"
    assert "<style" not in text, "<style>-block (lägg reglerna i static/css/finsam.css)"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        # The checks do not connect; the address only has to be there, as in production.
        "DATABASE_URL": "postgres://finsam@127.0.0.1:5432/finsam",
        "ALLOWED_HOSTS": "finsam.example.se",
        "FINSAM_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output


@pytest.mark.django_db
def test_the_minutes_print_view_allows_only_its_own_style_block(client, forbund, user_in):
    from tests.factories import StyrelsemoteFactory

    meeting = StyrelsemoteFactory(forbund=forbund)
    client.force_login(user_in(forbund, Role.Kind.SAMORDNARE))
    response = client.get(f"/f/{forbund.slug}/moten/{meeting.pk}/protokoll/utskrift/")
    assert response.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    policy = directives(response)
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["script-src"] == "'self'"

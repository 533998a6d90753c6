"""Production serves static files from a hashed manifest; a template naming a missing file would
turn every page into a server error, which the development storage used elsewhere cannot show."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_pages_render_with_production_static_manifest(settings, tmp_path, client, forbund, user_in):
    settings.STATIC_ROOT = tmp_path
    # The manifest is what matters; WhiteNoise only adds compression on top of it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    login_page = client.get("/konto/logga-in/")
    assert login_page.status_code == 200
    assert "/static/css/bootstrap." in login_page.content.decode()

    client.force_login(user_in(forbund, "samordnare"))
    assert client.get(f"/f/{forbund.slug}/").status_code == 200

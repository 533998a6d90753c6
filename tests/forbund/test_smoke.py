import pytest

pytestmark = pytest.mark.django_db


def test_samordnare_sees_dashboard(forbund, user_in, login):
    client = login(user_in(forbund, "samordnare"))
    response = client.get(f"/f/{forbund.slug}/")
    assert response.status_code == 200
    assert forbund.name in response.content.decode()

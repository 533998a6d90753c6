"""`manage.py load_demo` builds what the README promises, and running it twice changes nothing."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from ekonomi.models import BudgetIncome
from finsam.demo import DEMO_PASSWORD
from forbund.models import (
    Arbetsgrupp,
    Forbund,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    User,
)
from forbund.selectors import board_by_medlem
from insatser.models import Insats

pytestmark = pytest.mark.django_db

DEMO_LOGINS = {
    "samordnare": ("trelleborg", "samordnare"),
    "ekonom": ("trelleborg", "ekonom"),
    "ledamot": ("trelleborg", "styrelseledamot"),
    "ersattare": ("trelleborg", "ersattare"),
    "projektagare": ("trelleborg", "projektagare"),
    "revisor": ("trelleborg", "revisor"),
    "samordnare.b": ("sjobygden", "samordnare"),
}
COUNTED = [
    Forbund,
    Medlem,
    Person,
    Styrelseuppdrag,
    Kansliuppdrag,
    Arbetsgrupp,
    GroupMembership,
    Styrelsemote,
    Insats,
    Role,
    User,
    BudgetIncome,
]


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_load_demo_twice_creates_no_duplicates(settings):
    settings.DEBUG = True
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first


def test_demo_users_log_in_with_the_readme_password_and_hold_their_role(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    for username, (slug, kind) in DEMO_LOGINS.items():
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert Role.objects.filter(user__username=username, forbund__slug=slug, kind=kind).exists()
        client.logout()


def test_demo_trelleborg_matches_the_2021_plan(settings):
    settings.DEBUG = True
    call_command("load_demo")
    trelleborg = Forbund.objects.get(slug="trelleborg")
    assert trelleborg.name == "Samordningsförbundet Trelleborg"
    assert set(trelleborg.medlemmar.values_list("name", flat=True)) == {
        "Försäkringskassan",
        "Arbetsförmedlingen",
        "Region Skåne",
        "Trelleborgs kommun",
    }
    meetings = list(trelleborg.styrelsemoten.filter(date__year=2021).values_list("date", "place"))
    assert [(d.isoformat(), p) for d, p in meetings] == [
        ("2021-02-10", "Trelleborg"),
        ("2021-03-17", "Svedala"),
        ("2021-05-19", "Trelleborg"),
        ("2021-09-15", "Svedala"),
        ("2021-10-19", "Trelleborg"),
        ("2021-11-17", "Svedala"),
    ]
    unga_vuxna = trelleborg.insatser.get(name="Unga Vuxna")
    assert (unga_vuxna.start.isoformat(), unga_vuxna.end.isoformat()) == ("2020-08-01", "2021-07-31")
    yrkeskedjor = trelleborg.insatser.get(name="Yrkeskedjor")
    assert (yrkeskedjor.start.isoformat(), yrkeskedjor.end.isoformat()) == ("2020-05-01", "2022-05-31")
    incomes = BudgetIncome.objects.filter(budget__forbund=trelleborg, budget__year=2021)
    assert sum(incomes.values_list("amount", flat=True)) == Decimal("2000000")
    samordnare = trelleborg.kansliuppdrag.get(role="samordnare")
    assert samordnare.employment == "inlånad 33 % från Arbetsförmedlingen"
    board_2021 = board_by_medlem(trelleborg, 2021)
    assert len(board_2021) == 4
    assert all(len(seat.ledamoter) == 1 and len(seat.ersattare) == 1 for seat in board_2021)


def test_second_forbund_never_mentions_trelleborg(settings):
    settings.DEBUG = True
    call_command("load_demo")
    other = Forbund.objects.get(slug="sjobygden")
    texts = [other.name, other.andamal, other.uppgifter, other.verksamhetside]
    texts += list(Medlem.objects.filter(forbund=other).values_list("name", flat=True))
    texts += list(Person.objects.filter(forbund=other).values_list("name", "unit", "email").distinct())
    texts += list(Insats.objects.filter(forbund=other).values_list("name", "description"))
    assert "trelleborg" not in str(texts).lower()


def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not Forbund.objects.exists()
    call_command("load_demo", force=True)
    assert Forbund.objects.count() == 2

"""Fixtures for the förbund core's page tests: a förbund with one record of every kind, the URL of
every page in it, and a valid POST for every page that accepts one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ekonomi.models import Budget, BudgetIncome
from forbund import urls as forbund_urls
from forbund.models import (
    ActivityEvent,
    Arbetsgrupp,
    Forbund,
    GroupMeeting,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    WorkingAgePopulation,
)
from insatser.models import Insats
from tests.factories import (
    ArbetsgruppFactory,
    GroupMembershipFactory,
    InsatsFactory,
    KansliuppdragFactory,
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    WorkingAgePopulationFactory,
)

D = datetime.date

# Reasons the access module gives, as a user reads them on the 403 page.
MANAGE_REFUSED = "Bara förbundets samordnare kan ändra förbundets organisation."
CONTACTS_REFUSED = "Personregistret är till för förbundets kansli."
AUDIT_LOG_REFUSED = "Loggen är till för samordnaren och revisorn."
# A meeting in the meeting plan is edited under the meeting rules (`edit_meeting`): the board, staff
# and revisor are told who prepares meetings; a projektägare that the meetings are not for them.
MEETINGS_MANAGE_REFUSED = "Bara samordnaren förbereder och protokollför styrelsens möten."
MEETINGS_VIEW_REFUSED = "Styrelsens möten och handlingar är till för styrelsen, kansliet och revisorn."


def refusal_for(name: str, kind: str) -> str:
    """The reason a user with role `kind` (not samordnare) is given for page `name`'s form."""
    if name == "forbund:mote_edit":
        return MEETINGS_VIEW_REFUSED if kind == Role.Kind.PROJEKTAGARE else MEETINGS_MANAGE_REFUSED
    return MANAGE_REFUSED


# Every page inside a förbund, by URL name. A new URL in forbund/urls.py or insatser/urls.py must be
# added to exactly one of these lists (test_roles checks that), so its access rule gets tested.
READ_PAGES = [
    "forbund:dashboard",
    "forbund:inbox",
    "forbund:detail",
    "forbund:medlemmar",
    "forbund:styrelse",
    "forbund:kansli",
    "forbund:arbetsgrupper",
    "forbund:arbetsgrupp",
    "forbund:moten",
    "insatser:list",
    "insatser:detail",
]
CONTACT_PAGES = ["forbund:personer"]
AUDIT_PAGES = ["forbund:logg"]
FORM_PAGES = [
    "forbund:edit",
    "forbund:population_create",
    "forbund:population_edit",
    "forbund:medlem_create",
    "forbund:medlem_edit",
    "forbund:styrelseuppdrag_create",
    "forbund:styrelseuppdrag_edit",
    "forbund:kansliuppdrag_create",
    "forbund:kansliuppdrag_edit",
    "forbund:person_create",
    "forbund:person_edit",
    "forbund:arbetsgrupp_create",
    "forbund:arbetsgrupp_edit",
    "forbund:mote_create",
    "forbund:mote_edit",
]
POST_ONLY_PAGES = [
    "forbund:group_member_add",
    "forbund:group_member_remove",
    "forbund:group_meeting_add",
    "forbund:group_meeting_remove",
]
POST_PAGES = FORM_PAGES + POST_ONLY_PAGES
GET_PAGES = READ_PAGES + CONTACT_PAGES + AUDIT_PAGES + FORM_PAGES
# Pages about one record: their URL carries its id.
RECORD_PAGES = [
    "forbund:population_edit",
    "forbund:medlem_edit",
    "forbund:styrelseuppdrag_edit",
    "forbund:kansliuppdrag_edit",
    "forbund:person_edit",
    "forbund:arbetsgrupp",
    "forbund:arbetsgrupp_edit",
    "forbund:group_member_add",
    "forbund:group_member_remove",
    "forbund:group_meeting_add",
    "forbund:group_meeting_remove",
    "forbund:mote_edit",
    "insatser:detail",
]
ALL_PAGES = READ_PAGES + CONTACT_PAGES + AUDIT_PAGES + FORM_PAGES + POST_ONLY_PAGES

# Everything a förbund page can write; compared before and after a refused POST.
WRITABLE_MODELS = [
    Forbund,
    Medlem,
    WorkingAgePopulation,
    Person,
    Styrelseuppdrag,
    Kansliuppdrag,
    Arbetsgrupp,
    GroupMembership,
    GroupMeeting,
    Styrelsemote,
    Insats,
    Role,
    ActivityEvent,
    Budget,
    BudgetIncome,
]


def database_snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WRITABLE_MODELS}


def walk_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """Yield (route, namespaced name, pattern) for every URL pattern of the project, recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk_patterns(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield route, name, entry


# The insats pages beyond list and detail, and the economy pages, have their own role tests in
# tests/insatser/ and tests/ekonomi/.
PAGES_TESTED_ELSEWHERE = ("insatser:", "ekonomi:", "uppfoljning:")
# The meeting pages (agenda, minutes, packet) have their own tests in tests/forbund/test_meeting_*.py.
MEETING_PAGES = {f"forbund:{pattern.name}" for pattern in forbund_urls.meeting_urlpatterns}
# "Användare och behörigheter" has its own role tests in tests/forbund/test_accounts_pages.py.
ACCOUNT_PAGES = {
    "forbund:accounts",
    "forbund:invite",
    "forbund:account",
    "forbund:role_end",
    "forbund:invitation_resend",
    "forbund:invitation_withdraw",
}
# Joining, leaving, the funding rule and removing a seat not yet begun have their own role tests in
# tests/forbund/test_membership.py.
MEMBERSHIP_PAGES = {
    "forbund:medlem_join",
    "forbund:medlem_leave",
    "forbund:medlem_fordelning",
    "forbund:styrelseuppdrag_remove",
}


def forbund_page_patterns():
    """(name, pattern) of every page under /f/<forbund>/ whose access rules these tests own."""
    return [
        (name, pattern)
        for route, name, pattern in walk_patterns()
        if route.startswith("f/<slug:forbund>/")
        and (not name.startswith(PAGES_TESTED_ELSEWHERE) or name in READ_PAGES)
        and name not in MEETING_PAGES
        and name not in ACCOUNT_PAGES
        and name not in MEMBERSHIP_PAGES
    ]


@dataclass
class Org:
    """A förbund with one record of every kind the pages show."""

    forbund: Forbund
    medlem: Medlem  # owns `insats`; a region
    kommun: Medlem
    person: Person
    other_person: Person  # not in `arbetsgrupp`
    styrelseuppdrag: Styrelseuppdrag
    kansliuppdrag: Kansliuppdrag
    arbetsgrupp: Arbetsgrupp
    membership: GroupMembership
    group_meeting: GroupMeeting
    mote: Styrelsemote
    population: WorkingAgePopulation
    insats: Insats

    def pk_for(self, name: str) -> dict:
        """The URL kwargs (beyond the förbund) of page `name` for this förbund's records."""
        if name not in RECORD_PAGES:
            return {}
        return {
            "forbund:population_edit": {"pk": self.population.pk},
            "forbund:medlem_edit": {"pk": self.medlem.pk},
            "forbund:styrelseuppdrag_edit": {"pk": self.styrelseuppdrag.pk},
            "forbund:kansliuppdrag_edit": {"pk": self.kansliuppdrag.pk},
            "forbund:person_edit": {"pk": self.person.pk},
            "forbund:arbetsgrupp": {"pk": self.arbetsgrupp.pk},
            "forbund:arbetsgrupp_edit": {"pk": self.arbetsgrupp.pk},
            "forbund:group_member_add": {"pk": self.arbetsgrupp.pk},
            "forbund:group_member_remove": {"pk": self.arbetsgrupp.pk, "membership_pk": self.membership.pk},
            "forbund:group_meeting_add": {"pk": self.arbetsgrupp.pk},
            "forbund:group_meeting_remove": {"pk": self.arbetsgrupp.pk, "meeting_pk": self.group_meeting.pk},
            "forbund:mote_edit": {"pk": self.mote.pk},
            "insatser:detail": {"pk": self.insats.pk},
        }[name]

    def url(self, name: str, slug: str | None = None, **kwargs) -> str:
        kwargs = {**self.pk_for(name), **kwargs}
        return reverse(name, kwargs={"forbund": slug or self.forbund.slug, **kwargs})

    def valid_post(self, name: str) -> dict:
        """Form data that page `name` accepts and that changes the database."""
        data = {
            "forbund:edit": {
                "name": f"{self.forbund.name} (nytt namn)",
                "organisationsnummer": "222000-1784",
                "bildat": "2010-01-01",
                "andamal": "Finansiell samordning.",
                "uppgifter": "Stödja samverkan",
                "verksamhetside": "Alla ska kunna arbeta.",
            },
            "forbund:population_create": {"kommun": self.kommun.pk, "year": 2022, "count": 12000},
            "forbund:population_edit": {"kommun": self.kommun.pk, "year": 2021, "count": 12345},
            "forbund:medlem_create": {"kind": "kommun", "name": "Nyby kommun", "joined": "2015-01-01"},
            "forbund:medlem_edit": {
                "kind": self.medlem.kind,
                "name": "Region Omdöpt",
                "organisationsnummer": "",
                "joined": "2010-01-01",
                "left": "2030-12-31",
            },
            "forbund:styrelseuppdrag_create": {
                "person": self.other_person.pk,
                "medlem": self.kommun.pk,
                "role": "ersattare",
                "presidium": "",
                "start": "2021-01-01",
                "end": "2022-12-31",
            },
            "forbund:styrelseuppdrag_edit": {
                "person": self.person.pk,
                "medlem": self.medlem.pk,
                "role": "ledamot",
                "presidium": "ordforande",
                "start": "2021-01-01",
                "end": "2022-12-31",
            },
            "forbund:kansliuppdrag_create": {
                "person": self.other_person.pk,
                "role": "ekonom",
                "employer": self.kommun.pk,
                "employer_name": "",
                "share_percent": "20",
                "start": "2021-01-01",
            },
            "forbund:kansliuppdrag_edit": {
                "person": self.person.pk,
                "role": "samordnare",
                "employer": "",
                "employer_name": "Förbundet",
                "share_percent": "75",
                "start": "2021-01-01",
            },
            "forbund:person_create": {"name": "Ny Persson", "title": "Handläggare", "medlem": self.kommun.pk},
            "forbund:person_edit": {"name": "Omdöpt Persson", "email": "ny@example.se"},
            "forbund:arbetsgrupp_create": {
                "kind": "styrgrupp",
                "name": "Ny styrgrupp",
                "insats": self.insats.pk,
                "start": "2021-01-01",
            },
            "forbund:arbetsgrupp_edit": {"kind": "beredningsgrupp", "name": "Omdöpt grupp"},
            "forbund:mote_create": {"date": "2021-11-18", "start_time": "13:00", "place": "Kommunhuset"},
            "forbund:mote_edit": {"date": "2021-06-01", "video_link": "https://mote.example.se/styrelse"},
            "forbund:group_member_add": {"person": self.other_person.pk, "role": "sammankallande"},
            "forbund:group_member_remove": {},
            "forbund:group_meeting_add": {"date": "2021-04-14", "note": "Uppföljning av handlingsplanen"},
            "forbund:group_meeting_remove": {},
        }
        return data[name]


def make_org(forbund: Forbund) -> Org:
    # Names carry the slug in parentheses, so no förbund's names are substrings of another's.
    tag = f"({forbund.slug})"
    medlem = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name=f"Region Söder {tag}")
    kommun = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name=f"Åby kommun {tag}")
    person = PersonFactory(forbund=forbund, medlem=medlem, name=f"Anna Ödman {tag}")
    insats = InsatsFactory(forbund=forbund, owner=medlem, name=f"Vägen till arbete {tag}")
    arbetsgrupp = ArbetsgruppFactory(forbund=forbund, name=f"Beredningsgruppen {tag}")
    return Org(
        forbund=forbund,
        medlem=medlem,
        kommun=kommun,
        person=person,
        other_person=PersonFactory(forbund=forbund, name=f"Bo Berg {tag}"),
        styrelseuppdrag=StyrelseuppdragFactory(forbund=forbund, person=person, medlem=medlem),
        kansliuppdrag=KansliuppdragFactory(forbund=forbund, person=person),
        arbetsgrupp=arbetsgrupp,
        membership=GroupMembershipFactory(arbetsgrupp=arbetsgrupp, person=person),
        group_meeting=GroupMeeting.objects.create(arbetsgrupp=arbetsgrupp, date=D(2021, 2, 10)),
        mote=StyrelsemoteFactory(forbund=forbund, date=D(2021, 3, 17)),
        population=WorkingAgePopulationFactory(forbund=forbund, kommun=kommun, year=2021),
        insats=insats,
    )


@pytest.fixture
def org(forbund) -> Org:
    return make_org(forbund)


@pytest.fixture
def other_org(other_forbund) -> Org:
    return make_org(other_forbund)


@pytest.fixture
def client_as(user_in, login):
    """client_as(org, kind) logs in a user holding role `kind` in org's förbund. A projektägare
    belongs to the member that owns org's insats."""

    def _client(org: Org, kind: str):
        extra = {"medlem": org.medlem} if kind == Role.Kind.PROJEKTAGARE else {}
        return login(user_in(org.forbund, kind, **extra))

    return _client

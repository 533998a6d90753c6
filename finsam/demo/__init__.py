"""Demo data: Samordningsförbundet Trelleborg 2021 and a small fictional second förbund.

Facts and figures (organisations, dates, amounts) follow Trelleborg's verksamhetsplan och budget
2021; every person is invented. Loading is idempotent: records are looked up by natural keys and
updated, never duplicated.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from finsam.demo.ekonomi import load_budget
from finsam.demo.insatser import load_applications
from finsam.demo.ledger import load_demo_outcome
from finsam.demo.meetings import load_meetings
from finsam.demo.plan import load_arsredovisning, load_plan
from finsam.demo.reports import load_reports
from forbund.models import (
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
    User,
    WorkingAgePopulation,
)
from insatser.models import Insats

DEMO_PASSWORD = "finsam-demo"  # noqa: S105 - demo only; load_demo refuses to run in production
D = datetime.date


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    forbund_slug: str
    role: str
    medlem: str | None = None


DEMO_USERS = [
    DemoUser("samordnare", "Karin", "Lindqvist", "trelleborg", Role.Kind.SAMORDNARE),
    DemoUser("ekonom", "Johan", "Bergström", "trelleborg", Role.Kind.EKONOM),
    DemoUser("ledamot", "Eva", "Holmberg", "trelleborg", Role.Kind.STYRELSELEDAMOT),
    DemoUser("ersattare", "Mikael", "Nyström", "trelleborg", Role.Kind.ERSATTARE),
    DemoUser(
        "projektagare", "Sara", "Ekdahl", "trelleborg", Role.Kind.PROJEKTAGARE, medlem="Trelleborgs kommun"
    ),
    DemoUser("revisor", "Anders", "Wikström", "trelleborg", Role.Kind.REVISOR),
    DemoUser("samordnare.b", "Lena", "Sandberg", "sjobygden", Role.Kind.SAMORDNARE),
]

TRELLEBORG_ANDAMAL = (
    "Förbundet ska inom Trelleborgs kommun svara för finansiell samordning inom rehabiliteringsområdet "
    "mellan Försäkringskassan, Arbetsförmedlingen, Region Skåne och kommunen, så att resurserna "
    "används effektivt och den enskilde når eller förbättrar sin förmåga att förvärvsarbeta."
)
TRELLEBORG_UPPGIFTER = "\n".join(
    [
        "Besluta om mål och riktlinjer för den finansiella samordningen",
        "Stödja samverkan mellan samverkansparterna",
        "Finansiera samordnade rehabiliteringsinsatser inom parternas samlade ansvarsområde",
        "Besluta hur de medel som står till förfogande ska användas",
        "Svara för uppföljning och utvärdering av rehabiliteringsinsatserna",
        "Upprätta budget och årsredovisning för den finansiella samordningen",
    ]
)
TRELLEBORG_IDE = (
    "Att främja och stödja samverkan mellan kommunala, regionala och statliga aktörer så att "
    "invånarna i Trelleborg kan delta aktivt i arbets- och samhällslivet."
)

TRELLEBORG_MEETINGS_2021 = [
    (D(2021, 2, 10), "Genomgång av styrdokument", "Trelleborg"),
    (D(2021, 3, 17), "Verksamhetsberättelse och årsredovisning", "Svedala"),
    (D(2021, 5, 19), "Tertialrapport 1", "Trelleborg"),
    (D(2021, 9, 15), "Tertialrapport 2", "Svedala"),
    (D(2021, 10, 19), "Dialog om verksamhetsplan och budget", "Trelleborg"),
    (D(2021, 11, 17), "Beslut om verksamhetsplan och budget", "Svedala"),
]

# (name, title, medlem, unit)
TRELLEBORG_PEOPLE = [
    ("Eva Holmberg", "Kommunalråd", "Trelleborgs kommun", ""),
    ("Mikael Nyström", "Ledamot i kommunstyrelsen", "Trelleborgs kommun", ""),
    ("Birgitta Alm", "Regionråd", "Region Skåne", ""),
    ("Tomas Fridh", "Ledamot i regionfullmäktige", "Region Skåne", ""),
    ("Helena Strand", "Verksamhetschef", "Försäkringskassan", "Lokalt försäkringscenter"),
    ("Per Ivarsson", "Enhetschef", "Försäkringskassan", ""),
    ("Maria Öberg", "Sektionschef", "Arbetsförmedlingen", ""),
    ("Jonas Kvist", "Enhetschef", "Arbetsförmedlingen", ""),
    ("Karin Lindqvist", "Samordnare", "Arbetsförmedlingen", ""),
    ("Johan Bergström", "Redovisningskonsult", None, "R&W Redovisnings AB"),
    ("Ulla Persson", "Verksamhetschef", "Region Skåne", "Vårdcentral Fagerängen"),
    ("Ahmed Karimi", "Enhetschef", "Region Skåne", "Allmänpsykiatri Trelleborg"),
    ("Linnea Sjöberg", "Rektor", "Trelleborgs kommun", "Bildningsförvaltningen"),
    ("Sara Ekdahl", "Enhetschef", "Trelleborgs kommun", "Arbetsmarknadsförvaltningen"),
    ("Fredrik Lund", "Enhetschef", "Trelleborgs kommun", "Socialtjänsten"),
    ("Camilla Hed", "Handläggare", "Försäkringskassan", ""),
    ("Oskar Dahl", "Arbetsförmedlare", "Arbetsförmedlingen", ""),
]

# (person, medlem, role, presidium)
TRELLEBORG_BOARD = [
    ("Eva Holmberg", "Trelleborgs kommun", "ledamot", "ordforande"),
    ("Mikael Nyström", "Trelleborgs kommun", "ersattare", ""),
    ("Birgitta Alm", "Region Skåne", "ledamot", ""),
    ("Tomas Fridh", "Region Skåne", "ersattare", ""),
    ("Helena Strand", "Försäkringskassan", "ledamot", "vice_ordforande"),
    ("Per Ivarsson", "Försäkringskassan", "ersattare", ""),
    ("Maria Öberg", "Arbetsförmedlingen", "ledamot", ""),
    ("Jonas Kvist", "Arbetsförmedlingen", "ersattare", ""),
]

TRELLEBORG_ARBETSGRUPP = [
    "Karin Lindqvist",
    "Ulla Persson",
    "Ahmed Karimi",
    "Linnea Sjöberg",
    "Sara Ekdahl",
    "Fredrik Lund",
    "Camilla Hed",
    "Oskar Dahl",
]


class DemoLoader:
    def __init__(self) -> None:
        self.users: list[tuple[DemoUser, User]] = []

    @transaction.atomic
    def load(self) -> None:
        trelleborg = self.load_trelleborg()
        sjobygden = self.load_sjobygden()
        self.load_users({"trelleborg": trelleborg, "sjobygden": sjobygden})
        load_applications(
            trelleborg,
            {medlem.name: medlem for medlem in Medlem.objects.filter(forbund=trelleborg)},
            samordnare=User.objects.get(username="samordnare"),
            projektagare=User.objects.get(username="projektagare"),
        )
        load_budget(trelleborg, by=User.objects.get(username="samordnare"))
        load_plan(trelleborg)
        load_arsredovisning(trelleborg)
        load_demo_outcome(trelleborg, by=User.objects.get(username="ekonom"))
        load_reports(
            trelleborg,
            samordnare=User.objects.get(username="samordnare"),
            projektagare=User.objects.get(username="projektagare"),
        )
        load_meetings(
            trelleborg, {user.username: user for user in User.objects.filter(roles__forbund=trelleborg)}
        )

    # Trelleborg -------------------------------------------------------------------------------

    def load_trelleborg(self) -> Forbund:
        forbund, _ = Forbund.objects.update_or_create(
            slug="trelleborg",
            defaults={
                "name": "Samordningsförbundet Trelleborg",
                "organisationsnummer": "222000-1792",
                "bildat": D(2009, 2, 1),
                "andamal": TRELLEBORG_ANDAMAL,
                "uppgifter": TRELLEBORG_UPPGIFTER,
                "verksamhetside": TRELLEBORG_IDE,
            },
        )
        medlemmar = self.members(
            forbund,
            [
                (Medlem.Kind.FORSAKRINGSKASSAN, "Försäkringskassan", "202100-5521"),
                (Medlem.Kind.ARBETSFORMEDLINGEN, "Arbetsförmedlingen", "202100-2114"),
                (Medlem.Kind.REGION, "Region Skåne", "232100-0255"),
                (Medlem.Kind.KOMMUN, "Trelleborgs kommun", "212000-1181"),
            ],
            joined=D(2009, 2, 1),
        )
        for year, count in [(2020, 26870), (2021, 26940)]:
            WorkingAgePopulation.objects.update_or_create(
                forbund=forbund, kommun=medlemmar["Trelleborgs kommun"], year=year, defaults={"count": count}
            )
        people = self.people(forbund, medlemmar, TRELLEBORG_PEOPLE)
        self.board(forbund, medlemmar, people, TRELLEBORG_BOARD, start=D(2019, 1, 1), end=D(2022, 12, 31))
        # The same board re-elected for the term from 2023, so meetings planned today have a board.
        self.board(forbund, medlemmar, people, TRELLEBORG_BOARD, start=D(2023, 1, 1), end=None)
        Kansliuppdrag.objects.update_or_create(
            forbund=forbund,
            person=people["Karin Lindqvist"],
            role=Kansliuppdrag.Role.SAMORDNARE,
            defaults={
                "employer": medlemmar["Arbetsförmedlingen"],
                "employer_name": "",
                "share_percent": Decimal("33"),
                "start": D(2020, 1, 1),
            },
        )
        Kansliuppdrag.objects.update_or_create(
            forbund=forbund,
            person=people["Johan Bergström"],
            role=Kansliuppdrag.Role.EKONOM,
            defaults={
                "employer": None,
                "employer_name": "R&W Redovisnings AB (redovisningsbyrå)",
                "share_percent": Decimal("5"),
                "start": D(2018, 10, 1),
            },
        )
        arbetsgrupp = self.group(
            forbund,
            "Arbetsgruppen",
            Arbetsgrupp.Kind.ARBETSGRUPP,
            purpose=(
                "Identifierar gemensamma behov av samverkan på individ- och organisationsnivå, tar fram "
                "idéer till insatser och förankrar dem hos parterna."
            ),
            start=D(2020, 1, 1),
        )
        self.group_members(arbetsgrupp, people, TRELLEBORG_ARBETSGRUPP)
        self.trelleborg_insatser(forbund, medlemmar, people)
        self.meetings(forbund, TRELLEBORG_MEETINGS_2021)
        return forbund

    def trelleborg_insatser(self, forbund, medlemmar, people) -> None:
        unga_vuxna = self.insats(
            forbund,
            "Unga Vuxna",
            kind=Insats.Kind.INDIVIDINRIKTAD,
            status=Insats.Status.PAGAENDE,
            owner=medlemmar["Region Skåne"],
            owner_unit="Vårdcentraler och allmänpsykiatri",
            partners=[medlemmar["Trelleborgs kommun"]],
            start=D(2020, 8, 1),
            end=D(2021, 7, 31),
            description=(
                "Vården och gymnasieskolan arbetar tillsammans för att tidigt fånga upp unga vuxna med "
                "psykisk ohälsa. Föreläsningar för elever och lärare, coacher med egen erfarenhet på "
                "skolan och gemensamma rutiner mellan elevhälsa och vård. Utvärderas externt."
            ),
        )
        yrkeskedjor = self.insats(
            forbund,
            "Yrkeskedjor",
            kind=Insats.Kind.INDIVIDINRIKTAD,
            status=Insats.Status.PAGAENDE,
            owner=medlemmar["Trelleborgs kommun"],
            owner_unit="Arbetsmarknadsförvaltningen",
            partners=[medlemmar["Arbetsförmedlingen"], medlemmar["Region Skåne"]],
            start=D(2020, 5, 1),
            end=D(2022, 5, 31),
            description=(
                "Utbildningskedjor som leder hela vägen till anställning för kortutbildade. Individen gör "
                "ett yrkesval och får en egen plan med parallella lärformer: orientering, studie- och "
                "yrkesvägledning, svenska och yrkesämnen på arbetsplatsen och flexibelt studiestöd."
            ),
        )
        self.insats(
            forbund,
            "Unga som varken arbetar eller studerar",
            kind=Insats.Kind.STRUKTURINRIKTAD,
            status=Insats.Status.IDE,
            owner=medlemmar["Trelleborgs kommun"],
            owner_unit="Arbetsmarknadsförvaltningen",
            partners=[medlemmar["Region Skåne"]],
            description=(
                "Förstudie om en folkhögskoleklass och en samverkansmodell för sömlösa övergångar mellan "
                "kommun och folkhögskola för unga som hoppat av gymnasiet."
            ),
        )
        self.insats(
            forbund,
            "Förrehabiliterande insatser",
            kind=Insats.Kind.INDIVIDINRIKTAD,
            status=Insats.Status.IDE,
            owner=medlemmar["Försäkringskassan"],
            partners=[medlemmar["Trelleborgs kommun"], medlemmar["Arbetsförmedlingen"]],
            description=(
                "Seminarier med parterna har visat behov av arbetsinriktat stöd för personer med liten "
                "aktivitetsförmåga. Ett förslag presenteras för styrelsen."
            ),
        )
        for insats, members in [
            (unga_vuxna, ["Ulla Persson", "Ahmed Karimi", "Linnea Sjöberg", "Karin Lindqvist"]),
            (yrkeskedjor, ["Sara Ekdahl", "Oskar Dahl", "Ulla Persson", "Karin Lindqvist"]),
        ]:
            group = self.group(
                forbund,
                f"Styrgrupp {insats.name}",
                Arbetsgrupp.Kind.STYRGRUPP,
                purpose="Följer upp insatsens mål och processer och beslutar om den löpande verksamheten.",
                insats=insats,
                start=insats.start,
            )
            self.group_members(group, people, members)
            for month in range(1, 8):
                GroupMeeting.objects.get_or_create(arbetsgrupp=group, date=D(2021, month, 12))

    # Sjöbygden (fictional) ---------------------------------------------------------------------

    def load_sjobygden(self) -> Forbund:
        forbund, _ = Forbund.objects.update_or_create(
            slug="sjobygden",
            defaults={
                "name": "Samordningsförbundet Sjöbygden",
                "organisationsnummer": "222000-2451",
                "bildat": D(2012, 1, 1),
                "andamal": "Finansiell samordning av rehabiliteringsinsatser i Sjöby och Åby kommuner.",
                "uppgifter": "Stödja samverkan mellan parterna\nFinansiera samordnade insatser",
                "verksamhetside": "Fler invånare i Sjöbygden ska kunna försörja sig själva.",
            },
        )
        medlemmar = self.members(
            forbund,
            [
                (Medlem.Kind.FORSAKRINGSKASSAN, "Försäkringskassan", ""),
                (Medlem.Kind.ARBETSFORMEDLINGEN, "Arbetsförmedlingen", ""),
                (Medlem.Kind.REGION, "Region Sjöland", ""),
                (Medlem.Kind.KOMMUN, "Sjöby kommun", ""),
                (Medlem.Kind.KOMMUN, "Åby kommun", ""),
            ],
            joined=D(2012, 1, 1),
        )
        people = self.people(
            forbund,
            medlemmar,
            [
                ("Lena Sandberg", "Förbundschef", None, "Samordningsförbundet Sjöbygden"),
                ("Gustav Ek", "Kommunalråd", "Sjöby kommun", ""),
                ("Nora Falk", "Kommunalråd", "Åby kommun", ""),
            ],
        )
        self.board(
            forbund,
            medlemmar,
            people,
            [
                ("Gustav Ek", "Sjöby kommun", "ledamot", "ordforande"),
                ("Nora Falk", "Åby kommun", "ledamot", ""),
            ],
            start=D(2023, 1, 1),
            end=D(2026, 12, 31),
        )
        Kansliuppdrag.objects.update_or_create(
            forbund=forbund,
            person=people["Lena Sandberg"],
            role=Kansliuppdrag.Role.FORBUNDSCHEF,
            defaults={
                "employer_name": "Samordningsförbundet Sjöbygden",
                "share_percent": 100,
                "start": D(2020, 1, 1),
            },
        )
        self.insats(
            forbund,
            "Arbetsträning Sjöby",
            kind=Insats.Kind.INDIVIDINRIKTAD,
            status=Insats.Status.PAGAENDE,
            owner=medlemmar["Sjöby kommun"],
            partners=[medlemmar["Arbetsförmedlingen"]],
            start=D(2025, 1, 1),
            end=D(2026, 12, 31),
            description="Arbetsträning med stöd av handledare för personer med försörjningsstöd.",
        )
        self.meetings(
            forbund,
            [
                (D(2026, 2, 12), "Årsredovisning", "Sjöby"),
                (D(2026, 11, 19), "Beslut om verksamhetsplan och budget", "Åby"),
            ],
        )
        return forbund

    # Building blocks --------------------------------------------------------------------------

    def members(self, forbund, rows, joined) -> dict[str, Medlem]:
        result = {}
        for kind, name, orgnr in rows:
            medlem, _ = Medlem.objects.update_or_create(
                forbund=forbund,
                name=name,
                defaults={"kind": kind, "organisationsnummer": orgnr, "joined": joined},
            )
            result[name] = medlem
        return result

    def people(self, forbund, medlemmar, rows) -> dict[str, Person]:
        result = {}
        for name, title, medlem_name, unit in rows:
            slug = name.lower().replace(" ", ".").translate(str.maketrans("åäöé", "aaoe"))
            person, _ = Person.objects.update_or_create(
                forbund=forbund,
                name=name,
                defaults={
                    "title": title,
                    "medlem": medlemmar.get(medlem_name) if medlem_name else None,
                    "unit": unit,
                    "email": f"{slug}@example.se",
                },
            )
            result[name] = person
        return result

    def board(self, forbund, medlemmar, people, rows, start, end) -> None:
        for person_name, medlem_name, role, presidium in rows:
            Styrelseuppdrag.objects.update_or_create(
                forbund=forbund,
                person=people[person_name],
                medlem=medlemmar[medlem_name],
                role=role,
                start=start,
                defaults={"presidium": presidium, "end": end},
            )

    def group(self, forbund, name, kind, purpose, start=None, insats=None) -> Arbetsgrupp:
        group, _ = Arbetsgrupp.objects.update_or_create(
            forbund=forbund,
            name=name,
            defaults={"kind": kind, "purpose": purpose, "start": start, "insats": insats},
        )
        return group

    def group_members(self, group, people, names) -> None:
        for index, name in enumerate(names):
            role = GroupMembership.Role.SAMMANKALLANDE if index == 0 else GroupMembership.Role.LEDAMOT
            GroupMembership.objects.update_or_create(
                arbetsgrupp=group, person=people[name], defaults={"role": role}
            )

    def insats(self, forbund, name, *, partners, **fields) -> Insats:
        fields.setdefault("owner_unit", "")
        fields.setdefault("start", None)
        fields.setdefault("end", None)
        insats, _ = Insats.objects.update_or_create(forbund=forbund, name=name, defaults=fields)
        insats.partners.set(partners)
        return insats

    def meetings(self, forbund, rows) -> None:
        for date, content, place in rows:
            Styrelsemote.objects.update_or_create(
                forbund=forbund,
                date=date,
                defaults={"start_time": datetime.time(13, 0), "place": place, "planned_items": content},
            )

    def load_users(self, forbund_by_slug: dict[str, Forbund]) -> None:
        for spec in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=spec.username,
                defaults={
                    "first_name": spec.first_name,
                    "last_name": spec.last_name,
                    "email": f"{spec.username}@example.se",
                },
            )
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save()
            forbund = forbund_by_slug[spec.forbund_slug]
            medlem = Medlem.objects.get(forbund=forbund, name=spec.medlem) if spec.medlem else None
            Role.objects.update_or_create(
                user=user, forbund=forbund, kind=spec.role, defaults={"medlem": medlem}
            )
            Person.objects.filter(forbund=forbund, name=f"{spec.first_name} {spec.last_name}").update(
                user=user
            )
            self.users.append((spec, user))


def load_demo() -> list[tuple[DemoUser, User]]:
    from forbund import notifications

    loader = DemoLoader()
    with notifications.without_email():  # the demo's history is in the bell, not in anyone's mailbox
        loader.load()
    return loader.users

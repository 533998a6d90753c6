"""Demo applications, budgets and decisions for Trelleborg's insatser.

Unga Vuxna and Yrkeskedjor carry their 2021 amounts from the verksamhetsplan (750 and 2 295 tkr);
the other years, the budget lines and "Steget före" (four delprocesser, three years) are invented
so the tables have something to show.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from finsam.demo.decisions import board_item
from forbund.models import Medlem, User
from insatser.models import (
    Beslut,
    BudgetAmount,
    BudgetLine,
    Confirmation,
    Delprocess,
    Goal,
    GrantedAmount,
    Insats,
    Milestone,
    Signature,
    StatusChange,
)
from insatser.selectors import application_version
from insatser.workflow import application_snapshot

D = datetime.date
S = Insats.Status

# (section, description, organisation, share, {year: kronor})
UNGA_VUXNA_BUDGET = [
    (
        "Övergripande",
        "Coacher med egen erfarenhet",
        "Region Skåne",
        "2 × 50 %",
        {2020: 400_000, 2021: 450_000},
    ),
    ("Övergripande", "Föreläsningar och material", "Trelleborgs kommun", "", {2020: 100_000, 2021: 120_000}),
    ("Övergripande", "Handledning av projektmedarbetare", "Region Skåne", "", {2020: 50_000, 2021: 60_000}),
    ("Övergripande", "Extern utvärdering", None, "", {2020: 100_000, 2021: 120_000}),
]
YRKESKEDJOR_BUDGET = [
    (
        "Övergripande",
        "Projektledare",
        "Trelleborgs kommun",
        "100 %",
        {2020: 600_000, 2021: 900_000, 2022: 380_000},
    ),
    (
        "Övergripande",
        "Språkombud och handledare",
        "Trelleborgs kommun",
        "",
        {2020: 300_000, 2021: 450_000, 2022: 190_000},
    ),
    (
        "Övergripande",
        "Specialpedagog",
        "Trelleborgs kommun",
        "50 %",
        {2020: 260_000, 2021: 400_000, 2022: 160_000},
    ),
    (
        "Övergripande",
        "Studie- och yrkesvägledare",
        "Arbetsförmedlingen",
        "20 %",
        {2020: 90_000, 2021: 145_000, 2022: 60_000},
    ),
    (
        "Övergripande",
        "Orienteringskurser och utbildning",
        "Trelleborgs kommun",
        "",
        {2020: 250_000, 2021: 400_000, 2022: 160_000},
    ),
]
STEGET_FORE_DELPROCESSER = [
    (
        "Vårdcentralerna",
        "Region Skåne",
        "Vårdcentral Fagerängen och Anderslöv",
        "Patienter med lång sjukskrivning saknar ett arbetsinriktat stöd innan rehabiliteringen kan börja.",
        "Rehabkoordinator på varje vårdcentral\nGemensam bedömning med Försäkringskassan",
    ),
    (
        "Allmänpsykiatrin",
        "Region Skåne",
        "Allmänpsykiatri Trelleborg",
        "Unga vuxna i psykiatrisk vård har liten aktivitetsförmåga och ingen kontakt med arbetslivet.",
        "Aktivitetsgrupp två gånger i veckan\nÖverlämning till Arbetsförmedlingen",
    ),
    (
        "Arbetsmarknadsförvaltningen",
        "Trelleborgs kommun",
        "Arbetsmarknadsförvaltningen",
        "Personer med försörjningsstöd står långt från de insatser som finns.",
        "Arbetsträning i kommunens verksamheter\nPlan för varje deltagare inom en månad",
    ),
    (
        "Socialtjänsten",
        "Trelleborgs kommun",
        "Socialtjänsten",
        "Handläggarna saknar ett gemensamt arbetssätt med vården och staten.",
        "Gemensamma ärendedragningar varje månad",
    ),
]
STEGET_FORE_BUDGET = [
    (
        "Övergripande",
        None,
        "Processledare",
        "Trelleborgs kommun",
        "50 %",
        {2022: 350_000, 2023: 360_000, 2024: 370_000},
    ),
    ("Övergripande", None, "Utvärdering", None, "", {2022: 60_000, 2023: 60_000, 2024: 90_000}),
    (
        "Gemensamt konsultationsteam",
        None,
        "Läkare och psykolog",
        "Region Skåne",
        "20 %",
        {2022: 180_000, 2023: 185_000, 2024: 190_000},
    ),
    (
        "Gemensamt konsultationsteam",
        None,
        "Försäkringsutredare",
        "Försäkringskassan",
        "20 %",
        {2022: 140_000, 2023: 145_000, 2024: 150_000},
    ),
    (
        "",
        "Vårdcentralerna",
        "Rehabkoordinatorer",
        "Region Skåne",
        "75/50 %",
        {2022: 520_000, 2023: 540_000, 2024: 360_000},
    ),
    (
        "",
        "Allmänpsykiatrin",
        "Arbetsterapeut",
        "Region Skåne",
        "50 %",
        {2022: 300_000, 2023: 310_000, 2024: 320_000},
    ),
    (
        "",
        "Arbetsmarknadsförvaltningen",
        "Arbetsmarknadskonsulent",
        "Trelleborgs kommun",
        "100 %",
        {2022: 560_000, 2023: 575_000, 2024: 590_000},
    ),
    (
        "",
        "Arbetsmarknadsförvaltningen",
        "Handledararvoden",
        "Trelleborgs kommun",
        "",
        {2022: 80_000, 2023: 80_000, 2024: 80_000},
    ),
    (
        "",
        "Socialtjänsten",
        "Socialsekreterare",
        "Trelleborgs kommun",
        "25 %",
        {2022: 150_000, 2023: 155_000, 2024: 160_000},
    ),
]


# Invented authorised representatives (behöriga företrädare) per party.
REPRESENTATIVES = {
    "Trelleborgs kommun": ("Ingrid Malm", "Förvaltningschef, arbetsmarknadsförvaltningen"),
    "Region Skåne": ("Lars Ek", "Verksamhetschef, primärvården"),
    "Försäkringskassan": ("Cecilia Borg", "Enhetschef"),
    "Arbetsförmedlingen": ("Daniel Ros", "Sektionschef"),
}


def load_applications(forbund, medlemmar: dict[str, Medlem], samordnare: User, projektagare: User) -> None:
    insatser = {insats.name: insats for insats in Insats.objects.filter(forbund=forbund)}
    unga_vuxna, yrkeskedjor = insatser["Unga Vuxna"], insatser["Yrkeskedjor"]

    _application(
        unga_vuxna,
        malgrupp=Insats.Malgrupp.UNGA_VUXNA,
        participants=60,
        evaluation=True,
        goals={
            Goal.Kind.RESULTATMAL: [
                "Alla elever i årskurs 1 har fått föreläsning om psykisk ohälsa",
                "Elevhälsan och vårdcentralerna har en gemensam rutin för remisser",
            ],
            Goal.Kind.EFFEKTMAL: ["Unga vuxna med psykisk ohälsa får stöd tidigare och fullföljer gymnasiet"],
        },
    )
    _budget(unga_vuxna, medlemmar, [(s, None, d, o, sh, a) for s, d, o, sh, a in UNGA_VUXNA_BUDGET])
    _history(unga_vuxna, samordnare, submitted=D(2020, 5, 4), decided=D(2020, 6, 10), started=D(2020, 8, 1))
    _decision(unga_vuxna, samordnare, D(2020, 6, 10), 14, {2020: 650_000, 2021: 750_000})

    _application(
        yrkeskedjor,
        malgrupp=Insats.Malgrupp.ARBETSLOSA,
        participants=80,
        evaluation=False,
        goals={
            Goal.Kind.RESULTATMAL: [
                "80 kortutbildade deltagare har en individuell plan i en utbildningskedja",
                "Hälften av deltagarna har praktik på en kommunal arbetsplats",
            ],
            Goal.Kind.EFFEKTMAL: [
                "Fler kortutbildade i Trelleborg går vidare till anställning eller studier"
            ],
        },
    )
    _budget(yrkeskedjor, medlemmar, [(s, None, d, o, sh, a) for s, d, o, sh, a in YRKESKEDJOR_BUDGET])
    _history(yrkeskedjor, samordnare, submitted=D(2020, 2, 20), decided=D(2020, 3, 18), started=D(2020, 5, 1))
    _decision(yrkeskedjor, samordnare, D(2020, 3, 18), 8, {2020: 1_500_000, 2021: 2_295_000, 2022: 950_000})
    _milestones(
        yrkeskedjor,
        [
            (
                "Handlingsplan (mål, aktivitet, genomförande, ansvarig, tid)",
                D(2020, 10, 31),
                Milestone.Status.KLAR,
            ),
            ("Kartläggning av praktikplatser i kommunen", D(2021, 3, 31), Milestone.Status.KLAR),
            ("Halvtidsavstämning med styrgruppen", D(2021, 6, 30), Milestone.Status.PAGAR),
        ],
    )

    steget_fore, _ = Insats.objects.update_or_create(
        forbund=forbund,
        name="Steget före",
        defaults={
            "kind": Insats.Kind.INDIVIDINRIKTAD,
            "status": S.UNDER_BEREDNING,
            "owner": medlemmar["Trelleborgs kommun"],
            "owner_unit": "Arbetsmarknadsförvaltningen",
            "start": D(2022, 1, 1),
            "end": D(2024, 12, 31),
            "description": (
                "Förrehabiliterande stöd för personer med liten aktivitetsförmåga, byggt på seminarierna med "
                "parterna. Fyra delprocesser hos vården och kommunen och ett gemensamt konsultationsteam."
            ),
            "problem": (
                "Det saknas arbetsinriktat stöd för personer som ännu inte kan ta del av arbetslivsinriktad "
                "rehabilitering. De blir kvar länge i sjukskrivning eller med försörjningsstöd."
            ),
            "activities": "Kartläggning och plan för varje deltagare\nAktivitetsgrupper\nArbetsträning",
            "implementation_plan": "Arbetssättet förs in i parternas ordinarie samverkansavtal från 2025.",
        },
    )
    steget_fore.partners.set(
        [medlemmar["Region Skåne"], medlemmar["Försäkringskassan"], medlemmar["Arbetsförmedlingen"]]
    )
    _application(
        steget_fore,
        malgrupp=Insats.Malgrupp.SJUKSKRIVNA,
        participants=120,
        evaluation=True,
        goals={
            Goal.Kind.RESULTATMAL: [
                "120 deltagare har fått en plan",
                "Konsultationsteamet träffas varje vecka",
            ],
            Goal.Kind.EFFEKTMAL: ["Fler deltagare går vidare till arbetslivsinriktad rehabilitering"],
        },
    )
    delprocesser = {}
    for name, owner, unit, problem, goals in STEGET_FORE_DELPROCESSER:
        delprocesser[name], _ = Delprocess.objects.update_or_create(
            insats=steget_fore,
            name=name,
            defaults={"owner": medlemmar[owner], "owner_unit": unit, "problem": problem, "goals": goals},
        )
    _budget(steget_fore, medlemmar, STEGET_FORE_BUDGET, delprocesser)
    _history(steget_fore, projektagare, submitted=D(2021, 9, 28), beredning_by=samordnare)
    # Under beredning: three parties' representatives have confirmed, Arbetsförmedlingen's has not yet.
    _confirmations(steget_fore, projektagare, answered_on=D(2021, 10, 4), waiting={"Arbetsförmedlingen"})


def _application(insats, *, malgrupp, participants, evaluation, goals) -> None:
    insats.malgrupp = malgrupp
    insats.budgeted_participants = participants
    insats.external_evaluation = evaluation
    insats.save()
    if not insats.goals.exists():
        Goal.objects.bulk_create(
            Goal(insats=insats, kind=kind, text=text, order=index)
            for kind, texts in goals.items()
            for index, text in enumerate(texts)
        )
    for medlem in [insats.owner, *insats.partners.all()]:
        name, title = REPRESENTATIVES[medlem.name]
        Signature.objects.get_or_create(
            insats=insats,
            medlem=medlem,
            defaults={"name": name, "title": title, "recorded_by_id": _samordnare_id()},
        )


def _representative(medlem: Medlem) -> User:
    """The party's invented representative as an account with no role in the förbund: being named on
    a confirmation request is what lets them in."""
    from . import DEMO_PASSWORD

    name, _ = REPRESENTATIVES[medlem.name]
    first, last = name.split(" ", 1)
    username = name.lower().replace(" ", ".")
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.se"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _confirmations(insats, requested_by, *, answered_on, waiting=frozenset()) -> None:
    """Each party's representative asked to confirm the application as it stands; those not `waiting`
    have confirmed it (by logging in, as the app records it)."""
    version = application_version(insats)
    answered_at = datetime.datetime.combine(answered_on, datetime.time(14, 0), tzinfo=datetime.UTC)
    for medlem in [insats.owner, *insats.partners.all()]:
        representative = _representative(medlem)
        answered = medlem.name not in waiting
        Confirmation.objects.update_or_create(
            insats=insats,
            medlem=medlem,
            representative=representative,
            voided_at=None,
            defaults={
                "title": REPRESENTATIVES[medlem.name][1],
                "version": version,
                "requested_by": requested_by,
                "answer": Confirmation.Answer.BEKRAFTAD if answered else "",
                "answered_at": answered_at if answered else None,
                "method": Confirmation.Method.INLOGGNING if answered else "",
                "evidence": f"Inloggad som {representative.username}" if answered else "",
            },
        )


def _samordnare_id() -> int:
    return User.objects.filter(username="samordnare").values_list("pk", flat=True).get()


def _budget(insats, medlemmar, rows, delprocesser=None) -> None:
    insats.budget_lines.all().delete()
    for order, (section, delprocess, description, organisation, share, amounts) in enumerate(rows):
        line = BudgetLine.objects.create(
            insats=insats,
            section=section,
            delprocess=(delprocesser or {}).get(delprocess),
            description=description,
            organisation=medlemmar.get(organisation) if organisation else None,
            share=share,
            order=order,
        )
        BudgetAmount.objects.bulk_create(
            BudgetAmount(line=line, year=year, amount=Decimal(amount)) for year, amount in amounts.items()
        )


def _history(insats, by, *, submitted, decided=None, started=None, beredning_by=None) -> None:
    """The insats's past, backdated: written as history rows (the workflow engine records the present),
    the submission with the application as it stands, as the engine would have kept it."""
    if insats.status_changes.exists():
        return
    steps = [
        ("", S.UTKAST, "", submitted - datetime.timedelta(days=30)),
        (S.UTKAST, S.INSKICKAD, "", submitted),
    ]
    steps.append((S.INSKICKAD, S.UNDER_BEREDNING, "", submitted + datetime.timedelta(days=3)))
    if decided:
        steps.append((S.UNDER_BEREDNING, S.BEVILJAD, f"Styrelsens beslut {decided:%Y-%m-%d}", decided))
    if started:
        steps.append((S.BEVILJAD, S.PAGAENDE, "", started))
    for source, target, comment, day in steps:
        change = StatusChange.objects.create(
            insats=insats,
            from_status=source,
            to_status=target,
            by=(beredning_by if beredning_by and source == S.INSKICKAD else by),
            comment=comment,
            snapshot=application_snapshot(insats) if target == S.INSKICKAD else None,
        )
        at = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC)
        StatusChange.objects.filter(pk=change.pk).update(at=at)
    signed_at = datetime.datetime.combine(submitted, datetime.time(9, 0), tzinfo=datetime.UTC)
    insats.signatures.update(confirmed_at=signed_at)


def _decision(insats, by, decided_on, paragraph, amounts) -> None:
    """The board's grant, on the item about the insats at the meeting on `decided_on` (§ `paragraph`)."""
    item = board_item(
        insats.forbund, decided_on, paragraph, f"Ansökan om medel: {insats.name}", insats=insats
    )
    beslut, _ = Beslut.objects.update_or_create(
        insats=insats,
        decided_on=decided_on,
        defaults={
            "outcome": Beslut.Outcome.BEVILJAD,
            "agenda_item": item,
            "meeting": item.meeting,
            "recorded_by": by,
        },
    )
    for year, amount in amounts.items():
        GrantedAmount.objects.update_or_create(beslut=beslut, year=year, defaults={"amount": Decimal(amount)})


def _milestones(insats, rows) -> None:
    for title, due, status in rows:
        Milestone.objects.update_or_create(
            insats=insats,
            title=title,
            defaults={
                "due": due,
                "status": status,
                "completed_on": due if status == Milestone.Status.KLAR else None,
            },
        )

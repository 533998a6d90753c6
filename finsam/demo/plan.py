"""Demo text for Trelleborg's verksamhetsplan 2021, written for the demo (the structure and the
facts follow the real plan; the sentences are our own)."""

from __future__ import annotations

from forbund.models import Forbund
from uppfoljning.models import Indikator, PlannedActivity, Verksamhetsplan

TEXTS = {
    "inledning": (
        "Under 2020 startade förbundet om sitt arbete. En arbetsgrupp med representanter för alla parter "
        "bildades i januari och har träffats regelbundet för att hitta gemensamma behov av samverkan, både "
        "för enskilda invånare och mellan organisationerna. Arbetet har lett till att två insatser kommit "
        "i gång under året."
    ),
    "overgripande_mal": "\n".join(
        [
            "Fler invånare i arbetsför ålder ska kunna delta i arbets- och samhällslivet",
            "Insatserna ska bygga på deltagarnas egna perspektiv",
            "Alla inblandade ska lära av insatserna",
            "Det som fungerar ska implementeras i ordinarie verksamhet",
            "Parternas lokala arbete ska underlättas",
            "Kunskapen om förbundet ska öka hos de fyra parterna",
        ]
    ),
    "arets_mal": "Förbundets medel ska användas så effektivt som möjligt.",
    "organisation": (
        "Styrelsen leder förbundet enligt förbundsordningen och består av en ledamot och en ersättare "
        "från varje medlem. Den sammanträder fem till sex gånger om året. Samordnaren är förbundets "
        "tjänsteperson, föredrar ärenden i styrelsen, verkställer dess beslut och ansvarar för "
        "uppföljning och kommunikation. "
        "Varje insats har en styrgrupp där parterna och samordnaren följer upp mål och processer. "
        "En redovisningsbyrå sköter bokföring, utbetalningar och redovisning."
    ),
    "uppfoljning": (
        "Insatserna följs upp i Försäkringskassans nationella uppföljningssystem för finansiell samordning, "
        "på individ- eller volymnivå beroende på insatsens art. Registreringen är obligatorisk för de "
        "finansierade insatserna, och förbundets delårsrapporter bygger bland annat på uppgifterna där."
    ),
    "utmaningar": (
        "Pandemin och Arbetsförmedlingens omställning påverkar parterna, och det finns en risk att avståndet "
        "mellan dem växer under en period. Anslagen till förbundet minskar 2021, så utöver Unga Vuxna och "
        "Yrkeskedjor finns inte utrymme för fler insatser.\n"
        "Under året fokuserar förbundet på aktiviteter över förbundsgränserna, på lärande mellan styrelse, "
        "arbetsgrupp och styrgrupper och på förrehabiliterande insatser."
    ),
    "natverk": "\n".join(
        [
            "Regionala nätverksträffar för förbundens tjänstepersoner och ordförande",
            "Förbundschefsdagar",
            "Forskningsnätverk för samverkan",
            "Nationella rådets referensgrupp för kommunikation",
        ]
    ),
    "inriktning": (
        "Uppföljningen av 2021 års aktivitetsplan blir grunden för förbundets verksamhet 2022 och 2023."
    ),
}
INDICATORS = [
    (
        "Alla finansierade insatser redovisar i rapporter och årsberättelse hur samverkan fungerar "
        "och utvecklas",
        "Tertialrapporter för januari–april och januari–augusti samt en årsberättelse",
    ),
    (
        "Uppföljning av ekonomin",
        "Projektägarna fakturerar minst varannan månad. Huvudbok och resultatrapport varje månad. Ekonomin "
        "redovisas på varje styrelsemöte och i projektgrupperna.",
    ),
]
ACTIVITIES = [
    (
        "Utveckla lärandet mellan styrelse, arbetsgrupp och styrgrupper",
        "Hela 2021",
        "Samordnare och styrelse",
        "Styrelsemöten",
    ),
    (
        "Kompetensutveckling för parternas medarbetare",
        "Hela 2021",
        "Samordnare och strategiska gruppen",
        "Arbetsgrupp och styrelse",
    ),
    ("Statistik om hälsa, arbetslöshet och försörjningsstöd", "Under 2021", "Samordnare", "Styrelsemöten"),
    ("Nätverk för projektledare", "3–4 gånger 2021", "Samordnare", "Styrelsemöten"),
    ("Erfarenhetsutbyte med andra samordningsförbund", "En gång 2021", "Samordnare", "Styrelsemöten"),
    ("Information internt och externt", "Hela 2021", "Samordnare och styrelse", "Styrelsemöten"),
]


def load_plan(forbund: Forbund, year: int = 2021) -> Verksamhetsplan:
    plan, _ = Verksamhetsplan.objects.update_or_create(forbund=forbund, year=year, defaults=TEXTS)
    Indikator.objects.filter(forbund=forbund, year=year).delete()
    Indikator.objects.bulk_create(
        Indikator(forbund=forbund, year=year, indicator=i, measure=m, order=n)
        for n, (i, m) in enumerate(INDICATORS)
    )
    PlannedActivity.objects.filter(forbund=forbund, year=year).delete()
    PlannedActivity.objects.bulk_create(
        PlannedActivity(forbund=forbund, year=year, activity=a, when=w, responsible=r, follow_up=f, order=n)
        for n, (a, w, r, f) in enumerate(ACTIVITIES)
    )
    return plan


ARSREDOVISNING_2021 = {
    "arets_handelser": (
        "Förbundet finansierade två insatser under året, Unga Vuxna och Yrkeskedjor. Unga Vuxna avslutades "
        "i juli. Pandemin gjorde att flera aktiviteter genomfördes digitalt."
    ),
    "revisorer": "Gunnar Ask, förtroendevald revisor\nLisa Berg, sakkunnigt biträde",
    "god_hushallning": (
        "Förbundet budgeterade med ett underskott för att minska ett eget kapital som var större än "
        "rekommendationen. Målen för året bedöms i huvudsak vara uppnådda."
    ),
}


def load_arsredovisning(forbund: Forbund, year: int = 2021) -> None:
    from uppfoljning.models import Arsredovisning

    Arsredovisning.objects.update_or_create(forbund=forbund, year=year, defaults=ARSREDOVISNING_2021)

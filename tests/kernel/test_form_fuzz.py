"""No 500s from input (#13): every form in the app, posted with bad values, answers in Swedish (the form
with its errors, a refusal, a 400/403/404) and never with a 500, and a refused post saves nothing.

One world per module: the demo's Trelleborg (every kind of record, in the states the app shows forms
for: an idea, an application under review, a running insats, draft/returned/approved reports, a called
and a justerat meeting …) plus the few records the demo lacks. Every page of the URLconf is opened with
the world's ids as the samordnare, the projektägare and an anonymous visitor; every `<form>` found is
then posted (or, for a search form, requested) once per field with one bad value in that field and
the rest as served, each post inside a savepoint that is rolled back, so every post starts from the
same world. Then every other role posts one bad submission to every form.

"Saved" is read from the database itself: a fingerprint (row count and checksum) of every table of
the project's apps, audit log excepted (a refusal may be logged)."""

from __future__ import annotations

import dataclasses
import logging
import re
import traceback
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ekonomi.selectors.budget import economy_settings
from finsam.demo import load_demo
from forbund.models import (
    AgendaAttachment,
    AgendaItem,
    AgendaTemplateItem,
    Arbetsgrupp,
    Delegationsbeslut,
    Dokumentjobb,
    Forbund,
    GroupMeeting,
    GroupMembership,
    Kansliuppdrag,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    WorkingAgePopulation,
)
from insatser.models import Attachment, Delprocess, Insats, Milestone
from tests.factories import (
    AttachmentFactory,
    BudgetFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
    complete_application,
)
from tests.kernel.test_url_rules import _framework

pytestmark = pytest.mark.django_db

FIRST_YEAR_OF_DEMO = 2021
HUGE = str(10**30)
BEYOND_ID = "99999999999999999999"  # 20 digits: more than PostgreSQL's bigint holds
LONG = "Lång text " * 1_000  # 10 000 characters
SCRIPT = "<script>alert(1)</script>"
NUL = "Eva\x00Lund"

PROJECT_APPS = ("forbund", "insatser", "ekonomi", "uppfoljning", "finsam")
# The audit log may record a refused attempt; everything else must stay as it was.
NOT_COMPARED = {"forbund.activityevent"}

# Words of Django's own English messages and of English code; none of them is Swedish.
ENGLISH = re.compile(
    r"This field|Enter a valid|Ensure this value|Ensure that|Select a valid choice|is not one of the "
    r"available choices|Enter a whole number|Enter a number|Null characters|already exists|"
    r"ManagementForm data|No file was submitted|The submitted|Please (?:correct|submit|enter)|"
    r"\b(?:the|must|value|invalid|required|field|object|does not|not found|error)\b",
    re.IGNORECASE,
)
ERROR_CLASSES = ("invalid-feedback", "errorlist", "alert-danger", "alert-warning", "errornote")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

# Other values a URL needs besides the förbund, the year and the records' ids.
FIXED_KWARGS = {
    "target": "x",
    "direction": "upp",
    "kind": "verksamhetsplan",
    "uidb64": "MQ",
    "token": "ogiltig-lank",
    "number": 1,
    "line": "kostnad",  # a forecast override's line kind; its pk is a cost category
}
# Posting these would end the test client's session (logout) — nothing to validate there.
SKIPPED_ACTIONS = {"logout"}


# ---------------------------------------------------------------------------------------------------
# The URLconf


@dataclasses.dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str
    params: tuple[str, ...]
    framework: bool

    def __str__(self) -> str:
        return self.name


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            route = prefix + str(entry.pattern)
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            yield Route(namespace + entry.name, route, params, _framework(entry.callback))


ROUTES = list({route.name: route for route in _walk(get_resolver())}.values())


def _id_params(route: Route) -> set[str]:
    return {param for param in route.params if param in {"pk", "number"} or param.endswith("_pk")}


ROUTES_WITH_IDS = [route for route in ROUTES if _id_params(route)]

# Which record a URL's `pk` names, and where its second id comes from.
PK_RECORDS = {
    "forbund:population_edit": "populations",
    "forbund:medlem_edit": "medlemmar",
    "forbund:medlem_leave": "medlemmar",
    "forbund:styrelseuppdrag_remove": "styrelseuppdrag",
    "forbund:styrelseuppdrag_edit": "styrelseuppdrag",
    "forbund:kansliuppdrag_edit": "kansliuppdrag",
    "forbund:person_edit": "personer",
    "forbund:agenda_template_edit": "template_items",
    "forbund:agenda_template_delete": "template_items",
    "forbund:delegationsbeslut_edit": "delegationsbeslut",
    "ekonomi:budget_edit": "budgets",
    "ekonomi:budget_decide": "budgets",
    "ekonomi:budget_revise": "budgets",
    "ekonomi:budget_next_year": "budgets",
    "ekonomi:other_income_create": "budgets",
    "ekonomi:other_income_delete": "budgets",
    "ekonomi:forecast_override": "cost_categories",
    "ekonomi:cost_category_edit": "cost_categories",
    "ekonomi:invoice_edit": "invoices",
    "ekonomi:invoice_transition": "invoices",
    "ekonomi:invoice_attachment": "invoices",
    "ekonomi:account_edit": "accounts",
    "ekonomi:account_delete": "accounts",
    "ekonomi:ledger_file": "ledger_imports",
    "ekonomi:ledger_upload": "ledger_uploads",
    "ekonomi:ledger_upload_status": "ledger_uploads",
    "ekonomi:ledger_confirm": "ledger_uploads",
    "uppfoljning:report": "reports",
    "uppfoljning:report_edit": "reports",
    "uppfoljning:report_transition": "reports",
    "uppfoljning:report_versions": "reports",
    "uppfoljning:report_version": "reports",
    "uppfoljning:report_version_compare": "reports",
    "public_protokoll": "justerade_meetings",
    "public_anslag": "justerade_meetings",
    "public_verksamhetsplan": "jobs",
    # The platform's set-up pages refuse the world's roles before they look an id up (they are fuzzed as
    # a platform administrator in tests/forbund/test_platform.py); any member's id opens them.
    "platform:member_edit": "medlemmar",
    "platform:remove": "medlemmar",
    "platform:import_preview": "medlemmar",
    "platform:import_confirm": "medlemmar",
    "notifications:open": "notifications",
}
PK_RECORDS_BY_PREFIX = {
    "forbund:arbetsgrupp": "groups",
    "forbund:group_": "groups",
    "forbund:mote": "meetings",
    "forbund:agenda_": "meetings",
    "forbund:notice": "meetings",
    "forbund:narvaro": "meetings",
    "forbund:protokoll": "meetings",
    "forbund:justera": "meetings",
    "forbund:anslag": "meetings",
    "forbund:forhinder_": "forhinder_meetings",
    "forbund:inkallelse": "forhinder_meetings",
    "insatser:": "insatser",
    "uppfoljning:job": "jobs",
}
CHILDREN = {
    (Styrelsemote, "item_pk"): lambda meeting: AgendaItem.objects.filter(meeting=meeting),
    (Styrelsemote, "attachment_pk"): lambda meeting: AgendaAttachment.objects.filter(item__meeting=meeting),
    (Styrelsemote, "forhinder_pk"): lambda meeting: meeting.forhinder.all(),
    (Styrelsemote, "ask_pk"): lambda meeting: apps.get_model("forbund", "Inkallelse").objects.filter(
        forhinder__meeting=meeting
    ),
    (Arbetsgrupp, "membership_pk"): lambda group: GroupMembership.objects.filter(arbetsgrupp=group),
    (Arbetsgrupp, "meeting_pk"): lambda group: GroupMeeting.objects.filter(arbetsgrupp=group),
    (Insats, "delprocess_pk"): lambda insats: Delprocess.objects.filter(insats=insats),
    (Insats, "milestone_pk"): lambda insats: Milestone.objects.filter(insats=insats),
    (Insats, "attachment_pk"): lambda insats: Attachment.objects.filter(insats=insats),
    (apps.get_model("ekonomi", "Budget"), "income_pk"): lambda budget: budget.other_incomes.all(),
}

# Ids that name a record on their own (no `pk` before them in the address).
TOP_LEVEL_IDS = {
    # Användare och behörigheter: an ekonom's account and role, and the invitation `_build_records` made.
    "user_pk": lambda forbund: apps.get_model("forbund", "User").objects.filter(
        roles__forbund=forbund, roles__kind=Role.Kind.EKONOM
    ),
    "role_pk": lambda forbund: Role.objects.filter(forbund=forbund, kind=Role.Kind.EKONOM),
    "invitation_pk": lambda forbund: apps.get_model("forbund", "Invitation").objects.filter(forbund=forbund),
    "confirmation_pk": lambda forbund: apps.get_model("insatser", "Confirmation").objects.filter(
        insats__forbund=forbund
    ),
}


def _shape(names) -> tuple[str, ...]:
    """Field names with their numbers dropped: `punkt50-decision` and `punkt51-decision` are one field."""
    return tuple(sorted({re.sub(r"[0-9]+", "#", name) for name in names}))


def _pk_records_name(name: str) -> str | None:
    if name in PK_RECORDS:
        return PK_RECORDS[name]
    return next(
        (records for prefix, records in PK_RECORDS_BY_PREFIX.items() if name.startswith(prefix)), None
    )


# ---------------------------------------------------------------------------------------------------
# The world


@dataclasses.dataclass
class Form:
    method: str
    action: str  # a path
    fields: list[Field]
    submit: tuple[str, str] | None
    page: str  # the URL name of the page it was found on
    viewer: str  # who was shown it

    @property
    def key(self) -> tuple:
        """The same form for another record (every agenda item's "Ta bort") is posted once."""
        return (
            self.method,
            resolve_name(self.action) or self.action,
            _shape(field.name for field in self.fields),
        )

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.action} ({self.viewer} på {self.page})"


@dataclasses.dataclass
class Field:
    name: str
    kind: str  # hidden, text, textarea, number, date, time, select, radio, checkbox, checkboxes, file …
    values: list[str]  # as served: what a browser would submit untouched
    options: list[str] = dataclasses.field(default_factory=list)
    maxlength: int | None = None
    multiple: bool = False


@dataclasses.dataclass
class World:
    forbund: Forbund
    clients: dict[str, Client]
    records: dict[str, list]
    forms: list[Form]
    page_failures: list[str]
    opened: set[str]
    baseline: dict = dataclasses.field(default_factory=dict)


def _build_records(forbund: Forbund) -> dict[str, list]:
    projektagare = Role.objects.get(forbund=forbund, kind=Role.Kind.PROJEKTAGARE)
    own = Insats.objects.filter(forbund=forbund, owner=projektagare.medlem)
    draft = complete_application(forbund=forbund, owner=projektagare.medlem, name="Ansökan under arbete")
    insatser = [
        own.filter(status=status).first() or Insats.objects.filter(forbund=forbund, status=status).first()
        for status in (Insats.Status.IDE, Insats.Status.UNDER_BEREDNING, Insats.Status.PAGAENDE)
    ] + [draft]
    running = insatser[2]
    economy_settings(forbund)  # made on first sight by any economy page: made here, so a page view is no save
    AttachmentFactory(insats=running, uploaded_by=projektagare.user)
    meetings = Styrelsemote.objects.filter(forbund=forbund)
    Dokumentjobb.objects.create(
        forbund=forbund,
        kind=Dokumentjobb.Kind.VERKSAMHETSPLAN,
        year=FIRST_YEAR_OF_DEMO,
        status=Dokumentjobb.Status.MISSLYCKAD,
        requested_by=projektagare.user,
        error="Testfel",
    )
    from ekonomi.models import AccountMapping, Budget, CostCategory, Invoice, LedgerImport
    from uppfoljning.models import Tertialrapport

    proposal = BudgetFactory(forbund=forbund, year=FIRST_YEAR_OF_DEMO + 1, status=Budget.Status.FORSLAG)
    proposal.other_incomes.create(kind="esf", description="ESF-projektet", amount=150_000)
    TertialrapportFactory.create_submitted(
        period=ReportPeriodFactory(forbund=forbund, year=FIRST_YEAR_OF_DEMO + 1), insats=running
    )
    reports = Tertialrapport.objects.filter(insats__forbund=forbund)
    return {
        "populations": [WorkingAgePopulation.objects.filter(forbund=forbund).first()],
        "medlemmar": [projektagare.medlem],
        "styrelseuppdrag": [Styrelseuppdrag.objects.filter(forbund=forbund).first()],
        "kansliuppdrag": [Kansliuppdrag.objects.filter(forbund=forbund).first()],
        "personer": [Person.objects.filter(forbund=forbund).first()],
        "groups": [Arbetsgrupp.objects.filter(forbund=forbund, meetings__isnull=False).first()],
        "meetings": [meetings.filter(status=status).first() for status in ("kallat", "justerat")],
        "justerade_meetings": [meetings.filter(status="justerat").first()],
        "template_items": [AgendaTemplateItem.objects.filter(forbund=forbund).first()],
        "delegationsbeslut": [Delegationsbeslut.objects.filter(forbund=forbund).first()],
        "insatser": insatser,
        "budgets": list(Budget.objects.filter(forbund=forbund).order_by("year")),
        "cost_categories": [CostCategory.objects.filter(forbund=forbund).first()],
        "invoices": [Invoice.objects.filter(forbund=forbund, status="mottagen", insats=running).first()],
        "accounts": [AccountMapping.objects.filter(forbund=forbund).first()],
        "ledger_imports": [LedgerImport.objects.filter(forbund=forbund).first()],
        "reports": [
            reports.filter(status=status, insats=running).first() or reports.filter(status=status).first()
            for status in ("utkast", "returnerad", "inskickad", "godkand")
        ],
        "ledger_uploads": _ledger_uploads(forbund, projektagare.user),
        "jobs": [Dokumentjobb.objects.filter(forbund=forbund).first()],
        "invitations": [_invitation(forbund)],
        "notifications": [_notification(forbund, projektagare.user)],
        "forhinder_meetings": [_forhinder_meeting(forbund)],
    }


def _forhinder_meeting(forbund: Forbund):
    """A coming meeting where a ledamot has förhinder and the first ersättare is asked (the demo's
    meetings have all passed, and förhinder is for coming meetings)."""
    import datetime

    from django.utils import timezone

    from forbund.meetings.services.forhinder import forhinder_report

    meeting = Styrelsemote.objects.create(
        forbund=forbund,
        date=timezone.localdate() + datetime.timedelta(days=30),
        place="Svedala",
        status="kallat",
    )
    samordnare = Role.objects.filter(forbund=forbund, kind=Role.Kind.SAMORDNARE).first().user
    ledamot = Person.objects.get(forbund=forbund, name="Eva Holmberg")
    forhinder_report(meeting=meeting, person=ledamot, by=samordnare, note="Tjänsteresa")
    return meeting


def _notification(forbund: Forbund, user):
    from forbund.models import Notification

    return Notification.objects.create(
        recipient=user, forbund=forbund, kind="returned", title="Returnerad", url=f"/f/{forbund.slug}/"
    )


def _invitation(forbund: Forbund):
    """An invitation waiting for an answer (the demo has none)."""
    from forbund.accounts import invitations

    samordnare = Role.objects.filter(forbund=forbund, kind=Role.Kind.SAMORDNARE).first().user
    return invitations.invite(
        forbund=forbund, email="inbjuden@example.se", name="Inbjuden Person", kinds=["revisor"], by=samordnare
    )


def _ledger_uploads(forbund: Forbund, by) -> list:
    """A huvudbok upload the worker could not read (the model is new: none when it is not there)."""
    try:
        model = apps.get_model("ekonomi", "LedgerUpload")
    except LookupError:
        return []
    return [
        model.objects.create(
            forbund=forbund,
            file="huvudbok/uppladdat/trasig.xlsx",
            filename="trasig.xlsx",
            status="misslyckad",
            error="Filen gick inte att läsa.",
            uploaded_by=by,
        )
    ]


def _kwargs_for(route: Route, world_forbund: Forbund, records: dict[str, list]) -> list[dict]:
    """Every way to fill the route's parameters with the world's records (none when a record is missing)."""
    kwargs = {"forbund": world_forbund.slug} if "forbund" in route.params else {}
    if "year" in route.params:
        kwargs["year"] = FIRST_YEAR_OF_DEMO
    for param in route.params:
        if param in FIXED_KWARGS:
            kwargs[param] = FIXED_KWARGS[param]
        elif param in TOP_LEVEL_IDS:
            record = TOP_LEVEL_IDS[param](world_forbund).first()
            if record is None:
                return []
            kwargs[param] = record.pk
    if "pk" not in route.params:
        return [kwargs] if set(kwargs) == set(route.params) else []
    combinations = []
    for parent in records.get(_pk_records_name(route.name) or "", []):
        if parent is None:
            continue
        filled = {**kwargs, "pk": parent.pk}
        for param in _id_params(route) - set(filled) - set(FIXED_KWARGS):
            child = CHILDREN.get((type(parent), param), lambda parent: None)(parent)
            child = child.first() if child is not None else None
            if child is None:
                break
            filled[param] = child.pk
        else:
            combinations.append(filled)
    return combinations


# ---------------------------------------------------------------------------------------------------
# Reading pages


class PageParser(HTMLParser):
    """The forms of a page (with what a browser would submit) and the error messages it shows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.errors: list[str] = []
        self._form: dict | None = None
        self._select: Field | None = None
        self._option: list | None = None
        self._textarea: Field | None = None
        self._error_depth = 0
        self._error_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: (value or "") for name, value in attrs}
        if tag not in VOID_TAGS:
            self._track_error(attributes)
        if tag == "form":
            self._form = {
                "method": attributes.get("method", "get").lower(),
                "action": attributes.get("action", ""),
                "fields": {},
                "submit": None,
            }
            self.forms.append(self._form)
        if self._form is None or "disabled" in attributes:
            return
        name = attributes.get("name", "")
        if tag == "input":
            self._input(name, attributes)
        elif tag == "button" and attributes.get("type", "submit") == "submit":
            if name and self._form["submit"] is None:
                self._form["submit"] = (name, attributes.get("value", ""))
        elif tag == "select" and name:
            self._select = Field(name, "select", [])
            self._select.multiple = "multiple" in attributes
            self._form["fields"][name] = self._select
        elif tag == "option" and self._select is not None:
            self._option = [attributes.get("value"), "selected" in attributes, []]
        elif tag == "textarea" and name:
            maxlength = attributes.get("maxlength")
            self._textarea = Field(name, "textarea", [""], maxlength=int(maxlength) if maxlength else None)
            self._form["fields"][name] = self._textarea

    def _input(self, name: str, attributes: dict) -> None:
        kind = attributes.get("type", "text").lower()
        value = attributes.get("value", "")
        if kind in {"submit", "image"}:
            if name and self._form["submit"] is None:
                self._form["submit"] = (name, value)
            return
        if not name or kind in {"button", "reset"}:
            return
        fields = self._form["fields"]
        checked = "checked" in attributes
        if kind in {"checkbox", "radio"}:
            value = value or "on"
            field = fields.get(name)
            if field is None:
                field = fields[name] = Field(name, kind, [])
            elif kind == "checkbox":
                field.kind = "checkboxes"
            field.options.append(value)
            if checked:
                field.values.append(value)
            return
        maxlength = attributes.get("maxlength")
        fields[name] = Field(name, kind, [value], maxlength=int(maxlength) if maxlength else None)

    def handle_endtag(self, tag):
        if self._error_depth:
            self._error_depth -= 1
            if not self._error_depth:
                text = " ".join("".join(self._error_text).split())
                if text:
                    self.errors.append(text)
                self._error_text = []
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            value = "".join(text).strip() if value is None else value
            self._select.options.append(value)
            if selected:
                self._select.values.append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select.values and self._select.options and not self._select.multiple:
                self._select.values.append(self._select.options[0])
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self._form = None

    def handle_data(self, data):
        if self._error_depth:
            self._error_text.append(data)
        if self._option is not None:
            self._option[2].append(data)
        elif self._textarea is not None:
            self._textarea.values[0] += data

    def _track_error(self, attributes: dict) -> None:
        if self._error_depth:
            self._error_depth += 1
        elif any(name in attributes.get("class", "").split() for name in ERROR_CLASSES):
            self._error_depth = 1


def _parse(response) -> PageParser:
    parser = PageParser()
    if response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode())
    return parser


def _forms_on(response, path: str, page: str, viewer: str) -> list[Form]:
    forms = []
    for found in _parse(response).forms:
        action = urlsplit(found["action"]).path or path
        if not action.startswith("/"):
            continue
        forms.append(
            Form(
                method=found["method"],
                action=action,
                fields=list(found["fields"].values()),
                submit=found["submit"],
                page=page,
                viewer=viewer,
            )
        )
    return forms


# ---------------------------------------------------------------------------------------------------
# What a post changed


def _compared_tables() -> list[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in PROJECT_APPS and meta.managed and not meta.proxy:
            if meta.label_lower not in NOT_COMPARED:
                tables.add(meta.db_table)
    return sorted(tables)


def fingerprint() -> dict[str, tuple]:
    """Each compared table's row count and (on PostgreSQL) a checksum of its rows."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        row = "md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
    else:
        row = "''"
    selects = [
        f"SELECT '{table}', count(*), {row} FROM {quote(table)} r"  # noqa: S608 - names from the app registry
        for table in _compared_tables()
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects))
        return {table: (count, checksum) for table, count, checksum in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))


# ---------------------------------------------------------------------------------------------------
# Bad values


@dataclasses.dataclass
class Case:
    label: str
    data: dict[str, list[str]]
    refused: bool  # the app must refuse it (a value no field of that kind may hold)


def _served(form: Form) -> dict[str, list[str]]:
    data = {field.name: list(field.values) for field in form.fields if field.kind != "file" and field.values}
    if form.submit:
        data[form.submit[0]] = [form.submit[1]]
    return data


def _bad_values(field: Field) -> list[tuple[str, str, bool]]:
    """(label, value, refused) a field of this kind is given, the likeliest to break first; refused:
    no field of that kind may hold it."""
    if field.kind == "number":
        return [("huge", HUGE, True), ("text", "tolv", True), ("negative", "-1", False)]
    if field.kind == "date":
        return [("not a date", "2021-02-30", True), ("huge year", "99999-01-01", True)]
    if field.kind == "time":
        return [("not a time", "25:61", True)]
    if field.kind in {"select", "radio", "checkboxes"}:
        return [("id beyond range", BEYOND_ID, True), ("not a choice", SCRIPT, True)]
    if field.kind in {"text", "search", "email", "url", "tel", "password", "textarea"}:
        return [("10 000 characters", LONG, field.maxlength is not None), ("script", SCRIPT, False)]
    if field.kind == "hidden" and field.name != "csrfmiddlewaretoken":
        return [("altered to an id beyond range", BEYOND_ID, False), ("altered to text", "abc", False)]
    return []


def _fuzzed_fields(form: Form) -> Iterator[tuple[Field, list[tuple[str, str, bool]]]]:
    """Each field once (a repeated one, like every agenda item's decision, only the first time) with
    the values it gets: one per field, taking turns between fields of the same kind so that a form
    with several gets each kind of bad value; a number field always gets a huge number too."""
    turns: dict[str, int] = {}
    seen: set[str] = set()
    for field in form.fields:
        shape = re.sub(r"[0-9]+", "#", field.name)
        values = _bad_values(field)
        if shape in seen or not values:
            continue
        seen.add(shape)
        turn = turns.get(field.kind, 0)
        turns[field.kind] = turn + 1
        if field.kind == "number":  # too large for the column is what breaks: every number field gets it
            chosen = [values[0], values[1 + turn % (len(values) - 1)]]
        else:
            chosen = [values[turn % len(values)]]
        yield field, chosen


DATE_PAIRS = (("start", "end"), ("period_start", "period_end"), ("from", "to"), ("fran", "till"))


def _reversed_dates(form: Form) -> dict[str, list[str]] | None:
    dates = [field.name for field in form.fields if field.kind == "date"]
    for start, end in DATE_PAIRS:
        for name in dates:
            if name.endswith(start):
                partner = name[: -len(start)] + end
                if partner in dates:
                    return {name: ["2021-12-31"], partner: ["2021-01-01"]}
    return None


def fuzz_cases(form: Form) -> list[Case]:
    served = _served(form)
    cases = []
    for field, values in _fuzzed_fields(form):
        for label, value, refused in values:
            cases.append(Case(f"{field.name}: {label}", {**served, field.name: [value]}, refused))
    textual = [field.name for field in form.fields if field.kind in {"text", "textarea", "search"}]
    nul_field = textual[0] if textual else "nul"
    cases.append(Case(f"{nul_field}: NUL byte", {**served, nul_field: [NUL]}, True))
    reversed_dates = _reversed_dates(form)
    if reversed_dates:
        cases.append(Case("reversed dates", {**served, **reversed_dates}, True))
    if not [field for field in form.fields if field.kind != "hidden"]:
        extra = {"pk": [BEYOND_ID], "status": [SCRIPT], "comment": [LONG], "id": ["-1"]}
        cases.append(Case("extra bad values", {**served, **extra}, False))
    return cases


def one_bad_submission(form: Form) -> Case:
    """Every field bad at once (the first value of its kind); a form without fields gets extra ones."""
    data = _served(form)
    refused = False
    for field in form.fields:
        values = _bad_values(field)
        if values and field.kind != "hidden":
            label, value, must_refuse = values[0]
            data[field.name] = [value]
            refused = refused or must_refuse
    if all(field.kind == "hidden" for field in form.fields):
        data.update({"pk": [BEYOND_ID], "status": [SCRIPT], "comment": [LONG]})
    return Case("one bad submission", data, refused)


# ---------------------------------------------------------------------------------------------------
# Posting


def _queued_messages(response) -> list:
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


def _english(texts: list[str]) -> list[str]:
    return [text for text in texts if ENGLISH.search(text)]


def _sent_to_login(form: Form, response) -> bool:
    """A visitor is sent to the login page, and a logged-in user who posts the login form to the start
    page: refusals that need no message."""
    login = reverse("login")
    return response.get("Location", "").startswith(login) or form.action == login


def check_response(client: Client, form: Form, case: Case, before: dict) -> list[str]:
    """What is wrong with the app's answer to one bad post (an empty list: nothing)."""
    send = client.get if form.method == "get" else client.post
    response = send(form.action, case.data)
    problems = []
    status = response.status_code
    if status >= 500 and status != 503:  # 503: the designed "try again" when the broker is down
        return [f"svarade {status}"]
    body = (
        response.content.decode(errors="replace")
        if response.get("Content-Type", "").startswith("text/")
        else ""
    )
    if SCRIPT in body:
        problems.append("visar <script> oescapat")
    page = _parse(response) if body else PageParser()
    messages = _queued_messages(response)
    english = _english(page.errors + [str(message) for message in messages])
    if english:
        problems.append(f"engelska meddelanden: {english[:3]}")
    redirected = status in {301, 302, 303}
    changed = changed_tables(before, fingerprint())
    if changed and (case.refused or not redirected or form.method == "get"):
        problems.append(f"sparade ändå (svar {status}) i {', '.join(changed)}")
    if case.refused and status == 200 and form.method == "post" and not page.errors:
        problems.append("visade formuläret igen utan något felmeddelande")
    if case.refused and redirected and not changed and not _sent_to_login(form, response):
        told = [m for m in messages if m.level >= message_levels.WARNING]
        if not told:
            problems.append(f"skickade vidare till {response.get('Location')} utan att säga vad som var fel")
    if redirected and changed and any(SCRIPT in values for values in case.data.values()):
        shown = client.get(response["Location"])
        if SCRIPT in shown.content.decode(errors="replace"):
            problems.append(f"sparade <script> och visar det oescapat på {response['Location']}")
    return problems


class _Rollback(Exception):
    pass


def post_in_savepoint(world: World, client: Client, form: Form, case: Case) -> list[tuple[Form, str]]:
    problems: list[str] = []
    try:
        with transaction.atomic():
            problems = check_response(client, form, case, world.baseline)
            raise _Rollback
    except _Rollback:
        pass
    except Exception as error:  # a 500: show where
        frames = [
            f"{frame.filename.removeprefix('/work/main/')}:{frame.lineno}"
            for frame in traceback.extract_tb(error.__traceback__)
            if "site-packages" not in frame.filename and "test_form_fuzz" not in frame.filename
        ]
        problems = [f"{type(error).__name__}: {str(error)[:300]} ({' > '.join(frames[-4:])})"]
    return [(form, f"{form} – {case.label}: {problem}") for problem in problems]


def assert_no_problems(problems: list[tuple[Form, str]]) -> None:
    assert not problems, "\n".join(text for _form, text in problems)


# ---------------------------------------------------------------------------------------------------
# Building the world once


VIEWERS = ("samordnare", "projektagare", "anonym")


def _clients(forbund: Forbund) -> dict[str, Client]:
    clients = {}
    for role in Role.objects.filter(forbund=forbund).select_related("user"):
        client = Client(raise_request_exception=True)
        client.force_login(role.user)
        clients[role.kind] = client
    other = Role.objects.exclude(forbund=forbund).filter(kind=Role.Kind.SAMORDNARE).first()
    clients["annat_forbund"] = Client(raise_request_exception=True)
    clients["annat_forbund"].force_login(other.user)
    clients["anonym"] = Client(raise_request_exception=True)
    return clients


def _open_pages(world: World) -> None:
    seen: set[tuple] = set()
    for route in ROUTES:
        for kwargs in _kwargs_for(route, world.forbund, world.records):
            path = reverse(route.name, kwargs=kwargs)
            for viewer in VIEWERS:
                if viewer == "anonym" and not (route.framework or route.name.startswith("public_")):
                    continue
                if viewer != "anonym" and route.framework and route.name.startswith("password_reset"):
                    continue
                client = world.clients[Role.Kind.SAMORDNARE if viewer == "samordnare" else viewer]
                response = _get_in_savepoint(client, path, world, f"{viewer} {route.name}")
                if response is None:
                    continue
                world.opened.add(route.name)
                for form in _forms_on(response, path, route.name, viewer):
                    if form.key not in seen and resolve_name(form.action) not in SKIPPED_ACTIONS:
                        seen.add(form.key)
                        world.forms.append(form)


def _get_in_savepoint(client: Client, path: str, world: World, label: str):
    response = None
    try:
        with transaction.atomic():
            response = client.get(path)
            raise _Rollback
    except _Rollback:
        pass
    except Exception as error:
        world.page_failures.append(f"GET {path} ({label}): {type(error).__name__}: {str(error)[:300]}")
        return None
    if response.status_code >= 500 and response.status_code != 503:
        world.page_failures.append(f"GET {path} ({label}): {response.status_code}")
        return None
    return response


def resolve_name(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return match.view_name


class _RecordingApp:
    """Stands in for Celery's send_task during this module: the jobs a post queues are rolled back with
    it, so a real message would reach a later test's worker with an id that no longer exists."""

    def __init__(self):
        self.sent = []

    def __call__(self, name, *args, **kwargs):
        self.sent.append(name)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    from finsam.celery import app

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(app, "send_task", _RecordingApp())
        # Thousands of refusals: log only what goes wrong (a 500 is logged at ERROR).
        patch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo()
            forbund = Forbund.objects.get(slug="trelleborg")
            built = World(
                forbund=forbund,
                clients=_clients(forbund),
                records=_build_records(forbund),
                forms=[],
                page_failures=[],
                opened=set(),
            )
            _open_pages(built)
            built.baseline = fingerprint()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# ---------------------------------------------------------------------------------------------------
# The tests


def test_every_page_opens_for_the_samordnare_the_projektagare_and_visitors(world):
    assert not world.page_failures, "\n".join(world.page_failures)


def test_every_page_of_the_urlconf_was_opened(world):
    not_opened = sorted(route.name for route in ROUTES if route.name not in world.opened)
    assert not not_opened, f"öppnades inte (saknar post i världen eller PK_RECORDS): {not_opened}"


def test_the_walk_found_the_apps_forms(world):
    posted = [form for form in world.forms if form.method == "post"]
    assert len(posted) > 40, [str(form) for form in posted]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_bad_values_in_every_form_are_refused_in_swedish(world, route):
    problems = []
    for form in world.forms:
        if form.page != route.name:
            continue
        client = world.clients[Role.Kind.SAMORDNARE if form.viewer == "samordnare" else form.viewer]
        for case in fuzz_cases(form):
            problems += post_in_savepoint(world, client, form, case)
    assert_no_problems(problems)


OTHER_ROLES = [
    Role.Kind.EKONOM,
    Role.Kind.STYRELSELEDAMOT,
    Role.Kind.ERSATTARE,
    Role.Kind.REVISOR,
    Role.Kind.PROJEKTAGARE,
    "annat_forbund",
    "anonym",
]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_role_gets_a_refusal_never_a_500(world, role):
    problems = []
    for form in world.forms:
        if form.method != "post":
            continue
        problems += post_in_savepoint(world, world.clients[role], form, one_bad_submission(form))
    assert_no_problems(problems)


# ---------------------------------------------------------------------------------------------------
# Ids beyond the database's range


def test_no_address_takes_an_unbounded_int():
    from django.urls.converters import IntConverter

    def unbounded(resolver):
        for entry in resolver.url_patterns:
            converters = getattr(entry.pattern, "converters", {})
            yield from (
                f"{entry.pattern}: <int:{name}>" for name, c in converters.items() if type(c) is IntConverter
            )
            if isinstance(entry, URLResolver) and entry.app_name != "admin":
                yield from unbounded(entry)

    assert not list(unbounded(get_resolver())), "använd <id:…> (finsam/converters.py)"


def _addresses_with(route: Route, world: World, bad_id: str) -> Iterator[str]:
    """The route filled with the world's ids, one id at a time replaced by `bad_id`."""
    placeholder = 7_654_321_987
    for kwargs in _kwargs_for(route, world.forbund, world.records):
        for param in _id_params(route):
            yield reverse(route.name, kwargs={**kwargs, param: placeholder}).replace(str(placeholder), bad_id)


def _answer(client: Client, method: str, path: str) -> int:
    with transaction.atomic():
        response = getattr(client, method)(path)
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
@pytest.mark.parametrize("bad_id", ["9223372036854775808", BEYOND_ID])
def test_an_id_beyond_the_databases_range_in_an_address_is_a_404(world, route, bad_id):
    client = world.clients[Role.Kind.SAMORDNARE]
    for path in _addresses_with(route, world, bad_id):
        for method in ("get", "post"):
            assert _answer(client, method, path) == 404, f"{method.upper()} {path}"


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_the_largest_id_that_fits_is_not_found_or_refused(world, route):
    """18 digits pass the converter: the lookup finds nothing (404), unless the method (405) or the
    state of the record before it (403) refuses first, or a POST is sent back with a message (302)."""
    client = world.clients[Role.Kind.SAMORDNARE]
    for path in _addresses_with(route, world, "999999999999999999"):
        assert _answer(client, "get", path) in {403, 404, 405}, f"GET {path}"
        assert _answer(client, "post", path) in {302, 403, 404, 405}, f"POST {path}"

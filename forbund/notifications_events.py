"""Who is told about which workflow step. Connected to `finsam.workflow.transitioned` (sent after
each step commits) from `ForbundConfig.ready()`; every step that concerns someone else than the
one who took it is mapped here to its recipients, a title, a body and the exact place to act.

| record          | step                                  | told                                      |
|-----------------|---------------------------------------|-------------------------------------------|
| insats          | → inskickad (ansökan, komplettering)  | the förbund's samordnare                  |
| insats          | → komplettering begärd (comment)      | projektägare of the insats's owner        |
| insats          | → beviljad / avslagen                 | projektägare of the insats's owner        |
| tertialrapport  | → inskickad                           | the förbund's samordnare                  |
| tertialrapport  | → returnerad (comment)                | projektägare of the insats's owner        |
| tertialrapport  | → godkänd                             | projektägare of the insats's owner        |
| budget          | → beslutad                            | the förbund's ekonomer                    |
| styrelsemöte    | planerat → kallat / kallat → kallat   | ledamöter and ersättare at the meeting date |
| styrelsemöte    | → protokoll för justering             | the meeting's ordförande and justerare    |
| styrelsemöte    | → justerat (as *Beslutat*)            | the board at the meeting date, samordnare |

The one who took the step is never told (`notify` leaves out the actor). Events that are not
workflow steps call `notify` from their own service: an invoice registered
(`ekonomi.services.outcome.invoice_save`) and a confirmation asked (`insatser.confirmations`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from finsam.templatetags.sv import kr
from forbund import notifications
from forbund.models import MeetingStatus, Role, Styrelsemote, Styrelseuppdrag, User

Kind = notifications.Kind


# Recipients ---------------------------------------------------------------------------------------


def holders(forbund, kind: str) -> QuerySet[User]:
    """The active users holding role `kind` in the förbund."""
    return User.objects.filter(roles__forbund=forbund, roles__kind=kind, is_active=True).distinct()


def projektagare_of(insats) -> QuerySet[User]:
    """The projektägare of the member organisation that owns the insats (not of its partners)."""
    return User.objects.filter(
        roles__forbund_id=insats.forbund_id,
        roles__kind=Role.Kind.PROJEKTAGARE,
        roles__medlem_id=insats.owner_id,
        is_active=True,
    ).distinct()


def board_at(meeting: Styrelsemote) -> QuerySet[User]:
    """The accounts of the ledamöter and ersättare whose seat covers the meeting's date."""
    seats = Styrelseuppdrag.objects.filter(forbund_id=meeting.forbund_id, start__lte=meeting.date).exclude(
        end__lt=meeting.date
    )
    return User.objects.filter(
        personer__styrelseuppdrag__in=seats, personer__forbund_id=meeting.forbund_id, is_active=True
    ).distinct()


def justering_people(meeting: Styrelsemote) -> QuerySet[User]:
    """The accounts of the meeting's ordförande and justerare."""
    people = list(meeting.justerare.values_list("pk", flat=True))
    if meeting.ordforande_id:
        people.append(meeting.ordforande_id)
    return User.objects.filter(personer__pk__in=people, is_active=True).distinct()


def _with_comment(text: str, comment: str) -> str:
    return f"{text}\n\nKommentar:\n{comment}" if comment else text


# The steps ----------------------------------------------------------------------------------------


def _insats(insats, *, source: str, target: str, by, comment: str) -> None:
    S = type(insats).Status
    common = {"forbund": insats.forbund, "url": insats.get_absolute_url(), "actor": by}
    if target == S.INSKICKAD:
        again = source == S.KOMPLETTERING_BEGARD
        notifications.notify(
            kind=Kind.SUBMITTED,
            recipients=holders(insats.forbund, Role.Kind.SAMORDNARE),
            title=f"{'Kompletterad ansökan' if again else 'Ny ansökan'} inskickad: {insats.name}",
            body=f"{insats.owner} har skickat in ansökan om medel för {insats.name}. "
            "Den väntar på beredning.",
            **common,
        )
    elif target == S.KOMPLETTERING_BEGARD:
        notifications.notify(
            kind=Kind.RETURNED,
            recipients=projektagare_of(insats),
            title=f"Komplettering begärd: {insats.name}",
            body=_with_comment(
                "Kansliet har begärt att ansökan kompletteras. Gör ändringarna och skicka in den igen.",
                comment,
            ),
            **common,
        )
    elif target in (S.BEVILJAD, S.AVSLAGEN):
        word = "beviljad" if target == S.BEVILJAD else "avslagen"
        notifications.notify(
            kind=Kind.DECIDED,
            recipients=projektagare_of(insats),
            title=f"Ansökan {word}: {insats.name}",
            body=_with_comment(
                f"Styrelsen har beslutat: ansökan om medel för {insats.name} är {word}.", comment
            ),
            **common,
        )


def _report(report, *, source: str, target: str, by, comment: str) -> None:
    S = type(report).Status
    forbund = report.period.forbund
    common = {"forbund": forbund, "url": report.get_absolute_url(), "actor": by}
    if target == S.INSKICKAD:
        again = source == S.RETURNERAD
        notifications.notify(
            kind=Kind.SUBMITTED,
            recipients=holders(forbund, Role.Kind.SAMORDNARE),
            title=f"{'Kompletterad rapport' if again else 'Rapport'} inskickad: {report}",
            body="Rapporten väntar på granskning.",
            **common,
        )
    elif target == S.RETURNERAD:
        notifications.notify(
            kind=Kind.RETURNED,
            recipients=projektagare_of(report.insats),
            title=f"Rapport returnerad för komplettering: {report}",
            body=_with_comment("Komplettera rapporten och skicka in den igen.", comment),
            **common,
        )
    elif target == S.GODKAND:
        notifications.notify(
            kind=Kind.APPROVED,
            recipients=projektagare_of(report.insats),
            title=f"Rapport godkänd: {report}",
            body=_with_comment("Kansliet har godkänt rapporten.", comment),
            **common,
        )


def _budget(budget, *, source: str, target: str, by, comment: str) -> None:
    if target != type(budget).Status.BESLUTAD:
        return
    notifications.notify(
        kind=Kind.DECIDED,
        forbund=budget.forbund,
        recipients=holders(budget.forbund, Role.Kind.EKONOM),
        title=f"{budget} är beslutad",
        body=_with_comment("Styrelsen har beslutat budgeten; den gäller nu.", comment),
        url=budget.get_absolute_url(),
        actor=by,
    )


def _meeting(meeting: Styrelsemote, *, source: str, target: str, by, comment: str) -> None:
    when = f"{meeting.date:%Y-%m-%d}" + (f" kl. {meeting.start_time:%H.%M}" if meeting.start_time else "")
    where = meeting.place or "via länk"
    if target == MeetingStatus.KALLAT:
        changed = source == MeetingStatus.KALLAT
        # The notice itself is e-mailed with its calendar file by the notice service: in the app only.
        notifications.notify(
            kind=Kind.MEETING_CHANGED if changed else Kind.MEETING_NOTICE,
            forbund=meeting.forbund,
            recipients=board_at(meeting),
            title=f"{'Ändrad kallelse' if changed else 'Kallelse'}: {meeting}",
            body=f"{when}, {where}. Dagordningen och handlingarna finns på mötessidan.",
            url=meeting.get_absolute_url(),
            actor=by,
            email=False,
        )
    elif target == MeetingStatus.JUSTERING:
        notifications.notify(
            kind=Kind.JUSTERING,
            forbund=meeting.forbund,
            recipients=justering_people(meeting),
            title=f"Protokoll att justera: {meeting}",
            body="Läs protokollet och justera det med ditt konto.",
            url=reverse("forbund:protokoll", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk}),
            actor=by,
        )
    elif target == MeetingStatus.JUSTERAT:
        # The decisions now stand: the board hears that its minutes are final, the kansli that the
        # decisions can be carried out. Filed under *Beslutat*, which is what the justering confirms.
        notifications.notify(
            kind=Kind.DECIDED,
            forbund=meeting.forbund,
            recipients=[*board_at(meeting), *holders(meeting.forbund, Role.Kind.SAMORDNARE)],
            title=f"Protokollet justerat: {meeting}",
            body="Protokollet är justerat och besluten gäller. Det justerade protokollet finns på "
            "mötessidan.",
            url=reverse("forbund:protokoll", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk}),
            actor=by,
        )


HANDLERS = {
    "insatser.insats": _insats,
    "uppfoljning.tertialrapport": _report,
    "ekonomi.budget": _budget,
    "forbund.styrelsemote": _meeting,
}


def on_transition(sender, *, record, entry, by, source: str, target: str, **kwargs) -> None:
    handler = HANDLERS.get(sender._meta.label_lower)
    if handler is not None:
        handler(record, source=source, target=target, by=by, comment=getattr(entry, "comment", "") or "")


def connect() -> None:
    from finsam import workflow

    workflow.transitioned.connect(on_transition, dispatch_uid="forbund.notifications.transition")


# Events that are not workflow steps -----------------------------------------------------------------


def invoice_registered(invoice, *, by) -> None:
    """A received invoice waits for attest. Told are those the förbund's attest rules let attest it:
    its ekonomer, or, when no ekonom may (or the only one registered it), its samordnare; the one who
    registered it only where the rules let the registrar attest too."""
    from ekonomi.selectors.budget import economy_settings

    rules = economy_settings(invoice.forbund)
    attesters = User.objects.none()
    for kind in (Role.Kind.EKONOM, Role.Kind.SAMORDNARE):
        if kind not in rules.attest_roles:
            continue
        attesters = holders(invoice.forbund, kind)
        if not rules.registrar_may_attest:
            attesters = attesters.exclude(pk=by.pk)
        if attesters.exists():
            break
    kind = "Kreditfaktura" if invoice.is_credit_note else "Faktura"
    notifications.notify(
        kind=Kind.INVOICE_ATTEST,
        forbund=invoice.forbund,
        recipients=attesters,
        title=f"{kind} att attestera: {invoice}",
        body=f"{kind} på {kr(invoice.amount)} från {invoice.insats.owner} är registrerad och väntar "
        "på attest.",
        url=invoice.get_absolute_url(),
        actor=by,
    )

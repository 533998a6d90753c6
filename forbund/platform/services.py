"""Writes for the platform administration: starting a förbund, the steps of its guided start and
handing it over. Every write checks its rule, validates the model, runs in a transaction and is
recorded in the new förbund's audit log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from finsam import access, audit, concurrency

from .. import generation
from .. import services as forbund_services
from ..accounts import invitations
from ..models import Forbund, Invitation, Person, Role, Uppstart, User, WorkingAgePopulation
from . import selectors

RULE = "set_up_forbund"


def _mark(forbund: Forbund, step: str) -> None:
    setup = Uppstart.objects.select_for_update().get(forbund=forbund)
    if step not in setup.steps_done:
        setup.steps_done = [*setup.steps_done, step]
        setup.save(update_fields=["steps_done"])


@transaction.atomic
def forbund_start(*, by: User, forbund: Forbund) -> Forbund:
    """Create a förbund (name, organisationsnummer, slug from the first step's form) and its guided
    start, with the first entry of its log."""
    access.require("administer_platform", by, by)
    forbund.full_clean()
    forbund.save()
    Uppstart.objects.create(forbund=forbund, started_by=by, steps_done=[Uppstart.Step.UPPGIFTER])
    audit.created(forbund=forbund, actor=by, obj=forbund, description=f"{by} startade förbundet {forbund}")
    return forbund


@transaction.atomic
def forbund_facts_update(*, forbund: Forbund, by: User, opened_version: int | None) -> Forbund:
    def check(current: Forbund) -> None:
        access.require(RULE, by, current)

    return concurrency.save_edit(
        forbund,
        by=by,
        forbund=forbund,
        opened_version=opened_version,
        check=check,
        description="Ändrade förbundets namn och organisationsnummer vid uppstarten",
    )


@transaction.atomic
def setup_record_save(
    *, forbund: Forbund, by: User, instance: models.Model, step: str, opened_version: int | None = None
) -> models.Model:
    """One record of a step (a member, a kansli or board assignment, a person), saved at once so nothing
    typed is lost; the step is marked as begun."""
    saved = forbund_services.forbund_record_save(
        forbund=forbund, instance=instance, by=by, opened_version=opened_version, rule=RULE
    )
    _mark(forbund, step)
    return saved


@transaction.atomic
def person_with_assignment_save(
    *, forbund: Forbund, by: User, person: Person, assignment: models.Model, step: str
) -> models.Model:
    """A board seat or a kansli assignment with its person: the person in the register with the same
    e-mail (or, without one, the same name) is used, else a new one is added."""
    access.require(RULE, by, forbund)
    existing = None
    if person.email:
        existing = Person.objects.filter(forbund=forbund, email__iexact=person.email).order_by("pk").first()
    if existing is None:
        existing = Person.objects.filter(forbund=forbund, name__iexact=person.name).order_by("pk").first()
    if existing is None:
        person.forbund = forbund
        setup_record_save(forbund=forbund, by=by, instance=person, step=step)
        existing = person
    assignment.person = existing
    return setup_record_save(forbund=forbund, by=by, instance=assignment, step=step)


@transaction.atomic
def record_remove(*, forbund: Forbund, by: User, instance: models.Model) -> None:
    """Take back a member, seat or assignment entered by mistake during the start. A record others
    point to (a member with seats, a person with assignments) is refused with the reason."""
    access.require(RULE, by, forbund)
    generation.invalidate(forbund)
    noun = instance._meta.verbose_name
    audit.deleted(forbund=forbund, actor=by, obj=instance, description=f"Tog bort {noun}: {instance}")
    try:
        with transaction.atomic():
            instance.delete()
    except models.ProtectedError as error:
        raise ValidationError(
            f"{str(noun).capitalize()} {instance} används av andra uppgifter och kan inte tas bort; "
            "ta bort dem först."
        ) from error


@transaction.atomic
def populations_save(*, forbund: Forbund, by: User, year: int, counts: dict) -> list[WorkingAgePopulation]:
    """The working-age population of each member kommun in one year: a count for a kommun and year
    that is there already is changed (with its before and after in the log), a new one added."""
    access.require(RULE, by, forbund)
    saved = []
    for kommun, count in counts.items():
        if count is None:
            continue
        current = WorkingAgePopulation.objects.select_for_update().filter(kommun=kommun, year=year).first()
        if current is None:
            saved.append(
                forbund_services.forbund_record_save(
                    forbund=forbund,
                    instance=WorkingAgePopulation(forbund=forbund, kommun=kommun, year=year, count=count),
                    by=by,
                    rule=RULE,
                )
            )
        elif current.count != count:
            current.count = count
            saved.append(
                forbund_services.forbund_record_save(
                    forbund=forbund, instance=current, by=by, opened_version=current.lock_version, rule=RULE
                )
            )
    _mark(forbund, Uppstart.Step.INVANARE)
    return saved


@transaction.atomic
def first_samordnare_invite(*, forbund: Forbund, by: User, name: str, email: str) -> Invitation:
    """Invite the förbund's first samordnare (the e-mail goes through the worker). The person in the
    register with that e-mail is linked to the invitation, or one is added."""
    access.require(RULE, by, forbund)
    person = Person.objects.filter(forbund=forbund, email__iexact=email.strip()).order_by("pk").first()
    invitation = invitations.invite(
        forbund=forbund,
        email=email,
        name=name,
        kinds=[Role.Kind.SAMORDNARE],
        by=by,
        person=person if person is not None and person.user_id is None else None,
    )
    _mark(forbund, Uppstart.Step.SAMORDNARE)
    return invitation


@transaction.atomic
def setup_complete(*, forbund: Forbund, by: User) -> Uppstart:
    """Hand the förbund over to its samordnare: the guided start ends and the platform administrator
    no longer edits the förbund. Refused until the law's parties are members and a samordnare has been
    invited."""
    access.require(RULE, by, forbund)
    setup = Uppstart.objects.select_for_update().get(forbund=forbund)
    problems = selectors.completion_problems(forbund)
    if problems:
        raise ValidationError(problems)
    setup.completed_at = timezone.now()
    setup.completed_by = by
    setup.save(update_fields=["completed_at", "completed_by"])
    audit.event(forbund=forbund, actor=by, obj=setup, description=f"{by} avslutade uppstarten av {forbund}")
    return setup

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Role


class Command(BaseCommand):
    help = "Läser in demodata: Samordningsförbundet Trelleborg 2021 och ett litet andra förbund."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Kör även när DEBUG är av (demoanvändarna får ett känt lösenord).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demodata skapar användare med ett känt lösenord och läses bara in när DEBUG är på. "
                "Använd --force om du verkligen vill."
            )
        users = load_demo()
        self.stdout.write(self.style.SUCCESS("Demodata inläst."))
        self.stdout.write(f"Alla demoanvändare har lösenordet {DEMO_PASSWORD}:")
        for spec, user in users:
            role = Role.Kind(spec.role).label.lower()
            self.stdout.write(f"  {user.username:<14} {role} i {user.roles.get(kind=spec.role).forbund}")

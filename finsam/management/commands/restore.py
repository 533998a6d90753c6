import sys

from django.core.management.base import BaseCommand, CommandError

from finsam import backups


class Command(BaseCommand):
    help = (
        "Återställer databasen och alla lagrade filer (MEDIA_ROOT) från ett arkiv som `backup` gjort. "
        "Det som finns i dag ersätts. Stoppa appen och workern först."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARKIV", help="Arkivet (finsam-backup-….tar.gz).")
        parser.add_argument("--yes", action="store_true", help="Fråga inte; ersätt utan bekräftelse.")
        parser.add_argument(
            "--sha256",
            metavar="SUMMA",
            help="Arkivets kontrollsumma, om filen ARKIV.sha256 inte ligger bredvid arkivet.",
        )

    def handle(self, *args, archive: str, yes: bool = False, sha256: str | None = None, **options):
        try:
            verified = backups.verify_archive(archive, sha256=sha256)
        except backups.BackupError as error:
            raise CommandError(error.message) from error
        try:
            self._restore(verified, yes=yes)
        except backups.BackupError as error:
            raise CommandError(error.message) from error
        finally:
            verified.cleanup()

    def _restore(self, verified: backups.VerifiedArchive, *, yes: bool) -> None:
        backups.check_vendor(verified)
        manifest = verified.manifest
        vendor = backups.vendor_name(verified.vendor)
        self.stdout.write(f"Arkivet {verified.path} är oskadat (SHA-256 {verified.sha256}).")
        self.stdout.write(
            f"  Gjort {manifest['created_at']}: databas ({vendor}) och {len(verified.media_files)} filer."
        )
        notes = backups.migration_notes(verified)
        for note in notes:
            self.stdout.write(self.style.WARNING(f"  {note}"))
        if not yes and not self._confirmed():
            raise CommandError("Inget återställdes. Svara ja, eller kör med --yes.")
        media_root = backups.restore(verified)
        self.stdout.write(self.style.SUCCESS("Återställningen är klar."))
        self.stdout.write(
            f"  Databasen ({vendor}) är ersatt med säkerhetskopian från {manifest['created_at']}."
        )
        self.stdout.write(f"  {len(verified.media_files)} filer är återställda i {media_root}.")
        for note in notes:
            self.stdout.write(self.style.WARNING(f"  {note}"))

    def _confirmed(self) -> bool:
        if not sys.stdin.isatty():
            return False
        answer = input("Databasen och alla lagrade filer ersätts med arkivets. Skriv ja för att fortsätta: ")
        return answer.strip().lower() == "ja"

from django.core.management.base import BaseCommand, CommandError

from finsam import backups


class Command(BaseCommand):
    help = (
        "Säkerhetskopierar databasen och alla lagrade filer (MEDIA_ROOT) till ett arkiv med "
        "kontrollsumma. Går bra medan appen körs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="SÖKVÄG",
            help="Arkivets fil eller katalog (standard: var/backups/finsam-backup-ÅÅÅÅMMDD-TTMMSS.tar.gz).",
        )

    def handle(self, *args, output: str | None = None, **options):
        try:
            result = backups.create_backup(output)
        except backups.BackupError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Säkerhetskopian är klar: {result.path}"))
        megabytes = f"{result.size / 1_000_000:.1f}".replace(".", ",")
        self.stdout.write(
            f"  Databas ({backups.vendor_name(result.vendor)}) och {result.media_files} filer, {megabytes} MB"
        )
        self.stdout.write(f"  SHA-256: {result.sha256}")
        self.stdout.write(f"  Kontrollsumman står i {result.checksum_path}")

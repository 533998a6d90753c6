"""`manage.py backup` and `manage.py restore` round-trip the demo installation: after damage to rows
and files, a restore brings back every figure and every file byte for byte, on PostgreSQL and on
SQLite. A damaged or altered archive is refused before anything is touched.

Each installation runs in subprocesses with its own database and MEDIA_ROOT (see backup_site.py);
pytest's own test database and connection are left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.conftest import require

BASE_DIR = Path(settings.BASE_DIR)

# No test here uses pytest's database, but the marker makes pytest-django set it up (and point the
# connection at it) even when this module runs alone; the scratch database is copied from it.
pytestmark = pytest.mark.django_db


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def media_checksums(media: Path) -> dict[str, str]:
    return {path.relative_to(media).as_posix(): sha256(path) for path in media.rglob("*") if path.is_file()}


@dataclass
class Site:
    """A finsam installation of its own: database URL, MEDIA_ROOT and var directory."""

    root: Path
    database_url: str

    @property
    def media(self) -> Path:
        return self.root / "media"

    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "PYTEST_XDIST_WORKER"}
        }
        env.update(
            DEBUG="true",
            DATABASE_URL=self.database_url,
            MEDIA_ROOT=str(self.media),
            FINSAM_VAR_DIR=str(self.root / "var"),
        )
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [sys.executable, *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args)

    def helper(self, *args: str) -> dict:
        result = self.run("-m", "tests.kernel.backup_site", *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Prepared:
    site: Site
    figures: dict
    files: dict[str, str]
    archive: Path
    backup_output: str


def prepare(site: Site, *args: str) -> Prepared:
    figures = site.helper("prepare", *args)
    files = media_checksums(site.media)
    result = site.manage("backup")
    assert result.returncode == 0, result.stderr
    [archive] = (site.root / "var" / "backups").glob("finsam-backup-*.tar.gz")
    return Prepared(site=site, figures=figures, files=files, archive=archive, backup_output=result.stdout)


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory) -> Prepared:
    root = tmp_path_factory.mktemp("sqlite-site")
    return prepare(Site(root=root, database_url=f"sqlite:///{root / 'finsam.sqlite3'}"))


def admin_connection(db: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    )


def database_url(db: dict, name: str) -> str:
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{credentials}@{db['HOST'] or ''}" if credentials else db["HOST"] or ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{host}{port}/{name}"


@pytest.fixture(scope="module")
def postgres_site(tmp_path_factory, django_db_setup, django_db_blocker) -> Iterator[Prepared]:
    """A scratch database beside the test database. It is copied from the (migrated) test database
    when nothing else is connected to that, which spares the half minute `migrate` takes."""
    with django_db_blocker.unblock():
        require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
        client = ("pg_dump", "pg_restore", "psql")
        require(
            all(shutil.which(program) for program in client),
            "PostgreSQL-klienten (pg_dump, pg_restore, psql)",
        )
        db = dict(connection.settings_dict)
        connection.close()
    scratch = f"{db['NAME']}_roundtrip"
    with admin_connection(db) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        try:
            admin.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{db["NAME"]}"')
            migrated = True
        except psycopg.errors.ObjectInUse:
            admin.execute(f'CREATE DATABASE "{scratch}"')
            migrated = False
    root = tmp_path_factory.mktemp("postgres-site")
    try:
        yield prepare(
            Site(root=root, database_url=database_url(db, scratch)), *(["--no-migrate"] if migrated else [])
        )
    finally:
        with admin_connection(db) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def damage_files(media: Path, files: dict[str, str]) -> None:
    first, second = sorted(files)[:2]
    (media / first).unlink()
    (media / second).write_bytes(b"skadad")
    (media / "tillkommen.txt").write_text("ska bort vid återställning")


def assert_round_trip(prepared: Prepared) -> None:
    site = prepared.site
    assert prepared.figures["trelleborg"]["budgets"], "the demo has budgets to compare"
    assert prepared.figures["trelleborg"]["ledger"], "the demo has a ledger to compare"
    assert len(prepared.files) >= 2, "the demo stores files to compare"

    damaged = site.helper("damage")
    damage_files(site.media, prepared.files)
    assert damaged != prepared.figures
    assert media_checksums(site.media) != prepared.files

    result = site.manage("restore", str(prepared.archive), "--yes")

    assert result.returncode == 0, result.stderr
    assert "Återställningen är klar." in result.stdout
    assert f"{len(prepared.files)} filer är återställda" in result.stdout
    assert site.helper("figures") == prepared.figures
    assert media_checksums(site.media) == prepared.files


def assert_archive(prepared: Prepared, vendor_member: str) -> None:
    archive = prepared.archive
    digest = sha256(archive)
    assert archive.with_name(archive.name + ".sha256").read_text() == f"{digest}  {archive.name}\n"
    assert digest in prepared.backup_output
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names == {"manifest.json", vendor_member, *(f"media/{name}" for name in prepared.files)}
    assert {name: value for name, value in manifest["files"].items() if name.startswith("media/")} == {
        f"media/{name}": value for name, value in prepared.files.items()
    }
    assert "0001_initial" in manifest["migrations"]["forbund"]
    assert manifest["created_at"]


def test_sqlite_backup_holds_database_media_and_checksums(sqlite_site):
    assert_archive(sqlite_site, "database.sqlite3")
    assert (
        json.load(tarfile.open(sqlite_site.archive).extractfile("manifest.json"))["database"]["vendor"]
        == "sqlite"
    )


def test_postgresql_backup_holds_database_media_and_checksums(postgres_site):
    assert_archive(postgres_site, "database.pgdump")


# The refusals run before the round trips, on the same archives, and must leave everything as it is.
# Those that refuse while checking the archive, before anything is read or written, run in this
# process.


def refusal(*args: str) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore", *args)
    return str(refused.value)


def test_a_damaged_archive_is_refused(sqlite_site, tmp_path):
    copy = tmp_path / sqlite_site.archive.name
    data = bytearray(sqlite_site.archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    shutil.copy(sqlite_site.archive.with_name(sqlite_site.archive.name + ".sha256"), tmp_path)

    message = refusal(str(copy), "--yes")

    assert message.startswith("Arkivets kontrollsumma stämmer inte")
    assert message.endswith("Inget återställdes.")


def test_an_archive_with_an_altered_file_is_refused_even_with_a_new_checksum(sqlite_site, tmp_path):
    unpacked = tmp_path / "uppackat"
    with tarfile.open(sqlite_site.archive) as tar:
        tar.extractall(unpacked, filter="data")
    altered = sorted(sqlite_site.files)[0]
    (unpacked / "media" / altered).write_bytes(b"utbytt")
    forged = tmp_path / "forfalskad.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                tar.add(path, path.relative_to(unpacked).as_posix())
    forged.with_name(forged.name + ".sha256").write_text(f"{sha256(forged)}  {forged.name}\n")

    message = refusal(str(forged), "--yes")

    assert (
        message == f"Kontrollsumman stämmer inte för media/{altered}: arkivet är ändrat. Inget återställdes."
    )


def test_an_archive_without_its_checksum_is_refused_unless_it_is_given(sqlite_site, tmp_path):
    copy = tmp_path / sqlite_site.archive.name
    shutil.copy(sqlite_site.archive, copy)

    assert refusal(str(copy), "--yes").startswith("Kontrollsumman saknas")
    assert refusal(str(copy), "--yes", "--sha256", "0" * 64).startswith("Arkivets kontrollsumma stämmer inte")


def test_restore_without_yes_asks_and_does_nothing_when_nobody_answers(sqlite_site):
    (sqlite_site.site.media / "markering.txt").write_text("kvar")

    result = sqlite_site.site.manage("restore", str(sqlite_site.archive))

    assert result.returncode != 0
    assert "Inget återställdes. Svara ja, eller kör med --yes." in result.stderr
    assert (sqlite_site.site.media / "markering.txt").read_text() == "kvar"
    (sqlite_site.site.media / "markering.txt").unlink()
    assert media_checksums(sqlite_site.site.media) == sqlite_site.files


def test_an_archive_from_another_database_vendor_is_refused(sqlite_site):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")

    message = refusal(str(sqlite_site.archive))

    assert message == (
        "Säkerhetskopian kommer från SQLite, men den här installationen använder PostgreSQL. "
        "Inget återställdes."
    )


def test_sqlite_round_trip_keeps_every_figure_and_file(sqlite_site):
    assert_round_trip(sqlite_site)


def test_postgresql_round_trip_keeps_every_figure_and_file(postgres_site):
    assert_round_trip(postgres_site)

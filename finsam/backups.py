"""Backup and restore of the whole installation: the database and every stored file in one archive.

The archive (`finsam-backup-YYYYMMDD-HHMMSS.tar.gz`) holds

- `database.pgdump` (PostgreSQL, `pg_dump --format=custom`; restored with pg_restore and psql) or
  `database.sqlite3` (SQLite, a copy made with SQLite's online backup API, so it is consistent
  while the app writes);
- `media/…`, everything under MEDIA_ROOT;
- `manifest.json`: when, which database vendor, the applied migrations per app and the SHA-256 of
  every other member.

The archive's own SHA-256 is written beside it (`<archive>.sha256`, the format `sha256sum -c`
reads). Restoring checks both layers before it touches anything: the archive against its checksum
(a damaged copy), then every member against the manifest.

The commands `manage.py backup` and `manage.py restore` are the user interface; this module raises
`BackupError` with a Swedish message for everything a user can get wrong.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024

# libpq reads these from the environment; Django keeps them in OPTIONS.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


class BackupError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupResult:
    path: Path
    sha256: str
    checksum_path: Path
    vendor: str
    media_files: int
    size: int


@dataclass(frozen=True)
class VerifiedArchive:
    """An archive whose checksums hold, unpacked into `directory` (deleted by `cleanup`)."""

    path: Path
    sha256: str
    directory: Path
    manifest: dict

    @property
    def vendor(self) -> str:
        return self.manifest["database"]["vendor"]

    @property
    def media_files(self) -> list[str]:
        return sorted(name for name in self.manifest["files"] if name.startswith(f"{MEDIA_DIR}/"))

    def cleanup(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


# Shared -------------------------------------------------------------------------------------------


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_path_for(archive: Path) -> Path:
    return archive.with_name(f"{archive.name}.sha256")


def _require_supported_vendor() -> str:
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Databasen {connection.vendor} stöds inte; bara PostgreSQL och SQLite.")
    return connection.vendor


def _executable(program: str) -> str:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} saknas. Installera PostgreSQL-klienten i samma version som servern "
            "(Debian: postgresql-client)."
        )
    return executable


def _pg_command(program: str, extra: list[str]) -> tuple[list[str], dict[str, str]]:
    """A pg_dump/psql command line for the configured database, and its environment (the password
    goes in PGPASSWORD, never on the command line)."""
    db = connection.settings_dict
    env = dict(os.environ)
    args = [_executable(program), *extra]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    if db.get("NAME"):
        args += ["--dbname", str(db["NAME"])]
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return [*args, "--no-password"], env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} misslyckades: {result.stderr.strip() or result.returncode}")


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


# Backup -------------------------------------------------------------------------------------------


def default_archive_path(now: datetime.datetime | None = None) -> Path:
    now = timezone.localtime(now or timezone.now())
    return Path(settings.VAR_DIR) / "backups" / f"finsam-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def _archive_path(output: str | Path | None, now: datetime.datetime) -> Path:
    if not output:
        return default_archive_path(now)
    path = Path(output).expanduser().resolve()
    if path.is_dir():
        return path / default_archive_path(now).name
    return path


def _dump_database(vendor: str, into: Path) -> Path:
    target = into / DATABASE_MEMBERS[vendor]
    if vendor == "postgresql":
        args, env = _pg_command("pg_dump", ["--format=custom", "--file", str(target)])
        _run(args, env, "pg_dump")
    else:
        live = Path(connection.settings_dict["NAME"]).resolve()
        source = sqlite3.connect(f"{live.as_uri()}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    return target


class _HashingReader:
    """Reads a file for tarfile and hashes the very bytes that go into the archive."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    return info


def _add_file(tar: tarfile.TarFile, source: Path, name: str) -> str:
    with source.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        reader = _HashingReader(handle)
        tar.addfile(_tarinfo(name, stat.st_size, stat.st_mtime), reader)
    return reader.digest.hexdigest()


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink())


def create_backup(output: str | Path | None = None) -> BackupResult:
    vendor = _require_supported_vendor()
    now = timezone.now()
    archive = _archive_path(output, now)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if archive.resolve().is_relative_to(media_root):
        raise BackupError(
            f"Lägg inte säkerhetskopian i MEDIA_ROOT ({media_root}); den skulle kopiera sig själv."
        )
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f"{archive.name}.part")
    files: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="finsam-backup-") as scratch:
            dump = _dump_database(vendor, Path(scratch))
            with tarfile.open(partial, "w:gz") as tar:
                files[dump.name] = _add_file(tar, dump, dump.name)
                for path in _media_files(media_root):
                    name = f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}"
                    files[name] = _add_file(tar, path, name)
                manifest = json.dumps(_manifest(vendor, now, files), indent=2, ensure_ascii=False).encode()
                manifest_path = Path(scratch) / MANIFEST
                manifest_path.write_bytes(manifest)
                _add_file(tar, manifest_path, MANIFEST)
        partial.replace(archive)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Säkerhetskopian kunde inte skrivas: {error}") from error
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    digest = sha256_of(archive)
    checksum = checksum_path_for(archive)
    checksum.write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    return BackupResult(
        path=archive,
        sha256=digest,
        checksum_path=checksum,
        vendor=vendor,
        media_files=len(files) - 1,
        size=archive.stat().st_size,
    )


def _manifest(vendor: str, now: datetime.datetime, files: dict[str, str]) -> dict:
    return {
        "format": FORMAT,
        "application": "finsam",
        "created_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "django_version": django.get_version(),
        "database": {"vendor": vendor, "member": DATABASE_MEMBERS[vendor]},
        "migrations": _applied_migrations(),
        "files": files,
    }


# Restore ------------------------------------------------------------------------------------------


def _expected_checksum(archive: Path, given: str | None) -> str:
    if given:
        return given.strip().lower()
    checksum = checksum_path_for(archive)
    if not checksum.is_file():
        raise BackupError(
            f"Kontrollsumman saknas: {checksum.name} ska ligga bredvid arkivet "
            "(eller ange den med --sha256). Inget återställdes."
        )
    content = checksum.read_text(encoding="utf-8").split()
    if not content:
        raise BackupError(f"{checksum.name} är tom. Inget återställdes.")
    return content[0].lower()


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError("Arkivet är ingen säkerhetskopia från finsam (manifest.json saknas).") from error
    if manifest.get("application") != "finsam" or manifest.get("format") != FORMAT:
        raise BackupError("Arkivet är ingen säkerhetskopia från finsam i ett format som stöds.")
    return manifest


def _check_members(directory: Path, manifest: dict) -> None:
    present = {path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file()} - {
        MANIFEST
    }
    listed = set(manifest["files"])
    if missing := sorted(listed - present):
        raise BackupError(f"Arkivet saknar {', '.join(missing)}. Inget återställdes.")
    if extra := sorted(present - listed):
        raise BackupError(
            f"Arkivet innehåller filer som manifestet inte nämner: {', '.join(extra)}. Inget återställdes."
        )
    changed = sorted(name for name in listed if sha256_of(directory / name) != manifest["files"][name])
    if changed:
        raise BackupError(
            f"Kontrollsumman stämmer inte för {', '.join(changed)}: arkivet är ändrat. Inget återställdes."
        )
    if manifest["database"]["member"] not in listed:
        raise BackupError("Arkivet saknar databasen. Inget återställdes.")


def verify_archive(archive: str | Path, *, sha256: str | None = None) -> VerifiedArchive:
    """Check the archive and every member, and unpack it into a temporary directory."""
    path = Path(archive).expanduser().resolve()
    if not path.is_file():
        raise BackupError(f"Arkivet {path} finns inte.")
    expected = _expected_checksum(path, sha256)
    actual = sha256_of(path)
    if actual != expected:
        raise BackupError(
            f"Arkivets kontrollsumma stämmer inte (väntad {expected}, faktisk {actual}): "
            "arkivet är skadat eller ändrat. Inget återställdes."
        )
    directory = Path(tempfile.mkdtemp(prefix="finsam-restore-"))
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(directory, filter="data")
        manifest = _read_manifest(directory)
        _check_members(directory, manifest)
    except (OSError, tarfile.TarError) as error:
        shutil.rmtree(directory, ignore_errors=True)
        raise BackupError(f"Arkivet kunde inte läsas: {error}. Inget återställdes.") from error
    except BackupError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return VerifiedArchive(path=path, sha256=actual, directory=directory, manifest=manifest)


def check_vendor(verified: VerifiedArchive) -> None:
    here = _require_supported_vendor()
    if verified.vendor != here:
        raise BackupError(
            f"Säkerhetskopian kommer från {vendor_name(verified.vendor)}, men den här installationen "
            f"använder {vendor_name(here)}. Inget återställdes."
        )


def migration_notes(verified: VerifiedArchive) -> list[str]:
    """What the user should know about the archive's schema compared with this code."""
    archived = {(app, name) for app, names in verified.manifest["migrations"].items() for name in names}
    in_code = _code_migrations()
    project_apps = {app for app, _ in in_code}
    notes = []
    unknown = sorted(f"{app}.{name}" for app, name in archived - in_code if app in project_apps)
    if unknown:
        notes.append(
            "Säkerhetskopian är gjord med en nyare version av finsam (okända migreringar: "
            f"{', '.join(unknown)}). Återställ med samma version som gjorde den."
        )
    if in_code - archived:
        notes.append(
            "Säkerhetskopian är gjord med en äldre version av finsam: kör `python manage.py migrate` "
            "efter återställningen."
        )
    return notes


def _restore_postgresql(dump: Path) -> None:
    """Replace every table in one transaction: the tables there are now (a later migration may have
    added some the archive does not know) are dropped, then the archive's are created and filled.
    pg_restore writes the archive as SQL and psql runs both with --single-transaction, so a failure
    leaves the database as it was."""
    script = dump.with_name("database.sql")
    _run(
        [_executable("pg_restore"), "--no-owner", "--no-privileges", "--file", str(script), str(dump)],
        dict(os.environ),
        "pg_restore",
    )
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    quote = connection.ops.quote_name
    prelude = dump.with_name("drop-tables.sql")
    prelude.write_text("".join(f"DROP TABLE IF EXISTS {quote(table)} CASCADE;\n" for table in tables))
    connection.close()
    args, env = _pg_command(
        "psql",
        ["--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1"]
        + ["--file", str(prelude), "--file", str(script)],
    )
    _run(args, env, "Återläsningen av databasen")


def _restore_sqlite(dump: Path) -> None:
    """SQLite's backup API copies the archive's database page by page over the live one (tables the
    archive lacks are gone afterwards), under SQLite's own locking."""
    connection.close()
    source = sqlite3.connect(dump)
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_database(verified: VerifiedArchive) -> None:
    dump = verified.directory / verified.manifest["database"]["member"]
    if verified.vendor == "postgresql":
        _restore_postgresql(dump)
    else:
        _restore_sqlite(dump)


def _replace_media(verified: VerifiedArchive) -> Path:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    # Empty the directory rather than replace it: in docker compose it is a mounted volume.
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    unpacked = verified.directory / MEDIA_DIR
    if unpacked.is_dir():
        shutil.copytree(unpacked, media_root, dirs_exist_ok=True)
    return media_root


def restore(verified: VerifiedArchive) -> Path:
    """Replace the database and MEDIA_ROOT with the archive's. The archive must be verified and its
    vendor checked. Returns MEDIA_ROOT."""
    try:
        _restore_database(verified)
    except BackupError as error:
        raise BackupError(f"{error.message} Databasen och filerna är som förut.") from error
    try:
        return _replace_media(verified)
    except OSError as error:
        raise BackupError(f"Återställningen avbröts: {error}") from error

"""Backups: one archive holding a consistent copy of the database and the upload directory."""
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from urllib.parse import unquote, urlsplit, urlunsplit
from pathlib import Path

from ..core.db import make_database, utcnow

FORMAT = 1
SQLITE_MEMBER = "database/salesweb.db"
PG_MEMBER = "database/salesweb.pgdump"


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_copy(db_path, target):
    """SQLite's online backup API: a consistent copy while other processes keep writing."""
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    dest = sqlite3.connect(target)
    try:
        with dest:
            source.backup(dest)
    finally:
        source.close()
        dest.close()


def _check_sqlite(path):
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the archive is not readable: {exc}") from exc
    if result != "ok":
        raise BackupError(f"the database in the archive fails its integrity check: {result}")
    if "user" not in tables or "schema_migration" not in tables:
        raise BackupError("the archive's database is not a salesweb database")


def _pg_env(url):
    """pg_dump's environment and a URL without the password (which would show in `ps`)."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{netloc[1]}")
    return env, urlunsplit(parts)


def create(archive, database_url, upload_dir, migrations):
    """Write the archive; returns its manifest."""
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="salesweb-backup-") as tmp:
        tmp = Path(tmp)
        files = {}
        if database_url.startswith("sqlite"):
            db_path = make_database(database_url).database
            if not Path(db_path).exists():
                raise BackupError(f"no database at {db_path}")
            member, engine = SQLITE_MEMBER, "sqlite"
            _sqlite_copy(db_path, tmp / "db")
        else:
            member, engine = PG_MEMBER, "postgresql"
            env, url = _pg_env(database_url)
            run = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(tmp / "db"),
                                  "--dbname", url], env=env, capture_output=True, text=True)
            if run.returncode:
                raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
        files[member] = _sha256(tmp / "db")
        uploads = Path(upload_dir)
        upload_files = sorted(p for p in uploads.rglob("*") if p.is_file()  # not uploads still arriving
                              and p.relative_to(uploads).parts[0] != ".incoming") if uploads.exists() else []
        for path in upload_files:
            files["uploads/" + path.relative_to(uploads).as_posix()] = _sha256(path)
        manifest = {"format": FORMAT, "engine": engine, "created": utcnow().isoformat() + "Z",
                    "migrations": migrations, "files": files}
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        partial.unlink(missing_ok=True)
        # Owner-only: the archive holds every password hash.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(utcnow().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(tmp / "db", arcname=member)
            for path in upload_files:
                tar.add(path, arcname="uploads/" + path.relative_to(uploads).as_posix())
        os.replace(partial, archive)
    return manifest


def _read_manifest(tar):
    try:
        member = tar.getmember("manifest.json")
        manifest = json.load(tar.extractfile(member))
    except KeyError:
        raise BackupError("the archive has no manifest.json; it was not made by salesweb backup") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError("the archive's manifest.json is damaged") from None
    if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
            or not isinstance(manifest.get("files"), dict) or manifest.get("engine") not in ("sqlite", "postgresql")
            or not isinstance(manifest.get("migrations"), list)):
        raise BackupError("the archive's manifest is not one this version understands")
    return manifest


def verify(archive, into):
    """Unpack into a directory and check every file against the manifest; returns the manifest."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"not a readable backup archive: {exc}") from None
    with tar:
        try:
            manifest = _read_manifest(tar)
            names = set()
            for member in tar.getmembers():
                if member.name == "manifest.json":
                    continue
                parts = Path(member.name).parts
                if (not member.isfile() or member.name not in manifest["files"] or ".." in parts
                        or member.name.startswith("/") or parts[0] not in ("database", "uploads")):
                    raise BackupError(f"unexpected entry in the archive: {member.name!r}")
                names.add(member.name)
            missing = set(manifest["files"]) - names
            if missing:
                raise BackupError(f"the archive lacks {len(missing)} file(s), e.g. {sorted(missing)[0]!r}")
            tar.extractall(into, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"the archive is damaged: {exc}") from None
    for name, digest in manifest["files"].items():
        if _sha256(Path(into) / name) != digest:
            raise BackupError(f"{name} does not match its checksum; the archive is damaged")
    return manifest


def restore(archive, database_url, upload_dir, known_migrations=None):
    """Replace the database and the uploads with the archive's, after verifying all of it.

    known_migrations: the migrations this version has; an archive from a newer version is refused.
    """
    engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with tempfile.TemporaryDirectory(prefix="salesweb-restore-") as tmp:
        tmp = Path(tmp)
        manifest = verify(archive, tmp)
        if manifest["engine"] != engine:
            raise BackupError(f"the archive holds a {manifest['engine']} database; this install uses {engine}")
        newer = sorted(set(manifest["migrations"]) - set(known_migrations or manifest["migrations"]))
        if newer:
            raise BackupError(f"the archive was made by a newer salesweb (migration {newer[0]}); upgrade first")
        if engine == "sqlite":
            _check_sqlite(tmp / SQLITE_MEMBER)
            target = Path(make_database(database_url).database)
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_name(target.name + ".restoring")
            shutil.copyfile(tmp / SQLITE_MEMBER, staged)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            os.replace(staged, target)
        else:
            env, url = _pg_env(database_url)
            run = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                  "--dbname", url, str(tmp / PG_MEMBER)], env=env, capture_output=True, text=True)
            if run.returncode:
                raise BackupError(f"pg_restore failed: {run.stderr.strip()}")
        uploads = Path(upload_dir)
        fresh = tmp / "uploads"
        fresh.mkdir(exist_ok=True)
        old = uploads.with_name(uploads.name + ".before-restore")
        shutil.rmtree(old, ignore_errors=True)
        if uploads.exists():
            os.replace(uploads, old)
        uploads.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(fresh), str(uploads))
        shutil.rmtree(old, ignore_errors=True)
    return manifest

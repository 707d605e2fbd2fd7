"""``flask backup create`` and ``flask backup verify``: a consistent copy of the database and the data folder.

SQLite is copied online with ``Connection.backup()`` (never ``cp`` of a live WAL database) and the copy must pass
``PRAGMA integrity_check``; PostgreSQL is dumped with ``pg_dump -Fc``. The files of ``DATA_DIR`` go into a tar.gz
next to it, and a manifest records each file's SHA-256, the row count of every table and the head of the audit
hash chain, so a restore can be checked against it (and the manifest, kept elsewhere, anchors the audit chain).

Restore: SQLite — stop the app, copy ``registry-….db`` over the database file, unpack the data archive into
``DATA_DIR``; PostgreSQL — ``pg_restore --no-owner --exit-on-error -d <empty database> registry-….dump``. Then
``flask db upgrade`` and ``flask audit verify``.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from registry.common.audit import GENESIS_HASH, AuditChainHead, AuditEvent, compute_hash
from registry.extensions import db

backup_cli = AppGroup("backup", help="Back up the database and the data folder, and check backups.")
MANIFEST_VERSION = 1


class BackupError(RuntimeError):
    """A backup could not be made or does not check out; the message says why."""


@dataclass
class Check:
    """Outcome of verifying a backup: what was checked and what failed."""

    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


# ---------------------------------------------------------------- helpers
def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_dir() -> Path:
    """``BACKUP_DIR`` if configured, else ``instance/backups`` next to the default database."""
    from registry.config import PROJECT_ROOT

    return Path(current_app.config.get("BACKUP_DIR") or PROJECT_ROOT / "instance" / "backups")


def table_counts(session: Session) -> dict[str, int]:
    """Rows in every table of the database ``session`` is bound to."""
    names = sorted(inspect(session.connection()).get_table_names())
    return {name: session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}  # noqa: S608


def chain_head(session: Session) -> dict | None:
    """The last event id and hash of the audit chain, as recorded by the chain-head row."""
    head = session.get(AuditChainHead, 1)
    return {"last_id": head.last_id, "last_hash": head.last_hash} if head else None


def verify_chain_in(session: Session, batch: int = 5000) -> tuple[bool, int, int | None, str]:
    """Recompute the hash chain of the database ``session`` is bound to (e.g. a restored copy).

    :returns: ``(ok, events checked, first bad id, reason)``.
    """
    prev, expected, last = GENESIS_HASH, 1, 0
    while True:
        rows = session.execute(select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id)
                               .limit(batch)).scalars().all()
        if not rows:
            break
        for event in rows:
            if event.id != expected:
                return False, expected - 1, expected, "missing event"
            if event.prev_hash != prev or compute_hash(prev, event) != event.hash:
                return False, expected - 1, event.id, "content or link does not match its hash"
            prev, expected, last = event.hash, event.id + 1, event.id
        session.expunge_all()
    head = chain_head(session)
    if head and (head["last_id"], head["last_hash"]) != (last, prev):
        return False, last, last + 1, "chain head does not match the last event"
    return True, last, None, ""


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments (no password on the command line) and the environment carrying the password."""
    query = dict(url.query)
    args = ["--dbname", url.database or ""]
    host = url.host or query.get("host")
    if host:
        args += ["--host", str(host)]
    port = url.port or query.get("port")
    if port:
        args += ["--port", str(port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's major "
                          f"version (Debian: apt-get install postgresql-client) and try again.")
    return path


# ---------------------------------------------------------------- create
def backup_sqlite(database: Path, target: Path) -> None:
    """Copy a live SQLite database page by page (consistent even while the app writes) and check the copy.

    :raises BackupError: if the copy fails ``PRAGMA integrity_check``.
    """
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal next to it
        result = copy.execute("PRAGMA integrity_check").fetchall()
    finally:
        copy.close()
        source.close()
    if result != [("ok",)]:
        raise BackupError(f"the copy failed PRAGMA integrity_check: {result[:5]}")


def backup_postgresql(url: URL, target: Path) -> None:
    """``pg_dump -Fc`` of the database to ``target``.

    :raises BackupError: if pg_dump is missing or fails.
    """
    args, env = _pg_env(url)
    done = subprocess.run([_tool("pg_dump"), "--format=custom", "--file", str(target), *args], env=env,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:2000]}")


def archive_data_dir(data_dir: Path | None, target: Path) -> int:
    """Put the files of ``DATA_DIR`` into a tar.gz (an empty archive if there is no folder); returns the count."""
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        if data_dir is not None and data_dir.is_dir():
            for path in sorted(data_dir.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(data_dir)))
                    count += 1
    return count


def create_backup(folder: Path) -> Path:
    """Back up the configured database and ``DATA_DIR`` into ``folder``; returns the manifest's path.

    :raises BackupError: when the database kind is unsupported, a tool is missing or a check fails.
    """
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = f"registry-{stamp}"
    db.session.rollback()  # read the counts in a fresh transaction, right before copying
    counts, head = table_counts(db.session), chain_head(db.session)
    db.session.rollback()
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory database cannot be backed up")
        database_file = folder / f"{base}.db"
        backup_sqlite(Path(url.database), database_file)
    elif backend == "postgresql":
        database_file = folder / f"{base}.dump"
        backup_postgresql(url, database_file)
    else:
        raise BackupError(f"backups of {backend} databases are not supported")
    data_dir = current_app.config.get("DATA_DIR")
    data_file = folder / f"{base}-data.tar.gz"
    data_files = archive_data_dir(Path(data_dir) if data_dir else None, data_file)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"kind": backend, "file": database_file.name, "name": Path(url.database or "").name},
        "files": {p.name: {"bytes": p.stat().st_size, "sha256": sha256_of(p)} for p in (database_file, data_file)},
        "data_dir": {"path": str(data_dir or ""), "files": data_files},
        "row_counts": counts,
        "audit_chain_head": head,
        "note": "Row counts and the audit head were read just before the copy; events added during the copy may "
                "make the copy slightly newer.",
    }
    manifest_path = folder / f"{base}-manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return manifest_path


# ---------------------------------------------------------------- verify
def _check_sqlite_copy(path: Path, manifest: dict | None, check: Check) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    if result == [("ok",)]:
        check.passed.append("PRAGMA integrity_check: ok")
    else:
        check.failed.append(f"PRAGMA integrity_check: {result[:5]}")
        return
    # The contents are read from a scratch copy (a restore drill): the backup itself is never opened for writing.
    with tempfile.TemporaryDirectory(prefix="registry-verify-") as scratch:
        restored = Path(scratch) / "restored.db"
        shutil.copyfile(path, restored)
        engine = create_engine(f"sqlite:///{restored}")
        try:
            with Session(engine) as session:
                _check_contents(session, manifest, check)
        finally:
            engine.dispose()


def _check_contents(session: Session, manifest: dict | None, check: Check) -> None:
    ok, checked, bad, reason = verify_chain_in(session)
    if ok:
        check.passed.append(f"audit chain of the copy: OK ({checked} events)")
    else:
        check.failed.append(f"audit chain of the copy: BROKEN at event {bad}: {reason}")
    if manifest is None:
        return
    head = chain_head(session)
    if manifest.get("audit_chain_head") and head and head["last_id"] >= manifest["audit_chain_head"]["last_id"]:
        expected = manifest["audit_chain_head"]
        row = session.get(AuditEvent, expected["last_id"]) if expected["last_id"] else None
        if expected["last_id"] and (row is None or row.hash != expected["last_hash"]):
            check.failed.append(f"audit event {expected['last_id']} differs from the one recorded in the manifest")
        else:
            check.passed.append("audit chain head matches the manifest")
    elif manifest.get("audit_chain_head"):
        check.failed.append("the copy has fewer audit events than the manifest records")
    counts = table_counts(session)
    fewer = {t: (n, counts.get(t)) for t, n in manifest.get("row_counts", {}).items() if (counts.get(t) or 0) < n}
    if fewer:
        check.failed.append(f"tables with fewer rows than recorded: {fewer}")
    else:
        check.passed.append(f"row counts of {len(counts)} tables: at least those recorded")


def _check_pg_dump(path: Path, manifest: dict | None, check: Check, drill_url: str | None) -> None:
    done = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, timeout=600)
    if done.returncode == 0 and "TABLE DATA" in done.stdout:
        check.passed.append("pg_restore --list: archive readable")
    else:
        check.failed.append(f"pg_restore --list failed: {done.stderr.strip()[:500]}")
        return
    if not drill_url:
        return
    url = make_url(drill_url)
    args, env = _pg_env(url)
    done = subprocess.run([_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, str(path)], env=env,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        check.failed.append(f"restore into {url.database} failed: {done.stderr.strip()[:500]}")
        return
    check.passed.append(f"restored into {url.database}")
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            _check_contents(session, manifest, check)
    finally:
        engine.dispose()


def _check_tar(path: Path, check: Check) -> None:
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
        check.passed.append(f"data archive readable ({len(members)} files)")
    except (tarfile.TarError, OSError) as exc:
        check.failed.append(f"data archive unreadable: {exc}")


def verify_backup(path: Path, drill_url: str | None = None) -> Check:
    """Check a manifest (every file it lists) or a single backup file.

    SQLite copies are opened read-only: ``integrity_check``, the audit chain recomputed, row counts and chain head
    compared with the manifest. PostgreSQL dumps are listed with ``pg_restore --list`` and, given ``drill_url``
    (an empty scratch database), restored there and checked the same way.
    """
    check = Check()
    manifest = None
    if path.name.endswith("-manifest.json"):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            check.failed.append(f"manifest unreadable: {exc}")
            return check
        files = [path.parent / name for name in manifest.get("files", {})]
        for file in files:
            if not file.is_file():
                check.failed.append(f"{file.name}: missing")
            elif sha256_of(file) != manifest["files"][file.name]["sha256"]:
                check.failed.append(f"{file.name}: SHA-256 differs from the manifest")
            else:
                check.passed.append(f"{file.name}: SHA-256 matches")
        if check.failed:
            return check
    else:
        files = [path]
    for file in files:
        if file.suffix == ".db":
            _check_sqlite_copy(file, manifest, check)
        elif file.suffix == ".dump":
            _check_pg_dump(file, manifest, check, drill_url)
        elif file.name.endswith(".tar.gz"):
            _check_tar(file, check)
        else:
            check.failed.append(f"{file.name}: not a backup file this command knows")
    return check


# ---------------------------------------------------------------- commands
@backup_cli.command("create")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the backup (default: BACKUP_DIR, else instance/backups).")
def create_command(folder: Path | None):
    """Back up the database (online) and DATA_DIR, with a manifest of SHA-256s."""
    from registry.cli import fail

    g.read_only = True  # SQLite: read in a deferred transaction, never holding the write lock
    try:
        manifest = create_backup(folder or default_dir())
    except (BackupError, OSError, subprocess.SubprocessError) as exc:
        fail(f"Backup failed: {exc}")
    info = json.loads(manifest.read_text(encoding="utf-8"))
    for name, meta in info["files"].items():
        click.echo(f"{manifest.parent / name}  {meta['bytes']:>12,} bytes  sha256 {meta['sha256'][:16]}…")
    click.echo(f"{manifest}  (manifest)")
    click.echo("Backup complete. Copy these files off this machine; check them with `flask backup verify "
               f"{manifest}`.")


@backup_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--restore-into", "drill_url", default=None, metavar="DATABASE_URL",
              help="PostgreSQL dumps: restore into this EMPTY scratch database and check the restored data.")
def verify_command(file: Path, drill_url: str | None):
    """Check a backup: a manifest (all its files) or a single .db, .dump or .tar.gz."""
    from registry.cli import fail

    g.read_only = True
    try:
        check = verify_backup(file, drill_url)
    except (BackupError, OSError, subprocess.SubprocessError) as exc:
        fail(f"Cannot check {file}: {exc}")
    for line in check.passed:
        click.echo(f"ok    {line}")
    for line in check.failed:
        click.secho(f"FAIL  {line}", fg="red", err=True)
    if not check.ok:
        fail(f"Backup {file.name} did NOT pass its checks.")
    click.echo(f"Backup {file.name} passed its checks.")


def register(app: Flask) -> None:
    """Add ``flask backup``."""
    app.cli.add_command(backup_cli)


"""#18: the backup of docs/backup.md restores: ``make backup`` dumps a database holding a full
client record, ``make restore`` loads it into a fresh database, and every table has the same
number of rows; a restore over a database that is not empty is refused."""

import subprocess
import uuid
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.factories import (
    CheckInFactory,
    DecisionFactory,
    GoalFactory,
    PrescriptionFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    WorksheetFactory,
)

# On PostgreSQL a missing pg_dump fails the test (.ci/run installs postgresql-client).
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump/pg_restore back up PostgreSQL only (SQLite: copy the file)"
)


def _url(name):
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _row_counts(url):
    with psycopg.connect(url) as conn:
        tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _make(target, url, backup):
    return subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", target, f"DATABASE_URL={url}", f"BACKUP={backup}"],  # noqa: S607
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fresh_database():
    name = f"iop_restore_{uuid.uuid4().hex[:12]}"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_with_every_row(transactional_db, episode1, fresh_database, tmp_path):
    CheckInFactory(episode=episode1, author=episode1.primary_therapist)
    GoalFactory(episode=episode1)
    PrescriptionFactory(client=episode1.client)
    ScreenResultFactory(screen=ScreenFactory(episode=episode1))
    SessionFactory(site=episode1.site, track=episode1.track)
    WorksheetFactory(episode=episode1)
    DecisionFactory(episode=episode1, decided_by=episode1.case_manager)
    source = _url(connection.settings_dict["NAME"])
    backup = tmp_path / "iop.dump"

    dumped = _make("backup", source, backup)
    assert dumped.returncode == 0, dumped.stderr
    assert backup.stat().st_size > 0
    restored = _make("restore", fresh_database, backup)
    assert restored.returncode == 0, restored.stderr

    before, after = _row_counts(source), _row_counts(fresh_database)
    assert after == before
    assert before["clients_client"] == 1 and before["checkins_checkin"] == 1 and before["django_migrations"] > 10
    with psycopg.connect(fresh_database) as conn:  # planner statistics, which a dump does not carry
        (columns,) = conn.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'clients_client'").fetchone()
    assert columns > 5  # none for a table never analyzed

    again = _make("restore", fresh_database, backup)  # never over a database that holds data
    assert again.returncode != 0 and "not empty" in again.stderr
    assert _row_counts(fresh_database) == before

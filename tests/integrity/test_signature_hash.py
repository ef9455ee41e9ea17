"""Each signature stores a SHA-256 of what was signed; the record shows it and checks it.

Tampering goes around the services with ``queryset.update`` (on PostgreSQL the triggers
refuse that, so they are ignored for the tampering step only).
"""

import datetime as dt
import decimal

import pgtrigger
import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance, Session
from attendance.services import RosterEntry, roster_save, session_note_sign
from checkins.models import CheckIn
from checkins.services import checkin_save, checkin_sign
from iop import integrity
from tests.factories import CheckInFactory, SessionFactory, monday

MISMATCH = "Signed content does not match its signature"


def test_canonical_json_is_the_same_for_the_same_content_whatever_the_key_order():
    a = {"note": "Ok", "when": dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC), "level": decimal.Decimal("300.00")}
    b = {
        "level": decimal.Decimal("300"),
        "when": dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(-dt.timedelta(hours=5))),
        "note": "Ok",
    }
    assert integrity.canonical_json(a) == integrity.canonical_json(b)
    assert integrity.content_sha256(a) == integrity.content_sha256(b)
    assert len(integrity.content_sha256(a)) == 64
    assert integrity.content_sha256({**a, "note": "Ok."}) != integrity.content_sha256(a)


def test_a_chain_link_depends_on_the_previous_link():
    row = {"path": "/clients/1/"}
    assert integrity.chain_sha256("", row) != integrity.chain_sha256("ab" * 32, row)
    assert integrity.chain_sha256("", row) == integrity.chain_sha256("", dict(row))


def _tamper(model, pk, **changes):
    with pgtrigger.ignore():
        model.objects.filter(pk=pk).update(**changes)


@pytest.fixture
def signed_by_service(episode1, therapist):
    week = monday()
    draft = checkin_save(
        episode=episode1,
        week=week,
        author=therapist,
        fields={"note": "Doing well.", "cravings": 2, "risk": "none", "recommendation": "continue"},
    )
    return checkin_sign(checkin=draft, by=therapist)


def _checkin_page(http, checkin):
    url = reverse("checkins:week", args=[checkin.episode_id, checkin.week.isoformat()])
    return http.get(url).content.decode()


def test_signing_a_checkin_stores_the_sha256_of_its_content(signed_by_service):
    stored = CheckIn.objects.get(pk=signed_by_service.pk)
    assert stored.signature_sha256 == integrity.content_sha256(stored.signed_content())
    assert stored.signature_check == "intact"


def test_the_checkin_shows_its_sha256_and_no_warning(as_therapist, signed_by_service):
    page = _checkin_page(as_therapist, signed_by_service)
    assert (
        f'SHA-256 <code title="{signed_by_service.signature_sha256}">{signed_by_service.signature_sha256[:12]}…' in page
    )
    assert MISMATCH not in page


@pytest.mark.parametrize(
    "changes",
    [{"note": "Rewritten after signing."}, {"risk": "high"}, {"signed_at": timezone.now() - dt.timedelta(days=3)}],
)
def test_a_checkin_changed_after_signing_shows_the_warning(as_therapist, signed_by_service, changes):
    _tamper(CheckIn, signed_by_service.pk, **changes)
    assert MISMATCH in _checkin_page(as_therapist, signed_by_service)


def test_a_checkin_signed_before_hashing_says_no_sha256_was_recorded(as_therapist, episode1, therapist):
    legacy = CheckInFactory(episode=episode1, author=therapist, signed_at=timezone.now(), signed_by=therapist)
    page = _checkin_page(as_therapist, legacy)
    assert "no SHA-256 recorded" in page and MISMATCH not in page


@pytest.fixture
def signed_session(episode1, therapist):
    session = SessionFactory(site=episode1.site, track=episode1.track, facilitator=therapist)
    roster_save(
        session=session,
        entries=[RosterEntry(episode=episode1, status="present", note="Engaged.")],
        seen_version=session.version,
        by=therapist,
        group_note="Coping with cravings.",
    )
    return session_note_sign(session=Session.objects.get(pk=session.pk), by=therapist)


def _session_page(http, session):
    return http.get(reverse("attendance:session", args=[session.pk])).content.decode()


def test_signing_a_session_hashes_its_note_and_roster(as_therapist, signed_session):
    stored = Session.objects.get(pk=signed_session.pk)
    content = stored.signed_content()
    assert content["group_note"] == "Coping with cravings." and content["attendance"][0]["note"] == "Engaged."
    assert stored.signature_sha256 == integrity.content_sha256(content)
    page = _session_page(as_therapist, signed_session)
    assert f"{stored.signature_sha256[:12]}…" in page and MISMATCH not in page


def test_a_session_note_changed_after_signing_shows_the_warning(as_therapist, signed_session):
    _tamper(Session, signed_session.pk, group_note="Nothing happened.")
    assert MISMATCH in _session_page(as_therapist, signed_session)


def test_an_attendance_row_changed_after_signing_shows_the_warning(as_therapist, signed_session):
    row = Attendance.objects.get(session=signed_session)
    _tamper(Attendance, row.pk, status="absent", minutes_attended=0)
    assert MISMATCH in _session_page(as_therapist, signed_session)

"""Access events and signatures are hash-chained; ``manage.py audit_verify`` finds the first
row deleted, altered or reordered. The tampering is raw SQL (on PostgreSQL with the
append-only triggers ignored for it, as an attacker with the database owner's rights would)."""

import io

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory

from attendance.models import Session
from attendance.services import RosterEntry, roster_save, session_note_sign
from audit import chain
from audit.models import AccessEvent, Signature
from audit.services import access_event_record, access_events_record
from checkins.services import checkin_save, checkin_sign
from tests.factories import ClientFactory, SessionFactory, monday


def _request(user, path="/clients/1/"):
    request = RequestFactory().get(path, REMOTE_ADDR="10.0.0.7")
    request.user = user
    return request


def _verify():
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _raw(sql, params):
    with pgtrigger.ignore(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def five_events(therapist, episode1):
    first = access_event_record(request=_request(therapist), client=episode1.client)
    more = access_events_record(request=_request(therapist, "/export/"), clients=[ClientFactory() for _ in range(3)])
    last = access_event_record(request=_request(therapist), client=episode1.client, action=AccessEvent.Action.PRINT)
    assert chain.seal_pending() == 5  # what runs when the request's transaction commits
    return [AccessEvent.objects.get(pk=e.pk) for e in (first, *more, last)]


def test_each_access_event_links_to_the_one_before_it_bulk_writes_too(five_events):
    stored = list(AccessEvent.objects.order_by("pk"))
    assert [e.pk for e in stored] == [e.pk for e in five_events]
    assert [e.seal for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == ""
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.hash and len(after.hash) == 64


def test_an_intact_audit_trail_verifies_with_its_counts(five_events):
    assert "5 access events intact" in _verify()


def test_a_deleted_access_event_is_named(five_events):
    gone, after = five_events[2], five_events[3]
    _raw("DELETE FROM audit_accessevent WHERE id = %s", [gone.pk])
    with pytest.raises(CommandError) as failure:
        _verify()
    assert f"access event #{after.pk}: does not follow access event #{five_events[1].pk}" in str(failure.value)
    assert f"seal {gone.seal} missing (deleted)" in str(failure.value)


def test_an_altered_access_event_is_named(five_events):
    altered = five_events[1]
    _raw("UPDATE audit_accessevent SET path = '/somewhere-else/' WHERE id = %s", [altered.pk])
    with pytest.raises(CommandError, match=rf"access event #{altered.pk}: changed after it was written"):
        _verify()


def test_reordered_access_events_are_named(five_events):
    a, b = five_events[1], five_events[2]
    # Swap the two rows' chain links: each row keeps its content but sits in the other's place.
    _raw(
        "UPDATE audit_accessevent SET prev_hash = CASE WHEN id = %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
        [a.pk, b.prev_hash, a.prev_hash, a.pk, b.pk],
    )
    with pytest.raises(CommandError, match=rf"access event #{a.pk}: does not follow .* rows reordered"):
        _verify()


@pytest.fixture
def two_signatures(episode1, therapist):
    draft = checkin_save(
        episode=episode1,
        week=monday(),
        author=therapist,
        fields={"note": "Doing well.", "risk": "none", "recommendation": "continue"},
    )
    checkin = checkin_sign(checkin=draft, by=therapist)
    session = SessionFactory(site=episode1.site, track=episode1.track, facilitator=therapist)
    roster_save(
        session=session,
        entries=[RosterEntry(episode=episode1, status="present")],
        seen_version=0,
        by=therapist,
        group_note="Relapse prevention.",
    )
    session = session_note_sign(session=Session.objects.get(pk=session.pk), by=therapist)
    return checkin, session


def test_each_signature_is_chained_and_matches_its_record(two_signatures):
    checkin, session = two_signatures
    first, second = Signature.objects.order_by("pk")
    assert (first.record_type, first.record_pk, first.sha256) == (
        "checkins.checkin",
        checkin.pk,
        checkin.signature_sha256,
    )
    assert (second.record_type, second.record_pk, second.sha256) == (
        "attendance.session",
        session.pk,
        session.signature_sha256,
    )
    assert second.prev_hash == first.hash
    assert "2 signatures intact" in _verify()


def test_a_deleted_signature_is_named(two_signatures):
    checkin, _ = two_signatures
    first = Signature.objects.order_by("pk").first()
    _raw("DELETE FROM audit_signature WHERE id = %s", [first.pk])
    with pytest.raises(CommandError, match=rf"signature #{first.pk + 1}: does not follow the start of the chain"):
        _verify()


def test_a_signed_record_changed_after_signing_is_named(two_signatures):
    checkin, _ = two_signatures
    _raw("UPDATE checkins_checkin SET note = 'Rewritten.' WHERE id = %s", [checkin.pk])
    with pytest.raises(CommandError, match=rf"checkins.checkin #{checkin.pk}: signed content does not match"):
        _verify()


def test_a_signed_record_whose_stored_hash_was_replaced_is_named(two_signatures):
    checkin, _ = two_signatures
    _raw("UPDATE checkins_checkin SET note = 'Rewritten.' WHERE id = %s", [checkin.pk])
    checkin.refresh_from_db()
    from iop import integrity

    forged = integrity.content_sha256(checkin.signed_content())
    _raw("UPDATE checkins_checkin SET signature_sha256 = %s WHERE id = %s", [forged, checkin.pk])
    with pytest.raises(CommandError, match=rf"checkins.checkin #{checkin.pk}: its stored SHA-256 differs"):
        _verify()


def test_the_export_commands_access_events_join_the_chain(tmp_path, five_events, admin_user, site1, track1):
    from tests.factories import EpisodeFactory

    EpisodeFactory(site=site1, track=track1)
    call_command("export_records", str(tmp_path / "x.json"), "--by", "admin", stdout=io.StringIO())
    exported = AccessEvent.objects.filter(path="manage.py export_records").count()
    assert exported == 2  # the clients with an episode: episode1's and the one above
    assert f"{5 + exported} access events intact" in _verify()


def test_the_demo_signs_through_the_chain(db):
    call_command("seed_demo", "--clients", "6", "--weeks", "4", "--force", stdout=io.StringIO())
    signed = Signature.objects.count()
    assert signed > 0
    assert f"{signed} signatures intact" in _verify()

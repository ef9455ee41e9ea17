"""Access events are inserted unsealed in the request's transaction and sealed (numbered and
hashed into the chain) right after it commits, in a short transaction of their own: concurrent
reads of client records no longer wait for each other (audit/chain.py)."""

import io
import threading

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory

from audit import chain
from audit.models import AccessEvent
from audit.services import access_event_record


def _request(user):
    request = RequestFactory().get("/clients/1/progress/", REMOTE_ADDR="10.0.0.9")
    request.user = user
    return request


def _verify():
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_an_event_is_unsealed_until_its_transaction_commits_then_sealed(
    therapist, episode1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = access_event_record(request=_request(therapist), client=episode1.client)
        event.refresh_from_db()
        assert (event.seal, event.hash) == (None, "")  # nothing locked, nothing chained yet
    event.refresh_from_db()
    assert event.seal == 1 and len(event.hash) == 64 and event.prev_hash == ""


def test_audit_verify_seals_an_event_left_unsealed_and_then_checks_it(therapist, episode1):
    access_event_record(request=_request(therapist), client=episode1.client)  # on_commit never ran
    assert AccessEvent.objects.get().seal is None
    output = _verify()
    assert "1 access event sealed now" in output and "1 access events intact" in output
    assert AccessEvent.objects.get().seal == 1


def test_a_sealed_event_altered_afterwards_is_named(therapist, episode1):
    event = access_event_record(request=_request(therapist), client=episode1.client)
    chain.seal_pending()
    with pgtrigger.ignore(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET client_ids = '[99]' WHERE id = %s", [event.pk])
    with pytest.raises(CommandError, match=rf"access event #{event.pk}: changed after it was written"):
        _verify()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_database_allows_the_sealing_only_once_and_nothing_else(therapist, episode1):
    event = access_event_record(request=_request(therapist), client=episode1.client)
    for sql in (
        "UPDATE audit_accessevent SET path = '/elsewhere/' WHERE id = %s",  # unsealed content
        "DELETE FROM audit_accessevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="Refused"), transaction.atomic():
            connection.cursor().execute(sql, [event.pk])
    chain.seal_pending()
    with pytest.raises(DatabaseError, match="Refused"), transaction.atomic():
        connection.cursor().execute("UPDATE audit_accessevent SET seal = 7, hash = 'x' WHERE id = %s", [event.pk])
    assert "1 access events intact" in _verify()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reads_do_not_wait_for_each_other_and_both_are_sealed_in_one_chain(therapist, episode1):
    """A holds its request's transaction open after writing its event; B writes, commits and is
    sealed meanwhile (before, B waited on the chain's lock until A's request ended)."""
    a_written, b_done = threading.Event(), threading.Event()
    errors = []

    def reader_a():
        try:
            with transaction.atomic():
                access_event_record(request=_request(therapist), client=episode1.client)
                a_written.set()
                assert b_done.wait(20), "B waited for A's transaction"
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def reader_b():
        try:
            assert a_written.wait(20)
            with transaction.atomic():
                access_event_record(request=_request(therapist), client=episode1.client)
            b_done.set()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader_a), threading.Thread(target=reader_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    events = list(AccessEvent.objects.order_by("seal"))
    assert [e.seal for e in events] == [1, 2]
    assert events[0].pk > events[1].pk  # B (inserted second) was sealed first: chain order is seal order
    assert events[1].prev_hash == events[0].hash
    assert "2 access events intact" in _verify()


def test_sealing_a_request_s_events_reads_the_pending_rows_once(therapist, episode1, monkeypatch):
    """Every read of a client record pays for its sealing: one short transaction, not a second
    one only to find nothing left. More than a batch still seals everything (audit_verify)."""
    from django.test.utils import CaptureQueriesContext

    access_event_record(request=_request(therapist), client=episode1.client)
    with CaptureQueriesContext(connection) as ctx:
        assert chain.seal_pending() == 1
    assert sum('"seal" IS NULL' in q["sql"] for q in ctx.captured_queries) == 1
    monkeypatch.setattr(chain, "SEAL_BATCH", 2)
    for _ in range(5):
        access_event_record(request=_request(therapist), client=episode1.client)
    assert chain.seal_pending() == 5
    assert not AccessEvent.objects.filter(seal__isnull=True).exists()
    assert "6 access events intact" in _verify()


def test_a_transaction_that_records_several_events_seals_them_once(
    therapist, episode1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for _ in range(3):
            access_event_record(request=_request(therapist), client=episode1.client)
    assert len(callbacks) == 1
    assert sorted(AccessEvent.objects.values_list("seal", flat=True)) == [1, 2, 3]


def test_an_event_after_a_rolled_back_one_is_still_sealed(therapist, episode1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                access_event_record(request=_request(therapist), client=episode1.client)
                raise RuntimeError("the page failed after recording its read")
        except RuntimeError:
            pass
        kept = access_event_record(request=_request(therapist), client=episode1.client)
    assert len(callbacks) == 1
    kept.refresh_from_db()
    assert AccessEvent.objects.count() == 1 and kept.seal == 1

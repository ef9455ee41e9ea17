"""export_records: the same format, byte-identical after export → import into an empty
database → export; imported history gives the same markers as history entered in the app."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from attendance.models import Attendance, AttendanceCorrection, Session, SessionAddendum
from checkins.models import Addendum, CheckIn
from clients.models import Client, Episode, LevelOfCareChange
from dashboard.models import Decision
from screening.models import ScreenResult
from tests.exchange.conftest import run_import, write_doc
from tests.factories import (
    AttendanceFactory,
    CheckInFactory,
    ClientFactory,
    DecisionFactory,
    EpisodeFactory,
    GoalFactory,
    GoalRatingFactory,
    PrescriptionFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    TrackFactory,
    UserFactory,
    WorksheetFactory,
)


class _Rollback(Exception):
    pass


def _at(day, hour=18, minute=30):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def build_history(site, track, therapist, casemanager, analytes):
    """Eight weeks of an IOP at ``site`` entered the way the app's screens would: two active
    clients sharing group sessions, a graduated stay, an individual session, screens with
    prescriptions, confirmations and a dilute specimen, worksheets and signed check-ins."""
    today = timezone.localdate()
    admitted = today - dt.timedelta(weeks=8)
    monday = admitted - dt.timedelta(days=admitted.weekday())
    ana = EpisodeFactory(
        client=ClientFactory(mrn="RIC-0001", first_name="Ana", last_name="Diaz"),
        ref="RIC-0001-1",
        site=site,
        track=track,
        admitted_on=admitted,
        primary_therapist=therapist,
        case_manager=casemanager,
    )
    ben = EpisodeFactory(
        client=ClientFactory(mrn="RIC-0002", first_name="Ben", last_name="Cole"),
        ref="RIC-0002-2",
        site=site,
        track=track,
        admitted_on=admitted + dt.timedelta(days=7),
        primary_therapist=therapist,
        required_weekly_hours=Decimal("10.5"),
    )
    EpisodeFactory(
        client=ben.client,
        ref="RIC-0002-1",
        site=site,
        track=track,
        admitted_on=admitted - dt.timedelta(weeks=30),
        status=Episode.Status.GRADUATED,
        ended_on=admitted - dt.timedelta(weeks=10),
        end_reason=Episode.EndReason.GRADUATED,
        primary_therapist=therapist,
    )
    statuses = [Attendance.Status.PRESENT] * 5 + [Attendance.Status.LATE, Attendance.Status.ABSENT]
    day, n = admitted, 0
    while day < today:
        if track.meets_on(day):
            cancelled = n == 9
            session = SessionFactory(
                site=site,
                track=track,
                date=day,
                status=Session.Status.CANCELLED if cancelled else Session.Status.HELD,
            )
            for episode in (ana, ben):
                if episode.admitted_on <= day:
                    status = Attendance.Status.CANCELLED if cancelled else statuses[n % len(statuses)]
                    attended = status in Attendance.ATTENDED
                    minutes = (150 if status == Attendance.Status.LATE else 180) if attended else 0
                    AttendanceFactory(session=session, episode=episode, status=status, minutes_attended=minutes)
            n += 1
        day += dt.timedelta(days=1)
    individual = SessionFactory(
        site=site,
        track=None,
        date=today - dt.timedelta(days=3),
        start_time=dt.time(10),
        duration_minutes=60,
        kind=Session.Kind.INDIVIDUAL,
        modality=Session.Modality.PHONE,  # telehealth: a phone session
    )
    AttendanceFactory(session=individual, episode=ana, minutes_attended=60, note="Worked on triggers.")
    other_therapist = SessionFactory(  # the same slot without a track: another session
        site=site,
        track=None,
        date=individual.date,
        start_time=dt.time(10),
        duration_minutes=45,
        kind=Session.Kind.INDIVIDUAL,
    )
    AttendanceFactory(session=other_therapist, episode=ben, minutes_attended=45)
    PrescriptionFactory(client=ana.client, analyte=analytes["BUP"], start=admitted)
    for week in range(8):
        collected = _at(admitted + dt.timedelta(days=7 * week + 1))
        screen = ScreenFactory(episode=ana, collected_at=collected)
        ScreenResultFactory(screen=screen, analyte=analytes["BUP"], result=ScreenResult.Result.POSITIVE)
        ScreenResultFactory(screen=screen, analyte=analytes["FEN"])
        if week == 2:
            ScreenResultFactory(
                screen=screen,
                analyte=analytes["COC"],
                result=ScreenResult.Result.POSITIVE,
                confirmation=ScreenResult.Confirmation.CONFIRMED_NEGATIVE,
            )
        if week == 1:
            screen.creatinine_mg_dl, screen.specific_gravity = Decimal("15.5"), Decimal("1.002")
            screen.save()
    for week in range(1, 7):
        screen = ScreenFactory(episode=ben, collected_at=_at(admitted + dt.timedelta(days=7 * week + 3), 9, 5))
        result = ScreenResult.Result.POSITIVE if week == 5 else ScreenResult.Result.NEGATIVE
        confirmation = ScreenResult.Confirmation.PENDING if week == 5 else ScreenResult.Confirmation.NOT_SENT
        ScreenResultFactory(screen=screen, analyte=analytes["THC"], result=result, confirmation=confirmation)
    ScreenFactory(episode=ben, collected_at=_at(today - dt.timedelta(days=1), 9, 0), outcome="refused", reason="No")
    goals = [
        GoalFactory(episode=ana, ref="G1", target_date=today + dt.timedelta(weeks=4)),
        GoalFactory(episode=ana, ref="G2", area="housing", statement="Find a place", objective="Sign a lease"),
    ]
    for week in range(8):
        sheet = WorksheetFactory(episode=ana, week=monday + dt.timedelta(weeks=week), reflection=f"Week {week}")
        for goal in goals:
            GoalRatingFactory(worksheet=sheet, goal=goal, rating=min(4, 1 + week // 2))
    for week in range(1, 9):
        last = week == 8
        CheckInFactory(
            episode=ana,
            week=monday + dt.timedelta(weeks=week),
            author=therapist,
            cravings=max(0, 6 - week),
            risk=CheckIn.Risk.MODERATE if week == 3 else CheckIn.Risk.NONE,
            phq9_items=[1, 1, 0, 0, 1, 0, 0, 0, 1 if week == 3 else 0],
            barriers=["transportation"] if week < 3 else [],
            recommendation=CheckIn.Recommendation.STEP_DOWN if week >= 7 else CheckIn.Recommendation.CONTINUE,
            signed_at=None if last else _at(monday + dt.timedelta(weeks=week, days=3)),
            signed_by=None if last else therapist,
        )
    UserFactory(username="frontdesk", first_name="Fran", last_name="Desk", sites=[site])  # staff without a role
    TrackFactory(site=site, code="RIC-AM", name="Morning", start_time=dt.time(7), end_time=dt.time(10))
    _facts_of_format_2(ana, ben, therapist, casemanager, analytes, today)
    return [ana, ben]


def _facts_of_format_2(ana, ben, therapist, casemanager, analytes, today):
    """What iop-records/1 lost: contact fields, the group note and its signature, addenda,
    who recorded what, corrections, revised goals, level-of-care history and decisions."""
    Client.objects.filter(pk=ana.client_id).update(
        phone="804-555-0101", emergency_contact_name="Rosa Diaz", primary_substance="opioids", court_involved=True
    )
    group = Session.objects.filter(track=ana.track, status=Session.Status.HELD).order_by("date").last()
    group.topic, group.facilitator, group.group_note = "Relapse prevention", therapist, "Discussed triggers at work."
    group.modality = Session.Modality.VIDEO  # telehealth: a video group Ana joined in person (signed)
    Attendance.objects.filter(session=group, episode=ana).update(modality=Session.Modality.IN_PERSON)
    group.note_signed_at, group.note_signed_by = _at(group.date, 21, 5).replace(second=7, microsecond=123456), therapist
    group.save()
    SessionAddendum.objects.create(session=group, text="Ana arrived 10 minutes late.", author=therapist)
    group.co_facilitators.add(casemanager)  # covered by the signature, carried by the file
    corrected = group.attendance.get(episode=ana)
    AttendanceCorrection.objects.create(
        attendance=corrected,
        status="late" if corrected.status != "late" else "present",
        minutes_attended=170 if corrected.status != "late" else group.duration_minutes,
        reason="Signed in at 6:10 pm.",
        corrected_by=casemanager,
        corrected_at=_at(group.date + dt.timedelta(days=1), 9, 0).replace(second=3, microsecond=654321),
    )
    Session.objects.create(site=ana.site, track=ana.track, date=today, start_time=dt.time(6), duration_minutes=90)
    checkin = ana.checkins.exclude(signed_at=None).order_by("week").first()
    Addendum.objects.create(checkin=checkin, text="Client called: cravings lower.", author=therapist)
    wrong = ScreenFactory(episode=ben, collected_at=_at(today - dt.timedelta(days=2), 9, 1), entered_in_error=True)
    ScreenResultFactory(screen=wrong, analyte=analytes["THC"], result=ScreenResult.Result.POSITIVE, level_ng_ml=75)
    PrescriptionFactory(client=ben.client, analyte=analytes["MTD"], start=ben.admitted_on, entered_in_error=True)
    old = ana.goals.get(ref="G2")
    GoalFactory(episode=ana, ref="G3", area="housing", statement="Find a room", revises=old, set_by=casemanager)
    LevelOfCareChange.objects.create(
        episode=ana, level_of_care="IOP", effective_on=ana.admitted_on, reason="Admission", changed_by=casemanager
    )
    _signed_as_the_services_sign(Session.objects.exclude(note_signed_at=None), CheckIn.objects.exclude(signed_at=None))
    DecisionFactory(
        episode=ana,
        kind="continue",
        decided_on=today - dt.timedelta(days=7),
        decided_by=casemanager,
        rationale="Not yet ready: streak too short.",
        evidence={"step_down": {"status": "approaching"}},
    )


def _signed_as_the_services_sign(*querysets):
    """Factories write signed rows directly: store the SHA-256 the sign services would."""
    import pgtrigger

    from iop import integrity

    with pgtrigger.ignore():
        for queryset in querysets:
            for record in queryset:
                record.signature_sha256 = integrity.content_sha256(record.signed_content())
                record.save(update_fields=["signature_sha256"])


def export_bytes(tmp_path, name, site=None):
    path = tmp_path / name
    call_command("export_records", str(path), *(["--site", site] if site else []), stdout=io.StringIO())
    return path.read_bytes()


def evaluations_by_ref(as_of):
    from dashboard.queries import episode_evaluations

    episodes = list(Episode.objects.active().select_related("client"))
    return {
        e.ref: evaluation.as_dict()
        for e, evaluation in zip(episodes, episode_evaluations(episodes, as_of).values(), strict=True)
    }


@pytest.fixture
def entered_then_rolled_back(db, tmp_path, analytes, site1, site2, track1, therapist, casemanager):
    """Enter the history through factories, export it and measure its markers, then roll it
    all back so the import starts from an empty database (only analytes and role groups left)."""
    captured = {}
    try:
        with transaction.atomic():
            build_history(site1, track1, therapist, casemanager, analytes)
            captured["bytes"] = export_bytes(tmp_path, "first.json")
            captured["markers"] = evaluations_by_ref(timezone.localdate())
            first_signed = CheckIn.objects.exclude(signed_at=None).filter(episode__ref="RIC-0001-1").order_by("week")
            captured["first_signed_at"] = first_signed.first().signed_at
            raise _Rollback
    except _Rollback:
        pass
    assert not Client.objects.exists() and not Session.objects.exists()
    return captured


def test_export_import_export_is_byte_identical(tmp_path, entered_then_rolled_back):
    first = entered_then_rolled_back["bytes"]

    run_import(write_doc(tmp_path, first.decode(), "first.json"))

    assert export_bytes(tmp_path, "second.json") == first


def test_export_writes_the_documented_format(tmp_path, entered_then_rolled_back):
    doc = json.loads(entered_then_rolled_back["bytes"])

    assert doc["format"] == "iop-records/2"
    assert [s["code"] for s in doc["sites"]] == ["NOR", "RIC"]
    assert {s["username"]: s["role"] for s in doc["staff"]} == {
        "casemanager": "case_manager",
        "frontdesk": None,
        "therapist": "therapist",
    }
    ana, ben = doc["clients"]
    assert [e["ref"] for e in ben["episodes"]] == ["RIC-0002-1", "RIC-0002-2"]
    episode = ana["episodes"][0]
    assert episode["prescriptions"][0]["analyte"] == "BUP"
    (individual,) = [row for row in episode["attendance"] if row["kind"] == "individual"]
    assert {"track": None, "note": "Worked on triggers.", "duration_minutes": 60}.items() <= individual.items()
    assert episode["screens"][1]["validity"] == {"creatinine_mg_dl": 15.5, "specific_gravity": 1.002}
    assert episode["screens"][2]["confirmation"] == {"COC": "negative"}
    assert [c["signed"] for c in episode["checkins"]] == [True] * 7 + [False]


def test_every_clinical_fact_survives_export_and_import(tmp_path, entered_then_rolled_back, therapist, casemanager):
    run_import(write_doc(tmp_path, entered_then_rolled_back["bytes"].decode(), "first.json"))

    ana = Client.objects.get(mrn="RIC-0001")
    assert (ana.phone, ana.emergency_contact_name, ana.primary_substance, ana.court_involved) == (
        "804-555-0101",
        "Rosa Diaz",
        "opioids",
        True,
    )
    group = Session.objects.get(group_note="Discussed triggers at work.")
    assert (group.topic, group.facilitator, group.note_signed_by) == ("Relapse prevention", therapist, therapist)
    assert (group.note_signed_at.second, group.note_signed_at.microsecond) == (7, 123456)
    assert [(a.text, a.author) for a in group.addenda.all()] == [("Ana arrived 10 minutes late.", therapist)]
    assert list(group.co_facilitators.all()) == [casemanager]
    (correction,) = AttendanceCorrection.objects.filter(attendance__session=group)
    assert (correction.reason, correction.corrected_by, correction.corrected_at.microsecond) == (
        "Signed in at 6:10 pm.",
        casemanager,
        654321,
    )
    assert Session.objects.filter(status=Session.Status.SCHEDULED, attendance=None).count() == 1
    signed = CheckIn.objects.exclude(signed_at=None).filter(episode__ref="RIC-0001-1").order_by("week")
    assert [a.text for a in signed.first().addenda.all()] == ["Client called: cravings lower."]
    assert signed.first().signed_at == entered_then_rolled_back["first_signed_at"]
    wrong = Episode.objects.get(ref="RIC-0002-2").screens.get(entered_in_error=True)
    assert wrong.results.get().level_ng_ml == 75
    assert Client.objects.get(mrn="RIC-0002").prescriptions.get().entered_in_error
    revised = Episode.objects.get(ref="RIC-0001-1").goals.get(ref="G3")
    assert (revised.revises.ref, revised.set_by) == ("G2", casemanager)
    (decision,) = Decision.objects.all()
    assert (decision.kind, decision.decided_by, decision.evidence) == (
        "continue",
        casemanager,
        {"step_down": {"status": "approaching"}},
    )
    assert [c.changed_by for c in LevelOfCareChange.objects.filter(episode__ref="RIC-0001-1")] == [casemanager]


def test_a_format_1_file_still_imports(tmp_path, entered_then_rolled_back):
    doc = json.loads(entered_then_rolled_back["bytes"])
    doc["format"] = "iop-records/1"
    doc.pop("sessions")
    for track in doc["tracks"]:
        for key in ("cadence", "month_week", "continuing_care"):
            track.pop(key)
    for client in doc["clients"]:
        for key in ("phone", "emergency_contact_name", "primary_substance", "court_involved"):
            client.pop(key, None)
        for episode in client["episodes"]:
            episode.pop("level_changes"), episode.pop("decisions")
            episode["screens"] = [s for s in episode["screens"] if not s.pop("entered_in_error")]
            for s in episode["screens"]:
                for key in ("collected_by", "panel", "notes", "details"):
                    s.pop(key)
            for row in episode["attendance"]:
                row.pop("recorded_by", None)
                row.pop("modality", None)
                row.pop("corrections", None)  # a /2 key
            episode["prescriptions"] = [p for p in episode["prescriptions"] if not p.pop("entered_in_error")]
            for p in episode["prescriptions"]:
                p.pop("prescriber")
            for g in episode["goals"]:
                g.pop("revises"), g.pop("set_by")
            for w in episode["worksheets"]:
                w.pop("completed_by"), w.pop("rating_notes")
            for c in episode["checkins"]:
                for key in ("signed_at", "signed_by", "signature_sha256", "author", "addenda"):
                    c.pop(key)

    out, _ = run_import(write_doc(tmp_path, json.dumps(doc), "v1.json"))

    assert out.startswith("Imported 2 clients, 3 episodes")
    assert Episode.objects.get(ref="RIC-0001-1").level_changes.get().reason == "Admission"


def test_format_2_keys_are_unknown_in_a_format_1_file(tmp_path, entered_then_rolled_back):
    from tests.exchange.conftest import import_problems

    doc = json.loads(entered_then_rolled_back["bytes"])
    doc["format"] = "iop-records/1"

    problems = import_problems(write_doc(tmp_path, json.dumps(doc), "v1.json"))

    assert "sessions: unknown key" in problems
    assert "clients[0].episodes[0].decisions: unknown key" in problems


def test_export_of_one_site_leaves_the_other_out(db, tmp_path, site1, site2, track1, therapist2):
    EpisodeFactory(site=site2, track=TrackFactory(site=site2, code="NOR-EVE"), client=ClientFactory(mrn="NOR-0001"))
    EpisodeFactory(site=site1, track=track1, client=ClientFactory(mrn="RIC-0009"))

    doc = json.loads(export_bytes(tmp_path, "nor.json", site="NOR"))

    assert [c["mrn"] for c in doc["clients"]] == ["NOR-0001"]
    assert [s["code"] for s in doc["sites"]] == ["NOR"]
    assert [t["code"] for t in doc["tracks"]] == ["NOR-EVE"]
    assert [s["username"] for s in doc["staff"]] == ["therapist2"]


def test_export_of_an_unknown_site_is_refused(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown site 'XYZ'"):
        export_bytes(tmp_path, "x.json", site="XYZ")


def test_markers_of_an_imported_history_equal_those_entered_in_the_app(tmp_path, entered_then_rolled_back):
    run_import(write_doc(tmp_path, entered_then_rolled_back["bytes"].decode(), "first.json"))

    imported = evaluations_by_ref(timezone.localdate())

    assert set(imported) == {"RIC-0001-1", "RIC-0002-2"}
    assert imported == entered_then_rolled_back["markers"]


def _clients_with_history(count, site, track, therapist, analytes, start):
    for n in range(start, start + count):
        episode = EpisodeFactory(
            client=ClientFactory(mrn=f"RIC-{n:04d}"), site=site, track=track, primary_therapist=therapist
        )
        session = SessionFactory(site=site, track=track, date=episode.admitted_on + dt.timedelta(days=n))
        AttendanceFactory(session=session, episode=episode)
        ScreenResultFactory(screen=ScreenFactory(episode=episode), analyte=analytes["THC"])
        PrescriptionFactory(client=episode.client, analyte=analytes["BUP"], start=episode.admitted_on)
        goal = GoalFactory(episode=episode, ref="G1")
        GoalRatingFactory(worksheet=WorksheetFactory(episode=episode), goal=goal)
        CheckInFactory(episode=episode, author=therapist)


def test_export_runs_the_same_number_of_queries_for_3_and_for_15_clients(
    db, site1, track1, therapist, analytes, django_assert_num_queries
):
    from exchange.exporter import records_export

    # 1 sites, 2 episodes (+ client, site, track, therapist, case manager), 3 attendance
    # (+ session, its site and track), 4 screens, 5 their results (+ analyte), 6 goals,
    # 7 worksheets, 8 their ratings (+ goal), 9 check-ins, 10 prescriptions (+ analyte),
    # 11 check-in addenda (+ author), 12 level-of-care changes, 13 decisions, 14 tracks,
    # 15 staff, 16 their groups, 17 their sites, 18 sessions with facts, 19 their addenda,
    # 20 their co-facilitators, 21 the attendance corrections (+ who made them).
    _clients_with_history(3, site1, track1, therapist, analytes, start=1)
    with django_assert_num_queries(21):
        assert len(records_export()["clients"]) == 3

    _clients_with_history(12, site1, track1, therapist, analytes, start=4)
    with django_assert_num_queries(21):
        assert len(records_export()["clients"]) == 15


def test_reimporting_an_export_into_its_own_database_adds_nothing(
    db, tmp_path, analytes, site1, track1, therapist, casemanager
):
    from tests.exchange.conftest import db_counts

    build_history(site1, track1, therapist, casemanager, analytes)
    path = tmp_path / "same.json"
    path.write_bytes(export_bytes(tmp_path, "same.json"))
    before = db_counts()

    out, _ = run_import(path)

    assert out.startswith("Imported 0 clients, 0 episodes, 0 sessions, 0 attendance rows, 0 screens")
    assert db_counts() == before


def test_sessions_without_a_track_in_one_slot_stay_apart_when_they_differ(tmp_path, entered_then_rolled_back):
    run_import(write_doc(tmp_path, entered_then_rolled_back["bytes"].decode(), "first.json"))

    individual = Session.objects.filter(kind=Session.Kind.INDIVIDUAL, track=None).order_by("duration_minutes")
    assert [(s.duration_minutes, s.attendance.get().episode.ref) for s in individual] == [
        (45, "RIC-0002-2"),
        (60, "RIC-0001-1"),
    ]


def test_export_by_a_user_is_in_each_clients_access_log(db, tmp_path, site1, track1, admin_user):
    from audit.models import AccessEvent

    episode = EpisodeFactory(site=site1, track=track1, client=ClientFactory(mrn="RIC-0007"))
    call_command("export_records", str(tmp_path / "x.json"), "--by", "admin", stdout=io.StringIO())

    event = AccessEvent.objects.get()
    assert (event.user, event.client, event.action) == (admin_user, episode.client, AccessEvent.Action.EXPORT)


def test_signatures_keep_their_sha256_across_export_and_import(tmp_path, entered_then_rolled_back):
    doc = json.loads(entered_then_rolled_back["bytes"])
    signed = [c for c in doc["clients"][0]["episodes"][0]["checkins"] if c["signed"]]
    (group,) = [s for s in doc["sessions"] if s["signed_at"]]
    assert all(len(c["signature_sha256"]) == 64 for c in signed) and len(group["signature_sha256"]) == 64

    run_import(write_doc(tmp_path, entered_then_rolled_back["bytes"].decode(), "first.json"))

    imported = CheckIn.objects.exclude(signed_at=None).filter(episode__ref="RIC-0001-1").order_by("week")
    assert [c.signature_sha256 for c in imported] == [c["signature_sha256"] for c in signed]
    assert all(c.signature_check == "intact" for c in imported)
    session = Session.objects.get(group_note="Discussed triggers at work.")
    assert (session.signature_sha256, session.signature_check) == (group["signature_sha256"], "intact")


def test_a_signed_record_changed_in_the_file_is_refused_and_nothing_imported(tmp_path, entered_then_rolled_back):
    from tests.exchange.conftest import db_counts, import_problems

    doc = json.loads(entered_then_rolled_back["bytes"])
    first_signed = next(c for c in doc["clients"][0]["episodes"][0]["checkins"] if c["signed"])
    first_signed["note"] = "Rewritten after signing."
    before = db_counts()

    problems = import_problems(write_doc(tmp_path, json.dumps(doc), "tampered.json"))

    assert (
        "clients[0].episodes[0].checkins[0].signature_sha256: the signed content does not give this SHA-256" in problems
    )
    assert db_counts() == before


def test_a_format_1_file_with_attendance_corrections_is_refused_naming_the_row(tmp_path, entered_then_rolled_back):
    doc = json.loads(entered_then_rolled_back["bytes"])
    doc["format"] = "iop-records/1"
    _out, problems = _validated(doc)
    assert any("attendance[" in p and "corrections" in p for p in problems), problems[:5]


def test_bad_attendance_corrections_are_refused_naming_each(tmp_path, entered_then_rolled_back):
    doc = json.loads(entered_then_rolled_back["bytes"])
    episode = doc["clients"][0]["episodes"][0]
    k, row = next((k, r) for k, r in enumerate(episode["attendance"]) if r.get("corrections"))
    row["corrections"] = [
        {"status": "absent", "minutes_attended": 30, "reason": "", "by": "nobody", "at": "2026-01-01T09:00:00"},
        {"status": "cancelled", "minutes_attended": 0, "reason": "x", "by": "therapist", "at": "2026-01-01T09:00:00"},
    ]
    _out, problems = _validated(doc)
    where = f"clients[0].episodes[0].attendance[{k}].corrections"
    for expected in (
        f"{where}[0].minutes_attended",
        f"{where}[0].reason",
        f"{where}[0].by",
        f"{where}[1].status",
    ):
        assert any(p.startswith(expected) for p in problems), (expected, problems[:6])


def _validated(doc):
    from exchange.importer import known_load
    from exchange.validation import parse, validate

    parsed, problems = parse(json.dumps(doc).encode())
    assert not problems
    return validate(parsed, known_load(parsed, timezone.localdate()))


def test_a_cosignature_survives_export_and_import(db, tmp_path, site1, track1, therapist, casemanager):
    from checkins.services import checkin_cosign, checkin_save, checkin_sign
    from iop.dates import week_start
    from programs.models import Supervision

    captured = {}
    try:
        with transaction.atomic():
            episode = EpisodeFactory(
                site=site1, track=track1, client=ClientFactory(mrn="RIC-0009"), primary_therapist=therapist
            )
            Supervision.objects.create(clinician=therapist, supervisor=casemanager)
            week = week_start(timezone.localdate())
            fields = {"risk": "none", "recommendation": "continue"}
            draft = checkin_save(episode=episode, week=week, author=therapist, fields=fields)
            checkin_cosign(checkin=checkin_sign(checkin=draft, by=therapist), by=casemanager)
            captured["bytes"] = export_bytes(tmp_path, "cosigned.json")
            captured["cosigned_at"] = CheckIn.objects.get().cosigned_at
            raise _Rollback
    except _Rollback:
        pass
    (checkin,) = json.loads(captured["bytes"])["clients"][0]["episodes"][0]["checkins"]
    assert (checkin["cosign_supervisor"], checkin["cosigned_by"]) == ("casemanager", "casemanager")

    run_import(write_doc(tmp_path, captured["bytes"].decode(), "cosigned.json"))

    imported = CheckIn.objects.get()
    assert (imported.cosign_supervisor, imported.cosigned_by) == (casemanager, casemanager)
    assert imported.cosigned_at == captured["cosigned_at"] and imported.signature_check == "intact"
    assert export_bytes(tmp_path, "again.json") == captured["bytes"]

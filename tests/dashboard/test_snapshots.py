"""The markers snapshot (dashboard/snapshots.py) is a cache of ``evaluate`` that is never wrong
silently: after any write through the services (and an import), the caseload's snapshot rows
equal a fresh ``episode_evaluations`` for every episode, and a new day never shows yesterday's."""

import datetime as dt
import json
import random
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance
from attendance.services import RosterEntry, attendance_correct, roster_save, session_note_sign
from checkins.models import CheckIn
from checkins.services import checkin_save, checkin_sign
from clients.models import Episode
from dashboard.history import episode_history
from dashboard.markers import FLAG_CODES
from dashboard.models import HistorySnapshot, MarkerSnapshot
from dashboard.queries import episode_evaluations
from dashboard.services import decision_record
from dashboard.snapshots import COLUMNS, FLAG_COLUMNS, current_history, evaluation_of, refresh_stale, snapshot_of
from exchange.importer import known_load, records_import
from exchange.validation import parse, validate
from goals.models import Goal
from goals.services import goal_add, goal_status_set, worksheet_save
from iop.dates import week_start
from programs.models import Criteria
from screening.models import Analyte, Screen, ScreenResult
from screening.services import (
    prescription_add,
    prescription_mark_error,
    result_confirm,
    screen_mark_error,
    screen_record,
)
from tests.dashboard.test_queries import build_caseload
from tests.factories import PanelFactory, SessionFactory

URL = reverse("dashboard:caseload")
SAMPLE = Path(__file__).parent.parent / "exchange" / "sample.json"
ANALYTES = ("AMP", "mAMP", "BAR", "BZO", "BUP", "COC", "MDMA", "FEN", "THC", "MTD", "OPI", "OXY", "PCP", "TRA", "ETG")
SIGNABLE = {"cravings": 3, "engagement": 4, "mood": 4, "risk": "low", "recommendation": "step_down"}


def as_json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _details(evaluation):
    """Each criterion's detail (the Progress tab's words and links): not part of ``as_dict``."""
    return [c.detail for r in (evaluation.step_down, evaluation.graduation) for c in r.criteria]


def differences(day):
    """(episode ref, column, stored, fresh) for every active episode whose snapshot is not what
    a fresh evaluation gives (a missing snapshot is one difference)."""
    episodes = list(Episode.objects.active().order_by("pk"))
    fresh = episode_evaluations(episodes, day)
    stored = {s.episode_id: s for s in MarkerSnapshot.objects.filter(episode__in=episodes)}
    found = []
    for e in episodes:
        snapshot = stored.get(e.pk)
        if snapshot is None:
            found.append((e.ref, "missing", None, None))
            continue
        expected = snapshot_of(e.pk, fresh[e.pk], day, e.inputs_version, None)
        for column in COLUMNS:
            if column == "computed_at":
                continue
            got, want = getattr(snapshot, column), getattr(expected, column)
            if column in ("evaluation", "shown"):
                want = as_json(want)
            if got != want:
                found.append((e.ref, column, got, want))
        if evaluation_of(snapshot).as_dict() != fresh[e.pk].as_dict():
            found.append((e.ref, "evaluation_of", None, None))
        if _details(evaluation_of(snapshot, with_details=True)) != _details(fresh[e.pk]):
            found.append(
                (e.ref, "details", _details(evaluation_of(snapshot, with_details=True)), _details(fresh[e.pk]))
            )
    return found


def history_differences(day):
    """The refs of the active episodes whose Progress history (``current_history``: the cache
    when it is current, else computed and cached for the next call) is not a fresh
    ``episode_history``. Called after every write, it finds a write that changed a history
    without marking its episode: the cache of before the write would still be taken as current."""
    episodes = Episode.objects.active().order_by("pk")
    return [e.ref for e in episodes if current_history(e, day) != episode_history(e, day)]


def show_caseload(client):
    """What a case manager's visit does: every level, so the stepped-down episodes refresh too."""
    response = client.get(URL, {"level": "all"})
    assert response.status_code == 200
    # The import's sites are not the viewer's: the same bulk refresh covers every active episode.
    refresh_stale(Episode.objects.active(), timezone.localdate())
    return response


def test_every_flag_has_a_column():
    assert set(FLAG_COLUMNS) == set(FLAG_CODES)
    assert all(hasattr(MarkerSnapshot, column) for column in FLAG_COLUMNS.values())


def test_a_snapshot_reads_back_as_the_evaluation_it_caches(site1, track1, therapist, casemanager):
    today = timezone.localdate()
    for story in ("ready", "approaching", "struggling"):
        build_caseload(2, site=site1, track=track1, therapist=therapist, as_of=today, story=story, prefix=story[0])
    assert refresh_stale(Episode.objects.all(), today) == 6
    episodes = list(Episode.objects.all())
    fresh = episode_evaluations(episodes, today)
    for e in episodes:
        snapshot = MarkerSnapshot.objects.get(episode=e)
        assert snapshot.evaluation == as_json(fresh[e.pk].as_dict())
        assert evaluation_of(snapshot).markers == fresh[e.pk].markers
        assert evaluation_of(snapshot).flags == fresh[e.pk].flags
    assert refresh_stale(Episode.objects.all(), today) == 0  # all current: nothing recomputed


def test_a_write_marks_the_clients_episodes_and_only_those(site1, track1, therapist, casemanager):
    today = timezone.localdate()
    touched, other = build_caseload(2, site=site1, track=track1, therapist=therapist, as_of=today)
    refresh_stale(Episode.objects.all(), today)
    panel = PanelFactory(name="One", analytes=[Analyte.objects.get(code="FEN")])
    screen_record(episode=touched, collected_at=timezone.now(), by=therapist, panel=panel)
    assert refresh_stale(Episode.objects.all(), today) == 1
    assert MarkerSnapshot.objects.get(episode=touched).inputs_version == 1
    assert MarkerSnapshot.objects.get(episode=other).inputs_version == 0


def test_a_new_day_never_shows_yesterdays_readiness(as_casemanager, site1, track1, therapist, casemanager, monkeypatch):
    """Computed yesterday (ready), nothing written since: today the check-in of last week is too
    old, and the caseload shows the episode as it stands today, not yesterday's snapshot."""
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist, casemanager=casemanager)
    refresh_stale(Episode.objects.all(), yesterday)
    assert MarkerSnapshot.objects.get(episode=episode).as_of == yesterday
    response = as_casemanager.get(URL)
    snapshot = MarkerSnapshot.objects.get(episode=episode)
    assert snapshot.as_of == today
    expected = episode_evaluations([episode], today)[episode.pk]
    assert snapshot.step_down_status == expected.step_down.status
    [row] = response.context["page"].object_list
    assert row.step_down_status == expected.step_down.status
    assert expected.step_down.status != "ready"  # build_caseload's history is ready on its own day only

    # and the clock: the page asks for today's date, whatever day the snapshot was made
    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    as_casemanager.get(URL)
    assert MarkerSnapshot.objects.get(episode=episode).as_of == tomorrow
    assert differences(tomorrow) == []


def _screens(episode):
    return list(Screen.objects.filter(episode=episode, entered_in_error=False))


class Writes:
    """Random writes through the services, each on a random active episode of site 1."""

    def __init__(self, rng, site, track, therapist, casemanager):
        self.rng, self.site, self.track = rng, site, track
        self.therapist, self.casemanager = therapist, casemanager
        self.today = timezone.localdate()
        self.panel = PanelFactory(
            name="Five", analytes=[Analyte.objects.get(code=c) for c in ("FEN", "BUP", "THC", "COC", "OPI")]
        )
        self.hour = 6

    def episode(self):
        choices = list(Episode.objects.active().filter(site=self.site).select_related("client").order_by("pk"))
        return self.rng.choice(choices)

    def roster(self):
        self.hour += 1
        session = SessionFactory(
            site=self.site, track=self.track, date=self.today, start_time=dt.time(self.hour % 24), status="scheduled"
        )
        episodes = list(Episode.objects.active().filter(site=self.site).select_related("client"))
        chosen = self.rng.sample(episodes, k=min(len(episodes), 4))
        statuses = [s for s in Attendance.Status.values if s != "cancelled"]
        entries = []
        for e in chosen:
            status = self.rng.choice(statuses)
            minutes = self.rng.randint(30, 150) if status in ("late", "left_early") else None
            entries.append(RosterEntry(episode=e, status=status, minutes=minutes))
        roster_save(session=session, entries=entries, seen_version=session.version, by=self.therapist)

    def correction(self):
        """A signed session's attendance corrected after signing (AttendanceCorrection)."""
        rows = list(
            Attendance.objects.filter(session__note_signed_at__isnull=True, session__status="held")
            .exclude(session__date__gt=self.today)
            .select_related("session")
        )
        if not rows:
            return
        session = self.rng.choice(rows).session
        session_note_sign(session=session, by=self.therapist)
        row = self.rng.choice([r for r in rows if r.session_id == session.pk])
        row = Attendance.objects.select_related("session").get(pk=row.pk)  # as signed now
        status = "present" if row.status != "present" else "absent"
        attendance_correct(attendance=row, status=status, reason="Sign-in sheet.", by=self.casemanager)

    def screen(self):
        analyte = self.rng.choice(list(self.panel.analytes.all()))
        outcome = self.rng.choice(["completed", "completed", "missed"])
        episode = self.episode()
        moment = timezone.now() - dt.timedelta(minutes=self.rng.randint(1, 600))
        if outcome == "missed":
            screen_record(episode=episode, collected_at=moment, by=self.therapist, outcome=outcome, reason="No show")
        else:
            result = self.rng.choice(["positive", "negative", "inconclusive"])
            screen_record(
                episode=episode,
                collected_at=moment,
                by=self.therapist,
                panel=self.panel,
                results={analyte.pk: result},
                send_for_confirmation=self.rng.random() < 0.5,
            )

    def screen_error(self):
        screens = _screens(self.episode())
        if screens:
            screen_mark_error(screen=self.rng.choice(screens), by=self.casemanager, reason="Wrong client")

    def confirm(self):
        pending = list(ScreenResult.objects.filter(confirmation="pending", screen__entered_in_error=False))
        if pending:
            result = self.rng.choice(pending)
            confirmation = self.rng.choice(["confirmed_positive", "confirmed_negative"])
            result_confirm(result=result, confirmation=confirmation, by=self.casemanager)

    def prescription(self):
        client = self.episode().client
        analyte = self.rng.choice(list(self.panel.analytes.all()))
        rx = prescription_add(
            client=client,
            analyte=analyte,
            medication="med",
            start=self.today - dt.timedelta(days=60),
            by=self.casemanager,
        )
        if self.rng.random() < 0.3:
            prescription_mark_error(prescription=rx, by=self.casemanager)

    def goals(self):
        episode = self.episode()
        active = list(Goal.objects.filter(episode=episode, status="active"))
        if not active or self.rng.random() < 0.3:
            goal_add(episode=episode, area="substance_use", statement="Stay well", by=self.therapist)
        elif self.rng.random() < 0.3:
            goal_status_set(goal=self.rng.choice(active), status="achieved", by=self.therapist)
        else:
            worksheet = episode.worksheets.filter(week=week_start(self.today)).first()
            ratings = {g.pk: (self.rng.randint(0, 4), "") for g in active}
            worksheet_save(
                episode=episode,
                week=week_start(self.today),
                ratings=ratings,
                by=self.therapist,
                version=worksheet.version if worksheet else None,
            )

    def checkin(self):
        week = week_start(self.today)
        drafts = list(CheckIn.objects.filter(week=week, signed_at__isnull=True, episode__status="active"))
        if drafts and self.rng.random() < 0.5:
            checkin_sign(checkin=self.rng.choice(drafts), by=self.therapist)  # a write of its own
            return
        episode = self.episode()
        existing = CheckIn.objects.filter(episode=episode, week=week).first()
        if existing is not None and existing.is_signed:
            return
        if existing is not None and self.rng.random() < 0.6:
            checkin_sign(checkin=existing, by=self.therapist)  # a write of its own: signing counts
            return
        fields = dict(SIGNABLE, recommendation=self.rng.choice(["step_down", "continue", "graduate"]))
        checkin_save(
            episode=episode,
            week=week,
            author=self.therapist,
            fields=fields,
            seen_version=existing.version if existing else None,
        )

    def decision(self):
        episode = self.episode()
        kind = self.rng.choice(["continue", "step_up", "step_down"])
        if kind == "step_up" and episode.level_of_care == "PHP":
            kind = "continue"
        decision_record(
            episode=episode,
            kind=kind,
            rationale="Reviewed with the team at length; the client agrees with this plan going forward.",
            by=self.casemanager,
            decided_on=self.today,
        )

    def criteria(self):
        # A level's row at the site (issue 14): only that site+level's episodes may change.
        level = self.rng.choice(["IOP", "OP", "PHP"])
        criteria, _ = Criteria.objects.get_or_create(site=self.site, level_of_care=level)
        criteria.step_down_min_weeks = self.rng.randint(3, 9)
        criteria.graduation_min_weeks = self.rng.randint(0, 12)
        criteria.attendance_rate_min = self.rng.choice([0.5, 0.8, 0.9])
        criteria.step_down_applies = self.rng.choice([True, False])
        criteria.save()

    def all(self):
        return [
            self.roster,
            self.screen,
            self.screen_error,
            self.confirm,
            self.prescription,
            self.goals,
            self.checkin,
            self.decision,
            self.criteria,
            self.correction,
        ]


def _import_sample():
    for code in ANALYTES:
        Analyte.objects.get_or_create(code=code, defaults={"name": code})
    today = timezone.localdate()
    doc, problems = parse(SAMPLE.read_bytes())
    assert not problems, problems[:3]
    doc, problems = validate(doc, known_load(doc, today))
    assert not problems, problems[:3]
    records_import(doc=doc, source="sample.json")


def test_after_every_write_the_snapshots_equal_a_fresh_evaluation(as_admin, site1, track1, therapist, casemanager):
    today = timezone.localdate()
    for story, ago in (("ready", 0), ("approaching", 3), ("struggling", 1), ("ready", 9)):
        build_caseload(
            3, site=site1, track=track1, therapist=therapist, casemanager=casemanager,
            as_of=today - dt.timedelta(days=ago), story=story, prefix=f"{story[0]}{ago}",
        )  # fmt: skip
    show_caseload(as_admin)
    assert differences(today) == []
    assert history_differences(today) == []  # (the histories cached)
    assert HistorySnapshot.objects.count() == Episode.objects.active().count()
    rng = random.Random(16)
    writes = Writes(rng, site1, track1, therapist, casemanager)
    done = []
    for step in range(36):
        write = writes.all()[step % 10] if step < 10 else rng.choice(writes.all())
        write()
        done.append(write.__name__)
        show_caseload(as_admin)
        assert differences(today) == [], f"after {done}"
        assert history_differences(today) == [], f"after {done}"
        if step == 18:
            _import_sample()
            done.append("import")
            show_caseload(as_admin)
            assert differences(today) == [], f"after {done}"
            assert history_differences(today) == [], f"after {done}"
    assert MarkerSnapshot.objects.count() >= Episode.objects.active().count()


def test_a_refresh_pauses_the_cyclic_gc_and_gives_it_back_as_it_was(site1, track1, therapist, monkeypatch):
    import gc

    import pytest

    from dashboard import snapshots

    build_caseload(2, site=site1, track=track1, therapist=therapist)
    seen = []
    evaluations = snapshots.episode_evaluations

    def watched(episodes, as_of):
        seen.append(gc.isenabled())
        return evaluations(episodes, as_of)

    monkeypatch.setattr(snapshots, "episode_evaluations", watched)
    assert gc.isenabled()
    assert refresh_stale(Episode.objects.all(), timezone.localdate()) == 2
    assert seen == [False] and gc.isenabled()

    def failing(episodes, as_of):
        raise RuntimeError("a failed evaluation")

    monkeypatch.setattr(snapshots, "episode_evaluations", failing)
    with pytest.raises(RuntimeError):
        refresh_stale(Episode.objects.all(), timezone.localdate() + dt.timedelta(days=1))
    assert gc.isenabled()  # given back after a failure too

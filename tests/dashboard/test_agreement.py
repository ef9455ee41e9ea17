"""One rulebook, proved: for 240 generated episodes the numbers every tab shows equal the markers.

A seeded generator writes, in bulk, histories that cover every attendance status, cancelled
sessions, every screen outcome and reading (unexpected / expected / pending / inconclusive /
invalid for each reason), prescription windows (active, ended, not yet started, entered in
error), every goal status (goals set late, closed before a worksheet, left unrated) and signed,
draft and risky check-ins, at two sites with different criteria. Then, as of today:

- Attendance tab (attendance.queries.attendance_overview): rate, excused count, weekly hours;
- Screens tab (screening.queries.screen_summary): streak, its span, days since unexpected positive;
- Goals tab (goals.queries.goals_overview): share on track, "all achieved";
- Check-ins tab (checkins.queries.client_checkins): latest signed check-in, the risk flag;
- Progress tab (dashboard.queries.episode_evaluation and dashboard.history.attendance_weeks);
- the check-in form's week summary (checkins.queries.week_summary): last week's hours;

each equals the markers of the caseload / ``manage.py markers`` path for the same date, and a
sample of pages is rendered to check the numbers as printed.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance, Session
from attendance.queries import attendance_overview
from attendance.rules import complete_weeks_before
from checkins.models import CheckIn
from checkins.queries import client_checkins, week_summary
from checkins.scoring import risk_flag
from clients.models import Client, Episode
from dashboard.history import attendance_weeks
from dashboard.markers import Thresholds
from dashboard.queries import episode_evaluation, episode_evaluations
from goals.models import Goal, GoalRating, Worksheet
from goals.queries import goals_overview
from iop.dates import week_start, weeks_between
from programs.models import Criteria
from screening.interpretation import Interpretation
from screening.models import Prescription, Screen, ScreenResult
from screening.queries import screen_invalid_reason, screen_summary
from tests.factories import AnalyteFactory, TrackFactory

EPISODES = 240
SEED = 20260305
ATTENDANCE = ["present", "present", "present", "late", "left_early", "excused", "absent", "absent", "cancelled"]
RECOMMENDATIONS = ["continue", "step_down", "step_up", "graduate", "discharge"]


def _at(day, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=minute))


def _minutes(rng, status):
    if status == "present":
        return 180
    if status in ("late", "left_early"):
        return rng.choice([30, 90, 150, 179])
    return 0


def _validity(rng):
    """Specimen-validity fields: mostly fine, sometimes each reason to be invalid."""
    roll = rng.random()
    if roll < 0.05:
        return {"creatinine_mg_dl": Decimal("15"), "specific_gravity": Decimal("1.002")}  # dilute
    if roll < 0.08:
        return {"creatinine_mg_dl": Decimal("1"), "specific_gravity": Decimal("1.000")}  # substituted
    if roll < 0.11:
        return {"ph": Decimal("2.5")}  # adulterated
    if roll < 0.14:
        return {"temperature_in_range": False}
    if roll < 0.50:
        return {"temperature_in_range": True}
    return {}


def _result(rng):
    """(result, confirmation) of one analyte."""
    roll = rng.random()
    if roll < 0.75:
        return "negative", "not_sent"
    result = "inconclusive" if roll < 0.83 else "positive"
    return result, rng.choice(["not_sent", "not_sent", "pending", "confirmed_positive", "confirmed_negative"])


def generate(rng, *, sites, therapist, today):
    """Bulk-write EPISODES active episodes with random histories; returns them."""
    analytes = [AnalyteFactory(code=code) for code in ("COC", "BUP", "THC")]
    first_day = week_start(today) - dt.timedelta(weeks=14)
    sessions = {}
    for site, track in sites:
        made = Session.objects.bulk_create(
            [
                Session(
                    site=site,
                    track=track,
                    date=first_day + dt.timedelta(days=n),
                    start_time=dt.time(7, 0),
                    duration_minutes=180,
                    kind=Session.Kind.GROUP,
                    status=Session.Status.CANCELLED if rng.random() < 0.06 else Session.Status.HELD,
                )
                for n in range((today - first_day).days + 1)
            ]
        )
        sessions[site.pk] = {s.date: s for s in made}
    clients = Client.objects.bulk_create(
        [
            Client(mrn=f"AGR-{i:05d}", first_name=f"A{i}", last_name=f"Z{i:05d}", date_of_birth=dt.date(1990, 1, 1))
            for i in range(EPISODES)
        ]
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                client=c,
                ref=f"{c.mrn}-1",
                site=sites[i % 2][0],
                track=sites[i % 2][1],
                primary_therapist=therapist,
                admitted_on=today - dt.timedelta(days=rng.randint(0, 95)),
                required_weekly_hours=Decimal(rng.choice(["9", "9", "6", "7.5"])),
            )
            for i, c in enumerate(clients)
        ]
    )
    attendance, screens, results, prescriptions = [], [], [], []
    goals, sheets, ratings, checkins = [], [], [], []
    for e in episodes:
        days = [d for d in sessions[e.site_id] if e.admitted_on <= d <= today]
        for day in days:
            if rng.random() < 0.45:
                status = rng.choice(ATTENDANCE)
                session = sessions[e.site_id][day]
                attendance.append(
                    Attendance(session=session, episode=e, status=status, minutes_attended=_minutes(rng, status))
                )
        for n, day in enumerate(d for d in days if rng.random() < 0.2):
            outcome = rng.choices(["completed", "refused", "missed", "invalid"], [16, 1, 1, 1])[0]
            screen = Screen(
                episode=e,
                collected_at=_at(day, n),
                outcome=outcome,
                entered_in_error=rng.random() < 0.03,
                **(_validity(rng) if outcome != "refused" and outcome != "missed" else {}),
            )
            screens.append(screen)
            if outcome == "completed":
                for analyte in analytes:
                    result, confirmation = _result(rng)
                    results.append((screen, analyte, result, confirmation))
        for _ in range(rng.choice([0, 0, 1, 2])):
            start = e.admitted_on + dt.timedelta(days=rng.randint(-30, 40))
            end = rng.choice([None, start + dt.timedelta(days=rng.randint(0, 30))])
            prescriptions.append(
                Prescription(
                    client_id=e.client_id,
                    analyte=analytes[1],
                    start=start,
                    end=end,
                    entered_in_error=rng.random() < 0.1,
                )
            )
        episode_goals = [
            Goal(
                episode=e,
                ref=f"G{n + 1}",
                area="substance_use",
                statement="Stay well",
                status=rng.choice(["active", "active", "achieved", "revised", "discontinued"]),
            )
            for n in range(rng.choice([0, 1, 2, 3, 4]))
        ]
        if episode_goals and rng.random() < 0.08:
            for goal in episode_goals:
                goal.status = "achieved"
        goals.extend(episode_goals)
        mondays = weeks_between(week_start(e.admitted_on), week_start(today))
        for week in rng.sample(mondays, k=min(len(mondays), rng.choice([0, 1, 2, 3]))):
            sheet = Worksheet(episode=e, week=week)
            sheets.append(sheet)
            for goal in episode_goals:
                if rng.random() < 0.8:
                    ratings.append((sheet, goal, rng.randint(0, 4)))
        for week in rng.sample(mondays, k=min(len(mondays), rng.choice([0, 1, 2, 3, 4]))):
            signed = rng.random() < 0.6
            checkins.append(
                CheckIn(
                    episode=e,
                    week=week,
                    author=therapist,
                    recommendation=rng.choice(RECOMMENDATIONS),
                    risk=rng.choice(["none", "none", "low", "moderate", "high"]),
                    overdose_risk=rng.random() < 0.05,
                    phq9_items=rng.choice([None, [0] * 9, [1] * 8 + [1], [2] * 8 + [0]]),
                    signed_at=_at(week + dt.timedelta(days=2)) if signed else None,
                    signed_by=therapist if signed else None,
                )
            )
    Attendance.objects.bulk_create(attendance)
    Screen.objects.bulk_create(screens)
    ScreenResult.objects.bulk_create(
        [ScreenResult(screen=s, analyte=a, result=r, confirmation=c) for s, a, r, c in results]
    )
    Prescription.objects.bulk_create(prescriptions)
    Goal.objects.bulk_create(goals)
    _goal_dates(rng, goals, today)
    Worksheet.objects.bulk_create(sheets)
    GoalRating.objects.bulk_create([GoalRating(worksheet=s, goal=g, rating=r) for s, g, r in ratings])
    CheckIn.objects.bulk_create(checkins)
    return episodes


def _goal_dates(rng, goals, today):
    """Goals set on admission or later (some after a worksheet's week); closed ones get the
    history row that says when they left "active" (some before a worksheet's week)."""
    episodes = {e.pk: e for e in Episode.objects.filter(pk__in={g.episode_id for g in goals})}
    history = []
    for goal in goals:
        admitted = episodes[goal.episode_id].admitted_on
        set_on = admitted + dt.timedelta(days=rng.choice([0, 0, 0, rng.randint(0, max((today - admitted).days, 0))]))
        goal.created_at = _at(min(set_on, today))
        if goal.status != "active":
            closed_on = set_on + dt.timedelta(days=rng.randint(0, max((today - set_on).days, 0)))
            values = {f.attname: getattr(goal, f.attname) for f in Goal._meta.concrete_fields}
            history.append(Goal.history.model(**values, history_date=_at(min(closed_on, today)), history_type="~"))
    Goal.objects.bulk_update(goals, ["created_at"])
    Goal.history.model.objects.bulk_create(history)


@pytest.fixture
def histories(site1, site2, track1, therapist):
    Criteria.objects.create(site=site2, attendance_window_days=14, on_track_rating=2, worksheet_max_age_days=21)
    track2 = TrackFactory(site=site2, code="NOR-AM", name="Morning")
    today = timezone.localdate()
    episodes = generate(random.Random(SEED), sites=[(site1, track1), (site2, track2)], therapist=therapist, today=today)
    return list(Episode.objects.filter(pk__in=[e.pk for e in episodes]).select_related("client", "site")), today


def _coverage(screen_items):
    """What the generated histories hold: every state the brief asks for must be there."""
    return {
        "statuses": set(Attendance.objects.values_list("status", flat=True)),
        "cancelled_sessions": Attendance.objects.filter(session__status="cancelled").exists(),
        "readings": {reading for _, reading, _ in screen_items},
        "invalid_reasons": {screen_invalid_reason(screen) for _, _, screen in screen_items} - {None},
        "goal_statuses": set(Goal.objects.values_list("status", flat=True)),
        "prescription_windows": {
            "open": Prescription.objects.filter(end__isnull=True).exists(),
            "ended": Prescription.objects.filter(end__isnull=False).exists(),
            "in_error": Prescription.objects.filter(entered_in_error=True).exists(),
        },
    }


def test_every_tab_shows_the_markers_numbers_for_every_generated_episode(histories, site2):
    episodes, today = histories
    evaluations = episode_evaluations(episodes, today)  # the caseload's and `markers`' path
    thresholds = {e.site_id: Thresholds() for e in episodes}
    thresholds[site2.pk] = Thresholds.from_criteria(Criteria.objects.get(site=site2))
    last_monday = week_start(today) - dt.timedelta(weeks=1)
    screen_items = []
    checked = {"rate": 0, "streak": 0, "goals": 0, "checkin": 0, "hours": 0, "all_achieved": 0}
    for n, e in enumerate(episodes):
        ev, t = evaluations[e.pk], thresholds[e.site_id]
        m = ev.markers
        where = e.ref

        # Attendance tab
        attendance = attendance_overview(e, today)
        assert attendance.rate.rate == m.attendance_rate_4w, where
        assert attendance.rate.days == t.attendance_window_days, where
        assert attendance.rate.excused == m.excused_absences_4w, where
        week_hours = {w.week: round(float(w.hours), 2) for w in attendance.weeks}
        for monday, hours in zip(complete_weeks_before(today, t.hours_weeks_window), m.hours_by_week, strict=True):
            assert week_hours.get(monday, 0.0 if hours is not None else None) == hours, (where, monday)
        checked["rate"] += m.attendance_rate_4w is not None

        # Screens tab
        screens = screen_summary(e, today)
        screen_items += screens.items
        assert screens.streak.count == m.negative_streak, where
        assert (screens.streak.days if screens.streak.count else None) == m.negative_streak_days, where
        assert screens.days_since_unexpected == m.days_since_unexpected_positive, where
        assert (screens.items[0][0] if screens.items else None) == m.last_screen_on, where
        checked["streak"] += m.negative_streak > 0

        # Goals tab
        goals = goals_overview(e)
        counts = goals.latest is not None and goals.latest.week >= today - dt.timedelta(days=t.worksheet_max_age_days)
        assert goals.threshold == t.on_track_rating, where
        assert (goals.on_track if counts else None) == pytest.approx(m.goals_on_track), where
        goals_criterion = next(c for c in ev.step_down.criteria if c.name == "goals_on_track")
        assert goals.all_achieved == goals_criterion.detail["all_achieved"], where
        checked["goals"] += m.goals_on_track is not None
        checked["all_achieved"] += goals.all_achieved

        # Check-ins tab
        rows = client_checkins(e)
        signed = next((c for c in rows if c.signed_at), None)
        assert (signed.week if signed else None) == m.latest_checkin_on, where
        assert (signed.recommendation if signed else None) == m.latest_recommendation, where
        newest = rows[0] if rows else None
        flagged = newest is not None and risk_flag(
            risk=newest.risk,
            suicidal_ideation=newest.suicidal_ideation,
            homicidal_ideation=newest.homicidal_ideation,
            overdose_risk=newest.overdose_risk,
            phq9_items=newest.phq9_items,
        )
        assert flagged == ("risk" in ev.flags), where
        checked["checkin"] += signed is not None

        # Check-in form: last week's hours (five queries each: one episode in four)
        if m.hours_last_week is not None and n % 4 == 0:
            summary = week_summary(e, last_monday, today=today)
            assert summary.hours == Decimal(str(m.hours_last_week)).quantize(Decimal("0.1")), where
            assert summary.finished
            checked["hours"] += 1

    # Progress tab: the same evaluation one episode at a time, and its hours table.
    for e in episodes[::12]:
        assert episode_evaluation(e, today).as_dict() == evaluations[e.pk].as_dict(), e.ref
        mondays = weeks_between(week_start(e.admitted_on), week_start(today))
        progress_hours = {w["week"]: w["hours"] for w in attendance_weeks(e, mondays, today)}
        tab_hours = {w.week: round(float(w.hours), 2) for w in attendance_overview(e, today).weeks}
        assert progress_hours == tab_hours, e.ref

    coverage = _coverage(screen_items)
    assert coverage["statuses"] == {"present", "late", "left_early", "excused", "absent", "cancelled"}
    assert coverage["cancelled_sessions"]
    assert coverage["readings"] == set(Interpretation)
    assert coverage["invalid_reasons"] == {
        "dilute",
        "substituted",
        "adulterated",
        "temperature out of range",
        "recorded invalid",
    }
    assert coverage["goal_statuses"] == {"active", "achieved", "revised", "discontinued"}
    assert all(coverage["prescription_windows"].values())

    # The histories are varied enough for the comparisons to mean something.
    assert min(checked.values()) >= 5, checked


def _login_for(user):
    from tests.conftest import _login

    return _login(user)


def test_pages_print_the_markers_numbers_for_a_sample(histories, therapist):
    episodes, today = histories
    evaluations = episode_evaluations(episodes, today)
    browser = _login_for(therapist)
    sample = [e for e in episodes if e.site.code == "RIC" and evaluations[e.pk].markers.attendance_rate_4w][:3]
    assert sample
    for e in sample:
        m = evaluations[e.pk].markers
        attendance = browser.get(reverse("attendance:client", args=[e.client_id])).content.decode()
        assert f"<strong>{round(m.attendance_rate_4w * 100)} %</strong>" in attendance, e.ref
        screens = browser.get(reverse("screening:client", args=[e.client_id])).content.decode()
        count = m.negative_streak
        assert f"{count} screen{'' if count == 1 else 's'}" in screens, e.ref
        progress = browser.get(reverse("dashboard:progress", args=[e.client_id]))
        assert progress.context["evaluation"].as_dict() == evaluations[e.pk].as_dict(), e.ref
        goals = browser.get(reverse("goals:client", args=[e.client_id]))
        assert goals.status_code == 200
        if m.goals_on_track is not None:
            assert f"<strong>{round(m.goals_on_track * 100)} %</strong>" in goals.content.decode(), e.ref
        checkins = browser.get(reverse("checkins:client", args=[e.client_id]))
        assert checkins.status_code == 200

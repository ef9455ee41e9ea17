"""The program report's figures after the program (issue 14): follow-up reach and self-reported
abstinence at 30 and 90 days, readmissions within 90 days, continuing-care attendance — on a
known, hand-built history (exact numbers), and the rules they use as tables."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare import rules
from aftercare.models import FollowUp
from attendance.models import Attendance, Session
from clients.models import Episode, LevelOfCare
from dashboard.reports import aftercare_outcomes_build
from programs.schedule import MONTHLY
from tests.factories import AttendanceFactory, ClientFactory, EpisodeFactory, SessionFactory, TrackFactory


# The history is written for "today = 04/15/2026" and moved to the real today, so the page (which
# counts as of today) and a direct call give the same exact figures.
def d(month, day, year=2026):
    return dt.date(year, month, day) + (timezone.localdate() - dt.date(2026, 4, 15))


def _start_end():
    return d(1, 1), d(3, 31)


# --- the rules, as tables ------------------------------------------------------------------

DUE = dt.date(2026, 2, 10)


@pytest.mark.parametrize(
    "reached, contacted_on, expected",
    [
        (True, DUE, True),
        (True, DUE - dt.timedelta(days=3), True),  # reached a little early: counts
        (True, DUE + dt.timedelta(days=14), True),  # the last day of the window
        (True, DUE + dt.timedelta(days=15), False),  # too late to count as "by day N"
        (False, DUE, False),
        (None, None, False),  # not logged
    ],
)
def test_what_counts_as_reached_by_the_day(reached, contacted_on, expected):
    assert rules.reached_by(reached=reached, contacted_on=contacted_on, due_on=DUE) is expected


END = dt.date(2026, 1, 10)


@pytest.mark.parametrize(
    "later, said, expected",
    [
        ((), False, False),
        ((END,), False, False),  # opened the same day: a step-down or continuing care, not a readmission
        ((END + dt.timedelta(days=1),), False, True),
        ((END + dt.timedelta(days=90),), False, True),  # day 90 is within
        ((END + dt.timedelta(days=91),), False, False),
        ((END - dt.timedelta(days=200),), False, False),  # an earlier episode
        ((), True, True),  # a follow-up says "readmitted anywhere"
    ],
)
def test_what_counts_as_readmitted_within_90_days(later, said, expected):
    assert rules.readmitted_within(ended_on=END, later_admissions=later, followup_readmitted=said) is expected


# --- a known history ---------------------------------------------------------------------


def _ended(site, track, mrn, admitted, ended, status=Episode.Status.GRADUATED, client=None, **kw):
    client = client or ClientFactory(mrn=mrn)
    return EpisodeFactory(
        client=client,
        site=site,
        track=track,
        admitted_on=admitted,
        ended_on=ended,
        status=status,
        end_reason=status,
        **kw,
    )


def _fu(episode, offset, *, reached=None, contacted=None, use="", readmitted="", attempts=None):
    return FollowUp.objects.create(
        episode=episode,
        offset_days=offset,
        due_on=episode.ended_on + dt.timedelta(days=offset),
        reached=reached,
        contacted_on=contacted,
        attempts=attempts if attempts is not None else (0 if reached is None else 1),
        substance_use=use,
        readmitted=readmitted,
        done=bool(reached) or (attempts or 0) >= 3,
    )


def history(site, track, other_site):
    """Period 01/01–03/31, as of 04/15 (shifted). Expected:
    30-day: due Q, R, S, T, U, V; reached by the day Q, S, V (R was reached 18 days late, T not
    reached, U not logged) → 3 of 6; not using Q, V (S declined) → 2 of 3.
    90-day: due P, Q, V; reached P, Q (V not logged) → 2 of 3; not using P → 1 of 2.
    Ended in the period: R, S, S2, T, U; readmitted R (R2 50 days later), U (its follow-up says
    so) → 2 of 5 (S2 opened the same day as S ended: no readmission).
    Continuing care: 6 roster rows on the alumni group's sessions in the period, 4 attended."""
    p = _ended(site, track, "P", d(7, 1, 2025), d(10, 10, 2025))
    _fu(p, 90, reached=True, contacted=d(1, 9), use="no")
    q = _ended(site, track, "Q", d(9, 1, 2025), d(12, 25, 2025))
    _fu(q, 30, reached=True, contacted=d(1, 26), use="no")
    _fu(q, 90, reached=True, contacted=d(4, 2), use="yes")  # due 03/25, reached 8 days later
    r = _ended(site, track, "R", d(10, 1, 2025), d(1, 10))
    _fu(r, 30, reached=True, contacted=d(2, 27), use="no")  # due 02/09: 18 days late
    EpisodeFactory(client=r.client, site=site, track=track, admitted_on=d(3, 1))  # readmitted, 50 days
    s = _ended(site, track, "S", d(10, 5, 2025), d(1, 15), status=Episode.Status.STEPPED_DOWN)
    _fu(s, 30, reached=True, contacted=d(2, 14), use="declined")
    _ended(site, None, "S", d(1, 15), d(3, 20), client=s.client, level_of_care=LevelOfCare.OP)  # S2
    t = _ended(site, track, "T", d(11, 1, 2025), d(2, 1), status=Episode.Status.DISCHARGED)
    _fu(t, 30, reached=False, contacted=d(3, 5), attempts=3)
    u = _ended(site, track, "U", d(11, 10, 2025), d(2, 20))
    _fu(u, 7, reached=True, contacted=d(2, 27), use="no", readmitted="yes")
    _fu(u, 30)  # due 03/22, not logged
    v = _ended(site, track, "V", d(9, 20, 2025), d(12, 31, 2025))
    _fu(v, 30, reached=True, contacted=d(1, 30), use="no")
    _fu(v, 90)  # due 03/31, not logged
    # Another site's graduate, reached and readmitted: never counted here.
    w = _ended(other_site, TrackFactory(site=other_site), "W", d(10, 1, 2025), d(1, 5))
    _fu(w, 30, reached=True, contacted=d(2, 4), use="no", readmitted="yes")

    alumni = TrackFactory(
        site=site, name="Alumni", weekdays=["tue"], cadence=MONTHLY, month_week=1, continuing_care=True
    )
    q2 = EpisodeFactory(client=q.client, site=site, track=alumni, admitted_on=d(12, 25, 2025), level_of_care="OP")
    v2 = EpisodeFactory(client=v.client, site=site, track=alumni, admitted_on=d(12, 31, 2025), level_of_care="OP")
    rows = {
        d(1, 6): ("present", "present"),
        d(2, 3): ("late", "absent"),
        d(3, 3): ("excused", "present"),
        d(4, 7): ("present", "present"),  # after the period
    }
    for day, statuses in rows.items():
        session = SessionFactory(site=site, track=alumni, date=day, duration_minutes=90)
        for episode, status in zip((q2, v2), statuses, strict=True):
            minutes = 60 if status == "late" else None
            AttendanceFactory(
                session=session, episode=episode, status=status, **({"minutes_attended": minutes} if minutes else {})
            )
    cancelled = SessionFactory(site=site, track=alumni, date=d(3, 17), status=Session.Status.CANCELLED)
    AttendanceFactory(session=cancelled, episode=q2, status=Attendance.Status.CANCELLED, minutes_attended=0)
    # An IOP group's attendance is not continuing care.
    AttendanceFactory(session=SessionFactory(site=site, track=track, date=d(3, 2)), episode=q2.client.episodes.first())


EXPECTED = {
    "followup_reach_30": (3, 6),
    "abstinent_30": (2, 3),
    "followup_reach_90": (2, 3),
    "abstinent_90": (1, 2),
    "readmitted_90": (2, 5),
    "continuing_care_attendance": (4, 6),
}


def test_the_figures_on_a_known_history(site1, site2, track1):
    history(site1, track1, site2)
    start, end = _start_end()

    outcomes = aftercare_outcomes_build(episodes=Episode.objects.filter(site=site1), start=start, end=end)

    assert {key: (share.count, share.of) for key, _, share, _ in outcomes.rows()} == EXPECTED
    assert outcomes.followup_reach_30.rate == 0.5
    assert outcomes.continuing_care_attendance.rate == pytest.approx(0.667)


def test_before_anything_is_due_the_figures_are_not_measurable(site1, track1, site2):
    history(site1, track1, site2)
    outcomes = aftercare_outcomes_build(
        episodes=Episode.objects.filter(site=site1), start=d(4, 20), end=d(4, 30), as_of=d(4, 15)
    )
    assert [shown for *_, shown in outcomes.rows()] == ["—"] * 6


URL = reverse("dashboard:report")


def _params():
    start, end = _start_end()
    return {"start": start.isoformat(), "end": end.isoformat()}


def test_the_page_and_the_csv_show_the_figures(as_casemanager, site1, site2, track1):
    history(site1, track1, site2)

    page = as_casemanager.get(URL, _params())

    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "After the program" in text
    assert 'Follow-ups reached by day 30</th><td class="text-end">50% (3 of 6)' in text
    assert 'Readmitted within 90 days (of episodes ended)</th><td class="text-end">40% (2 of 5)' in text
    rows = list(
        csv.reader(io.StringIO(as_casemanager.get(reverse("dashboard:report_csv"), _params()).content.decode()))
    )
    block = rows[rows.index(["after the program", "figure", "rate", "count", "of"]) + 1 :]
    assert {r[0]: (int(r[3]), int(r[4])) for r in block} == EXPECTED
    assert {r[0]: r[2] for r in block}["abstinent_90"] == "0.5"

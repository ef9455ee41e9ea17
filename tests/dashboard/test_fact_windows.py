"""The fact queries read only what the rules can see (dashboard.markers: attendance_read_from,
worksheets_read_from, screen_window_days, streak_read_back_to), and ``evaluate`` on the facts
read equals ``evaluate`` on every screen: nothing a user sees changes (the streak's "N screens in
a row" and every "days since" stay exact, at any age)."""

import datetime as dt
import random

from django.utils import timezone

from clients.models import Episode
from dashboard.markers import Thresholds, evaluate, screen_window_days
from dashboard.queries import episode_facts, level_thresholds, thresholds_key
from programs.models import Criteria
from screening.models import Analyte, Prescription, Screen, ScreenResult
from screening.queries import interpret_screen, may_not_be_negative
from tests.dashboard.test_agreement import generate
from tests.dashboard.test_queries import build_caseload
from tests.dashboard.test_reference_sql import continue_stays
from tests.factories import ClientFactory, EpisodeFactory, TrackFactory


def _at(day, hour=9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _both(episodes, as_of):
    thresholds = level_thresholds({thresholds_key(e) for e in episodes})
    windowed = episode_facts(episodes, as_of, thresholds)
    full = episode_facts(episodes, as_of, thresholds, full=True)
    return thresholds, windowed, full


def test_evaluate_on_the_screens_read_equals_evaluate_on_every_screen(site1, site2, track1, therapist):
    Criteria.objects.update_or_create(
        site=site2, level_of_care="IOP", defaults={"no_positive_days": 45, "flag_screen_overdue_days": 3}
    )
    track2 = TrackFactory(site=site2, code="NOR-AM", name="Morning")
    today = timezone.localdate()
    rng = random.Random(77)
    generated = generate(rng, sites=[(site1, track1), (site2, track2)], therapist=therapist, today=today)
    continue_stays(rng, generated, today, therapist)
    for story in ("ready", "approaching", "struggling"):
        build_caseload(3, site=site1, track=track1, therapist=therapist, as_of=today, story=story, prefix=story[0])
    episodes = list(Episode.objects.active().order_by("pk"))
    skipped = 0
    for as_of in (today, today - dt.timedelta(days=3), today - dt.timedelta(days=40)):
        thresholds, windowed, full = _both(episodes, as_of)
        for e in episodes:
            t = thresholds[thresholds_key(e)]
            assert evaluate(windowed[e.pk], as_of, t).as_dict() == evaluate(full[e.pk], as_of, t).as_dict(), e.ref
            skipped += len(full[e.pk].screens) - len(windowed[e.pk].screens)
            assert len(windowed[e.pk].screens) <= len(full[e.pk].screens)
    assert skipped > 100  # the window does spare reading


def test_a_screen_outside_may_not_be_negative_is_negative(site1, site2, track1, therapist):
    """The filter is interpret's rules read backwards: checked on every generated screen."""
    today = timezone.localdate()
    track2 = TrackFactory(site=site2, code="NOR-AM", name="Morning")
    generate(random.Random(5), sites=[(site1, track1), (site2, track2)], therapist=therapist, today=today)
    outside = Screen.objects.exclude(may_not_be_negative()).prefetch_related("results").select_related("episode")
    prescriptions = list(Prescription.objects.all())
    by_client = {}
    for p in prescriptions:
        by_client.setdefault(p.client_id, []).append(p)
    assert outside.count() > 100
    for screen in outside:
        assert interpret_screen(screen, by_client.get(screen.episode.client_id, [])) == "negative", screen.pk
    assert Screen.objects.filter(may_not_be_negative()).count() > 50


def _weekly_screens(episode, first_day, weeks, coc):
    """A screen every Monday from ``first_day`` on, all negative."""
    for n in range(weeks):
        screen = Screen.objects.create(episode=episode, collected_at=_at(first_day + dt.timedelta(weeks=n)))
        ScreenResult.objects.create(screen=screen, analyte=coc, result="negative")


def test_a_long_streak_and_an_old_positive_stay_exact(site1, track1):
    """40 negative weekly screens after an unexpected positive 300 days ago: the streak is 40
    screens over 273 days (every screen back to the break is read), the positive is 300 days ago."""
    today = timezone.localdate()
    coc = Analyte.objects.get_or_create(code="COC", defaults={"name": "Cocaine"})[0]
    episode = EpisodeFactory(
        client=ClientFactory(), site=site1, track=track1, admitted_on=today - dt.timedelta(days=320)
    )
    old = Screen.objects.create(episode=episode, collected_at=_at(today - dt.timedelta(days=300)))
    ScreenResult.objects.create(screen=old, analyte=coc, result="positive")
    _weekly_screens(episode, today - dt.timedelta(days=280), 40, coc)
    thresholds, windowed, full = _both([episode], today)
    m = evaluate(windowed[episode.pk], today, thresholds[thresholds_key(episode)]).markers
    assert (m.negative_streak, m.negative_streak_days, m.days_since_unexpected_positive) == (40, 273, 300)
    assert len(windowed[episode.pk].screens) == 41  # all of them: the streak runs back to its break


def test_a_broken_streak_reads_only_the_window_and_the_not_negative(site1, track1):
    """A missed screen 10 days ago breaks the streak: the 40 older negatives are not read, the
    old unexpected positive is (days since it stays exact)."""
    today = timezone.localdate()
    coc = Analyte.objects.get_or_create(code="COC", defaults={"name": "Cocaine"})[0]
    episode = EpisodeFactory(
        client=ClientFactory(), site=site1, track=track1, admitted_on=today - dt.timedelta(days=400)
    )
    old = Screen.objects.create(episode=episode, collected_at=_at(today - dt.timedelta(days=390)))
    ScreenResult.objects.create(screen=old, analyte=coc, result="positive")
    _weekly_screens(episode, today - dt.timedelta(days=330), 40, coc)
    Screen.objects.create(episode=episode, collected_at=_at(today - dt.timedelta(days=10)), outcome="missed")
    Screen.objects.create(episode=episode, collected_at=_at(today - dt.timedelta(days=2)))
    thresholds, windowed, full = _both([episode], today)
    t = thresholds[thresholds_key(episode)]
    assert evaluate(windowed[episode.pk], today, t).as_dict() == evaluate(full[episode.pk], today, t).as_dict()
    m = evaluate(windowed[episode.pk], today, t).markers
    assert (m.negative_streak, m.days_since_unexpected_positive) == (1, 390)
    read = sorted(f.collected_on for f in windowed[episode.pk].screens)
    assert read == [today - dt.timedelta(days=390), today - dt.timedelta(days=10), today - dt.timedelta(days=2)]
    assert read[1] >= today - dt.timedelta(days=screen_window_days(t))
    assert len(full[episode.pk].screens) == 43


def test_the_absences_flag_reads_its_own_window(site1, track1, therapist):
    """An absences window longer than the rate's: the attendance read reaches back to it."""
    today = timezone.localdate()
    Criteria.objects.update_or_create(
        site=site1,
        level_of_care="IOP",
        defaults={"flag_absences_days": 30, "flag_absences_count": 8, "attendance_window_days": 7},
    )
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist, as_of=today, story="struggling")
    thresholds = level_thresholds({(site1.pk, "IOP")})
    assert thresholds[(site1.pk, "IOP")] != Thresholds()
    facts = episode_facts([episode], today, thresholds)[episode.pk]
    assert sum(1 for a in facts.attendance if a.status == "absent") >= 8
    assert "absences" in evaluate(facts, today, thresholds[(site1.pk, "IOP")]).flags


def test_required_hours_are_compared_exactly(site1, track1, therapist):
    """66 minutes meet 1.1 required hours (as on the Attendance tab), not float(1.1)'s 1.1000…09."""
    from decimal import Decimal

    from attendance.models import Attendance
    from iop.dates import week_start
    from tests.factories import SessionFactory

    today = timezone.localdate()
    last_monday = week_start(today) - dt.timedelta(weeks=1)
    episode = EpisodeFactory(
        client=ClientFactory(),
        site=site1,
        track=track1,
        admitted_on=last_monday - dt.timedelta(weeks=2),
        required_weekly_hours=Decimal("1.1"),
    )
    session = SessionFactory(site=site1, track=track1, date=last_monday, status="held")
    Attendance.objects.create(session=session, episode=episode, status="late", minutes_attended=66)
    thresholds = level_thresholds({(site1.pk, "IOP")})
    facts = episode_facts([episode], today, thresholds)[episode.pk]
    evaluation = evaluate(facts, today, thresholds[(site1.pk, "IOP")])
    assert evaluation.markers.hours_last_week == 1.1
    assert "hours_short" not in evaluation.flags

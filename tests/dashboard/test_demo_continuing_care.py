"""seed_demo builds the care transitions (issue 14, "Demo data"): stepped-down clients on OP
episodes with aftercare plans, graduates followed up (due, overdue, done), and a monthly
continuing-care group with the graduates on its roster."""

import io
from collections import Counter

from django.core.management import call_command
from django.utils import timezone

from aftercare.models import AftercarePlan, FollowUp
from attendance.models import Attendance, Session
from clients.models import Episode, LevelOfCare
from dashboard.models import Decision


def test_the_demo_has_step_downs_graduates_and_an_alumni_group(db):
    call_command("seed_demo", "--clients", "24", "--weeks", "16", "--force", stdout=io.StringIO())
    today = timezone.localdate()

    step_downs = Decision.objects.filter(kind=Decision.Kind.STEP_DOWN).select_related("episode", "resulting_episode")
    assert step_downs and all(
        (d.resulting_episode.level_of_care, d.resulting_episode.status, d.resulting_episode.admitted_on)
        == (LevelOfCare.OP, Episode.Status.ACTIVE, d.episode.ended_on)
        for d in step_downs
    )
    assert AftercarePlan.objects.filter(episode__in=[d.episode for d in step_downs]).count() == len(step_downs)

    graduations = Decision.objects.filter(kind=Decision.Kind.GRADUATE).select_related("resulting_episode__track")
    continuing = [d.resulting_episode for d in graduations]
    assert continuing and all(e.track.continuing_care and e.track.cadence == "monthly" for e in continuing)
    assert all(e.track.schedule_label == "First Tuesday of the month" for e in continuing)
    plans = AftercarePlan.objects.filter(episode__decisions__kind=Decision.Kind.GRADUATE)
    assert {p.continuing_care_track_id for p in plans} == {e.track_id for e in continuing}

    sessions = Session.objects.filter(track__continuing_care=True)
    assert all(s.date.weekday() == 1 and s.date.day <= 7 for s in sessions)  # first Tuesdays only
    on_roster = set(Attendance.objects.filter(session__in=sessions).values_list("episode_id", flat=True))
    assert on_roster and on_roster <= {e.pk for e in continuing}
    assert sessions.filter(date__gt=today, status=Session.Status.SCHEDULED).exists()  # the next one

    graduate_followups = FollowUp.objects.filter(episode__status=Episode.Status.GRADUATED)
    states = Counter(f.state(today) for f in graduate_followups)
    assert states["done"] and states["overdue"] and states["due"] + states["not_yet_due"]
    assert Episode.objects.filter(client__episodes__status="graduated", status="active").count() == len(continuing)

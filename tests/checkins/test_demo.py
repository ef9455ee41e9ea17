import random

from django.utils import timezone

from checkins import demo
from checkins.models import CheckIn
from checkins.queries import due_episodes
from checkins.scoring import risk_flag
from clients import demo as clients_demo
from iop.dates import week_start


def test_demo_checkins_fit_each_story(db):
    ctx = clients_demo.DemoContext(rng=random.Random(7), today=timezone.localdate(), weeks=16)
    clients_demo.seed_users_and_sites(ctx)
    clients_demo.seed_clients(ctx, 12)  # one client of each story
    demo.seed(ctx)
    this_week = week_start(ctx.today)
    latest = {
        d.story: CheckIn.objects.filter(episode=d.episode, signed_at__isnull=False).order_by("-week").first()
        for d in ctx.episodes
    }
    for checkin in filter(None, latest.values()):
        checkin.risk_flag = risk_flag(
            risk=checkin.risk,
            suicidal_ideation=checkin.suicidal_ideation,
            homicidal_ideation=checkin.homicidal_ideation,
            overdose_risk=checkin.overdose_risk,
            phq9_items=checkin.phq9_items,
        )
    assert latest["ready_graduate"].recommendation == "graduate" and latest["ready_graduate"].week == this_week
    assert latest["ready_step_down"].recommendation == "step_down" and latest["ready_step_down"].week == this_week
    assert latest["approaching"].recommendation == "continue"
    assert latest["steady"].recommendation == "continue"
    assert latest["relapsing"].risk_flag and latest["relapsing"].week == this_week
    assert not latest["ready_graduate"].risk_flag and not latest["ready_step_down"].risk_flag
    assert latest["graduated"].recommendation == "graduate"
    assert CheckIn.history.count() == CheckIn.objects.count()  # bulk writes keep history
    therapist = ctx.users["therapist"]
    assert list(due_episodes(user=therapist, week=this_week, therapist=therapist))  # the due list has work

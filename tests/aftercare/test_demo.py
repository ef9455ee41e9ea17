import random
from collections import Counter

from django.utils import timezone

from aftercare import demo
from aftercare.models import AftercarePlan, FollowUp
from clients import demo as clients_demo


def test_demo_plans_the_graduates_and_step_downs_and_follows_up_every_ended_episode(db):
    ctx = clients_demo.DemoContext(rng=random.Random(7), today=timezone.localdate(), weeks=16)
    clients_demo.seed_users_and_sites(ctx)
    clients_demo.seed_clients(ctx, 36)
    demo.seed(ctx)

    stories = {d.episode.pk: d.story for d in ctx.episodes}
    planned = Counter(stories[p.episode_id] for p in AftercarePlan.objects.all())
    assert planned == {"graduated": 3, "stepped_down": 3}
    ended = [d.episode for d in ctx.episodes if d.episode.ended_on]
    assert FollowUp.objects.count() == 3 * len(ended)
    states = Counter(f.state(ctx.today) for f in FollowUp.objects.all())
    assert states["done"] and states["overdue"]
    assert states["due"] + states["not_yet_due"]
    assert FollowUp.objects.filter(done=False, attempts=1, reached=False).exists()  # tried, not reached yet

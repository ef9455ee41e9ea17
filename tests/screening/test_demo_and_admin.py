import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import demo as clients_demo
from screening import demo
from screening.interpretation import Interpretation, negative_streak
from screening.models import Prescription, Screen, ScreenResult
from screening.queries import screen_interpretations

pytestmark = pytest.mark.django_db

NOT_NEGATIVE = {"unexpected_positive", "refused", "missed", "invalid"}


def test_demo_screens_fit_each_story():
    ctx = clients_demo.DemoContext(rng=random.Random(7), today=timezone.localdate(), weeks=16)
    clients_demo.seed_users_and_sites(ctx)
    clients_demo.seed_clients(ctx, 12)
    demo.seed(ctx)
    today = ctx.today
    got = screen_interpretations([d.episode.pk for d in ctx.episodes])
    for d in ctx.episodes:
        items = got[d.episode.pk]
        recent14 = {i for day, i, _ in items if (today - day).days <= 14}
        recent30 = {i for day, i, _ in items if (today - day).days <= 30}
        streak = negative_streak([(day, i) for day, i, _ in items])
        if d.story == "relapsing":
            assert Interpretation.UNEXPECTED_POSITIVE in recent14
        elif d.story == "struggling":
            assert recent14 & {"refused", "missed"}
        elif d.story in ("ready_step_down", "approaching", "ready_graduate"):
            assert not recent30 & NOT_NEGATIVE
            assert streak.count >= (8 if d.story == "ready_graduate" else 4)
            assert streak.days >= (45 if d.story == "ready_graduate" else 21)
        if items:  # twice a week, never in the future
            assert items[0][0] < today
            assert all(d.episode.admitted_on <= day for day, _, _ in items)
    assert 1 <= ScreenResult.objects.filter(confirmation="pending").count() <= 2
    assert Prescription.objects.filter(analyte__code="BUP").exists()
    assert Screen.history.count() == Screen.objects.count()


def test_admin_pages_open_for_program_admin(as_admin, episode1, cup, therapist):
    from screening import services

    screen = services.screen_record(
        episode=episode1, collected_at=timezone.now() - dt.timedelta(days=1), by=therapist, panel=cup
    )
    for name, args in [
        ("admin:screening_analyte_changelist", []),
        ("admin:screening_panel_changelist", []),
        ("admin:screening_panel_change", [cup.pk]),
        ("admin:screening_screen_changelist", []),
        ("admin:screening_screen_change", [screen.pk]),
        ("admin:screening_prescription_changelist", []),
    ]:
        assert as_admin.get(reverse(name, args=args)).status_code == 200, name
    assert "12-panel cup" in as_admin.get(reverse("admin:screening_panel_changelist")).content.decode()


@pytest.mark.parametrize(
    ("persona", "tab", "pending"),
    [("as_therapist", 200, 200), ("as_casemanager", 200, 200), ("as_therapist2", 404, 200), ("as_admin", 200, 200)],
)
def test_every_screening_page_for_every_role(request, episode1, persona, tab, pending):
    http = request.getfixturevalue(persona)
    assert http.get(reverse("screening:client", args=[episode1.client.pk])).status_code == tab
    assert http.get(reverse("screening:pending")).status_code == pending


def test_bad_panel_id_is_404_not_500(as_therapist, episode1):
    url = reverse("screening:record", args=[episode1.client.pk])
    assert as_therapist.post(url, {"panel": "abc", "outcome": "completed"}).status_code == 404

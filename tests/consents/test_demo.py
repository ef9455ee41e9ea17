import random

from django.utils import timezone

from clients import demo as clients_demo
from consents import demo
from consents.models import Consent, Disclosure
from letters import demo as letters_demo
from letters.models import LetterTemplate
from tests.consents.conftest import pdf_text


def test_demo_gives_richmond_clients_consents_in_every_state_and_past_letters(db):
    ctx = clients_demo.DemoContext(rng=random.Random(7), today=timezone.localdate(), weeks=16)
    clients_demo.seed_users_and_sites(ctx)
    clients_demo.seed_clients(ctx, 12)
    demo.seed(ctx)
    letters_demo.seed(ctx)

    states = sorted(c.state(ctx.today) for c in Consent.objects.all())
    assert states == ["active", "active", "expired", "revoked"]
    assert {c.client.episodes.get().site.code for c in Consent.objects.all()} == {"RIC"}
    assert LetterTemplate.objects.count() == 6  # 3 kinds × 2 sites
    letters = list(Disclosure.objects.all())
    assert len(letters) == 2
    assert all("42 CFR part 2" in pdf_text(bytes(d.document)) for d in letters)

"""Readiness and the co-signature (checkins.scoring.counts_for_readiness, used by
dashboard.markers): a check-in counts once its author signed it, unless the site's criteria
require the co-signature — then a supervised author's check-in counts once co-signed."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from checkins.scoring import counts_for_readiness
from checkins.services import checkin_cosign, checkin_save, checkin_sign
from dashboard import snapshots
from dashboard.markers import CheckInFact, Thresholds, evaluate
from dashboard.models import MarkerSnapshot
from iop.dates import week_start
from programs.models import Criteria, Supervision
from programs.roles import THERAPIST
from tests.dashboard.test_markers import MONDAY, D, criterion, ready_facts
from tests.factories import UserFactory

REQUIRED = Thresholds(readiness_requires_cosignature=True)


@pytest.mark.parametrize(
    ("signed", "awaiting", "required", "counts"),
    [
        (False, False, False, False),  # a draft never counts
        (False, False, True, False),
        (True, False, False, True),  # signed, no co-signature needed
        (True, False, True, True),  # signed by an unsupervised author: nothing to wait for
        (True, True, False, True),  # awaiting co-signature, the setting off: the author's signature is enough
        (True, True, True, False),  # awaiting co-signature, the setting on: not yet
    ],
)
def test_which_checkins_count_for_readiness(signed, awaiting, required, counts):
    assert counts_for_readiness(signed=signed, awaiting_cosignature=awaiting, cosignature_required=required) is counts


def _with_checkins(*checkins):
    return ready_facts(checkins=tuple(checkins))


def test_awaiting_cosignature_counts_by_default():
    facts = _with_checkins(CheckInFact(MONDAY, True, "step_down", awaiting_cosignature=True))
    assert criterion(evaluate(facts, D, Thresholds()), "recommendation").met


def test_awaiting_cosignature_does_not_count_when_the_setting_requires_it():
    facts = _with_checkins(CheckInFact(MONDAY, True, "step_down", awaiting_cosignature=True))
    assert not criterion(evaluate(facts, D, REQUIRED), "recommendation").met


def test_with_the_setting_the_latest_cosigned_checkin_is_the_one_relied_on():
    last_week = MONDAY - dt.timedelta(weeks=1)
    facts = _with_checkins(
        CheckInFact(last_week, True, "step_down"),  # co-signed (or needed none)
        CheckInFact(MONDAY, True, "continue", awaiting_cosignature=True),
    )
    assert criterion(evaluate(facts, D, REQUIRED), "recommendation").met  # last week's step-down
    assert not criterion(evaluate(facts, D, Thresholds()), "recommendation").met  # this week's "continue"


def test_the_checkin_overdue_flag_still_counts_the_authors_signature():
    facts = _with_checkins(CheckInFact(MONDAY, True, "step_down", awaiting_cosignature=True))
    assert "checkin_overdue" not in evaluate(facts, D, REQUIRED).flags


def test_thresholds_read_the_setting_from_the_criteria_row():
    row = dataclasses.replace(Thresholds(), readiness_requires_cosignature=True)
    assert Thresholds.from_criteria(row).readiness_requires_cosignature


# --- Through the database: the setting on the site's criteria row, the snapshot going stale ---


@pytest.fixture
def trainee_setup(site1, episode1):
    supervisor = UserFactory(username="supervisor", role=THERAPIST, sites=[site1])
    trainee = UserFactory(username="trainee", role=THERAPIST, sites=[site1])
    Supervision.objects.create(clinician=trainee, supervisor=supervisor)
    fields = {"risk": "none", "recommendation": "step_down", "rationale": "Stable."}
    draft = checkin_save(episode=episode1, week=week_start(timezone.localdate()), author=trainee, fields=fields)
    return supervisor, checkin_sign(checkin=draft, by=trainee)


def _recommendation_met(episode):
    snapshots.refresh_stale(type(episode).objects.filter(pk=episode.pk), timezone.localdate())
    document = MarkerSnapshot.objects.get(episode=episode).evaluation
    return next(c["met"] for c in document["step_down"]["criteria"] if c["name"] == "recommendation")


def test_the_site_setting_holds_readiness_until_the_cosignature(trainee_setup, site1, episode1):
    supervisor, checkin = trainee_setup
    assert _recommendation_met(episode1)  # the setting off: the trainee's signature counts
    Criteria.objects.update_or_create(site=site1, defaults={"readiness_requires_cosignature": True})
    assert not _recommendation_met(episode1)  # the setting on: waits for the co-signature
    checkin_cosign(checkin=checkin, by=supervisor)
    assert _recommendation_met(episode1)  # co-signed: the snapshot went stale and counts it

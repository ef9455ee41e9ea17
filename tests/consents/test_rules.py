"""Consent states and what may be released, as tables (consents/rules.py is pure)."""

import datetime as dt

import pytest

from consents import rules
from consents.rules import ConsentFacts

D = dt.date(2026, 6, 15)
ALL = frozenset({rules.ATTENDANCE, rules.SCREEN_SUMMARY})


def facts(**kw):
    return ConsentFacts(categories=kw.pop("categories", ALL), **kw)


@pytest.mark.parametrize(
    "consent, expected",
    [
        (facts(), rules.NOT_SIGNED),  # never signed
        (facts(signed_on=D + dt.timedelta(days=1)), rules.NOT_SIGNED),  # signed after the day asked about
        (facts(signed_on=D), rules.ACTIVE),  # signed that day
        (facts(signed_on=D, expires_on=D), rules.ACTIVE),  # the expiry date is its last day
        (facts(signed_on=D - dt.timedelta(days=9), expires_on=D - dt.timedelta(days=1)), rules.EXPIRED),
        (facts(signed_on=D, revoked_on=D), rules.REVOKED),  # a revocation counts from its day
        (facts(signed_on=D, revoked_on=D + dt.timedelta(days=1)), rules.ACTIVE),  # not yet revoked on D
        (facts(signed_on=D, event_occurred_on=D), rules.EXPIRED),  # the expiry event happened
        (facts(signed_on=D, entered_in_error=True), rules.IN_ERROR),  # wins over everything
        (facts(signed_on=D - dt.timedelta(days=9), expires_on=D - dt.timedelta(days=1), revoked_on=D), rules.REVOKED),
    ],
)
def test_consent_state(consent, expected):
    assert rules.consent_state(consent, D) == expected


ACTIVE = facts(signed_on=D - dt.timedelta(days=30), categories=frozenset({rules.ATTENDANCE, rules.SCREEN_RESULTS}))
START, END = D - dt.timedelta(days=28), D


@pytest.mark.parametrize(
    "consent, categories, start, end, problem",
    [
        (ACTIVE, {rules.ATTENDANCE}, START, END, None),
        (ACTIVE, {rules.SCREEN_SUMMARY}, START, END, None),  # results cover the summary
        (ACTIVE, {rules.ATTENDANCE, rules.GOALS}, START, END, "does not cover: treatment plan goals"),
        (ACTIVE, set(), START, END, "at least one"),
        (ACTIVE, {rules.ATTENDANCE}, END, START, "starts after it ends"),
        (ACTIVE, {rules.ATTENDANCE}, START, D + dt.timedelta(days=1), "after today"),
        (facts(signed_on=START, revoked_on=D - dt.timedelta(days=2)), {rules.ATTENDANCE}, START, END, "revoked"),
        (facts(signed_on=START, expires_on=D - dt.timedelta(days=1)), {rules.ATTENDANCE}, START, END, "expired on"),
        (facts(), {rules.ATTENDANCE}, START, END, "not signed yet"),
        (facts(signed_on=START, entered_in_error=True), {rules.ATTENDANCE}, START, END, "entered in error"),
        (
            facts(signed_on=START, categories=frozenset({rules.SCREEN_SUMMARY})),
            {rules.SCREEN_RESULTS},
            START,
            END,
            "does not cover: urine screen results",
        ),
    ],
)
def test_release_problems(consent, categories, start, end, problem):
    problems = rules.release_problems(consent, D, categories, start, end)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    "on, since",
    [(dt.date(2026, 6, 15), dt.date(2023, 6, 15)), (dt.date(2028, 2, 29), dt.date(2025, 2, 28))],
)
def test_accounting_covers_three_years(on, since):
    assert rules.accounting_since(on) == since

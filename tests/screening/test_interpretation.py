"""Table tests for the pure screen interpretation (DOMAIN.md, urine drug screens)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from screening.interpretation import (
    COMPLETED_SCREEN,
    NO_SPECIMEN,
    NOT_NEGATIVE,
    STREAK_KEEPING,
    Interpretation,
    PrescriptionFact,
    ResultFact,
    ValidityFact,
    interpret,
    invalid_reason,
    last_unexpected_positive,
    negative_streak,
    specimen_validity,
)

DAY = date(2026, 3, 10)
I = Interpretation  # noqa: E741


def neg(code):
    return ResultFact(code, "negative", "not_sent")


def pos(code, confirmation="not_sent"):
    return ResultFact(code, "positive", confirmation)


def inc(code, confirmation="not_sent"):
    return ResultFact(code, "inconclusive", confirmation)


BUP_RX = PrescriptionFact("BUP", date(2026, 1, 1), None)


@pytest.mark.parametrize(
    ("outcome", "results", "prescriptions", "expected"),
    [
        # outcomes that are not results map directly, whatever the results say
        ("refused", [], [], I.REFUSED),
        ("missed", [], [], I.MISSED),
        ("invalid", [neg("THC")], [], I.INVALID),
        ("refused", [pos("COC")], [], I.REFUSED),
        # completed
        ("completed", [], [], I.NEGATIVE),
        ("completed", [neg("THC"), neg("COC")], [], I.NEGATIVE),
        ("completed", [pos("COC")], [], I.UNEXPECTED_POSITIVE),
        ("completed", [pos("COC", "confirmed_positive")], [], I.UNEXPECTED_POSITIVE),
        ("completed", [pos("BUP")], [BUP_RX], I.EXPECTED_POSITIVE),
        ("completed", [pos("BUP"), neg("COC")], [BUP_RX], I.EXPECTED_POSITIVE),
        ("completed", [pos("BUP"), pos("COC")], [BUP_RX], I.UNEXPECTED_POSITIVE),
        # settled reading: a presumptive unexplained positive awaiting the lab is an unexpected positive
        ("completed", [pos("COC", "pending")], [], I.UNEXPECTED_POSITIVE),
        ("completed", [pos("BUP", "pending")], [BUP_RX], I.EXPECTED_POSITIVE),
        # unexpected wins over pending
        ("completed", [pos("COC", "pending"), pos("THC")], [], I.UNEXPECTED_POSITIVE),
        ("completed", [pos("COC", "pending"), pos("BUP")], [BUP_RX], I.UNEXPECTED_POSITIVE),
        # a confirmed negative overturns the presumptive positive
        ("completed", [pos("COC", "confirmed_negative")], [], I.NEGATIVE),
        ("completed", [pos("COC", "confirmed_negative"), pos("BUP")], [BUP_RX], I.EXPECTED_POSITIVE),
        ("completed", [pos("COC", "confirmed_negative"), pos("THC", "pending")], [], I.UNEXPECTED_POSITIVE),
        # inconclusive
        ("completed", [inc("THC", "pending")], [], I.PENDING_CONFIRMATION),
        ("completed", [inc("THC", "confirmed_negative")], [], I.NEGATIVE),
        ("completed", [inc("THC", "confirmed_positive")], [], I.UNEXPECTED_POSITIVE),
        ("completed", [inc("BUP", "confirmed_positive")], [BUP_RX], I.EXPECTED_POSITIVE),
        # settled reading: inconclusive, not sent, is its own reading (not "invalid")
        ("completed", [inc("THC", "not_sent")], [], I.INCONCLUSIVE),
        ("completed", [inc("THC"), pos("BUP")], [BUP_RX], I.INCONCLUSIVE),
        ("completed", [inc("THC"), inc("COC", "pending")], [], I.INCONCLUSIVE),
        ("completed", [inc("THC"), pos("COC")], [], I.UNEXPECTED_POSITIVE),
        # a prescription for another analyte explains nothing
        ("completed", [pos("COC")], [BUP_RX], I.UNEXPECTED_POSITIVE),
    ],
)
def test_interpretation_of_outcomes_and_results(outcome, results, prescriptions, expected):
    got = interpret(
        outcome=outcome, collected_on=DAY, results=results, validity=ValidityFact(), prescriptions=prescriptions
    )
    assert got == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (DAY, None, I.EXPECTED_POSITIVE),  # starts on the collection day
        (DAY, DAY, I.EXPECTED_POSITIVE),  # starts and ends on the collection day
        (date(2026, 1, 1), DAY, I.EXPECTED_POSITIVE),  # ends on the collection day
        (date(2026, 3, 11), None, I.UNEXPECTED_POSITIVE),  # starts the day after
        (date(2026, 1, 1), date(2026, 3, 9), I.UNEXPECTED_POSITIVE),  # ended the day before
        (date(2026, 1, 1), None, I.EXPECTED_POSITIVE),  # open end
    ],
)
def test_prescription_explains_positive_only_when_active_on_collection_day(start, end, expected):
    rx = [PrescriptionFact("BUP", start, end)]
    got = interpret(outcome="completed", collected_on=DAY, results=[pos("BUP")], prescriptions=rx)
    assert got == expected


@pytest.mark.parametrize(
    ("validity", "expected"),
    [
        (ValidityFact(), None),
        # dilute: creatinine < 20 and SG < 1.003
        (ValidityFact(creatinine_mg_dl=D("19.99"), specific_gravity=D("1.0029")), "dilute"),
        (ValidityFact(creatinine_mg_dl=D("20"), specific_gravity=D("1.0029")), None),
        (ValidityFact(creatinine_mg_dl=D("19.99"), specific_gravity=D("1.003")), None),
        (ValidityFact(creatinine_mg_dl=D("5"), specific_gravity=None), None),
        # substituted: creatinine < 2 and (SG <= 1.001 or SG >= 1.020)
        (ValidityFact(creatinine_mg_dl=D("1.99"), specific_gravity=D("1.001")), "substituted"),
        (ValidityFact(creatinine_mg_dl=D("1.99"), specific_gravity=D("1.020")), "substituted"),
        (ValidityFact(creatinine_mg_dl=D("2"), specific_gravity=D("1.001")), "dilute"),
        (ValidityFact(creatinine_mg_dl=D("2"), specific_gravity=D("1.020")), None),
        (ValidityFact(creatinine_mg_dl=D("1.99"), specific_gravity=D("1.0019")), "dilute"),
        (ValidityFact(creatinine_mg_dl=D("1.99"), specific_gravity=D("1.0199")), None),
        # adulterated: pH < 3 or >= 11, nitrite >= 500, a foreign substance
        (ValidityFact(ph=D("2.99")), "adulterated"),
        (ValidityFact(ph=D("3")), None),
        (ValidityFact(ph=D("10.99")), None),
        (ValidityFact(ph=D("11")), "adulterated"),
        (ValidityFact(nitrite_ug_ml=D("499.9")), None),
        (ValidityFact(nitrite_ug_ml=D("500")), "adulterated"),
        (ValidityFact(adulterant_noted=True), "adulterated"),
        # temperature read out of range
        (ValidityFact(temperature_in_range=False), "temperature"),
        (ValidityFact(temperature_in_range=True), None),
        (ValidityFact(temperature_in_range=None), None),
    ],
)
def test_specimen_validity_thresholds_at_their_edges(validity, expected):
    assert specimen_validity(validity) == expected


@pytest.mark.parametrize(
    ("validity", "expected"),
    [
        (ValidityFact(creatinine_mg_dl=D("10"), specific_gravity=D("1.002")), I.INVALID),
        (ValidityFact(creatinine_mg_dl=D("1"), specific_gravity=D("1.000")), I.INVALID),
        (ValidityFact(ph=D("12")), I.INVALID),
        (ValidityFact(temperature_in_range=False), I.INVALID),
        (
            ValidityFact(creatinine_mg_dl=D("80"), specific_gravity=D("1.015"), ph=D("6"), temperature_in_range=True),
            I.NEGATIVE,
        ),
    ],
)
def test_completed_screen_with_bad_specimen_is_invalid(validity, expected):
    got = interpret(outcome="completed", collected_on=DAY, results=[neg("THC")], validity=validity)
    assert got == expected


def test_invalid_specimen_wins_over_a_positive():
    got = interpret(
        outcome="completed", collected_on=DAY, results=[pos("COC")], validity=ValidityFact(adulterant_noted=True)
    )
    assert got == I.INVALID


def test_interpretation_values_are_the_contract():
    assert {i.value for i in I} == {
        "negative",
        "inconclusive",
        "expected_positive",
        "unexpected_positive",
        "invalid",
        "refused",
        "missed",
        "pending_confirmation",
    }


N, E, U, P, R = I.NEGATIVE, I.EXPECTED_POSITIVE, I.UNEXPECTED_POSITIVE, I.PENDING_CONFIRMATION, I.REFUSED


@pytest.mark.parametrize(
    ("interpretations", "count", "days"),
    [
        ([], 0, 0),
        ([N], 1, 0),
        ([N, N, N], 3, 14),
        ([E, N, E, N], 4, 21),  # expected positives keep the streak
        ([N, U, N], 1, 0),  # an unexpected positive stops it
        ([P, N, N], 0, 0),  # a pending confirmation breaks it until confirmed negative
        ([N, N, R, N], 2, 7),  # so does a refusal
        ([I.MISSED], 0, 0),
        ([N, I.INVALID], 1, 0),
    ],
)
def test_negative_streak_counts_newest_run(interpretations, count, days):
    items = [(DAY - timedelta(days=7 * i), x) for i, x in enumerate(interpretations)]
    streak = negative_streak(items)
    assert (streak.count, streak.days) == (count, days)


def test_last_unexpected_positive_is_the_newest_one():
    items = [(date(2026, 3, 9), N), (date(2026, 3, 5), U), (date(2026, 3, 1), U)]
    assert last_unexpected_positive(items) == date(2026, 3, 5)
    assert last_unexpected_positive(items[:1]) is None


@pytest.mark.parametrize(
    ("reading", "keeps_streak", "fails_no_recent_positive", "missing_specimen", "completed"),
    [
        # DOMAIN.md "Settled readings", one row each reading
        (I.NEGATIVE, True, False, False, True),
        (I.EXPECTED_POSITIVE, True, False, False, True),
        (I.UNEXPECTED_POSITIVE, False, True, False, True),  # also while awaiting the lab
        (I.INCONCLUSIVE, False, False, False, True),  # breaks the streak, nothing else
        (I.PENDING_CONFIRMATION, False, False, False, True),  # an inconclusive sent to the lab
        (I.INVALID, False, True, True, False),
        (I.REFUSED, False, True, True, False),
        (I.MISSED, False, True, True, False),
    ],
)
def test_what_each_reading_counts_as(reading, keeps_streak, fails_no_recent_positive, missing_specimen, completed):
    assert (reading in STREAK_KEEPING) is keeps_streak
    assert (reading in NOT_NEGATIVE) is fails_no_recent_positive
    assert (reading in NO_SPECIMEN) is missing_specimen
    assert (reading in COMPLETED_SCREEN) is completed


@pytest.mark.parametrize(
    ("outcome", "validity", "reason"),
    [
        ("completed", ValidityFact(creatinine_mg_dl=D("15"), specific_gravity=D("1.002")), "dilute"),
        ("completed", ValidityFact(creatinine_mg_dl=D("1"), specific_gravity=D("1.000")), "substituted"),
        ("completed", ValidityFact(ph=D("2.5")), "adulterated"),
        ("completed", ValidityFact(adulterant_noted=True), "adulterated"),
        ("completed", ValidityFact(temperature_in_range=False), "temperature out of range"),
        ("invalid", ValidityFact(), "recorded invalid"),
        ("invalid", ValidityFact(temperature_in_range=False), "temperature out of range"),
        ("completed", ValidityFact(), None),
        ("refused", ValidityFact(), None),
    ],
)
def test_an_invalid_screen_says_why(outcome, validity, reason):
    assert invalid_reason(outcome=outcome, validity=validity) == reason


def test_a_streak_counts_its_expected_positives_apart_from_its_negatives():
    day = date(2026, 3, 5)
    items = [(day - timedelta(days=n), i) for n, i in enumerate(["expected_positive", "negative", "expected_positive"])]
    streak = negative_streak([*items, (day - timedelta(days=9), "unexpected_positive")])
    assert (streak.count, streak.negatives, streak.expected_positives) == (3, 1, 2)

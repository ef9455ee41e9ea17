import pytest

from checkins import scoring


def _items(total, count):
    """Answers summing to total, filled 3, 3, … then the remainder."""
    items = []
    for _ in range(count):
        take = min(3, total)
        items.append(take)
        total -= take
    return items


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_total_and_band_boundaries(total, band):
    items = _items(total, 9)
    assert scoring.phq9_total(items) == total
    assert scoring.phq9_band(total) == band


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_total_and_band_boundaries(total, band):
    items = _items(total, 7)
    assert scoring.gad7_total(items) == total
    assert scoring.gad7_band(total) == band


def test_measure_not_given_has_no_total_or_band():
    assert scoring.phq9_total(None) is None
    assert scoring.phq9_band(None) is None
    assert scoring.gad7_total(None) is None
    assert scoring.gad7_band(None) is None


@pytest.mark.parametrize(
    "items",
    [
        [0] * 8,  # too few
        [0] * 10,  # too many
        [0] * 8 + [4],  # answer above 3
        [0] * 8 + [-1],  # answer below 0
        [0] * 8 + ["2"],  # not a number
        [0] * 8 + [True],  # booleans are not answers
    ],
)
def test_phq9_bad_answers_are_refused(items):
    assert scoring.validate_items(items, 9, "PHQ-9")
    with pytest.raises(ValueError):
        scoring.phq9_total(items)


@pytest.mark.parametrize("total", [-1, 28])
def test_phq9_band_out_of_range_total_refused(total):
    with pytest.raises(ValueError):
        scoring.phq9_band(total)


@pytest.mark.parametrize("total", [-1, 22])
def test_gad7_band_out_of_range_total_refused(total):
    with pytest.raises(ValueError):
        scoring.gad7_band(total)


@pytest.mark.parametrize(
    "kwargs, flagged",
    [
        ({"risk": "none"}, False),
        ({"risk": "low"}, False),
        ({"risk": "moderate"}, True),
        ({"risk": "high"}, True),
        ({"risk": "none", "suicidal_ideation": True}, True),
        ({"risk": "none", "homicidal_ideation": True}, True),
        ({"risk": "none", "overdose_risk": True}, True),
        ({"risk": "low", "phq9_items": [3] * 8 + [0]}, False),  # severe but item 9 = 0
        ({"risk": "none", "phq9_items": [0] * 8 + [1]}, True),  # item 9 > 0 raises the flag
        ({"risk": "none", "phq9_items": None}, False),
    ],
)
def test_risk_flag(kwargs, flagged):
    assert scoring.risk_flag(**kwargs) is flagged


NOTE_80 = "x" * scoring.SAFETY_NOTE_MIN_CHARS
ITEM9 = [0] * 8 + [2]


@pytest.mark.parametrize(
    "kwargs, fields",
    [
        ({"risk": "none", "recommendation": "continue", "phq9_items": None}, set()),
        ({"risk": "", "recommendation": "continue", "phq9_items": None}, {"risk"}),
        ({"risk": "none", "recommendation": "", "phq9_items": None}, {"recommendation"}),
        ({"risk": "none", "recommendation": "continue", "phq9_items": ITEM9}, {"risk", "safety_note"}),
        ({"risk": "low", "recommendation": "continue", "phq9_items": ITEM9}, set()),
        ({"risk": "none", "recommendation": "continue", "phq9_items": ITEM9, "no_current_risk": True}, {"safety_note"}),
        (
            {
                "risk": "none",
                "recommendation": "continue",
                "phq9_items": ITEM9,
                "no_current_risk": True,
                "safety_note": NOTE_80[:-1] + "   ",
            },
            {"safety_note"},
        ),
        (
            {
                "risk": "none",
                "recommendation": "continue",
                "phq9_items": ITEM9,
                "no_current_risk": True,
                "safety_note": NOTE_80,
            },
            set(),
        ),
        ({"risk": "none", "recommendation": "continue", "phq9_items": [3] * 8 + [0]}, set()),
        (
            {"risk": "high", "recommendation": "continue", "phq9_items": None, "no_current_risk": True},
            {"no_current_risk"},
        ),
    ],
)
def test_signing_problems(kwargs, fields):
    assert set(scoring.signing_problems(**kwargs)) == fields

"""Issue 11 safety gaps in the pure rules: which new results go to the lab by default, and which
analytes a panel cannot answer for a client on a day."""

from datetime import date

import pytest

from screening import interpretation
from screening.interpretation import PrescriptionFact

DAY = date(2026, 3, 10)

# -- send-to-lab defaults and panel blind spots (issue 11 safety gaps) ----------------------
CUP_CODES = ["AMP", "BUP", "COC", "MTD", "OPI", "THC"]  # no FEN


@pytest.mark.parametrize(
    "result, analyte, explained, sent",
    [
        ("positive", "COC", set(), True),  # unexpected positive
        ("positive", "BUP", {"BUP"}, False),  # expected: a prescription explains it
        ("inconclusive", "BUP", {"BUP"}, True),  # inconclusive always goes to the lab
        ("inconclusive", "COC", set(), True),
        ("negative", "COC", set(), False),
    ],
)
def test_sent_to_lab_by_default(result, analyte, explained, sent):
    assert interpretation.sent_to_lab_by_default(result, analyte, explained) is sent


@pytest.mark.parametrize(
    "codes, prescriptions, missing",
    [
        (CUP_CODES, [], ["FEN"]),
        (CUP_CODES + ["FEN"], [], []),
        ([c for c in CUP_CODES if c != "MTD"] + ["FEN"], [], []),  # no methadone prescription
        ([c for c in CUP_CODES if c != "MTD"] + ["FEN"], [PrescriptionFact("MTD", date(2026, 1, 1))], ["MTD"]),
        ([c for c in CUP_CODES if c != "MTD"], [PrescriptionFact("MTD", date(2026, 1, 1))], ["FEN", "MTD"]),
        (  # ended before the day: not active
            [c for c in CUP_CODES if c != "MTD"] + ["FEN"],
            [PrescriptionFact("MTD", date(2026, 1, 1), date(2026, 3, 9))],
            [],
        ),
        (  # starts after the day
            [c for c in CUP_CODES if c != "MTD"] + ["FEN"],
            [PrescriptionFact("MTD", date(2026, 3, 11))],
            [],
        ),
    ],
)
def test_panel_blind_spots(codes, prescriptions, missing):
    assert interpretation.panel_blind_spots(panel_analytes=codes, prescriptions=prescriptions, on=DAY) == missing


def test_blind_spot_messages_name_the_drug():
    assert interpretation.blind_spot_message("FEN") == "This panel cannot detect fentanyl (FEN)."
    assert "cannot detect methadone (MTD)" in interpretation.blind_spot_message("MTD")

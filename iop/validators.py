"""Field bounds shared by models, forms, the admin and the importer (issue 12 #16).

Each bound is one ``*_problem`` function (the message, or None) and, for model fields, a
validator built on it, so ``full_clean`` (services, admin), ModelForms and the importer refuse
the same values with the same words.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

NOTE_MAX_LENGTH = 10_000  # characters of any free-text note
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 7, 20
PHONE_CHARACTERS = re.compile(r"[0-9 +().\-]+")
MAX_AGE_YEARS = 110
SESSION_YEARS_BACK, SESSION_YEARS_AHEAD = 5, 1
PRESCRIPTION_MAX_YEARS = 5


def _years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def note_problem(text) -> str | None:
    """Why ``text`` is too long for a note, or None."""
    if isinstance(text, str) and len(text) > NOTE_MAX_LENGTH:
        return f"A note is at most {NOTE_MAX_LENGTH:,} characters (this one has {len(text):,})."
    return None


def phone_problem(value) -> str | None:
    """Why ``value`` is not a phone number, or None (an empty value is no number, and fine)."""
    if value in ("", None):
        return None
    if not isinstance(value, str) or not PHONE_CHARACTERS.fullmatch(value):
        return "Enter a phone number with digits, spaces and + ( ) - . only."
    digits = sum(c.isdigit() for c in value)
    if not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        return f"A phone number has {PHONE_MIN_DIGITS} to {PHONE_MAX_DIGITS} digits (this one has {digits})."
    return None


def date_of_birth_problem(day: dt.date, today: dt.date) -> str | None:
    """Why ``day`` cannot be a living client's date of birth, or None."""
    if day > today:
        return "Date of birth cannot be in the future."
    if day < _years(today, -MAX_AGE_YEARS):
        return f"Date of birth {day:%m/%d/%Y} would make the client older than {MAX_AGE_YEARS}: check the year."
    return None


def session_date_problem(day: dt.date, today: dt.date) -> str | None:
    """Why ``day`` is too far from ``today`` for a session (a typo in the year), or None."""
    if day < _years(today, -SESSION_YEARS_BACK):
        return f"A session date is at most {SESSION_YEARS_BACK} years back: check the year of {day:%m/%d/%Y}."
    if day > _years(today, SESSION_YEARS_AHEAD):
        return f"A session date is at most {SESSION_YEARS_AHEAD} year ahead: check the year of {day:%m/%d/%Y}."
    return None


def prescription_end_problem(start: dt.date, end: dt.date | None) -> str | None:
    """Why ``end`` is not a plausible end of a prescription started on ``start``, or None."""
    if end is None:
        return None
    if end < start:
        return "The end date is before the start date."
    if end > _years(start, PRESCRIPTION_MAX_YEARS):
        return (
            f"A prescription ends within {PRESCRIPTION_MAX_YEARS} years of its start: check the year of the end date."
        )
    return None


validate_note_length = MaxLengthValidator(NOTE_MAX_LENGTH)


def validate_phone(value):
    message = phone_problem(value)
    if message:
        raise ValidationError(message)


def validate_date_of_birth(value):
    message = date_of_birth_problem(value, timezone.localdate())
    if message:
        raise ValidationError(message)


def validate_session_date(value):
    message = session_date_problem(value, timezone.localdate())
    if message:
        raise ValidationError(message)

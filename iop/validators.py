"""Field bounds shared by models, forms, the admin and the importer (issue 12 #16).

Model fields carry these validators, so ``full_clean`` (services, admin) and ModelForms refuse the
same values; the importer calls the same problem functions for its rows.
"""

from django.core.validators import MaxLengthValidator

NOTE_MAX_LENGTH = 10_000  # characters of any free-text note


def note_problem(text) -> str | None:
    """Why ``text`` is too long for a note, or None."""
    if isinstance(text, str) and len(text) > NOTE_MAX_LENGTH:
        return f"A note is at most {NOTE_MAX_LENGTH:,} characters (this one has {len(text):,})."
    return None


validate_note_length = MaxLengthValidator(NOTE_MAX_LENGTH)

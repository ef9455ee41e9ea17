"""Telehealth (issue 14): what the Attendance tab, the roster and the report show of the
modalities. The arithmetic is ``attendance.rules.hours_by_modality`` (one rulebook); this
module only hands it the facts each page already loaded (no query of its own)."""

from attendance import queries, rules
from iop.dates import week_end


def tab_modalities(rows, weeks):
    """For the Attendance tab: the hours by modality of each week shown (by Monday) and of the
    whole episode, from its attendance rows (loaded with their sessions)."""
    facts = queries.facts_of_rows(rows)
    by_week = {w.week: rules.hours_by_modality(facts, w.week, week_end(w.week)) for w in weeks}
    return {"week_modalities": by_week, "episode_modalities": rules.hours_by_modality(facts)}


def roster_modalities(session, rows):
    """For the roster: the hours by modality of a session's recorded rows."""
    for row in rows:
        row.session = session  # the rows of one session: no query for their session
    return rules.hours_by_modality(queries.facts_of_rows(rows))


def stored_modality(chosen, session_modality):
    """What an attendance row stores for the modality chosen on a form: "" when it is the
    session's own (the row follows the session), else the modality chosen."""
    return "" if not chosen or chosen == session_modality else chosen

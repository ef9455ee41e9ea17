"""Planner statistics after a bulk load.

PostgreSQL plans from per-table statistics that autovacuum refreshes some time after a large
change (and never, where autovacuum is off). Right after a bulk load the planner still thinks
the tables are small: measured on the 1,000 × 26 bench data before any ANALYZE, a client's
Progress tab took 142 ms (a goal-rating query scanned all 98k ratings; estimates 10× off), and
89 ms after one. Bulk paths therefore ANALYZE what they filled. SQLite: nothing to do.
"""

from django.db import connection


def _with_history(models):
    """The models and their django-simple-history models (filled by the same bulk paths, and
    read by queries such as a goal's status as of a week)."""
    for model in models:
        yield model
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            yield history.model


def analyze(*models):
    """Refresh the planner statistics of the models' tables and of their history tables, on
    PostgreSQL. Safe inside a transaction."""
    if connection.vendor != "postgresql" or not models:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in _with_history(models))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")  # nosec B608 # table names from the models, no input

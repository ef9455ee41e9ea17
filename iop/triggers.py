"""Database triggers that keep signed records signed, whatever writes to the database.

The services already refuse to edit a signed record; these triggers (django-pgtrigger) make
PostgreSQL refuse it too, so neither the admin, a shell, nor raw SQL can rewrite what was
signed. Corrections are new rows (addenda, entered-in-error flags), which stay allowed.

Conditions are written as plain SQL (not ``pgtrigger.Q``) so the migrations render the same
whichever database ``makemigrations`` runs against. On SQLite nothing is installed: the
operations of django-pgtrigger are no-ops there.
"""

import pgtrigger

MESSAGE = "Refused: % on %, a signed or append-only record (corrections are new rows: addenda, entered in error)"


class Refuse(pgtrigger.Protect):
    """``pgtrigger.Protect`` with a message that says why."""

    def get_func(self, model):
        return self.format_sql(f"RAISE EXCEPTION '{MESSAGE}', lower(TG_OP), TG_TABLE_NAME;")


COSIGN_COLUMNS = ("cosign_supervisor_id", "cosigned_by_id", "cosigned_at")


def signed_row_frozen(*, prefix, signed_at, cosigned_at=None):
    """Once ``signed_at`` is set, the row is never updated (any column) nor deleted.

    The signing itself (``signed_at`` NULL before) is the last update a row gets — except, on a
    model with a co-signature (``cosigned_at`` given), the co-signature: while ``cosigned_at``
    is NULL an update may change the co-signature columns (``COSIGN_COLUMNS``) and nothing else;
    once it is set, nothing changes any more."""
    changed = "OLD.* IS DISTINCT FROM NEW.*"
    if cosigned_at:
        kept = "ARRAY[" + ", ".join(f"'{c}'" for c in COSIGN_COLUMNS) + "]::text[]"
        changed = (
            f'((OLD."{cosigned_at}" IS NOT NULL AND OLD.* IS DISTINCT FROM NEW.*) '
            f"OR (to_jsonb(OLD) - {kept}) IS DISTINCT FROM (to_jsonb(NEW) - {kept}))"
        )
    return [
        Refuse(
            name=f"{prefix}_signed_no_update",
            operation=pgtrigger.Update,
            condition=pgtrigger.Condition(f'OLD."{signed_at}" IS NOT NULL AND {changed}'),
        ),
        Refuse(
            name=f"{prefix}_signed_no_delete",
            operation=pgtrigger.Delete,
            condition=pgtrigger.Condition(f'OLD."{signed_at}" IS NOT NULL'),
        ),
    ]


def append_only(*, prefix):
    """Rows are written once: never updated, never deleted (addenda, access events)."""
    return [Refuse(name=f"{prefix}_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


def sealed_once(*, prefix, chain_fields):
    """Rows are written once and never deleted; the one update allowed is the sealing of an
    unsealed row (``seal`` NULL before) that sets its ``chain_fields`` only (audit/chain.py)."""
    unchanged = "".join(f" - '{c}'" for c in chain_fields)
    return [
        Refuse(
            name=f"{prefix}_sealed_once",
            operation=pgtrigger.Update,
            condition=pgtrigger.Condition(
                f'OLD."seal" IS NOT NULL OR (to_jsonb(OLD.*){unchanged}) IS DISTINCT FROM (to_jsonb(NEW.*){unchanged})'
            ),
        ),
        Refuse(name=f"{prefix}_no_delete", operation=pgtrigger.Delete),
    ]


def columns_frozen(*, prefix, columns, when=None):
    """An UPDATE that changes one of ``columns`` is refused (only while ``when``, SQL on OLD,
    holds if given)."""
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in columns)
    condition = f"{when} AND ({changed})" if when else changed
    return Refuse(name=f"{prefix}_frozen", operation=pgtrigger.Update, condition=pgtrigger.Condition(condition))


def no_delete(*, prefix):
    return Refuse(name=f"{prefix}_no_delete", operation=pgtrigger.Delete)


class ChildOfSigned(pgtrigger.Trigger):
    """Rows belonging to a signed parent (attendance of a signed session) are never updated
    or deleted, nor moved into or out of a signed parent. A trigger WHEN clause cannot look
    at another table, so the check is in the function body."""

    when = pgtrigger.Before
    operation = pgtrigger.Update | pgtrigger.Delete

    def __init__(self, *, parent_table, parent_fk_column, parent_signed_at, **kwargs):
        self.parent_table = parent_table
        self.parent_fk_column = parent_fk_column
        self.parent_signed_at = parent_signed_at
        super().__init__(**kwargs)

    def get_func(self, model):
        # Trigger DDL rendered into a migration from the names in the model's Meta: no input.
        signed = (
            f'SELECT 1 FROM "{self.parent_table}" p WHERE p.id = {{row}}."{self.parent_fk_column}" '  # nosec B608
            f'AND p."{self.parent_signed_at}" IS NOT NULL'
        )
        return f"""
            IF EXISTS ({signed.format(row="OLD")})
               OR (TG_OP = 'UPDATE' AND EXISTS ({signed.format(row="NEW")})) THEN
                RAISE EXCEPTION '{MESSAGE}', lower(TG_OP), TG_TABLE_NAME;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        """

"""Hash chains over append-only rows (access events, signatures).

Each row stores ``prev_hash`` (the previous row's ``hash``) and ``hash`` = SHA-256 of
``prev_hash`` and the row's own content (every concrete field but the id and these two). A
row deleted, altered or moved breaks the chain at the next row; ``manage.py audit_verify``
walks it. Writers call ``link`` inside their transaction, just before inserting: it takes
the chain's lock, so two writers never link to the same head.
"""

from django.db import connections, router, transaction

from iop import integrity

# pg_advisory_xact_lock keys, one per chain (any distinct bigints).
LOCK_KEYS = {"audit.AccessEvent": 7_201_201, "audit.Signature": 7_201_202}


def _lock(model, connection):
    """Serialise the chain's writers until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEYS[model._meta.label]])
    elif connection.vendor == "sqlite":
        # A write statement takes SQLite's RESERVED lock (one writer at a time), even when it
        # changes no row: the head read below is then the head this insert follows.
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{model._meta.db_table}" SET id = id WHERE 0 = 1')  # nosec B608 (no input)


def link(rows):
    """Fill ``prev_hash`` and ``hash`` of unsaved ``rows`` (one model, insertion order), after
    the chain's head. Call inside ``transaction.atomic`` and insert the rows right after."""
    if not rows:
        return rows
    model = type(rows[0])
    using = router.db_for_write(model)
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("chain.link() needs a transaction: the lock lasts until it ends")
    _lock(model, connections[using])
    prev = model.objects.using(using).order_by("-pk").values_list("hash", flat=True).first() or integrity.GENESIS
    for row in rows:
        row.prev_hash = prev
        row.hash = prev = integrity.chain_sha256(prev, integrity.row_content(row))
    return rows


def first_break(model, label):
    """Walk the chain of ``model`` in id order. Returns (rows checked, None) when intact, or
    (rows checked, message naming the first broken row)."""
    prev, prev_pk, count = integrity.GENESIS, None, 0
    for row in model.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if row.prev_hash != prev:
            return count, f"{label} #{row.pk}: " + _gap(label, prev_pk, row.pk)
        if row.hash != integrity.chain_sha256(row.prev_hash, integrity.row_content(row)):
            return count, f"{label} #{row.pk}: changed after it was written (its hash does not match its content)"
        prev, prev_pk = row.hash, row.pk
    return count, None


def _gap(label, prev_pk, pk):
    """Why a row does not follow the one before it: the ids between them are the rows gone."""
    before = f"{label} #{prev_pk}" if prev_pk else "the start of the chain"
    first = (prev_pk or 0) + 1
    if pk - first >= 1:
        missing = f"#{first}" if pk - first == 1 else f"#{first}–#{pk - 1}"
        return f"does not follow {before}: {label} {missing} missing (deleted), or rows reordered"
    return f"does not follow {before}: rows reordered, or its link was altered"


def head(model):
    """The last link's hash: note it down to catch a deletion of the newest rows."""
    return model.objects.order_by("-pk").values_list("hash", flat=True).first() or integrity.GENESIS

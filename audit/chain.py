"""Hash chains over append-only rows (access events, signatures).

Each row stores ``prev_hash`` (the previous row's ``hash``) and ``hash`` = SHA-256 of
``prev_hash`` and the row's own content (every concrete field but the id and the chain
fields). A row deleted, altered or moved breaks the chain at the next row; ``manage.py
audit_verify`` walks it.

Two ways into a chain:
- signatures (rare, part of a signing): ``link`` inside the signing transaction, just before
  inserting; it takes the chain's lock until that transaction ends.
- access events (every read of a client's record): inserted *unsealed* (no hash, no ``seal``)
  in the request's transaction, and **sealed** right after it commits by ``seal_pending``, in
  a short transaction of its own that holds the lock only while it numbers and hashes the
  pending rows (``seal`` = 1, 2, 3… = the position in the chain). Concurrent reads no longer
  wait for each other's whole request. ``audit_verify`` seals what is still pending (a worker
  killed between commit and seal) before it walks the chain in ``seal`` order; the database
  refuses any other change to an access event (audit/models.py).
"""

import functools

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


SEAL_BATCH = 2000


def _sealed(model):
    return any(f.name == "seal" for f in model._meta.concrete_fields)


def seal_pending(model=None):
    """Seal every committed, unsealed row of ``model`` (access events by default), in id order
    after the chain's head: one short transaction per batch. Returns how many were sealed. Call
    outside the writers' transaction (``transaction.on_commit``)."""
    if model is None:
        from audit.models import AccessEvent as model
    using = router.db_for_write(model)
    sealed = 0
    while True:
        with transaction.atomic(using=using):
            _lock(model, connections[using])
            pending_sql, update_sql = _sealing_sql(model, using)
            rows = list(model.objects.db_manager(using).raw(pending_sql, [SEAL_BATCH]))
            if not rows:
                return sealed
            number, prev = rows[0].head_seal or 0, rows[0].head_hash or integrity.GENESIS
            for row in rows:
                number += 1
                row.seal, row.prev_hash = number, prev
                row.hash = prev = integrity.chain_sha256(prev, integrity.row_content(row))
            if len(rows) == 1:  # a request's own event, most often: one plain UPDATE
                [row] = rows
                with connections[using].cursor() as cursor:
                    cursor.execute(update_sql, [row.seal, row.prev_hash, row.hash, row.pk])
            else:
                model.objects.using(using).bulk_update(rows, ["seal", "prev_hash", "hash"], batch_size=500)
            sealed += len(rows)
        if len(rows) < SEAL_BATCH:
            # Nothing was left pending when we read: no second transaction just to find none.
            # A row committed since is sealed by its own request's hook (after its commit).
            return sealed


# Sealing runs after every request that shows a client, so its two statements are written once,
# in SQL: the ORM built the same SELECT (with the head's two subqueries) and UPDATE each time,
# most of the sealing's CPU (docs/benchmarks.md, "Sixth pass").
@functools.cache
def _sealing_sql(model, using):
    """(the first %s unsealed rows in id order, each with the chain's head as ``head_seal`` and
    ``head_hash``, read with them in one round trip; the UPDATE of one row's chain fields by id)."""
    q = connections[using].ops.quote_name
    table, pk = q(model._meta.db_table), q(model._meta.pk.column)
    seal, prev_hash, hash_ = (q(model._meta.get_field(name).column) for name in ("seal", "prev_hash", "hash"))
    head = f"FROM {table} head WHERE head.{seal} IS NOT NULL ORDER BY head.{seal} DESC LIMIT 1"
    # Table and column names from the model's metadata; the values are parameters.
    pending = (
        f"SELECT {table}.*, (SELECT head.{seal} {head}) AS head_seal, "  # nosec B608
        f"(SELECT head.{hash_} {head}) AS head_hash "
        f"FROM {table} WHERE {table}.{seal} IS NULL ORDER BY {table}.{pk} LIMIT %s"
    )
    update = f"UPDATE {table} SET {seal} = %s, {prev_hash} = %s, {hash_} = %s WHERE {pk} = %s"  # nosec B608
    return pending, update


def seal_after_commit(model=None, using=None):
    """Seal the rows this transaction inserted once it commits (now, outside a transaction).
    Robust: a failed sealing is logged and never fails the committed request; the rows stay
    pending for the next sealing (any request, or ``audit_verify``)."""
    connection = transaction.get_connection(using)
    hook = _SEAL_HOOKS.setdefault(model, lambda: seal_pending(model))
    if connection.in_atomic_block and any(func is hook for _, func, _ in connection.run_on_commit):
        # Already to be sealed after this commit: one sealing seals every row pending then. (A
        # hook registered in a savepoint that rolls back is dropped with it, and so is this row.)
        return
    transaction.on_commit(hook, using=using, robust=True)


_SEAL_HOOKS = {}  # model (None: access events) -> its one sealing function, so a transaction queues it once


def first_break(model, label):
    """Walk the chain of ``model`` in chain order (``seal`` for a sealed chain, else id).
    Returns (rows checked, None) when intact, or (rows checked, message naming the first broken
    row). Unsealed rows are not part of the chain yet: seal them first (``seal_pending``)."""
    if _sealed(model):
        return _first_break_sealed(model, label)
    prev, prev_pk, count = integrity.GENESIS, None, 0
    for row in model.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if row.prev_hash != prev:
            return count, f"{label} #{row.pk}: " + _gap(label, prev_pk, row.pk)
        if row.hash != integrity.chain_sha256(row.prev_hash, integrity.row_content(row)):
            return count, f"{label} #{row.pk}: changed after it was written (its hash does not match its content)"
        prev, prev_pk = row.hash, row.pk
    return count, None


def _first_break_sealed(model, label):
    prev, prev_pk, count = integrity.GENESIS, None, 0
    for row in model.objects.filter(seal__isnull=False).order_by("seal").iterator(chunk_size=2000):
        count += 1
        if row.seal != count:
            missing = f"seal {count}" if row.seal == count + 1 else f"seals {count}–{row.seal - 1}"
            before = f"{label} #{prev_pk}" if prev_pk else "the start of the chain"
            return count, f"{label} #{row.pk}: does not follow {before}: {missing} missing (deleted)"
        if row.prev_hash != prev:
            before = f"{label} #{prev_pk}" if prev_pk else "the start of the chain"
            return count, f"{label} #{row.pk}: does not follow {before}: rows reordered, or its link was altered"
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
    if _sealed(model):
        rows = model.objects.filter(seal__isnull=False).order_by("-seal")
    else:
        rows = model.objects.order_by("-pk")
    return rows.values_list("hash", flat=True).first() or integrity.GENESIS

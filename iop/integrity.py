"""SHA-256 of signed content and of hash-chained rows: pure functions, no ORM, no clock.

- ``content_sha256(data)``: the digest of a signature's content (canonical JSON), stored
  with the signature and checked again whenever the record is shown;
- ``chain_sha256(prev, data)``: the digest of one link of a hash chain (the previous link's
  digest and this row's content), so a deleted, altered or reordered row breaks the chain;
- ``row_content(obj)``: every concrete field of a model instance but its id and chain
  fields, so fields added to a model later are covered without touching this code.
"""

import datetime as dt
import decimal
import hashlib
import ipaddress
import json
import uuid

CHAIN_FIELDS = ("prev_hash", "hash", "seal")  # seal: an access event's position in its chain
GENESIS = ""  # the "previous hash" of a chain's first row


def _plain(value):
    """JSON has no dates, decimals or UUIDs: one spelling for each, whatever the database."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"Cannot hash a {type(value).__name__}")


def canonical_json(data):
    """Sorted keys, no spaces, UTF-8 kept: the same data always gives the same text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def content_sha256(data):
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def chain_sha256(prev_hash, data):
    return content_sha256({"prev": prev_hash, "row": data})


def _field_value(field, value):
    if value is not None and field.get_internal_type() == "GenericIPAddressField":
        return str(ipaddress.ip_address(value))  # the database may respell an address
    return value


EMPTY = (None, "", [], {})


def row_content(obj, exclude=CHAIN_FIELDS):
    """Every concrete column of ``obj`` (foreign keys as ids) except the primary key and
    ``exclude``. Empty values are left out, so a column added later (empty on the rows
    written before it) leaves the digests of those rows unchanged."""
    content = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in exclude:
            continue
        value = _field_value(f, getattr(obj, f.attname))
        if not any(value is e or (type(value) is type(e) and value == e) for e in EMPTY):
            content[f.attname] = value
    return content


def signature_check(stored, content):
    """How a signed record's stored digest compares with its content now: "intact",
    "mismatch", or "unrecorded" (signed before digests were stored, or never signed).
    ``content`` is called only when there is a digest to compare."""
    if not stored:
        return "unrecorded"
    return "intact" if stored == content_sha256(content()) else "mismatch"


def short(digest):
    """How a digest is shown: its first 12 hex digits."""
    return f"{digest[:12]}…" if digest else ""

"""The demo database's age, and starting it over (``seed_demo``, docs/demo.md).

The demo tells its stories relative to the day it was built for; a week later its clients read
as "not ready" with overdue flags. ``seed_demo`` (so ``make run``) rebuilds a demo database older
than ``MAX_AGE_DAYS``, and ``seed_demo --reset`` does it by hand — only on a demo database:
never when a client exists that the demo did not write.

The toolkit knows no clinical app: the rows to clear are found through the app registry (every
model that refers, directly or through another such model, to a client; their history; the
audit trail; submission keys). Sites (their MRN counters start over), tracks, criteria, users,
letter templates and the analyte catalogue stay; the demo brings them back to their demo state.
"""

import datetime as dt

import pgtrigger
from django.apps import apps
from django.db import connection, transaction

from iop.models import DemoDataset

MAX_AGE_DAYS = 7
_CLEARED_WHOLE = {"audit", "iop", "attendance"}  # the audit trail, submission keys, group sessions
_KEPT = {"iop.demodataset"}


def dataset():
    return DemoDataset.objects.first()


def is_stale(stamp, today):
    """Built for a day more than a week before ``today``."""
    return (today - stamp.built_for) > dt.timedelta(days=MAX_AGE_DAYS)


def added_clients(stamp):
    """How many clients exist that the demo did not write (0 on an untouched demo database)."""
    client = apps.get_model("clients", "Client")
    if stamp is None:
        return client.objects.count()
    return client.objects.filter(pk__gt=stamp.last_client_id).count()


def record(*, today, clients, weeks, seed):
    """Remember what was just built (one row)."""
    client = apps.get_model("clients", "Client")
    last = client.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    DemoDataset.objects.all().delete()
    return DemoDataset.objects.create(built_for=today, clients=clients, weeks=weeks, seed=seed, last_client_id=last)


def _tracked_model(model):
    """The model a django-simple-history historical model records, if ``model`` is one."""
    return getattr(model, "instance_type", None)


def cleared_models():
    """Every model whose rows belong to the demo's clients, plus the audit trail."""
    client = apps.get_model("clients", "Client")
    models = list(apps.get_models(include_auto_created=True))
    cleared = {client} | {m for m in models if m._meta.app_label in _CLEARED_WHOLE}
    changed = True
    while changed:
        changed = False
        for model in models:
            if model in cleared:
                continue
            targets = {f.related_model for f in model._meta.get_fields() if f.is_relation and f.concrete}
            if targets & cleared or _tracked_model(model) in cleared:
                cleared.add(model)
                changed = True
    return [m for m in cleared if m._meta.label_lower not in _KEPT and not m._meta.proxy]


@transaction.atomic
def clear_demo_records():
    """Delete the demo's clinical rows, their history and the audit trail, in one transaction.

    Foreign keys are checked at commit (Django makes them deferred on PostgreSQL and SQLite),
    so the order does not matter; the append-only and signed-record triggers are set aside
    for this transaction only (PostgreSQL)."""
    with pgtrigger.ignore():
        for model in cleared_models():
            model._base_manager.all()._raw_delete(connection.alias)
    # No client is left: MRNs start over, so the rebuilt demo has the same MRNs (RIC-0001…) as
    # the README's tour and is recognised as the demo next time.
    apps.get_model("programs", "Site").objects.update(next_mrn_number=1)

"""One submit is one record: every create form carries a one-time key (``{% submission_key %}``,
a new UUID each time the form is rendered) and its view saves through ``submit_once``.

The first POST with a key claims it (a UNIQUE row, in the request's transaction) and records
where it led; a repeat with the same key writes nothing and is redirected there. Two POSTs at
the same moment: the second waits on the unique index until the first commits, then replays.
A POST without a key is saved as before (scripts, old pages).
"""

import uuid

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect

from iop.models import SubmissionKey

FIELD = "submission_key"
REPEATED = "This form was already submitted: nothing was saved twice. Here is what the first submit saved."


def submission_key_new():
    return uuid.uuid4()


def submission_key_of(request):
    """The posted key, or None (absent or not a UUID)."""
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _replay(request, key):
    earlier = SubmissionKey.objects.filter(key=key, user=request.user).first()
    messages.info(request, REPEATED)
    return redirect(earlier.result_url if earlier and earlier.result_url else "/")


def submission_replay(request):
    """The redirect to the first result when this POST's key was used already, else None.

    Checked before the form is validated: a repeat is sent to what the first submit saved even
    when the form would now refuse it (the client already admitted, the goal already set)."""
    key = submission_key_of(request)
    if request.method != "POST" or key is None:
        return None
    if not SubmissionKey.objects.filter(key=key).exists():
        return None
    return _replay(request, key)


def submit_once(request, save):
    """Run ``save()`` (returns the URL to redirect to) once per posted key; return the redirect.

    A ValidationError from ``save`` rolls the claim back with the rest (the corrected form may
    be submitted again) and propagates to the view.
    """
    key = submission_key_of(request)
    if key is None:
        return redirect(save())
    with transaction.atomic():
        try:
            with transaction.atomic():
                SubmissionKey.objects.create(key=key, user=request.user)
        except IntegrityError:  # claimed by a POST that committed meanwhile
            return _replay(request, key)
        url = save()
        SubmissionKey.objects.filter(key=key).update(result_url=str(url)[:300])
    return redirect(url)

"""Co-signing a signed record (a check-in, a group note) by the supervisor named when it was
signed (``iop.models.CoSignature``). The apps' services wrap ``record_cosign``.

Who may co-sign: the named supervisor only. A program admin cannot co-sign in their place: the
co-signature is a clinical supervisor's attestation, not an administrative step (change the
supervisor in the admin for notes signed from then on). Co-signing writes the two co-signature
columns and nothing else, so the signed text and its SHA-256 stay true.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone


def _name(user):
    return user.get_full_name() or user.username


def cosign_problem(record, user):
    """Why ``user`` cannot co-sign ``record`` now (None = they can)."""
    if not record.is_signed:
        return "It is not signed yet: the author signs first."
    if record.cosign_supervisor_id is None:
        return "It needs no co-signature."
    if record.cosigned_at is not None:
        return f"It was already co-signed by {_name(record.cosigned_by)}."
    if record.cosign_supervisor_id != user.pk:
        return f"Only {_name(record.cosign_supervisor)}, the named supervisor, can co-sign it."
    return None


def record_cosign(*, model, pk, by):
    """Co-sign row ``pk`` of ``model`` as ``by`` (locks the row; call inside a transaction).
    A refused co-signature (ValidationError) writes nothing; a repeat is refused, so a double
    submit makes one co-signature."""
    current = model.objects.select_for_update().get(pk=pk)
    problem = cosign_problem(current, by)
    if problem:
        raise ValidationError(problem)
    current.cosigned_by = by
    current.cosigned_at = timezone.now()
    current.save(update_fields=["cosigned_by", "cosigned_at"])
    return current

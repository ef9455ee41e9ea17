"""``manage.py audit_verify``: walk the hash chains of access events and signatures.

Access events still unsealed (committed, not yet numbered and hashed: audit/chain.py) are
sealed first. Exit 0 with the counts (and each chain's head, to note down) when both are intact; exit 1
naming the first broken, missing or reordered row otherwise. Signatures are also checked
against the records they sign: a signed record whose stored SHA-256 is not in the chain, or
whose content no longer matches it, is named too.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.models import AccessEvent, Signature
from iop import integrity


def _signed_models():
    """The models whose rows are signed (they say what their signature covers)."""
    return [m for m in apps.get_models() if hasattr(m, "signed_content") and hasattr(m, "signature_sha256")]


def signature_record_problem():
    """The first signed record that disagrees with the signature chain, or None."""
    chained = {(s.record_type, s.record_pk): s.sha256 for s in Signature.objects.all()}
    for model in _signed_models():
        label = model._meta.label_lower
        for record in model.objects.exclude(signature_sha256="").order_by("pk").iterator(chunk_size=500):
            name = f"{label} #{record.pk}"
            if (label, record.pk) not in chained:
                digest = integrity.short(record.signature_sha256)
                return f"{name}: signed (SHA-256 {digest}) but missing from the signature chain"
            if chained[(label, record.pk)] != record.signature_sha256:
                return f"{name}: its stored SHA-256 differs from the one in the signature chain"
            if record.signature_check != "intact":
                return f"{name}: signed content does not match its signature"
    return None


class Command(BaseCommand):
    help = "Verify the hash chains of access events and signatures; name the first broken row."

    def handle(self, *args, **options):
        lines = []
        pending = chain.seal_pending(AccessEvent)  # committed but not sealed yet (a worker stopped)
        if pending:
            lines.append(f"{pending} access event{'s' if pending != 1 else ''} sealed now")
        for model, label in ((AccessEvent, "access event"), (Signature, "signature")):
            count, problem = chain.first_break(model, label)
            if problem:
                raise CommandError(f"Audit chain broken: {problem}.")
            lines.append(f"{count} {label}s intact (head {integrity.short(chain.head(model)) or 'none'})")
        problem = signature_record_problem()
        if problem:
            raise CommandError(f"Signed record broken: {problem}.")
        self.stdout.write("Audit chains intact: " + "; ".join(lines) + ".")

"""Denied attempts leave a trace.

A view that refuses (``PermissionDenied`` → 403, ``Http404`` from a scoped lookup → 404) runs
inside the request's transaction (``ATOMIC_REQUESTS``), which rolls back with the refusal, so
an event written by the view would vanish. ``process_exception`` runs after that atomic block
has exited, in autocommit: the "denied" event written here is committed on its own.

Every ``Http404`` a view raises here comes from a lookup scoped to the user's sites (an id in
the URL that the user may not see, or that does not exist): both are recorded. URLs that match
no view are not (the resolver answers 404 before any view or this hook runs).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from audit.services import access_denied_record

DENIED_STATUS = ((PermissionDenied, 403), (Http404, 404))


class DeniedAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        for kind, status in DENIED_STATUS:
            if isinstance(exception, kind):
                access_denied_record(request=request, status_code=status)
                break
        return None  # Django renders the 403/404 page as before

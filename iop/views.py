import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The database cannot be reached (down, dropped, wrong port, too many connections): the
# request cannot be served now but may be later, which is a 503, not a bug (500).
UNREACHABLE_DATABASE = (OperationalError, InterfaceError)


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests  # the per-request transaction would connect before the view runs
def healthz(request):
    """200 ``ok`` when the database answers, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """``handler500``: Django calls it while handling the uncaught exception, so
    ``sys.exc_info()`` names it. An unreachable database gives the plain 503 page; anything
    else the 500 page. Both are rendered without the request: no context processor may touch
    the session or the database, and no client data can reach them."""
    if isinstance(sys.exc_info()[1], UNREACHABLE_DATABASE):
        body = loader.get_template("503.html").render()
        return HttpResponse(body, status=503, headers={"Retry-After": "30"})
    return defaults.server_error(request)

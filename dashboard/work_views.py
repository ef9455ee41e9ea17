"""My work (the signed-in home of therapists), its counts for the navigation, and ``home``.

``home`` is where sign-in lands: My work for a therapist, the caseload for everyone else (a
case manager reaches My work from the tab beside the caseload). The navigation's counts are
read from ``work_counts`` (JSON) by static/js/app.js after the page loaded, so no page pays for
them in its own queries.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.services import access_list_record
from dashboard.work import work_counts, work_lists
from programs.roles import CASE_MANAGER, THERAPIST


def lands_on_my_work(user):
    """A therapist (who is not also a case manager) lands on My work."""
    roles = {g.name for g in user.groups.all()}
    return THERAPIST in roles and CASE_MANAGER not in roles


@require_GET
@login_required
def home(request):
    return redirect("dashboard:my_work" if lands_on_my_work(request.user) else "dashboard:caseload")


@require_GET
@login_required
def my_work(request):
    today = timezone.localdate()
    lists = work_lists(request.user, today)
    client_ids = {e.client_id for key in ("alerts", "checkins_due", "intakes") for e in lists[key]}
    client_ids |= {r.screen.episode.client_id for r in lists["labs"]}
    client_ids |= {c.episode.client_id for c in lists["cosign_checkins"]}
    client_ids |= {f.episode.client_id for f in lists["followups"]}
    access_list_record(request=request, client_ids=client_ids)
    total = sum(len(v) for v in lists.values())
    cosign_count = len(lists["cosign_checkins"]) + len(lists["cosign_sessions"])
    context = {**lists, "today": today, "total": total, "cosign_count": cosign_count}
    return render(request, "dashboard/my_work.html", context)


@require_GET
@never_cache
@login_required
def my_work_counts(request):
    """{kind: count, total: n} of what needs the user (no client named: no access event)."""
    return JsonResponse(work_counts(request.user, timezone.localdate()))

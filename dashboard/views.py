"""The caseload dashboard (``/``) and its CSV export.

One row per active episode at the user's sites, with its markers, readiness and flags
(``dashboard.queries.episode_evaluations``: a fixed number of queries for any caseload size).
Site, track and staff filters narrow the episodes in SQL; readiness and flag filters and the
sorting apply to the evaluated rows; pagination comes last.
"""

import csv
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.models import AccessEvent
from audit.services import access_events_record, access_list_record
from checkins.models import CheckIn
from clients.models import Episode, LevelOfCare
from dashboard.forms import STATUS_FILTERS, CaseloadFilterForm
from dashboard.markers import APPROACHING, FLAG_LABELS, NOT_READY, READY, Evaluation
from dashboard.queries import episode_evaluations
from iop.forms import person_label

PAGE_SIZE = 50
VIEW_PERMISSION = "clients.view_client"

READINESS_RANK = {READY: 0, APPROACHING: 1, NOT_READY: 2}
READINESS_BADGE = {READY: "text-bg-success", APPROACHING: "text-bg-warning", NOT_READY: "text-bg-secondary"}
RECOMMENDATION_LABELS = dict(CheckIn.Recommendation.choices)


@dataclass
class Row:
    episode: Episode
    evaluation: Evaluation

    @property
    def client(self):
        return self.episode.client

    @property
    def markers(self):
        return self.evaluation.markers

    @property
    def recommendation_label(self):
        value = self.markers.latest_recommendation
        return RECOMMENDATION_LABELS.get(value, value) if value else None

    @property
    def step_down_badge(self):
        return READINESS_BADGE[self.evaluation.step_down.status]

    @property
    def graduation_badge(self):
        return READINESS_BADGE[self.evaluation.graduation.status]

    @property
    def flag_labels(self):
        return [(code, FLAG_LABELS[code]) for code in self.evaluation.flags]


# (key, heading, sort key: Row → value or None; None sorts last in either direction)
COLUMNS = [
    ("client", "Client", lambda r: (r.client.last_name.lower(), r.client.first_name.lower(), r.client.mrn)),
    ("track", "Track", lambda r: r.episode.track.name.lower() if r.episode.track else None),
    ("weeks", "Weeks in program", lambda r: r.markers.weeks_in_program),
    ("attendance", "Attendance (4 weeks)", lambda r: r.markers.attendance_rate_4w),
    ("hours", "Hours last week", lambda r: r.markers.hours_last_week),
    ("streak", "Negative streak", lambda r: (r.markers.negative_streak, r.markers.negative_streak_days or 0)),
    ("last_screen", "Last screen", lambda r: r.markers.last_screen_on),
    ("goals", "Goals on track", lambda r: r.markers.goals_on_track),
    ("recommendation", "Latest recommendation", lambda r: r.recommendation_label),
    ("step_down", "Step-down", lambda r: READINESS_RANK[r.evaluation.step_down.status]),
    ("graduation", "Graduation", lambda r: READINESS_RANK[r.evaluation.graduation.status]),
    ("flags", "Flags", lambda r: len(r.evaluation.flags)),
]
SORT_KEYS = {key: fn for key, _, fn in COLUMNS}
DEFAULT_SORT = "step_down"


def _sorted(rows, sort):
    descending = sort.startswith("-")
    key = SORT_KEYS.get(sort.lstrip("-"), SORT_KEYS[DEFAULT_SORT])
    rows = sorted(rows, key=SORT_KEYS["client"])  # ties: by name
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing


def caseload_table(request):
    """(form, counts, rows) of the user's caseload as filtered and sorted by the GET parameters."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    in_scope = Episode.objects.for_user(request.user).active()
    form = CaseloadFilterForm(request.GET or None, user=request.user, episodes=in_scope.values("pk"))
    filters = form.filters() if form.is_bound else {}
    # The program's caseload is its IOP/PHP clients; stepped-down (OP) episodes on request.
    level = filters.get("level")
    if level != "all":
        in_scope = in_scope.filter(level_of_care__in=[level] if level else [LevelOfCare.IOP, LevelOfCare.PHP])
    episodes = in_scope.select_related("client", "site", "track", "primary_therapist", "case_manager")
    for name, field in (
        ("site", "site"),
        ("track", "track"),
        ("therapist", "primary_therapist"),
        ("case_manager", "case_manager"),
    ):
        if name in filters:
            episodes = episodes.filter(**{field: filters[name]})
    episodes = list(episodes.order_by("pk"))
    evaluations = episode_evaluations(episodes, timezone.localdate())
    rows = [Row(e, evaluations[e.pk]) for e in episodes]
    counts = {
        "step_down_ready": sum(1 for r in rows if r.evaluation.step_down.status == READY),
        "graduation_ready": sum(1 for r in rows if r.evaluation.graduation.status == READY),
        "needs_attention": sum(1 for r in rows if r.evaluation.needs_attention),
    }
    if "status" in filters:
        test = STATUS_FILTERS[filters["status"]][1]
        rows = [r for r in rows if test(r.evaluation)]
    if "flag" in filters:
        rows = [r for r in rows if filters["flag"] in r.evaluation.flags]
    return form, counts, _sorted(rows, request.GET.get("sort") or DEFAULT_SORT)


def _headers(request):
    """Each column's heading, the link that sorts by it and its aria-sort state."""
    current = request.GET.get("sort") or DEFAULT_SORT
    headers = []
    for key, heading, _ in COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else None
        headers.append({"key": key, "heading": heading, "query": query.urlencode(), "aria_sort": state})
    return headers


def caseload(request):
    form, counts, rows = caseload_table(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    access_list_record(request=request, client_ids=[r.client.pk for r in page])
    query = request.GET.copy()
    query.pop("page", None)
    status_query = {}
    for key in counts:
        q = request.GET.copy()
        q.pop("page", None)
        q["status"] = key
        status_query[key] = q.urlencode()
    return render(
        request,
        "dashboard/caseload.html",
        {
            "form": form,
            "counts": counts,
            "status_query": status_query,
            "page": page,
            "headers": _headers(request),
            "query": query.urlencode(),
            "as_of": timezone.localdate(),
        },
    )


CSV_HEADER = [
    "MRN",
    "Last name",
    "First name",
    "Episode",
    "Site",
    "Track",
    "Therapist",
    "Case manager",
    "Weeks in program",
    "Attendance rate (4 weeks)",
    "Excused absences (4 weeks)",
    "Hours last week",
    "Required weekly hours",
    "Negative streak",
    "Streak span (days)",
    "Last screen",
    "Goals on track",
    "Latest recommendation",
    "Latest check-in week",
    "Step-down",
    "Graduation",
    "Flags",
]


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_line(row):
    e, m, ev = row.episode, row.markers, row.evaluation
    values = [
        e.client.mrn,
        e.client.last_name,
        e.client.display_first_name,
        e.ref,
        e.site.name,
        e.track.name if e.track else None,
        person_label(e.primary_therapist),
        person_label(e.case_manager),
        m.weeks_in_program,
        None if m.attendance_rate_4w is None else round(m.attendance_rate_4w, 2),
        m.excused_absences_4w,
        m.hours_last_week,
        f"{m.required_weekly_hours:g}",
        m.negative_streak,
        m.negative_streak_days,
        m.last_screen_on.isoformat() if m.last_screen_on else None,
        None if m.goals_on_track is None else round(m.goals_on_track, 2),
        m.latest_recommendation,
        m.latest_checkin_on.isoformat() if m.latest_checkin_on else None,
        ev.step_down.status,
        ev.graduation.status,
        " ".join(ev.flags),
    ]
    return [_cell(v) for v in values]


def caseload_csv(request):
    """The caseload as filtered and sorted (every page), one access event per exported client."""
    _, _, rows = caseload_table(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="caseload-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_line(r) for r in rows)
    access_events_record(request=request, clients=[r.client for r in rows], action=AccessEvent.Action.EXPORT)
    return response

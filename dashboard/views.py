"""The caseload dashboard (``/``) and its CSV export.

One row per active episode at the user's sites, with its markers, readiness and flags, read
from each episode's markers snapshot (``dashboard.snapshots``: a cache of ``evaluate``, the stale
ones of the episodes in scope refreshed in bulk first). Filters, counts, sorting and paging are
all SQL on the snapshot's columns: a fixed number of queries, and only a page of rows read.
"""

import csv
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce, Lower
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.models import AccessEvent
from audit.services import access_events_record, access_list_record
from checkins.models import CheckIn
from clients.models import Episode, LevelOfCare
from dashboard import snapshots
from dashboard.forms import CaseloadFilterForm
from dashboard.markers import APPROACHING, FLAG_LABELS, NOT_APPLICABLE, NOT_READY, READY, STATUS_LABELS, Evaluation
from iop.forms import person_label

PAGE_SIZE = 50
VIEW_PERMISSION = "clients.view_client"

READINESS_BADGE = {
    READY: "text-bg-success",
    APPROACHING: "text-bg-warning",
    NOT_READY: "text-bg-secondary",
    NOT_APPLICABLE: "text-bg-light border",
}
RECOMMENDATION_LABELS = dict(CheckIn.Recommendation.choices)


@dataclass
class Row:
    """One row of the caseload's CSV: the episode (with its client, site, track and staff) and its
    whole evaluation. A page's rows are ``PageRow``s."""

    episode: Episode
    evaluation: Evaluation

    @property
    def client(self):
        return self.episode.client

    @property
    def markers(self):
        return self.evaluation.markers


def _mdy(day):
    """A row's date as the template's |date:"m/d/Y" writes it, by strftime (the filter, twice in
    each of 50 rows, was a tenth of the page's rendering); "" for none."""
    return day.strftime("%m/%d/%Y") if day else ""


@dataclass(frozen=True)
class PageRow:
    """One row of a caseload page, as its snapshot's columns hold it (``PAGE_VALUES``): what the
    page shows and no more. The CSV, which lists every marker, reads whole ``Row``s."""

    client_id: int
    last_name: str
    first_name: str
    preferred_name: str
    mrn: str
    track_name: str | None
    weeks_in_program: int
    attendance_rate_4w: float | None
    excused_absences_4w: int
    hours_last_week: float | None
    required_weekly_hours: float
    negative_streak: int
    negative_streak_days: int | None
    last_screen_on: dt.date | None
    goals_on_track: float | None
    latest_recommendation: str
    latest_checkin_on: dt.date | None
    step_down_status: str
    graduation_status: str
    flags: tuple[str, ...]

    @property
    def display_first_name(self):
        return self.preferred_name or self.first_name

    @property
    def recommendation_label(self):
        value = self.latest_recommendation
        return RECOMMENDATION_LABELS.get(value, value) if value else None

    @property
    def step_down_badge(self):
        return READINESS_BADGE[self.step_down_status]

    @property
    def graduation_badge(self):
        return READINESS_BADGE[self.graduation_status]

    @property
    def step_down_label(self):
        return STATUS_LABELS[self.step_down_status]

    @property
    def graduation_label(self):
        return STATUS_LABELS[self.graduation_status]

    @property
    def flag_labels(self):
        return [(code, FLAG_LABELS[code]) for code in self.flags]

    @property
    def last_screen_text(self):
        return _mdy(self.last_screen_on)

    @property
    def latest_checkin_text(self):
        return _mdy(self.latest_checkin_on)


# (key, heading, SQL order: expressions, on the episode joined to its snapshot). None sorts last
# in either direction; ties by client name (then MRN).
_SNAP = "marker_snapshot__"
_RANK = {READY: 0, APPROACHING: 1, NOT_READY: 2, NOT_APPLICABLE: 3}  # not applicable (OP step-down) sorts last


def _rank(column):
    return Case(*(When(**{_SNAP + column: status}, then=Value(rank)) for status, rank in _RANK.items()))


def _recommendation_label():
    whens = [
        When(**{_SNAP + "latest_recommendation": v}, then=Value(label)) for v, label in RECOMMENDATION_LABELS.items()
    ]
    blank = When(**{_SNAP + "latest_recommendation": ""}, then=Value(None))
    return Case(blank, *whens, default=F(_SNAP + "latest_recommendation"))


CLIENT_ORDER = [Lower("client__last_name"), Lower("client__first_name"), F("client__mrn")]
COLUMNS = [
    ("client", "Client", CLIENT_ORDER),
    ("track", "Track", [Lower("track__name")]),
    ("weeks", "Weeks in program", [F(_SNAP + "weeks_in_program")]),
    ("attendance", "Attendance (4 weeks)", [F(_SNAP + "attendance_rate_4w")]),
    ("hours", "Hours last week", [F(_SNAP + "hours_last_week")]),
    ("streak", "Negative streak", [F(_SNAP + "negative_streak"), Coalesce(_SNAP + "negative_streak_days", 0)]),
    ("last_screen", "Last screen", [F(_SNAP + "last_screen_on")]),
    ("goals", "Goals on track", [F(_SNAP + "goals_on_track")]),
    ("recommendation", "Latest recommendation", [_recommendation_label()]),
    ("step_down", "Step-down", [_rank("step_down_status")]),
    ("graduation", "Graduation", [_rank("graduation_status")]),
    ("flags", "Flags", [F(_SNAP + "flag_count")]),
]
SORT_KEYS = {key: order for key, _, order in COLUMNS}
DEFAULT_SORT = "step_down"


def _ordering(sort):
    """ORDER BY for ``sort`` (a column key, ``-`` for descending): nulls last, ties by name."""
    descending = sort.startswith("-")
    keys = SORT_KEYS.get(sort.lstrip("-"), SORT_KEYS[DEFAULT_SORT])
    first = keys[0]
    ordered = [first.desc(nulls_last=True) if descending else first.asc(nulls_last=True)]
    ordered += [k.desc() if descending else k.asc() for k in keys[1:]]
    return [*ordered, *(k.asc() for k in CLIENT_ORDER), F("pk").asc()]


def caseload_episodes(request):
    """(form, counts, shown, episodes): the user's caseload as filtered and sorted by the GET
    parameters, as a queryset of episodes joined to their current markers snapshot, and how
    many rows that is. Stale snapshots of the episodes in scope are refreshed first, in bulk
    (dashboard.snapshots)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    in_scope = Episode.objects.for_user(request.user).active()
    form = CaseloadFilterForm(request.GET or None, user=request.user, episodes=in_scope)
    filters = form.filters() if form.is_bound else {}
    # The program's caseload is its IOP/PHP clients; stepped-down (OP) episodes on request.
    level = filters.get("level")
    if level != "all":
        in_scope = in_scope.filter(level_of_care__in=[level] if level else [LevelOfCare.IOP, LevelOfCare.PHP])
    for name, field in (
        ("site", "site"),
        ("track", "track"),
        ("therapist", "primary_therapist"),
        ("case_manager", "case_manager"),
    ):
        if name in filters:
            in_scope = in_scope.filter(**{field: filters[name]})
    today = timezone.localdate()
    snapshots.refresh_stale(in_scope, today)
    episodes = in_scope.filter(marker_snapshot__as_of=today)
    chosen = Q()
    if "status" in filters:
        chosen &= snapshots.STATUS_QUERIES[filters["status"]]
    if "flag" in filters:
        chosen &= snapshots.flag_query(filters["flag"])
    # One aggregate for the status counts and the number of rows shown (the paginator's count).
    counts = episodes.aggregate(
        step_down_ready=Count("pk", filter=snapshots.STATUS_QUERIES["step_down_ready"]),
        graduation_ready=Count("pk", filter=snapshots.STATUS_QUERIES["graduation_ready"]),
        needs_attention=Count("pk", filter=snapshots.STATUS_QUERIES["needs_attention"]),
        shown=Count("pk", filter=chosen) if chosen else Count("pk"),
    )
    shown = counts.pop("shown")
    episodes = episodes.filter(chosen).order_by(*_ordering(request.GET.get("sort") or DEFAULT_SORT))
    return form, counts, shown, episodes


ROW_RELATED = ("client", "site", "track", "primary_therapist", "case_manager", "marker_snapshot")  # the CSV's
# What a page row reads, by name: columns of the client, the track and the snapshot, and three
# values of the snapshot's JSON read in SQL (as text). No model and no JSON document is built:
# decoding 50 rows' evaluation and shown documents and building their models and criteria was
# ~5 of a page's ~40 ms of CPU (docs/benchmarks.md, "Sixth pass").
PAGE_FIELDS = ("pk", "client_id")
PAGE_VALUES = {
    "last_name": F("client__last_name"),
    "first_name": F("client__first_name"),
    "preferred_name": F("client__preferred_name"),
    "mrn": F("client__mrn"),
    "track_name": F("track__name"),
    **{name: F(_SNAP + name) for name in snapshots.MARKER_COLUMNS},
    "excused_absences_4w": KeyTextTransform("excused_absences_4w", _SNAP + "shown"),
    "required_hours": KeyTextTransform("required_weekly_hours", _SNAP + "shown"),  # (an Episode field's name)
    "latest_checkin_on": KeyTextTransform("latest_checkin_on", KeyTransform("markers", _SNAP + "evaluation")),
    **{f"flag_{code}": F(_SNAP + column) for code, column in snapshots.FLAG_COLUMNS.items()},
}


def _json_scalar(value):
    """A JSON value read as text in SQL: None for JSON's null (SQLite reads it as "null")."""
    return None if value is None or value == "null" else value


def _page_row(values):
    """A PageRow from one row of ``PAGE_VALUES`` (the JSON's values arrive as text)."""
    flags = tuple(code for code in snapshots.FLAG_COLUMNS if values.pop(f"flag_{code}"))
    excused, required, checkin = (
        _json_scalar(values.pop(key)) for key in ("excused_absences_4w", "required_hours", "latest_checkin_on")
    )
    return PageRow(
        **values,
        excused_absences_4w=int(excused) if excused is not None else snapshots.SHOWN_DEFAULTS["excused_absences_4w"],
        required_weekly_hours=(
            float(required) if required is not None else snapshots.SHOWN_DEFAULTS["required_weekly_hours"]
        ),
        latest_checkin_on=dt.date.fromisoformat(checkin) if checkin is not None else None,
        flags=flags,
    )


def _page(episodes, shown, number):
    """The page ``number`` of the ordered ``episodes``, its rows read in two steps: the page's ids
    by a narrow query (only the joins the filters and the order need), then those rows with
    everything they show. Measured at 1,000 episodes on PostgreSQL: the one wide ordered query
    spent 25 ms planning its eight joins and 12 ms running; the narrow one plans in 3 ms."""
    paginator = Paginator(episodes.values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = shown  # counted by the caseload's aggregate already
    page = paginator.get_page(number)
    ids = list(page.object_list)
    by_id = {v.pop("pk"): v for v in Episode.objects.filter(pk__in=ids).order_by().values(*PAGE_FIELDS, **PAGE_VALUES)}
    page.object_list = [_page_row(by_id[pk]) for pk in ids]
    return page


def _rows(episodes):
    return [Row(e, snapshots.evaluation_of(e.marker_snapshot)) for e in episodes]


def caseload_table(request):
    """(form, counts, rows) of the user's whole caseload as filtered and sorted (the CSV's)."""
    form, counts, _, episodes = caseload_episodes(request)
    return form, counts, _rows(episodes.select_related(*ROW_RELATED))


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
    form, counts, shown, episodes = caseload_episodes(request)
    page = _page(episodes, shown, request.GET.get("page"))
    access_list_record(request=request, client_ids=[r.client_id for r in page])
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

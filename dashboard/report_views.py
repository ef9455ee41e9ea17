"""The program report (program admins and case managers) and its CSV download."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from audit.models import AccessEvent
from audit.services import access_event_record
from clients.models import Episode
from dashboard.forms import ReportForm
from dashboard.reports import COLUMNS, MODALITY_COLUMNS, modality_report_build, report_build


def _report_form(request):
    if not request.user.has_perm("dashboard.view_program_report"):
        raise PermissionDenied
    data = request.GET.copy()
    for name, default in ReportForm.defaults().items():
        data.setdefault(name, default)  # a missing date takes its default; an empty one is an error
    return ReportForm(data, user=request.user)


def _report_episodes(request, form):
    episodes = Episode.objects.for_user(request.user)
    site = form.cleaned_data["site"]
    return episodes.filter(site=site) if site else episodes.filter(site__in=form.fields["site"].queryset)


def _report(request, form):
    episodes = _report_episodes(request, form)
    return report_build(episodes=episodes, start=form.cleaned_data["start"], end=form.cleaned_data["end"])


def _modality_report(request, form):
    """Telehealth: the hours attended by modality, its own section of the report."""
    episodes = _report_episodes(request, form)
    return modality_report_build(episodes=episodes, start=form.cleaned_data["start"], end=form.cleaned_data["end"])


def report(request):
    form = _report_form(request)
    report = _report(request, form) if form.is_valid() else None
    modality = _modality_report(request, form) if report else None
    access_event_record(request=request, client=None)  # counts only: no client is named on the report
    return render(
        request,
        "dashboard/report.html",
        {
            "form": form,
            "report": report,
            "columns": COLUMNS,
            "query": request.GET.urlencode(),
            "modality": modality,
            "modality_columns": MODALITY_COLUMNS,
        },
    )


def report_csv(request):
    form = _report_form(request)
    if not form.is_valid():
        return render(request, "dashboard/report.html", {"form": form, "report": None, "columns": COLUMNS}, status=400)
    report = _report(request, form)
    access_event_record(request=request, client=None, action=AccessEvent.Action.EXPORT)
    response = HttpResponse(content_type="text/csv")
    name = f"program-report-{report.start:%Y%m%d}-{report.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    modality = _modality_report(request, form)
    writer.writerow(["group", "period or track", *(key for key, _ in COLUMNS), "screens", *dict(MODALITY_COLUMNS)])
    for group, rows in (("month", report.months), ("track", report.tracks), ("total", [report.total])):
        for row in rows:
            values = ("" if v is None else v for v in row.values())
            writer.writerow([group, row.label, *values, row.screens, *modality.csv_cells(group, row.label)])
    _aftercare_csv(writer, report.aftercare)
    return response


def _aftercare_csv(writer, outcomes):
    """After the main table, the after-the-program figures under their own header row."""
    writer.writerow(["after the program", "figure", "rate", "count", "of"])
    for key, label, share, _ in outcomes.rows():
        writer.writerow([key, label, "" if share.rate is None else share.rate, share.count, share.of])

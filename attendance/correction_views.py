"""Attendance corrections after signing: one attendee's status and minutes, with a reason,
recorded as a new row (the signed roster stays as signed)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from attendance import services
from attendance.correction_forms import AttendanceCorrectionForm
from attendance.models import Attendance, Session
from iop.errors import StaleEdit
from iop.forms import add_service_errors
from iop.submissions import submission_replay, submit_once

CORRECT_PERM = "attendance.add_attendancecorrection"  # therapists and case managers (programs/roles.py)


def can_correct(user, session):
    return user.has_perm(CORRECT_PERM) and session.is_signed and session.status != Session.Status.CANCELLED


def correction_context(session, form_rows, user, bound=None):
    """What the session page needs for corrections: each recorded row of a signed session
    gets its correction form (``bound``, with its errors, for the row it was posted for) when
    ``user`` may correct; ``corrected`` lists the (episode, row) corrected after signing."""
    allowed = can_correct(user, session)
    corrected = []
    for episode, row, *_fields in form_rows:
        if row is None or not hasattr(row, "correction_lines"):
            continue
        if row.correction_lines:
            corrected.append((episode, row))
        if bound is not None and str(bound.data.get("attendance")) == str(row.pk):
            row.correction_form, row.correction_open = bound, True
        else:
            row.correction_form = AttendanceCorrectionForm.for_row(row) if allowed else None
    return {"can_correct": allowed, "corrected": corrected}


@require_POST
def session_correct(request, pk):
    """Record a correction of one attendee of a signed session (once per submission key)."""
    from attendance.views import _roster_page, _session_or_404

    session = _session_or_404(request, pk)
    if not request.user.has_perm(CORRECT_PERM):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    attendance = None
    raw = request.POST.get("attendance", "")
    if raw.isdecimal() and len(raw) <= 18:
        attendance = (
            Attendance.objects.filter(session=session, pk=int(raw)).select_related("session", "episode__client").first()
        )
    form = AttendanceCorrectionForm(request.POST, auto_id=f"id_correct_{raw if attendance else 'x'}_%s")
    if attendance is None:
        form.add_error(None, "Choose an attendee of this session to correct.")
    elif form.is_valid():
        data = form.cleaned_data

        def save():
            services.attendance_correct(
                attendance=attendance,
                status=data["status"],
                minutes=data["minutes"],
                reason=data["reason"],
                by=request.user,
                seen_correction_id=data["seen"] or 0,
            )
            messages.success(request, f"Attendance of {attendance.episode.client.full_name} corrected.")
            return reverse("attendance:session", args=[session.pk])

        try:
            return submit_once(request, save)
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return redirect("attendance:session", session.pk)
        except ValidationError as exc:
            add_service_errors(exc, form)
    return _roster_page(request, session, status=400, correction_form=form)

"""Helpers for admin tests: post an admin change form back as the page shows it."""

from django.forms import MultiWidget


def _posted(value):
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def form_data(response):
    """The POST data of the admin form (and inline formsets) on ``response``'s page, with
    every field at the value the page shows."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            widget = bound.field.widget
            if isinstance(widget, MultiWidget):
                parts = value if isinstance(value, list) else widget.decompress(value)
                for index, part in enumerate(parts):
                    if part is not None:
                        data[f"{bound.html_name}_{index}"] = str(part)
                continue
            posted = _posted(value)
            if posted is not None:
                data[bound.html_name] = posted
    return data


def one_of_each_record(episode, staff):
    """One row of every clinical model for ``episode`` (its site's session, signed, with an
    addendum; a signed check-in with an addendum…), by model."""
    import datetime as dt

    from django.utils import timezone

    from aftercare.models import FollowUp
    from aftercare.services import aftercare_plan_save
    from attendance.models import AttendanceCorrection, SessionAddendum
    from audit.models import AccessEvent
    from checkins.models import Addendum
    from clients.models import LevelOfCareChange
    from consents.services import disclosure_record
    from letters.models import LetterTemplate
    from programs.models import Criteria
    from tests.factories import (
        AttendanceFactory,
        CheckInFactory,
        ConsentFactory,
        DecisionFactory,
        GoalRatingFactory,
        PrescriptionFactory,
        ScreenResultFactory,
        SessionFactory,
    )

    now = timezone.now()
    consent = ConsentFactory(client=episode.client, site=episode.site, created_by=staff)
    session = SessionFactory(
        site=episode.site, track=episode.track, group_note="Group talked about triggers.", facilitator=staff
    )
    session.note_signed_at, session.note_signed_by = now, staff
    session.save()
    checkin = CheckInFactory(episode=episode, author=staff, signed_at=now, signed_by=staff)
    rating = GoalRatingFactory(worksheet__episode=episode, goal__episode=episode)
    result = ScreenResultFactory(screen__episode=episode, screen__collected_by=staff)
    attendance = AttendanceFactory(session=session, episode=episode, recorded_by=staff)
    rows = [
        episode.site,
        episode.track,
        Criteria.objects.get_or_create(site=episode.site)[0],
        episode.client,
        episode,
        LevelOfCareChange.objects.create(episode=episode, level_of_care="IOP", effective_on=episode.admitted_on),
        AccessEvent.objects.create(user=staff, client=episode.client, path=f"/clients/{episode.client_id}/"),
        session,
        attendance,
        AttendanceCorrection.objects.create(
            attendance=attendance, status="absent", minutes_attended=0, reason="Left before group.", corrected_by=staff
        ),
        SessionAddendum.objects.create(session=session, text="Late arrival noted.", author=staff),
        PrescriptionFactory(client=episode.client, start=episode.admitted_on + dt.timedelta(days=1)),
        result.screen,
        result,
        rating.goal,
        rating.worksheet,
        rating,
        checkin,
        Addendum.objects.create(checkin=checkin, text="Called back.", author=staff),
        DecisionFactory(episode=episode, decided_by=staff),
        consent,
        disclosure_record(
            consent=consent,
            categories=["attendance"],
            period_start=episode.admitted_on,
            period_end=timezone.localdate(),
            description="Attendance verification",
            document=b"%PDF-1.7 letter",
            method="mail",
            by=staff,
            on=timezone.localdate(),
        ),
        LetterTemplate.objects.create(site=episode.site, kind="attendance", letterhead_name=f"{episode.site.name} IOP"),
        aftercare_plan_save(
            episode=episode,
            fields={"crisis_plan": "Call 988.", "contact_name": "Sponsor", "contact_phone": "804 555 0100"},
            by=staff,
        ),
        FollowUp.objects.create(episode=episode, offset_days=7, due_on=timezone.localdate()),
        staff,
    ]
    by_model = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    return by_model

"""Write a validated ``iop-records/1`` or ``/2`` document (see :mod:`exchange.validation`).

Everything is written in one transaction with bulk inserts that also write the history rows
(change reason ``imported from FILE at TIME``). Records already in the database are matched by
their natural keys and left as they are, so re-importing a file changes nothing and a file
that extends an earlier one adds only what is new:

| record | matched by |
| --- | --- |
| site, track / staff / client | code / username / MRN |
| episode | ref |
| prescription | (client, analyte, medication, start) |
| session | (site, track, date, start, kind); without a track also (duration, cancelled) |
| attendance | (episode, the session's track, date, start, kind) |
| screen | (episode, collected at, to the minute) |
| goal | (episode, ref) |
| worksheet, check-in | (episode, week) |
| level-of-care change | (episode, level, effective on) |
| decision | (episode, kind, decided on) |

A ``/2`` file also carries who recorded, signed and wrote what, and when: those are written as
the file says (a signature keeps its time and signer; an addendum its author and time), never
as "now" and "the importer".
"""

import datetime as dt
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from attendance.models import Attendance, AttendanceCorrection, Session, SessionAddendum
from audit.services import signatures_record
from checkins.models import Addendum, CheckIn
from clients.models import Client, Episode, LevelOfCareChange
from clients.services import episodes_inputs_changed
from dashboard.models import Decision
from exchange.validation import Known, _session_key
from goals.models import Goal, GoalRating, Worksheet
from iop import integrity
from programs.models import Criteria, LevelOfCare, Site, Track
from programs.roles import CASE_MANAGER, PROGRAM_ADMIN, THERAPIST
from programs.services import criteria_defaults
from screening.models import Analyte, Panel, Prescription, Screen, ScreenResult

ROLE_GROUPS = {"therapist": THERAPIST, "case_manager": CASE_MANAGER, "program_admin": PROGRAM_ADMIN}
CONFIRMATION_VALUES = {
    "positive": ScreenResult.Confirmation.CONFIRMED_POSITIVE,
    "negative": ScreenResult.Confirmation.CONFIRMED_NEGATIVE,
    "pending": ScreenResult.Confirmation.PENDING,
}
SUMMARY = (
    "clients",
    "episodes",
    "sessions",
    "attendance rows",
    "screens",
    "goals",
    "worksheets",
    "check-ins",
    "addenda",
    "decisions",
)
BATCH = 500


class SignatureMismatch(Exception):
    """Signed records whose content no longer gives the digest the file carries."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Slot:
    """A session's natural key (what makes attendance rows share one session)."""

    site: str
    track: str | None
    date: dt.date
    start: dt.time
    kind: str


def local(moment):
    """A file's naive local date-time as an aware one (None stays None)."""
    return timezone.make_aware(moment) if moment is not None else None


@contextmanager
def _dated_as_given(model, name="created_at"):
    """Let a bulk insert keep the ``created_at`` the file gives (an addendum's time) instead of
    the ``auto_now_add`` "now"."""
    field = model._meta.get_field(name)
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def minute_key(collected_at):
    """A screen's collection time as the file writes it (local time, to the minute)."""
    return timezone.localtime(collected_at).strftime("%Y-%m-%dT%H:%M")


def known_load(doc, today):
    """What the database already holds that the document may refer to (a fixed few queries)."""
    mrns = [c["mrn"] for c in _raw_list(doc, "clients") if isinstance(c.get("mrn"), str)]
    known = Known(today=today)
    known.sites = set(Site.objects.values_list("code", flat=True))
    known.tracks = dict(Track.objects.values_list("code", "site__code"))
    known.staff = set(get_user_model().objects.values_list("username", flat=True))
    known.analytes = set(Analyte.objects.values_list("code", flat=True))
    known.level_hours = {level: criteria_defaults(level).get("weekly_hours") for level in LevelOfCare.values}
    known.weekly_hours = {
        (code, level): hours
        for code, level, hours in Criteria.objects.values_list("site__code", "level_of_care", "weekly_hours")
    }
    for ref, mrn, status in Episode.objects.filter(client__mrn__in=mrns).values_list("ref", "client__mrn", "status"):
        known.episodes[ref] = (mrn, status)
        if status == Episode.Status.ACTIVE:
            known.active_episodes[mrn] = ref
    refs = _episode_refs(doc)
    for ref, goal in Goal.objects.filter(episode__ref__in=refs).values_list("episode__ref", "ref"):
        known.goals.setdefault(ref, set()).add(goal)
    # Episode refs may also exist under another client's MRN: fetch those too.
    for ref, mrn, status in Episode.objects.filter(ref__in=refs).values_list("ref", "client__mrn", "status"):
        known.episodes.setdefault(ref, (mrn, status))
    for session in _sessions_for(_session_dates(doc)):
        slot = (session["site__code"], session["track__code"], session["date"], session["start_time"], session["kind"])
        cancelled = session["status"] == Session.Status.CANCELLED
        known.sessions.setdefault(slot, []).append((session["duration_minutes"], cancelled))
    return known


def _raw_list(value, key):
    items = value.get(key) if isinstance(value, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _raw_episodes(doc):
    """The episode objects of a document not validated yet (anything malformed skipped)."""
    for client in _raw_list(doc, "clients"):
        yield from _raw_list(client, "episodes")


def _episode_refs(doc):
    return [e["ref"] for e in _raw_episodes(doc) if isinstance(e.get("ref"), str)]


def _session_dates(doc):
    """The first and last attendance date in the document not validated yet (None if none)."""
    days = []
    for episode in _raw_episodes(doc):
        for row in _raw_list(episode, "attendance"):
            try:
                days.append(dt.date.fromisoformat(row["date"]))
            except (TypeError, KeyError, ValueError):
                continue
    return (min(days), max(days)) if days else None


def _sessions_for(span):
    if span is None:
        return []
    return Session.objects.filter(date__range=span).values(
        "id", "site__code", "track__code", "date", "start_time", "kind", "duration_minutes", "status"
    )


class _Writer:
    def __init__(self, doc, reason, now, progress):
        self.doc = doc
        self.reason = reason
        self.now = now
        self.progress = progress or (lambda label, done, total: None)
        self.created = Counter()
        self.digest_problems = []
        self.total = sum(_row_count(e) for c in doc["clients"] for e in c["episodes"]) + len(doc["clients"])
        self.done = 0

    def _bulk(self, model, objs, label=None):
        if not objs:
            return []
        saved = bulk_create_with_history(
            objs, model, batch_size=BATCH, default_change_reason=self.reason, default_date=self.now
        )
        if label:
            self.created[label] += len(saved)
        return saved

    def _advance(self, label, rows):
        self.done += rows
        self.progress(label, self.done, self.total)

    def run(self):
        self.sites()
        self.tracks()
        self.staff()
        self.clients()
        self.episodes()
        self.prescriptions()
        self.attendance()
        self.screens()
        self.goals_and_worksheets()
        self.checkins()
        self.level_changes()
        self.decisions()
        if self.digest_problems:
            raise SignatureMismatch(self.digest_problems)  # rolls the whole import back
        episodes_inputs_changed(client_ids=self.client_ids.values())  # one UPDATE for the whole import
        return {label: self.created[label] for label in SUMMARY}

    def _digest_agrees(self, item, digest):
        """A /2 file's signature digest must be what the imported content gives: otherwise the
        signed record was changed (in the file or in transit) after it was signed."""
        if item and item.get("signature_sha256") and item["signature_sha256"] != digest:
            self.digest_problems.append(
                f"{item['_path']}.signature_sha256: the signed content does not give this SHA-256 "
                "(changed after signing?)"
            )

    def _user(self, username):
        return self.user_ids[username] if username else None

    def _cosignature_set(self, record, facts):
        """A /2 file's co-signature of a signed record, as the file says (outside the digest)."""
        record.cosign_supervisor_id = self._user(facts.get("cosign_supervisor"))
        record.cosigned_by_id = self._user(facts.get("cosigned_by"))
        record.cosigned_at = local(facts.get("cosigned_at"))

    def _addenda(self, model, parent, rows):
        """Addendum rows of ``model`` for the new records of ``rows`` [(saved record, addenda)]."""
        new = [
            model(**{parent: record}, text=a["text"], author_id=self._user(a["author"]), created_at=local(a["at"]))
            for record, addenda in rows
            for a in addenda
        ]
        with _dated_as_given(model):
            self._bulk(model, new, "addenda")

    def sites(self):
        existing = set(Site.objects.values_list("code", flat=True))
        new = self._bulk(
            Site, [Site(code=s["code"], name=s["name"]) for s in self.doc["sites"] if s["code"] not in existing]
        )
        self.site_ids = dict(Site.objects.values_list("code", "id"))
        # A new site gets its criteria row per level (the defaults), as one made in the admin does.
        self._bulk(
            Criteria,
            [
                Criteria(site_id=self.site_ids[site.code], level_of_care=level, **criteria_defaults(level))
                for site in new
                for level in LevelOfCare.values
            ],
        )

    def tracks(self):
        existing = set(Track.objects.values_list("code", flat=True))
        new = [
            Track(
                code=t["code"],
                site_id=self.site_ids[t["site"]],
                name=t["name"],
                weekdays=t["weekdays"],
                start_time=t["start"],
                end_time=t["end"],
                cadence=t["cadence"],
                month_week=t["month_week"],
                continuing_care=t["continuing_care"],
            )
            for t in self.doc["tracks"]
            if t["code"] not in existing
        ]
        self._bulk(Track, new)
        self.track_ids = dict(Track.objects.values_list("code", "id"))

    def staff(self):
        user_model = get_user_model()
        existing = set(user_model.objects.values_list("username", flat=True))
        new = []
        for person in self.doc["staff"]:
            if person["username"] in existing:
                continue
            first, _, last = person["name"].strip().rpartition(" ")
            user = user_model(username=person["username"], first_name=first or last, last_name=last if first else "")
            user.set_unusable_password()
            new.append(user)
        user_model.objects.bulk_create(new, batch_size=BATCH)
        self.user_ids = dict(user_model.objects.values_list("username", "id"))
        created = {u.username for u in new}
        groups = dict(Group.objects.filter(name__in=ROLE_GROUPS.values()).values_list("name", "id"))
        memberships, grants = [], []
        for person in self.doc["staff"]:
            if person["username"] not in created:
                continue
            user_id = self.user_ids[person["username"]]
            if person["role"]:
                grants.append(user_model.groups.through(user_id=user_id, group_id=groups[ROLE_GROUPS[person["role"]]]))
            for code in person["sites"]:
                memberships.append(Site.staff.through(site_id=self.site_ids[code], user_id=user_id))
        user_model.groups.through.objects.bulk_create(grants, ignore_conflicts=True)
        Site.staff.through.objects.bulk_create(memberships, ignore_conflicts=True)

    def clients(self):
        mrns = [c["mrn"] for c in self.doc["clients"]]
        self.client_ids = dict(Client.objects.filter(mrn__in=mrns).values_list("mrn", "id"))
        new = [
            Client(**{k: v for k, v in c.items() if k != "episodes"})
            for c in self.doc["clients"]
            if c["mrn"] not in self.client_ids
        ]
        for client in self._bulk(Client, new, "clients"):
            self.client_ids[client.mrn] = client.id
        self._mrn_counters([c.mrn for c in new])
        self._advance("clients", len(self.doc["clients"]))

    def _mrn_counters(self, mrns):
        """Move each site's next MRN number past the imported ``CODE-0042`` MRNs, so the next
        intake does not collide with an imported client."""
        highest = {}
        for mrn in mrns:
            code, _, number = mrn.rpartition("-")
            if code in self.site_ids and number.isdigit():
                highest[code] = max(highest.get(code, 0), int(number))
        for code, number in highest.items():
            Site.objects.filter(pk=self.site_ids[code], next_mrn_number__lte=number).update(next_mrn_number=number + 1)

    def _episodes(self):
        for client in self.doc["clients"]:
            for episode in client["episodes"]:
                yield client, episode

    def episodes(self):
        refs = [e["ref"] for _, e in self._episodes()]
        self.episode_ids = dict(Episode.objects.filter(ref__in=refs).values_list("ref", "id"))
        self.new_episodes = set()
        new = []
        for client, e in self._episodes():
            if e["ref"] in self.episode_ids:
                continue
            new.append(
                Episode(
                    client_id=self.client_ids[client["mrn"]],
                    ref=e["ref"],
                    site_id=self.site_ids[e["site"]],
                    track_id=self.track_ids[e["track"]] if e["track"] else None,
                    level_of_care=e["level_of_care"],
                    admitted_on=e["admitted_on"],
                    primary_therapist_id=self.user_ids.get(e["therapist"]),
                    case_manager_id=self.user_ids.get(e["case_manager"]),
                    required_weekly_hours=e["required_weekly_hours"],
                    status=e["status"],
                    ended_on=e["ended_on"],
                    end_reason=e["end_reason"] or "",
                )
            )
        saved = self._bulk(Episode, new, "episodes")
        for episode in saved:
            self.episode_ids[episode.ref] = episode.id
            self.new_episodes.add(episode.id)
        listed = {e["ref"] for _, e in self._episodes() if e["level_changes"] is not None}
        levels = [
            LevelOfCareChange(
                episode_id=e.id, level_of_care=e.level_of_care, effective_on=e.admitted_on, reason="Admission"
            )
            for e in saved
            if e.ref not in listed  # a /2 file lists the episode's level history itself
        ]
        self._bulk(LevelOfCareChange, levels)
        # Children of episodes that existed before: fetched once per family, to skip duplicates.
        self.old_episodes = [i for i in self.episode_ids.values() if i not in self.new_episodes]

    def prescriptions(self):
        analytes = dict(Analyte.objects.values_list("code", "id"))
        self.analyte_ids = analytes
        existing = set(
            Prescription.objects.filter(client_id__in=self.client_ids.values()).values_list(
                "client_id", "analyte_id", "medication", "start"
            )
        )
        new = []
        for client, e in self._episodes():
            client_id = self.client_ids[client["mrn"]]
            for p in e["prescriptions"]:
                key = (client_id, analytes[p["analyte"]], p["medication"], p["start"])
                if key in existing:
                    continue
                existing.add(key)
                new.append(
                    Prescription(
                        client_id=client_id,
                        medication=p["medication"],
                        analyte_id=key[1],
                        start=p["start"],
                        end=p["end"],
                        prescriber=p["prescriber"],
                        entered_in_error=p["entered_in_error"],
                    )
                )
        self._bulk(Prescription, new)

    def attendance(self):
        sessions = {}  # slot -> [(id, duration, cancelled)]
        for s in _sessions_for(_span(source["date"] for source in self._session_sources())):
            slot = Slot(s["site__code"], s["track__code"], s["date"], s["start_time"], s["kind"])
            sessions.setdefault(slot, []).append(
                (s["id"], s["duration_minutes"], s["status"] == Session.Status.CANCELLED)
            )
        facts = {_session_key(s): s for s in self.doc["sessions"]}  # /2: what the session itself holds
        new_sessions = {}
        for source in self._session_sources():
            slot = Slot(*source["_slot"])
            key = (slot, source["duration_minutes"], source["status"] == "cancelled") if slot.track is None else slot
            if key in new_sessions or _session_for(sessions.get(slot, []), slot, source) is not None:
                continue
            new_sessions[key] = self._session(slot, source, facts.get((*source["_slot"], source["duration_minutes"])))
        saved = self._bulk(Session, list(new_sessions.values()), "sessions")
        for key, session in zip(new_sessions, saved, strict=True):
            slot = key if isinstance(key, Slot) else key[0]
            cancelled = session.status == Session.Status.CANCELLED
            sessions.setdefault(slot, []).append((session.id, session.duration_minutes, cancelled))
        self._addenda(SessionAddendum, "session", [(s, s.imported_addenda) for s in saved])
        Session.co_facilitators.through.objects.bulk_create(
            Session.co_facilitators.through(session_id=s.pk, user_id=self._user(username))
            for s in saved
            for username in s.imported_co_facilitators
        )
        self.sessions_to_sign = [s for s in saved if s.imported_signature and s.imported_signature[0]]
        # An episode's existing rows, by slot without the site (the file's slot takes the site
        # from the episode), so a re-import never adds a second row for the same sitting.
        existing = set(
            Attendance.objects.filter(episode_id__in=self.old_episodes).values_list(
                "episode_id", "session__track__code", "session__date", "session__start_time", "session__kind"
            )
        )
        new, corrected = [], []
        for _, e in self._episodes():
            episode_id = self.episode_ids[e["ref"]]
            for row in e["attendance"]:
                slot = Slot(*row["_slot"])
                if (episode_id, slot.track, slot.date, slot.start, slot.kind) in existing:
                    continue
                new.append(
                    Attendance(
                        session_id=_session_for(sessions[slot], slot, row),
                        episode_id=episode_id,
                        status=row["status"],
                        minutes_attended=row["minutes_attended"],
                        note=row["note"],
                        recorded_by_id=self._user(row["recorded_by"]),
                        modality=row["modality"],
                    )
                )
                if row.get("corrections"):
                    corrected.append((new[-1], row["corrections"]))
        self._bulk(Attendance, new, "attendance rows")
        self._bulk(
            AttendanceCorrection,
            [
                AttendanceCorrection(
                    attendance_id=attendance.pk,
                    status=c["status"],
                    minutes_attended=c["minutes_attended"],
                    reason=c["reason"],
                    corrected_by_id=self._user(c["by"]),
                    corrected_at=local(c["at"]),
                )
                for attendance, corrections in corrected
                for c in corrections
            ],
        )
        self._sign_sessions()
        self._advance("attendance", sum(len(e["attendance"]) for _, e in self._episodes()))

    def _sign_sessions(self):
        """A /2 file's signed sessions, signed as the file says (who, when) now that their rows
        exist: the signature's SHA-256 covers the note and every row, as when signed in the app."""
        sessions = self.sessions_to_sign
        rows = {}
        for row in Attendance.objects.filter(session__in=sessions).select_related("episode", "recorded_by"):
            rows.setdefault(row.session_id, []).append(row)
        names = _Signers((), self.user_ids.values(), with_places=True)
        for session in sessions:
            session.site, session.track = names.sites[session.site_id], names.tracks.get(session.track_id)
            session.facilitator = names.users.get(session.facilitator_id)
            session.note_signed_at, session.note_signed_by = (
                session.imported_signature[0],
                names.users.get(session.imported_signature[1]),
            )
            session.signature_sha256 = integrity.content_sha256(session.signed_content(rows.get(session.pk, [])))
            self._digest_agrees(session.imported_facts, session.signature_sha256)
            self._cosignature_set(session, session.imported_facts)
        bulk_update_with_history(
            sessions,
            Session,
            ["note_signed_at", "note_signed_by", "signature_sha256", *COSIGN_FIELDS],
            batch_size=BATCH,
            default_change_reason=self.reason,
            default_date=self.now,
        )
        signatures_record(records=sessions)

    def _session_sources(self):
        """Each session the file names: its /2 ``sessions`` entries, then its attendance rows
        (a row's session is created from the row when the file does not list it)."""
        for s in self.doc["sessions"]:
            status = "cancelled" if s["status"] == Session.Status.CANCELLED else s["status"]
            yield {**s, "status": status, "_slot": (s["site"], s["track"], s["date"], s["start"], s["kind"])}
        for _, e in self._episodes():
            yield from e["attendance"]

    def _session(self, slot, source, facts):
        status = Session.Status.CANCELLED if source["status"] == "cancelled" else Session.Status.HELD
        session = Session(
            site_id=self.site_ids[slot.site],
            track_id=self.track_ids[slot.track] if slot.track else None,
            date=slot.date,
            start_time=slot.start,
            kind=slot.kind,
            duration_minutes=source["duration_minutes"],
            status=facts["status"] if facts else status,
        )
        session.imported_addenda = facts["addenda"] if facts else []
        session.imported_co_facilitators = facts.get("co_facilitators", []) if facts else []
        session.imported_facts = facts
        if facts:
            session.topic = facts["topic"]
            session.facilitator_id = self._user(facts["facilitator"])
            session.group_note = facts["group_note"]
            session.modality = facts["modality"]
        # Signed only once its attendance rows exist (the signature covers them): see _sign_sessions.
        session.imported_signature = (local(facts["signed_at"]), self._user(facts["signed_by"])) if facts else None
        return session

    def screens(self):
        self.panel_ids = dict(Panel.objects.values_list("name", "id"))
        existing = {
            (episode_id, minute_key(at))
            for episode_id, at in Screen.objects.filter(episode_id__in=self.old_episodes).values_list(
                "episode_id", "collected_at"
            )
        }
        new, results_of = [], []
        for _, e in self._episodes():
            episode_id = self.episode_ids[e["ref"]]
            for s in e["screens"]:
                if (episode_id, s["collected_at"].strftime("%Y-%m-%dT%H:%M")) in existing:
                    continue
                validity = s["validity"]
                new.append(
                    Screen(
                        episode_id=episode_id,
                        collected_at=timezone.make_aware(s["collected_at"]),
                        observed=s["observed"],
                        method=s["method"],
                        outcome=s["outcome"],
                        reason=s["reason"],
                        temperature_in_range=validity.get("temperature_in_range"),
                        creatinine_mg_dl=validity.get("creatinine_mg_dl"),
                        specific_gravity=validity.get("specific_gravity"),
                        ph=validity.get("ph"),
                        nitrite_ug_ml=validity.get("nitrite_ug_ml"),
                        adulterant_noted=validity.get("adulterant_noted", False),
                        temperature_c=validity.get("temperature_c"),
                        collected_by_id=self._user(s["collected_by"]),
                        panel_id=self.panel_ids.get(s["panel"]),
                        notes=s["notes"],
                        entered_in_error=s["entered_in_error"],
                    )
                )
                results_of.append(s)
        results = []
        for screen, s in zip(self._bulk(Screen, new, "screens"), results_of, strict=True):
            for code, result in sorted(s["results"].items()):
                confirmation = s["confirmation"].get(code)
                details = s["details"].get(code, {})
                results.append(
                    ScreenResult(
                        screen_id=screen.id,
                        analyte_id=self.analyte_ids[code],
                        result=result,
                        confirmation=CONFIRMATION_VALUES.get(confirmation, ScreenResult.Confirmation.NOT_SENT),
                        level_ng_ml=details.get("level_ng_ml"),
                        confirmation_sent_on=details.get("sent_on"),
                        confirmed_on=details.get("confirmed_on"),
                    )
                )
        self._bulk(ScreenResult, results)
        self._advance("screens", sum(len(e["screens"]) for _, e in self._episodes()))

    def goals_and_worksheets(self):
        goal_ids = {
            (episode_id, ref): goal_id
            for goal_id, episode_id, ref in Goal.objects.filter(episode_id__in=self.old_episodes).values_list(
                "id", "episode_id", "ref"
            )
        }
        new = []
        for _, e in self._episodes():
            episode_id = self.episode_ids[e["ref"]]
            for g in e["goals"]:
                if (episode_id, g["ref"]) in goal_ids:
                    continue
                new.append(
                    Goal(
                        episode_id=episode_id,
                        ref=g["ref"],
                        area=g["area"],
                        statement=g["statement"],
                        objective=g["objective"],
                        target_date=g["target_date"],
                        status=g["status"],
                        set_by_id=self._user(g["set_by"]),
                    )
                )
                new[-1].revises_ref = g["revises"]
        for goal in self._bulk(Goal, new, "goals"):
            goal_ids[(goal.episode_id, goal.ref)] = goal.id
        revised = [g for g in new if g.revises_ref]
        for goal in revised:  # a revision points at the goal it replaced, in the same episode
            goal.revises_id = goal_ids[(goal.episode_id, goal.revises_ref)]
        Goal.objects.bulk_update(revised, ["revises"], batch_size=BATCH)
        existing = set(Worksheet.objects.filter(episode_id__in=self.old_episodes).values_list("episode_id", "week"))
        sheets, ratings_of = [], []
        for _, e in self._episodes():
            episode_id = self.episode_ids[e["ref"]]
            for w in e["worksheets"]:
                if (episode_id, w["week"]) in existing:
                    continue
                sheets.append(
                    Worksheet(
                        episode_id=episode_id,
                        week=w["week"],
                        reflection=w["reflection"],
                        completed_by_id=self._user(w["completed_by"]),
                    )
                )
                ratings_of.append(w)
        ratings = [
            GoalRating(
                worksheet_id=sheet.id,
                goal_id=goal_ids[(sheet.episode_id, ref)],
                rating=value,
                reflection=given["rating_notes"].get(ref, ""),
            )
            for sheet, given in zip(self._bulk(Worksheet, sheets, "worksheets"), ratings_of, strict=True)
            for ref, value in sorted(given["ratings"].items())
        ]
        self._bulk(GoalRating, ratings)
        self._advance("goals", sum(len(e["goals"]) + len(e["worksheets"]) for _, e in self._episodes()))

    def checkins(self):
        self.signers = _Signers(self.episode_ids.values(), self.user_ids.values())
        existing = set(CheckIn.objects.filter(episode_id__in=self.old_episodes).values_list("episode_id", "week"))
        new = []
        for _, e in self._episodes():
            episode_id = self.episode_ids[e["ref"]]
            therapist_id = self.user_ids[e["therapist"]] if e["checkins"] else None
            for c in e["checkins"]:
                if (episode_id, c["week"]) in existing:
                    continue
                fields = {k: v for k, v in c.items() if k not in CHECKIN_OWN_KEYS}
                signer = self._user(c["signed_by"]) or therapist_id  # a /1 file: the episode's therapist
                checkin = CheckIn(
                    episode=self.signers.episodes[episode_id],
                    week=c["week"],
                    author=self.signers.users[self._user(c["author"]) or therapist_id],
                    signed_at=(local(c["signed_at"]) or self.now) if c["signed"] else None,
                    signed_by=self.signers.users[signer] if c["signed"] else None,
                    **fields,
                )
                if checkin.is_signed:
                    checkin.signature_sha256 = integrity.content_sha256(checkin.signed_content())
                    self._digest_agrees(c, checkin.signature_sha256)
                    self._cosignature_set(checkin, c)
                checkin.imported_addenda = c["addenda"]
                new.append(checkin)
        saved = self._bulk(CheckIn, new, "check-ins")
        signatures_record(records=[c for c in saved if c.is_signed])
        self._addenda(Addendum, "checkin", [(c, c.imported_addenda) for c in saved])
        self._advance("check-ins", sum(len(e["checkins"]) for _, e in self._episodes()))

    def level_changes(self):
        existing = set(
            LevelOfCareChange.objects.filter(episode_id__in=self.old_episodes).values_list(
                "episode_id", "level_of_care", "effective_on"
            )
        )
        new = [
            LevelOfCareChange(
                episode_id=self.episode_ids[e["ref"]],
                level_of_care=change["level_of_care"],
                effective_on=change["effective_on"],
                reason=change["reason"],
                changed_by_id=self._user(change["changed_by"]),
            )
            for _, e in self._episodes()
            for change in e["level_changes"] or ()
            if (self.episode_ids[e["ref"]], change["level_of_care"], change["effective_on"]) not in existing
        ]
        self._bulk(LevelOfCareChange, new)

    def decisions(self):
        existing = set(
            Decision.objects.filter(episode_id__in=self.old_episodes).values_list("episode_id", "kind", "decided_on")
        )
        refs = [d["resulting_episode"] for _, e in self._episodes() for d in e["decisions"] if d["resulting_episode"]]
        self.episode_ids.update(Episode.objects.filter(ref__in=refs).values_list("ref", "id"))
        new = [
            Decision(
                episode_id=self.episode_ids[e["ref"]],
                kind=d["kind"],
                decided_on=d["decided_on"],
                decided_by_id=self._user(d["decided_by"]),
                rationale=d["rationale"],
                evidence=d["evidence"],
                is_override=d["is_override"],
                resulting_episode_id=self.episode_ids.get(d["resulting_episode"]),
            )
            for _, e in self._episodes()
            for d in e["decisions"]
            if (self.episode_ids[e["ref"]], d["kind"], d["decided_on"]) not in existing
        ]
        self._bulk(Decision, new, "decisions")


class _Signers:
    """The rows a signature names (episodes, people, sites, tracks), loaded once for a bulk
    signing, so the signed content reads natural keys without one query per record."""

    def __init__(self, episode_ids, user_ids, *, with_places=False):
        self.episodes = Episode.objects.in_bulk(list(episode_ids))
        self.users = get_user_model().objects.in_bulk(list(user_ids))
        if with_places:
            self.sites = Site.objects.in_bulk()
            self.tracks = Track.objects.in_bulk()


COSIGN_FIELDS = ("cosign_supervisor", "cosigned_by", "cosigned_at")
COSIGN_KEYS = ("cosign_supervisor", "cosigned_by", "cosigned_at")
CHECKIN_OWN_KEYS = (
    "week",
    "signed",
    "signed_at",
    "signed_by",
    "signature_sha256",
    "_path",
    "author",
    "addenda",
    *COSIGN_KEYS,
)


def _session_for(candidates, slot, row):
    """The id of the existing session ``row`` belongs to, or None. A slot with a track holds
    one session (a database constraint); a slot without one (individual counseling, say)
    may hold several, told apart by duration and whether they were cancelled."""
    wanted = (row["duration_minutes"], row["status"] == "cancelled")
    match = next((pk for pk, *shape in candidates if tuple(shape) == wanted), None)
    if match is None and candidates and slot.track is not None:
        return candidates[0][0]
    return match


def _span(days):
    days = list(days)
    return (min(days), max(days)) if days else None


def _row_count(episode):
    return sum(len(episode[k]) for k in ("attendance", "screens", "goals", "worksheets", "checkins"))


@transaction.atomic
def records_import(*, doc, source, progress=None, now=None):
    """Write the validated document ``doc``; ``source`` names the file in the history reason.

    Returns the counts created, by ``SUMMARY`` label. ``progress(label, done, total)`` is
    called as the families of rows are written.
    """
    now = now or timezone.now()
    reason = f"imported from {source} at {timezone.localtime(now):%Y-%m-%d %H:%M}"
    return _Writer(doc, reason, now, progress).run()

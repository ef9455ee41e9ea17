"""Demo data for the foundation: sites, tracks, the demo users, clients and episodes.

Every episode gets a *story* (what kind of client it is); the other apps' ``demo`` modules
read it to write an attendance, screening, goals and check-in history that fits.
Deterministic for a given seed; only called by ``seed_demo``.
"""

import datetime as dt
import os
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clients.models import Episode
from clients.services import client_intake
from programs.models import Cadence, Site, Supervision, Track
from programs.roles import CASE_MANAGER, PROGRAM_ADMIN, THERAPIST
from programs.services import site_criteria_ensure

DEFAULT_PASSWORD = "demo-pass-2026"  # nosec B105 # the documented demo password (README), demo data only

# Stories, with how many weeks ago the client was admitted (range) and the episode status.
#   ready_graduate   13–16 weeks, near-perfect attendance, 8+ negative screens, goals achieved,
#                    latest signed check-in recommends graduation
#   ready_step_down  7–11 weeks, ≥ 90 % attendance, ≥ 4 negatives over ≥ 21 days, goals on
#                    track, latest check-in recommends step-down
#   approaching      7–11 weeks, like ready_step_down but the latest check-in says "continue"
#   steady           3–8 weeks, ~90 % attendance, negative screens, "continue"
#   struggling       4–9 weeks, ~60 % attendance, hours short, a missed screen
#   relapsing        4–9 weeks, an unexpected positive in the last 2 weeks, a risk flag
#   new              0–2 weeks, little history yet
#   graduated / stepped_down / discharged: ended episodes (history only)
STORIES = {
    "ready_graduate": (13, 16),
    "ready_step_down": (7, 11),
    "approaching": (7, 11),
    "steady": (3, 8),
    "struggling": (4, 9),
    "relapsing": (4, 9),
    "new": (0, 2),
    "graduated": (20, 30),
    "stepped_down": (18, 28),
    "discharged": (10, 20),
}
# The order stories are handed out in (repeats as needed): every state appears at each site.
STORY_CYCLE = [
    "steady",
    "ready_step_down",
    "struggling",
    "ready_graduate",
    "approaching",
    "relapsing",
    "new",
    "steady",
    "graduated",
    "stepped_down",
    "steady",
    "discharged",
]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Frank",
    "Gina",
    "Hector",
    "Ivy",
    "Jamal",
    "Kara",
    "Luis",
    "Maya",
    "Nate",
    "Olga",
    "Pete",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Xavi",
    "Yara",
    "Zack",
    "Amir",
    "Bea",
    "Cole",
    "Dina",
]
LAST_NAMES = [
    "Diaz",
    "Okafor",
    "Nguyen",
    "Schmidt",
    "Patel",
    "Johnson",
    "Rossi",
    "Kim",
    "Haddad",
    "Brown",
    "Silva",
    "Walker",
    "Cohen",
    "Moreno",
    "Ivanova",
    "Murphy",
    "Tanaka",
    "Lopez",
    "Adams",
    "Novak",
]
SUBSTANCES = ["alcohol", "opioids", "fentanyl", "stimulants", "cocaine", "cannabis", "alcohol", "opioids"]

SITES = [("RIC", "Richmond"), ("NOR", "Norfolk")]
TRACKS = [  # (suffix, name, weekdays, start, end)
    ("AM", "Early morning", ["mon", "tue", "wed", "thu"], dt.time(7, 0), dt.time(10, 0)),
    ("MID", "Midday", ["mon", "wed", "fri"], dt.time(11, 0), dt.time(14, 0)),
    ("EVE", "Evening", ["mon", "tue", "thu"], dt.time(18, 0), dt.time(21, 0)),
]
# Each site's continuing-care (alumni) group: graduates keep attending it, monthly, on an
# outpatient continuing-care episode (dashboard demo). Not one of ``ctx.tracks``: no intake goes to it.
CONTINUING_CARE_TRACK = ("ALU", "Alumni group", ["tue"], 1, dt.time(18, 0), dt.time(19, 30))  # first Tuesday
USERS = [  # username, first, last, role, site codes, superuser
    ("admin", "Alex", "Admin", PROGRAM_ADMIN, ["RIC", "NOR"], True),
    ("therapist", "Terry", "Therapist", THERAPIST, ["RIC"], False),
    ("casemanager", "Casey", "Manager", CASE_MANAGER, ["RIC"], False),
    ("therapist2", "Toni", "Second", THERAPIST, ["NOR"], False),
    ("casemanager2", "Cam", "Second", CASE_MANAGER, ["NOR"], False),
    ("programadmin", "Pat", "Program", PROGRAM_ADMIN, ["RIC"], False),
    ("intern", "Indy", "Intern", THERAPIST, ["RIC"], False),  # needs co-signature by "therapist"
]
SUPERVISIONS = [("intern", "therapist")]  # (clinician, supervisor): programs.Supervision


@dataclass
class DemoEpisode:
    episode: Episode
    story: str


@dataclass
class DemoContext:
    rng: object  # random.Random
    today: dt.date
    weeks: int
    users: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    tracks: list = field(default_factory=list)
    episodes: list = field(default_factory=list)  # [DemoEpisode]
    continuing_care_tracks: dict = field(default_factory=dict)  # site code -> the alumni group
    follow_on: dict = field(default_factory=dict)  # ended episode pk -> the OP episode that followed it

    def active(self):
        return [d for d in self.episodes if d.episode.status == Episode.Status.ACTIVE]


def seed_users_and_sites(ctx):
    """Sites, tracks and demo users: created or brought back to their demo state."""
    password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
    for code, name in SITES:
        ctx.sites[code], _ = Site.objects.get_or_create(code=code, defaults={"name": name})
        site_criteria_ensure(site=ctx.sites[code])
        for suffix, tname, weekdays, start, end in TRACKS:
            track, _ = Track.objects.get_or_create(
                code=f"{code}-{suffix}",
                defaults={
                    "site": ctx.sites[code],
                    "name": tname,
                    "weekdays": weekdays,
                    "start_time": start,
                    "end_time": end,
                },
            )
            ctx.tracks.append(track)
        suffix, tname, weekdays, month_week, start, end = CONTINUING_CARE_TRACK
        ctx.continuing_care_tracks[code], _ = Track.objects.get_or_create(
            code=f"{code}-{suffix}",
            defaults={
                "site": ctx.sites[code],
                "name": tname,
                "weekdays": weekdays,
                "cadence": Cadence.MONTHLY,
                "month_week": month_week,
                "continuing_care": True,
                "start_time": start,
                "end_time": end,
            },
        )
    User = get_user_model()
    for username, first, last, role, site_codes, superuser in USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.is_superuser = superuser
        user.is_staff = superuser or role == PROGRAM_ADMIN
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        user.sites.set([ctx.sites[c] for c in site_codes])
        ctx.users[username] = user
    for clinician, supervisor in SUPERVISIONS:
        Supervision.objects.update_or_create(
            clinician=ctx.users[clinician], defaults={"supervisor": ctx.users[supervisor], "active": True}
        )


def _admitted_on(ctx, story):
    low, high = STORIES[story]
    low, high = min(low, ctx.weeks), min(high, ctx.weeks)
    return ctx.today - dt.timedelta(days=ctx.rng.randint(low * 7, high * 7 + 3))


def seed_clients(ctx, count):
    """``count`` clients, about 70 % at Richmond, each with one episode telling a story."""
    staff = {
        "RIC": (ctx.users["therapist"], ctx.users["casemanager"]),
        "NOR": (ctx.users["therapist2"], ctx.users["casemanager2"]),
    }
    for i in range(count):
        site_code = "RIC" if i % 10 < 7 else "NOR"
        site = ctx.sites[site_code]
        story = STORY_CYCLE[i % len(STORY_CYCLE)]
        tracks = [t for t in ctx.tracks if t.site_id == site.pk]
        therapist, case_manager = staff[site_code]
        admitted_on = _admitted_on(ctx, story)
        client, episode = client_intake(
            client_fields={
                "first_name": FIRST_NAMES[i % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[(i * 7) % len(LAST_NAMES)],
                "date_of_birth": dt.date(1965 + ctx.rng.randint(0, 38), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28)),
                "primary_substance": SUBSTANCES[i % len(SUBSTANCES)],
                "referral_source": ctx.rng.choice(["self", "inpatient", "court", "employer", "provider"]),
                "court_involved": i % 6 == 2,
                "phone": f"555-01{i:02d}",
            },
            episode_fields={
                "site": site,
                "track": tracks[i % len(tracks)],
                "admitted_on": admitted_on,
                "primary_therapist": therapist,
                "case_manager": case_manager,
            },
        )
        if story in ("graduated", "stepped_down", "discharged"):
            episode.status = story
            episode.ended_on = min(ctx.today - dt.timedelta(days=7), admitted_on + dt.timedelta(weeks=12))
            episode.end_reason = {"discharged": "left_against_advice"}.get(story, story)
            episode.save()
        ctx.episodes.append(DemoEpisode(episode, story))


def demo_present():
    return Episode.objects.filter(ref="RIC-0001-1").exists()

"""Demo screens: twice a week over each episode's history, shaped by its story (clients/demo.py).

- most screens negative; clients on opioids often on buprenorphine (a Prescription), so their
  BUP positives are *expected*; one on methadone;
- ``relapsing``: an unexpected positive (lab-confirmed) in the last 2 weeks;
- ``struggling``: a missed or refused screen in the last 2 weeks and a few earlier;
- ``ready_*`` / ``approaching``: long negative streaks (any early slip is > 7 weeks old);
- one presumptive positive overturned by the lab, and one or two results still pending;
- ended episodes: history up to the end (discharged: slipping before the end).

Bulk inserts with history; deterministic through ``ctx.rng`` only.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from screening.models import Analyte, Panel, Prescription, Screen, ScreenResult

SCREEN_WEEKDAYS = (0, 3)  # Monday and Thursday
SUBSTANCE_ANALYTE = {
    "alcohol": "ETG",
    "opioids": "OPI",
    "fentanyl": "OXY",  # the cup has no FEN: the demo slip shows on another opioid
    "stimulants": "mAMP",
    "cocaine": "COC",
    "cannabis": "THC",
    "benzodiazepines": "BZO",
}
OPIOID_SUBSTANCES = ("opioids", "fentanyl")
MEDICATION = {"BUP": "Buprenorphine/naloxone 8/2 mg SL daily", "MTD": "Methadone 80 mg daily"}


def _screen_days(start, end):
    day = start
    while day <= end:
        if day.weekday() in SCREEN_WEEKDAYS:
            yield day
        day += dt.timedelta(days=1)


def _moment(day, rng):
    naive = dt.datetime.combine(day, dt.time(rng.choice([8, 9, 12, 13, 17, 18]), rng.choice([0, 10, 20, 30, 40, 50])))
    return timezone.make_aware(naive)


class _Plan:
    """What one screen will be: outcome, reason, panel, results {code: (result, confirmation)}."""

    def __init__(self, day, panel):
        self.day, self.panel = day, panel
        self.outcome, self.reason = Screen.Outcome.COMPLETED, ""
        self.results = {}
        self.validity = {}


def _slip_code(client, rng):
    return SUBSTANCE_ANALYTE.get(client.primary_substance) or rng.choice(["THC", "COC", "ETG"])


def seed(ctx):
    panels = {p.name: p for p in Panel.objects.prefetch_related("analytes")}
    cup, lab = panels.get("12-panel cup"), panels.get("Lab comprehensive")
    if cup is None:
        return
    lab = lab or cup
    analytes = {a.code: a for a in Analyte.objects.all()}
    panel_codes = {p.pk: {a.code for a in p.analytes.all()} for p in (cup, lab)}
    rng, today = ctx.rng, ctx.today
    collector = {site: ctx.users.get(name) for site, name in (("RIC", "therapist"), ("NOR", "therapist2"))}
    prescriptions, plans_by_episode = [], []
    pending_left = 2
    overturned_left = 1
    opioid_count = 0
    for demo in ctx.episodes:
        episode, story = demo.episode, demo.story
        client = episode.client
        end = min(episode.ended_on or today, today - dt.timedelta(days=1))
        days = list(_screen_days(episode.admitted_on, end))
        if not days:
            continue
        plans = [_Plan(day, lab if rng.random() < 0.2 else cup) for day in days]
        # Medication-assisted treatment: opioid clients are mostly on buprenorphine.
        medicated = None
        if client.primary_substance in OPIOID_SUBSTANCES and rng.random() < 0.75:
            opioid_count += 1
            medicated = "MTD" if opioid_count % 4 == 0 else "BUP"
            prescriptions.append(
                Prescription(
                    client=client,
                    medication=MEDICATION[medicated],
                    analyte=analytes[medicated],
                    start=episode.admitted_on - dt.timedelta(days=rng.randint(3, 60)),
                    prescriber="Dr. R. Alvarez" if medicated == "BUP" else "Eastside OTP",
                    created_by=ctx.users.get("casemanager"),
                )
            )
        for plan in plans:
            if medicated and rng.random() < 0.85:  # adherent patients are sometimes negative for BUP
                plan.results[medicated] = ("positive", "not_sent")
        _story_events(story, plans, client, today, rng, lab)
        target = plans[-pending_left] if pending_left and len(plans) > 2 else None
        if target and story in ("steady", "struggling") and target.outcome == Screen.Outcome.COMPLETED:
            target.results["THC"] = ("positive", "pending")  # THC is on both panels
            pending_left -= 1
        if overturned_left and story == "approaching" and len(plans) > 6:
            plans[-4].results["OXY"] = ("positive", "confirmed_negative")
            overturned_left -= 1
        plans_by_episode.append((episode, plans))

    bulk_create_with_history(prescriptions, Prescription, batch_size=500)
    screens, owners = [], []
    for episode, plans in plans_by_episode:
        for plan in plans:
            screens.append(
                Screen(
                    episode=episode,
                    collected_at=_moment(plan.day, rng),
                    collected_by=collector.get(episode.site.code),
                    observed=rng.random() < 0.7,
                    method=Screen.Method.LAB if plan.panel == lab and lab != cup else Screen.Method.POC,
                    panel=plan.panel if plan.outcome == Screen.Outcome.COMPLETED else None,
                    outcome=plan.outcome,
                    reason=plan.reason,
                    temperature_in_range=True if plan.outcome == Screen.Outcome.COMPLETED else None,
                    **plan.validity,
                )
            )
            owners.append(plan)
    screens = bulk_create_with_history(screens, Screen, batch_size=500)
    results = []
    for screen, plan in zip(screens, owners, strict=True):
        if screen.panel_id is None:
            continue
        for code in sorted(panel_codes[plan.panel.pk]):
            result, confirmation = plan.results.get(code, ("negative", "not_sent"))
            sent = confirmation != "not_sent"
            results.append(
                ScreenResult(
                    screen=screen,
                    analyte=analytes[code],
                    result=result,
                    confirmation=confirmation,
                    confirmation_sent_on=plan.day if sent else None,
                    confirmed_on=plan.day + dt.timedelta(days=4) if confirmation.startswith("confirmed") else None,
                )
            )
    bulk_create_with_history(results, ScreenResult, batch_size=1000)


def _recent(plans, today, within_days):
    return [p for p in plans if (today - p.day).days <= within_days]


def _story_events(story, plans, client, today, rng, lab):
    code = _slip_code(client, rng)

    def slip(plan, confirmation="not_sent"):
        if code not in {a.code for a in plan.panel.analytes.all()}:
            plan.panel = lab  # e.g. ETG (alcohol) is on the lab panel, not on the cup
        plan.results[code] = ("positive", confirmation)

    def no_show(plan):
        plan.results = {}
        if rng.random() < 0.5:
            plan.outcome, plan.reason = Screen.Outcome.MISSED, "Did not attend the screening appointment"
        else:
            plan.outcome, plan.reason = Screen.Outcome.REFUSED, "Declined to provide a specimen"

    early = [p for p in plans[:4] if (today - p.day).days > 50]
    if story in ("ready_graduate", "ready_step_down", "approaching", "steady", "graduated", "stepped_down"):
        if early and rng.random() < 0.5:
            slip(early[0], "confirmed_positive")
    elif story == "struggling":
        recent = _recent(plans, today, 13)
        no_show(recent[-1] if recent else plans[-1])
        for plan in plans[:-2]:
            if rng.random() < 0.15:
                no_show(plan)
        if len(plans) > 4 and rng.random() < 0.5:
            slip(plans[1])
        if len(plans) > 6 and rng.random() < 0.5:  # a dilute specimen
            plans[-5].validity = {"creatinine_mg_dl": Decimal("12"), "specific_gravity": Decimal("1.0020")}
    elif story == "relapsing":
        recent = _recent(plans, today, 13)
        target = recent[len(recent) // 2] if recent else plans[-1]
        slip(target, "confirmed_positive")
        if len(plans) > 5:
            slip(plans[2])
    elif story == "discharged":
        for plan in plans[-5:]:
            if rng.random() < 0.5:
                slip(plan)
            elif rng.random() < 0.5:
                no_show(plan)

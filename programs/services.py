"""Program set-up: each site's criteria per level of care, and the one lookup every caller uses.

``criteria_for(site, level)`` / ``criteria_for_many(pairs)`` return the row of that site and
level, or an unsaved row holding the level's defaults when the site has none (so a caller never
special-cases a missing row); ``default_weekly_hours(site, level)`` is the required hours a new
episode of that level starts with (intake, step-down, step-up, a continuing-care episode).
"""

from django.db import transaction

from programs.models import LEVEL_DEFAULTS, Criteria, LevelOfCare


def _site_id(site):
    return site if isinstance(site, int) else site.pk


def criteria_defaults(level) -> dict:
    """The field values of a level's default row (LEVEL_DEFAULTS over the field defaults)."""
    return dict(LEVEL_DEFAULTS.get(LevelOfCare(level), {}))


def criteria_unsaved(site_id, level) -> Criteria:
    """An unsaved row with the level's defaults (what a site without a row is judged by)."""
    return Criteria(site_id=site_id, level_of_care=level, **criteria_defaults(level))


def criteria_for_many(pairs) -> dict:
    """{(site id, level): Criteria} for every (site or site id, level) pair, in one query (none
    for an empty list); a pair without a row gets the level's defaults (unsaved)."""
    wanted = {(_site_id(site), str(level)) for site, level in pairs}
    if not wanted:
        return {}
    rows = {
        (c.site_id, c.level_of_care): c
        for c in Criteria.objects.filter(
            site_id__in={s for s, _ in wanted}, level_of_care__in={lv for _, lv in wanted}
        ).order_by()
    }
    return {key: rows.get(key) or criteria_unsaved(*key) for key in wanted}


def criteria_for(site, level) -> Criteria:
    """The criteria of ``level`` at ``site`` (a Site or its id): one query."""
    key = (_site_id(site), str(level))
    return criteria_for_many([key])[key]


def default_weekly_hours(site, level):
    """The required weekly hours a new episode of ``level`` at ``site`` starts with (Decimal)."""
    return criteria_for(site, level).weekly_hours


@transaction.atomic
def site_criteria_ensure(*, site):
    """The site's Criteria rows, one per level of care, created with each level's defaults
    (DOMAIN.md) where missing: a new site shows the thresholds in force in the admin, ready to
    be changed for that site. Returns {level: Criteria}."""
    rows = {c.level_of_care: c for c in Criteria.objects.filter(site=site)}
    for level in LevelOfCare.values:
        if level not in rows:
            rows[level], _ = Criteria.objects.get_or_create(
                site=site, level_of_care=level, defaults=criteria_defaults(level)
            )
    return rows

"""Program set-up writes."""

from django.db import transaction

from programs.models import Criteria


@transaction.atomic
def site_criteria_ensure(*, site):
    """The site's Criteria row, created with the defaults (DOMAIN.md) when the site has none: a
    new site shows the thresholds in force in the admin, ready to be changed for that site."""
    criteria, _ = Criteria.objects.get_or_create(site=site)
    return criteria

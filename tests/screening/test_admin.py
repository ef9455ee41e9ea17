"""Screen results are read-only in the admin (issue 12 #3): confirmed from the pending-labs
page, corrected by marking the screen entered in error."""

from django.urls import reverse

from screening.models import ScreenResult
from tests.admin_helpers import form_data
from tests.factories import ScreenResultFactory


def test_screen_results_do_not_change_inline(as_admin, episode1):
    result = ScreenResultFactory(screen__episode=episode1, result=ScreenResult.Result.NEGATIVE)
    url = reverse("admin:screening_screen_change", args=[result.screen_id])
    page = as_admin.get(url)
    data = form_data(page)
    data.update({"results-0-id": str(result.pk), "results-0-result": "positive", "results-0-level_ng_ml": "900"})

    response = as_admin.post(url, data)

    assert 'name="results-0-result"' not in page.content.decode()  # shown, not editable
    assert response.status_code == 302  # the screen itself saved, its results untouched
    result.refresh_from_db()
    assert (result.result, result.level_ng_ml) == ("negative", None)
    assert ScreenResult.objects.count() == 1


def test_no_result_is_added_to_a_screen_in_the_admin(as_admin, episode1, analytes):
    result = ScreenResultFactory(screen__episode=episode1)
    url = reverse("admin:screening_screen_change", args=[result.screen_id])
    data = form_data(as_admin.get(url))
    data.update(
        {
            "results-TOTAL_FORMS": "2",
            "results-1-analyte": str(analytes["COC"].pk),
            "results-1-result": "positive",
            "results-1-confirmation": "not_sent",
        }
    )

    as_admin.post(url, data)

    assert ScreenResult.objects.filter(screen=result.screen).count() == 1

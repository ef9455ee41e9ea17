"""``__any_of`` (iop/lookups.py): the rows ``__in`` gives, with the ids as one array parameter
on PostgreSQL (a full markers refresh passes a thousand episode ids to each fact query)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client, Episode
from tests.factories import EpisodeFactory


def test_any_of_finds_the_rows_in_finds_on_a_plain_and_a_foreign_key_column(site1, track1):
    episodes = [EpisodeFactory(site=site1, track=track1) for _ in range(4)]
    wanted = [episodes[0].pk, episodes[2].pk, episodes[3].pk]
    clients = {episodes[1].client_id, episodes[3].client_id}

    assert sorted(Episode.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)) == wanted
    assert set(Episode.objects.filter(client_id__any_of=clients)) == set(Episode.objects.filter(client_id__in=clients))
    assert set(Episode.objects.filter(client__any_of=clients)) == {episodes[1], episodes[3]}
    assert not Episode.objects.filter(pk__any_of=[]).exists()
    assert Client.objects.filter(pk__any_of=[episodes[0].client_id, None]).count() == 1


def test_on_postgresql_the_ids_are_one_parameter(site1, track1):
    episodes = [EpisodeFactory(site=site1, track=track1) for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        assert Episode.objects.filter(pk__any_of=[e.pk for e in episodes]).count() == 3
    sql = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql

"""``client_ids__lists=<id>``: the JSON list of ids holds this id, on SQLite and PostgreSQL.

Django's ``contains`` lookup on a JSONField is not supported on SQLite, and the tests run on
both databases; this lookup is one line of SQL per backend.
"""

import json

from django.db.models import Lookup


class ListsId(Lookup):
    lookup_name = "lists"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [int(value)]

    def as_sql(self, compiler, connection):  # SQLite's JSON1 (and any backend with json_each)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})", (*lhs_params, *rhs_params)  # nosec B608 # ORM-compiled SQL; values are parameters

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", (*lhs_params, json.dumps([int(self.rhs)]))


class ListsAny(Lookup):
    """``client_ids__lists_any=<queryset of ids>``: the JSON list holds at least one of them."""

    lookup_name = "lists_any"

    def as_sql(self, compiler, connection):  # SQLite's JSON1
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value IN {rhs})", (*lhs_params, *rhs_params)  # nosec B608 # ORM-compiled SQL; values are parameters

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"EXISTS (SELECT 1 FROM jsonb_array_elements({lhs}) AS listed(id) WHERE (listed.id)::bigint IN {rhs})"  # nosec B608 # ORM-compiled SQL; values are parameters
        return sql, (*lhs_params, *rhs_params)

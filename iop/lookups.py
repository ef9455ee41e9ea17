"""``field__any_of=ids``: the same rows as ``field__in=ids``, for long lists of ids.

On PostgreSQL it is ``field = ANY(%s::type[])`` with the ids as ONE array parameter; ``__in``
sends one parameter per id, which Django prepares and psycopg binds one by one (for the
thousand episodes of a full markers refresh, more time than the queries themselves). Other
databases get ``__in``'s SQL."""

from django.db.models import Field, ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _AnyOf:
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value() and self.rhs:
            lhs, lhs_params = self.process_lhs(compiler, connection)
            field = self.lhs.output_field
            values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
            return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", (*lhs_params, values)
        return self.as_sql(compiler, connection)


@Field.register_lookup
class AnyOf(_AnyOf, In):
    pass


@ForeignObject.register_lookup
class RelatedAnyOf(_AnyOf, RelatedIn):
    pass

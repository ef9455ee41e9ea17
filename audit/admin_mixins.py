"""Admin pages that show a client's data write an access event, like the app's own pages.

Add ``ClientAccessAdminMixin`` first in an admin class's bases. It logs, one event per page:
the change form, the history list and a past version (django-simple-history) as "view"
events, and the changelist as a "list" event, each with the ids of the clients shown in
``client_ids`` (one query for the ids, one INSERT). ``client_path`` is the lookup from the
model to its client; left unset it is found: the Client itself, a ``client`` field, or an
``episode`` field's client.
"""

from django.contrib.admin.views.main import ChangeList

from audit.models import AccessEvent
from audit.services import access_event_record


class ClientAccessAdminMixin:
    client_path = None  # e.g. "attendance__episode__client"; None = derived from the model

    def client_lookup(self):
        if self.client_path:
            return self.client_path
        opts = self.model._meta
        if opts.label_lower == "clients.client":
            return "pk"
        fields = {f.name for f in opts.get_fields()}
        return "client" if "client" in fields else "episode__client"

    def client_ids_of(self, pks):
        """The ids of the clients that the rows ``pks`` belong to (one query)."""
        lookup = self.client_lookup()
        if lookup == "pk":
            return list(pks)
        found = self.model._default_manager.filter(pk__in=list(pks)).values_list(lookup, flat=True)
        return [pk for pk in found if pk is not None]

    def _client_access_record(self, request, pks, action):
        access_event_record(request=request, client=None, action=action, client_ids=self.client_ids_of(pks))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            self._client_access_record(request, [obj.pk], AccessEvent.Action.VIEW)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def render_history_view(self, request, template, context, **kwargs):
        obj = context.get("object") or context.get("original")
        if obj is not None:
            self._client_access_record(request, [obj.pk], AccessEvent.Action.VIEW)
        return super().render_history_view(request, template, context, **kwargs)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if isinstance(changelist, ChangeList):
            self._client_access_record(request, [o.pk for o in changelist.result_list], AccessEvent.Action.LIST)
        return response

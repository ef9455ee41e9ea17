"""The admin's side of the markers snapshot: an edit saved in the admin marks the episodes whose
marker inputs it changed, as every write service does (``clients.services.
episodes_inputs_changed``), so the caseload never shows a snapshot of the row as it was."""

from clients.services import episodes_inputs_changed


class MarkerInputsAdminMixin:
    """For the admin of a marker input (a screen, an attendance row, an episode…). After the row
    and its inlines are saved (the change form, or a row of the list's editable columns), in the
    admin's transaction, the episodes it belongs to are marked changed: the one it belongs to now
    and, when the edit moved it, the one it belonged to before.

    ``marker_input_field``: the row's foreign key to its episode, or ``"client"`` (every episode
    of the client: a prescription). Override ``marker_inputs`` for a row that reaches its
    episodes another way (a session, through its roster)."""

    marker_input_field = "episode"

    def marker_inputs(self, obj, form):
        """``episodes_inputs_changed``'s keywords for the row ``obj`` saved by ``form``."""
        field = self.marker_input_field
        ids = {getattr(obj, f"{field}_id"), form.initial.get(field)} - {None}
        return {f"{field}_ids": ids}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # the change form, a list row, a revert
        episodes_inputs_changed(**self.marker_inputs(obj, form))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if formsets:  # inline rows may belong to other episodes (a session's roster)
            episodes_inputs_changed(**self.marker_inputs(form.instance, form))

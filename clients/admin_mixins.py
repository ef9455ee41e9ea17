"""The admin's side of the markers snapshot: an edit saved in the admin marks the episodes whose
marker inputs it changed, as every write service does (``clients.services.
episodes_inputs_changed``), so the caseload never shows a snapshot of the row as it was."""

from clients.services import episodes_inputs_changed


class MarkerInputsAdminMixin:
    """For the admin of a marker input (a screen, an attendance row, an episode…). When the row is
    saved (the change form, a row of the list's editable columns, a revert to an earlier version
    from its history page), the episodes it belongs to are marked changed in the admin's
    transaction: the one it belongs to now and, when the edit moved it, the one it belonged to
    before. Its inline rows are saved in the same transaction, so they are covered when they
    belong to the same episodes (a worksheet's ratings); an admin whose inlines can add rows of
    other episodes marks those after them (``SessionAdmin.save_related``: a roster).

    ``marker_input_field``: the row's foreign key to its episode, or ``"client"`` (every episode
    of the client: a prescription). Override ``marker_inputs`` for a row that reaches its
    episodes another way (a goal rating, through its worksheet)."""

    marker_input_field = "episode"

    def marker_inputs(self, obj, form):
        """``episodes_inputs_changed``'s keywords for the row ``obj`` saved by ``form``."""
        field = self.marker_input_field
        ids = {getattr(obj, f"{field}_id"), form.initial.get(field)} - {None}
        return {f"{field}_ids": ids}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        episodes_inputs_changed(**self.marker_inputs(obj, form))

"""Exceptions every app's services share."""

from django.core.exceptions import ValidationError


class StaleEdit(ValidationError):
    """The record changed since the form was opened (optimistic lock on its ``version``):
    nothing was saved. ``current`` is the record as it is now, when the service has it."""

    def __init__(self, message, *, current=None):
        super().__init__(message, code="stale")
        self.current = current

"""Form pieces shared by every app: the date widget, the staff picker and how a service's
ValidationError is shown on the form(s) it came from."""

from django import forms
from django.forms.models import ModelChoiceIterator


class DateInput(forms.DateInput):
    """An ``<input type="date">`` (ISO value, as browsers expect)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def person_label(user):
    """How a staff member is named in pickers and tables: full name, else username."""
    return (user.get_full_name() or user.username) if user else ""


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices read by one ordinary query. Django's iterator reads them with
    ``queryset.iterator()``, which on PostgreSQL opens a server-side cursor: DECLARE, FETCH and
    CLOSE, three round trips for a select of a dozen names."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        # From the rows read (and kept) for the options, not a COUNT query of its own: a
        # template's {% for %} asks for the length first.
        return len(self.queryset) + (self.field.empty_label is not None)

    def __bool__(self):
        return len(self) > 0


class ListedModelChoiceField(forms.ModelChoiceField):
    """A model choice whose options are read in one query (ListedChoiceIterator)."""

    iterator = ListedChoiceIterator


class StaffChoiceField(ListedModelChoiceField):
    """A choice of staff member, shown by name; the caller sets the queryset (e.g. by site)."""

    def label_from_instance(self, obj):
        return person_label(obj)


def add_service_errors(error, *forms):
    """Show a service's ValidationError on the form that has the field (else the last form's
    non-field errors)."""
    if not hasattr(error, "error_dict"):
        forms[-1].add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form = next((f for f in forms if field in f.fields), forms[-1])
        form.add_error(field if field in form.fields else None, errors)

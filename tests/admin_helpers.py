"""Helpers for admin tests: post an admin change form back as the page shows it."""

from django.forms import MultiWidget


def _posted(value):
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def form_data(response):
    """The POST data of the admin form (and inline formsets) on ``response``'s page, with
    every field at the value the page shows."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            widget = bound.field.widget
            if isinstance(widget, MultiWidget):
                parts = value if isinstance(value, list) else widget.decompress(value)
                for index, part in enumerate(parts):
                    if part is not None:
                        data[f"{bound.html_name}_{index}"] = str(part)
                continue
            posted = _posted(value)
            if posted is not None:
                data[bound.html_name] = posted
    return data

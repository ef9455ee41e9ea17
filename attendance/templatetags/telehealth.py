from django import template

register = template.Library()


@register.filter
def modality_of(by_key, key):
    """``{{ week_modalities|modality_of:w.week }}``: the hours by modality of one week."""
    return by_key.get(key) if by_key else None

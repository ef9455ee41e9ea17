from django import template
from django.utils.html import format_html

from iop.submissions import FIELD, submission_key_new

register = template.Library()


@register.simple_tag
def submission_key():
    """The hidden one-time key of a create form: a new one each time the form is rendered."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, submission_key_new())

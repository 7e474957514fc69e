"""Template helpers for portal pages: notification texts, JSON display, role labels, money.

Apps' libraries register `yuan` from here under the same name, so `{% load books %}` (or
financing, vouchers_tags) keeps `|yuan` working and every page shows money the same way."""

import json

from django import template
from django.utils.translation import gettext_lazy as _

from ..models import Role
from ..money import fen_to_yuan
from ..notifications import render as render_notification

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Integer fen as yuan with two decimals and thousands separators; blank for no amount."""
    try:
        return fen_to_yuan(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def notification_text(notification) -> str:
    """The notification in the reader's (active) language."""
    return render_notification(notification.message_id, notification.params)


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@register.filter
def role_label(value) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value or ""


@register.filter
def field_type(bound_field) -> str:
    """The widget's input type (or class name), for styling checkbox rows differently."""
    widget = bound_field.field.widget
    if getattr(widget, "allow_multiple_selected", False):
        return "multiple"  # a list of checkboxes is a field with its label above, not a checkbox row
    return getattr(widget, "input_type", None) or widget.__class__.__name__.lower()


@register.simple_tag
def acting_memberships(actor):
    """The actor's active memberships (for the organisation switcher); empty when signed out."""
    from ..selectors import memberships_of_user

    if actor is None or actor.user is None:
        return []
    return list(memberships_of_user(actor=actor))


@register.simple_tag(takes_context=True)
def nav_items(context):
    from ..nav import items_for

    return items_for(context.get("actor"))


@register.simple_tag(takes_context=True)
def nav_menu(context):
    """The header's groups (at most nav.MAX_GROUPS), each with its items; the current page's group marked."""
    from ..nav import groups_for

    request = context.get("request")
    return groups_for(context.get("actor"), request.path if request is not None else "")


# settings.PORTAL_TITLE is gettext_lazy("InnoReform"); its Chinese lives in the core catalogue.
PRODUCT_NAME = _("InnoReform")

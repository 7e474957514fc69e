"""Portal forms: they parse and validate input shape only; rules live in services."""

import json
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import policies_registry, selectors
from .errors import DomainError, ValidationFailed
from .models import JobStatus, OrgKind, Outcome, PolicyStatus
from .regions import Region

EMPTY = [("", _("All"))]


class DateInput(forms.DateInput):
    """A browser date picker: it takes only ISO dates, whatever format the page's language uses."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class YuanField(forms.DecimalField):
    """A yuan amount typed by a person (two decimals), cleaned to integer fen."""

    def __init__(self, *, min_value=Decimal("0.01"), max_digits=15, **kwargs):
        super().__init__(min_value=min_value, max_digits=max_digits, decimal_places=2, **kwargs)

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)


class PercentField(forms.DecimalField):
    """A rate typed as a person reads it, in percent ("3.85"), cleaned to the ratio the services
    keep (Decimal("0.0385")). Bounds are given in percent too."""

    def __init__(self, *, max_digits=9, decimal_places=4, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else percent / 100


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=4096, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), strip=False, max_length=4096,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("New password"), strip=False, max_length=4096,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password_again = forms.CharField(label=_("New password again"), strip=False, max_length=4096,
                                         widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=EMPTY + list(OrgKind.choices), required=False)
    region = forms.ChoiceField(label=_("Region"), choices=EMPTY + list(Region.choices), required=False)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=EMPTY + list(Outcome.choices), required=False)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, required=False,
                                          empty_label=_("All"))
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("To"), required=False, widget=DateInput)
    q = forms.CharField(label=_("Actor, object id or request id"), required=False, max_length=100)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.organisation_list(actor=actor)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date must not be before the start date."))
        return data


def _policy_key_choices():
    return [(d.key, f"{d.key} — {d.title}") for d in policies_registry.all_definitions()]


class PolicyFilterForm(forms.Form):
    key = forms.ChoiceField(label=_("Policy"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=EMPTY + list(PolicyStatus.choices), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = EMPTY + _policy_key_choices()


class PolicyProposeForm(forms.Form):
    key = forms.ChoiceField(label=_("Policy"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    parameters = forms.CharField(
        label=_("Parameters (JSON)"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
        help_text=_("A JSON object; it is checked against the policy's schema."),
    )
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)
    effective_to = forms.DateField(label=_("Effective to"), required=False, widget=DateInput,
                                   help_text=_("Leave empty for no end date."))
    source = forms.CharField(label=_("Source"), max_length=300, required=False,
                             help_text=_("The document or decision this version follows."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = _policy_key_choices()

    def clean_parameters(self):
        raw = self.cleaned_data["parameters"]
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give a JSON object, like {\"ratio\": \"0.5\"}."))
        return value


class NoFilters(forms.Form):
    """For list pages without filters (paging and export only)."""


class NotificationFilterForm(forms.Form):
    unread = forms.BooleanField(label=_("Unread only"), required=False)


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=EMPTY + list(JobStatus.choices), required=False)


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(label=_("Key name"), max_length=100,
                           help_text=_("Say which system uses it, for example \"loan system production\"."))


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error on the form: field details next to their fields, the rest on top.

    Detail keys like "parameters.ratio" go to the field "parameters" with the sub-path named."""
    if isinstance(exc, ValidationFailed) and exc.details:
        for key, messages in exc.details.items():
            field, _sep, sub = str(key).partition(".")
            target = field if field in form.fields else None
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                text = f"{sub}: {message}" if sub and target else str(message)
                if target is None and key:
                    text = f"{key}: {message}"
                form.add_error(target, text)
        return
    form.add_error(None, str(exc.message))

"""Filter forms of the books pages (input shape only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from innoreform.core.forms import EMPTY, DateInput

from .models import AccountPurpose


class AccountFilterForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=EMPTY + list(AccountPurpose.choices), required=False)
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)


class StatementFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class TrialBalanceFilterForm(forms.Form):
    as_of = forms.DateField(label=_("As of (end of day)"), required=False, widget=DateInput)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=EMPTY + list(AccountPurpose.choices), required=False)

"""Page forms: parse input, then the views call services (which validate again)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import models as m


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=15, decimal_places=2, min_value=0.01, **kwargs)

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)


class NeedForm(forms.Form):
    amount = YuanField(label=_("Amount (yuan)"))
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=360)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=m.Purpose.choices)
    purpose_detail = forms.CharField(label=_("Purpose in detail"), max_length=500, required=False)
    collateral = forms.MultipleChoiceField(label=_("Collateral you can offer"), choices=m.Collateral.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=m.Urgency.choices, initial="normal")
    preferred_kinds = forms.MultipleChoiceField(label=_("Kinds of financing you want"),
                                                choices=m.ProductKind.choices, required=False,
                                                widget=forms.CheckboxSelectMultiple)


class ApplyForm(forms.Form):
    product_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    categories = forms.MultipleChoiceField(label=_("Data the institution may read"), choices=(),
                                           widget=forms.CheckboxSelectMultiple)
    valid_until = forms.DateField(label=_("Authorisation valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    notice_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        from innoreform.registry.models import DataCategory

        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = DataCategory.choices
        self.fields["categories"].initial = ["basic", "indicators", "qualifications", "ip", "evaluation",
                                             "innovation_index"]
        self.fields["valid_until"].initial = timezone.localdate() + timedelta(days=90)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Approve")), ("no", _("Decline"))])
    amount = YuanField(label=_("Approved amount (yuan)"), required=False)
    annual_rate = forms.DecimalField(label=_("Annual rate (0.0385 = 3.85 %)"), max_digits=9, decimal_places=6,
                                     min_value=0, max_value=0.36, required=False)
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=360, required=False)
    reason = forms.CharField(label=_("Reason for declining"), max_length=500, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Loan file (.xlsx or .csv)"))


class LoanFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *m.LoanStatus.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *m.LoanKind.choices], required=False)

"""Page forms: parse input; the services validate again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from innoreform.core.forms import DateInput, YuanField
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.regions import Region

from .models import ClaimStatus, Level, Mode


def _institutions():
    return Organisation.objects.filter(kind__in=[OrgKind.BANK, OrgKind.GUARANTOR, OrgKind.INVESTOR],
                                       is_active=True).order_by("name")


class PoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    region = forms.ChoiceField(label=_("City"), choices=[("", "—"), *Region.choices], required=False)
    district = forms.CharField(label=_("District"), max_length=64, required=False)
    leverage_target = forms.DecimalField(label=_("Leverage target"), min_value=1, max_value=100, initial=10,
                                         decimal_places=2)
    institutions = forms.ModelMultipleChoiceField(label=_("Covered institutions"), queryset=Organisation.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institutions"].queryset = _institutions()


class CoverageForm(forms.Form):
    leverage_target = forms.DecimalField(label=_("Leverage target"), min_value=1, max_value=100, decimal_places=2)
    institutions = forms.ModelMultipleChoiceField(label=_("Covered institutions"), queryset=Organisation.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institutions"].queryset = _institutions()


class ContributionForm(forms.Form):
    amount = YuanField(label=pgettext_lazy("pools", "Amount (yuan)"))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput(),
                                  initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReverseForm(forms.Form):
    contribution_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ClaimForm(forms.Form):
    loan = forms.TypedChoiceField(label=_("Defaulted loan"), coerce=int, choices=())
    mode = forms.ChoiceField(label=_("Mode"), choices=[(m.value, m.label) for m in (Mode.BANK_LOSS,
                                                                                   Mode.GUARANTOR_PAYOUT)],
                             initial=Mode.BANK_LOSS)
    loss = YuanField(label=_("Amount paid out as guarantor (yuan)"), required=False,
                     help_text=_("Guarantor mode only. In bank-loss mode the unrecovered exposure is claimed."))
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                required=False)
    document_title = forms.CharField(label=_("Document title"), max_length=200, required=False)
    document = forms.FileField(label=_("Document (judgment, collection record…)"), required=False)

    def __init__(self, *args, loans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loan"].choices = [(loan.pk, f"{loan.contract_no} · {loan.borrower_name}") for loan in loans]


class InvestorClaimForm(forms.Form):
    """投贷联动: an investor claims for its principal loss on a stake whose linked loan defaulted."""

    stake = forms.TypedChoiceField(label=_("Equity stake"), coerce=int, choices=())
    loss = YuanField(label=_("Principal loss (yuan)"),
                     help_text=_("At most the amount invested: what was invested less what the stake still returns."))
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                required=False)
    document_title = forms.CharField(label=_("Document title"), max_length=200, required=False)
    document = forms.FileField(label=_("Document (valuation, liquidation record…)"), required=False)

    def __init__(self, *args, stakes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stake"].choices = [
            (s.pk, f"{s.enterprise_name} · {s.loan.contract_no} · {s.amount_fen / 100:,.2f}") for s in stakes]


class StakeRecoveryForm(forms.Form):
    amount = YuanField(label=_("Amount recovered (yuan)"))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput(),
                                  initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class KeyListForm(forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    list_name = forms.CharField(label=_("List"), max_length=200)


class LossRatioForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Organisation.objects.none())
    percent = forms.DecimalField(label=_("Loss ratio (%)"), min_value=0, max_value=100, decimal_places=4)
    as_of = forms.DateField(label=_("As of"), widget=DateInput(),
                            initial=timezone.localdate)
    source = forms.CharField(label=_("Source"), max_length=200, required=False,
                             help_text=_("Where the figure comes from, e.g. the bank's regulatory report."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = _institutions()


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))


class ReviewForm(forms.Form):
    recommend = forms.TypedChoiceField(label=_("Recommendation"), coerce=lambda v: v == "yes",
                                       choices=[("yes", _("Approve")), ("no", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Approve and pay")), ("no", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *ClaimStatus.choices], required=False)

"""Page forms: parse input, then the views call services (which validate again)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from innoreform.core.forms import DateInput, PercentField, YuanField
from innoreform.core.regions import Region

from . import models as m


class NeedForm(forms.Form):
    amount = YuanField(label=pgettext_lazy("financing", "Amount (yuan)"))
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
    valid_until = forms.DateField(label=_("Authorisation valid until"), widget=DateInput())
    notice_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        from innoreform.registry.schemas import DataCategory

        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = DataCategory.choices
        self.fields["categories"].initial = ["basic", "indicators", "qualifications", "ip", "evaluation",
                                             "innovation_index"]
        self.fields["valid_until"].initial = timezone.localdate() + timedelta(days=90)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Approve")), ("no", pgettext_lazy("financing", "Decline"))])
    amount = YuanField(label=_("Approved amount (yuan)"), required=False)
    annual_rate = PercentField(label=_("Annual rate (%)"), min_value=0, max_value=36, required=False)
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=360, required=False)
    reason = forms.CharField(label=_("Reason for declining"), max_length=500, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Loan file (.xlsx or .csv)"))


class LoanFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *m.LoanStatus.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *m.LoanKind.choices], required=False)


# --- the lender's loan actions (loan page) ------------------------------------------------------------------


def _date(label):
    return forms.DateField(label=label, widget=DateInput(),
                           initial=timezone.localdate)


class ContractForm(forms.Form):
    contract_no = forms.CharField(label=_("Contract number"), max_length=64)
    contract_on = _date(_("Contract date"))
    method = forms.ChoiceField(label=_("Repayment method"), choices=m.Method.choices)
    period_months = forms.TypedChoiceField(label=_("Months per instalment"), coerce=int, initial=1,
                                           choices=[(1, "1"), (3, "3"), (6, "6"), (12, "12")])
    programme_id = forms.TypedChoiceField(label=_("Collective credit programme"), coerce=int, required=False,
                                          empty_value=None, choices=())

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme_id"].choices = [("", "—"), *((p.pk, f"{p.code} {p.name}") for p in programmes)]


class DisburseForm(forms.Form):
    disbursed_on = _date(_("Disbursed on"))
    amount = YuanField(label=_("Tranche amount (yuan); empty = everything not yet drawn"), required=False)


class RepayForm(forms.Form):
    amount = YuanField(label=_("Amount received (yuan)"))
    paid_on = _date(_("Paid on"))


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=m.Category.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DefaultForm(forms.Form):
    on = _date(_("Default on"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class RecoveryForm(forms.Form):
    amount = YuanField(label=_("Amount recovered (yuan)"))
    received_on = _date(_("Received on"))
    source = forms.ChoiceField(label=pgettext_lazy("financing", "Source"), choices=m.RecoverySource.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RefreshForm(forms.Form):
    on = _date(_("Days overdue as of"))


# --- collective credit programmes (department) -------------------------------------------------------------


class ProgrammeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    guarantor_id = forms.TypedChoiceField(label=_("Guarantor"), coerce=int, required=False, empty_value=None)
    insurer_id = forms.TypedChoiceField(label=_("Insurer"), coerce=int, required=False, empty_value=None)
    share_bank = forms.DecimalField(label=_("Loss share: bank (%)"), min_value=0, max_value=100, decimal_places=2)
    share_guarantor = forms.DecimalField(label=_("Loss share: guarantor (%)"), min_value=0, max_value=100,
                                         decimal_places=2)
    share_insurer = forms.DecimalField(label=_("Loss share: insurer (%)"), min_value=0, max_value=100,
                                       decimal_places=2)
    share_public = forms.DecimalField(label=_("Loss share: public money (%)"), min_value=0, max_value=100,
                                      decimal_places=2)
    # The selection rules, as the common conditions (rules.FIELDS); left empty, a condition is not used.
    regions = forms.MultipleChoiceField(label=_("Rule: cities"), choices=Region.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    industries = forms.CharField(label=_("Rule: industry code prefixes (GB/T 4754, comma separated)"),
                                 max_length=300, required=False)
    qualifications = forms.MultipleChoiceField(label=_("Rule: at least one of these qualifications"), choices=(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    tech_sme = forms.BooleanField(label=_("Rule: listed tech SME"), required=False)
    min_innovation_index = forms.DecimalField(label=_("Rule: minimum innovation index"), min_value=0,
                                              max_value=1000, decimal_places=2, required=False)
    min_credit_score = forms.DecimalField(label=_("Rule: minimum credit score"), min_value=0, max_value=1000,
                                          decimal_places=2, required=False)
    not_dishonest = forms.BooleanField(label=_("Rule: not on the dishonest-debtor list"), required=False,
                                       initial=True)

    def __init__(self, *args, guarantors=(), insurers=(), shares=None, **kwargs):
        from innoreform.registry.schemas import QualificationKind

        super().__init__(*args, **kwargs)
        self.fields["guarantor_id"].choices = [("", "—"), *((o.pk, o.name) for o in guarantors)]
        self.fields["insurer_id"].choices = [("", "—"), *((o.pk, o.name) for o in insurers)]
        self.fields["qualifications"].choices = QualificationKind.choices
        for key, value in (shares or {}).items():
            self.fields[f"share_{key}"].initial = value

    def loss_sharing(self) -> dict:
        d = self.cleaned_data
        return {k: str(d[f"share_{k}"]) for k in ("bank", "guarantor", "insurer", "public")}

    def selection_rules(self) -> list[dict]:
        d = self.cleaned_data
        rules: list[dict] = []
        if d["regions"]:
            rules.append({"field": "region", "op": "in", "value": d["regions"]})
        prefixes = [x.strip().upper() for x in d["industries"].replace("，", ",").split(",") if x.strip()]
        if prefixes:
            rules.append({"field": "industry", "op": "prefix_in", "value": prefixes})
        if d["qualifications"]:
            rules.append({"field": "qualifications", "op": "contains_any", "value": d["qualifications"]})
        if d["tech_sme"]:
            rules.append({"field": "tech_sme", "op": "is_true", "value": None})
        for key, field in (("min_innovation_index", "innovation_index"), ("min_credit_score", "credit_score")):
            if d[key] is not None:
                rules.append({"field": field, "op": "gte", "value": float(d[key])})
        if d["not_dishonest"]:
            rules.append({"field": "dishonest", "op": "is_false", "value": None})
        return rules


class MemberForm(forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CreditLineForm(forms.Form):
    bank_id = forms.TypedChoiceField(label=_("Bank"), coerce=int)
    amount = YuanField(label=_("Unified credit line (yuan)"))

    def __init__(self, *args, banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_id"].choices = [(o.pk, o.name) for o in banks]

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from innoreform.core import display
from innoreform.core import forms as core_forms
from innoreform.core.forms import DateInput
from innoreform.core.regions import Region

from . import models as m


class YuanField(core_forms.YuanField):
    """Voucher amounts stay below 100 billion yuan."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", Decimal("100000000000"))
        super().__init__(max_digits=14, **kwargs)


class ApplicationForm(forms.Form):
    requested = YuanField(label=_("Amount requested (yuan)"))
    purpose = forms.CharField(label=_("What the voucher is for"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))
    contact_address = forms.CharField(label=_("Business address"), max_length=300, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class InstitutionForm(forms.Form):
    founded_on = forms.DateField(label=_("Operating since"), widget=DateInput())
    categories = forms.MultipleChoiceField(label=_("Service categories"), choices=m.Category.choices,
                                           widget=forms.CheckboxSelectMultiple)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    actual_controller = forms.CharField(label=_("Actual controller"), max_length=200, required=False)
    shareholders = forms.CharField(label=_("Shareholders (one per line)"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("Address"), max_length=300)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    licence = forms.FileField(label=_("Business licence or registration"))
    accreditation = forms.FileField(label=_("Accreditation (CMA, CNAS, HOKLAS ...)"), required=False)


class ServiceForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=m.Category.choices)
    name = forms.CharField(label=_("Service"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, initial="次")
    price = YuanField(label=_("Price (yuan)"))


class VoucherChoiceField(forms.ModelChoiceField):
    """An enterprise picks a voucher by what it can still pay, not by its serial alone."""

    def label_from_instance(self, obj: m.Voucher) -> str:
        return gettext("%(serial)s · %(remaining)s left of %(face)s · until %(until)s") % {
            "serial": obj.serial, "remaining": display.amount(obj.remaining_fen), "face": display.amount(obj.face_fen),
            "until": display.day(obj.expires_on)}


class OrderForm(forms.Form):
    voucher = VoucherChoiceField(label=_("Voucher"), queryset=m.Voucher.objects.none())
    service = forms.IntegerField(label=_("Catalogued service"), widget=forms.HiddenInput, min_value=1,
                                 max_value=2**63 - 1)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    fee = YuanField(label=_("Agreed fee (yuan, empty: catalogue price)"), required=False)
    project_code = forms.CharField(label=_("Project code (if any)"), max_length=64, required=False)

    def __init__(self, *args, vouchers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if vouchers is not None:
            self.fields["voucher"].queryset = vouchers


class ProofForm(forms.Form):
    paid = YuanField(label=_("Amount paid (yuan)"))
    file = forms.FileField(label=_("Proof of full payment"))


class ClaimForm(forms.Form):
    contract_no = forms.CharField(label=_("Contract number"), max_length=64)
    contract_file = forms.FileField(label=_("Contract"), required=False)
    invoice_no = forms.CharField(label=_("Invoice number"), max_length=64)
    invoice_amount = YuanField(label=_("Invoice amount (yuan)"))
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DateInput())
    invoice_file = forms.FileField(label=_("Invoice"), required=False)
    deliverable = forms.CharField(label=_("Deliverable"), max_length=500)
    deliverable_file = forms.FileField(label=_("Deliverable file"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note or reason"), max_length=500, required=False)


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Your objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=m.BudgetLevel.choices)
    city = forms.ChoiceField(label=_("City"), required=False,
                             choices=[("", "—"), *[(c, label) for c, label in Region.choices if c.isdigit()]])
    amount = YuanField(label=_("Amount to appropriate (yuan)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StatusFilter(forms.Form):
    status = forms.CharField(required=False, max_length=20, label=_("Status"))


class CatalogueFilter(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", "—"), *m.Category.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class ReportForm(forms.Form):
    dimension = forms.ChoiceField(label=_("By"), required=False, choices=[
        ("city", _("Enterprise's city")), ("region", _("Institution's region")),
        ("category", _("Service category")), ("institution", _("Institution"))])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

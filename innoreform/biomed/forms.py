from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import models as m
from .services import MAX_QUANTITY


def _blank(choices) -> list:
    return [("", "—"), *choices]


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=m.Category.choices)
    material = forms.ChoiceField(label=_("Material"), choices=m.Material.choices)
    hs_code = forms.CharField(label=_("HS code"), max_length=10, help_text=_("8 or 10 digits."))
    ciq_code = forms.CharField(label=_("CIQ code"), max_length=3, help_text=_("3 digits."))
    composition = forms.CharField(label=_("Composition"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    pathogen_class = forms.ChoiceField(label=_("Pathogen class"), choices=m.PathogenClass.choices)
    specification = forms.CharField(label=_("Specification"), max_length=200)
    storage = forms.CharField(label=_("Storage conditions"), max_length=200)
    biosafety_level = forms.ChoiceField(label=_("Biosafety level"), choices=m.BiosafetyLevel.choices)
    other_approvals = forms.CharField(label=_("Other approvals held"), max_length=300, required=False,
                                      help_text=_("For example a drug registration number."))


class ApplicationForm(forms.Form):
    item = forms.ModelChoiceField(label=pgettext_lazy("special goods", "Item"), queryset=m.Item.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    unit = forms.ChoiceField(label=_("Unit"), choices=m.Unit.choices)
    ports = forms.MultipleChoiceField(label=_("Ports of entry"), choices=m.Port.choices,
                                      widget=forms.CheckboxSelectMultiple)
    origin = forms.CharField(label=_("Country or region of origin"), max_length=100)
    purpose = forms.CharField(label=_("Use"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items if items is not None else m.Item.objects.none()
        # One optional file per attachment kind: the service says which the item's level needs.
        for kind, label in m.AttachmentKind.choices:
            self.fields[f"file_{kind}"] = forms.FileField(label=label, required=False)

    def attachments(self) -> list[tuple[str, str, bytes]]:
        out = []
        for kind in m.AttachmentKind.values:
            upload = self.cleaned_data.get(f"file_{kind}")
            if upload:
                out.append((kind, upload.name, upload.read()))
        return out


class AssessmentForm(forms.Form):
    findings = forms.CharField(label=_("Assessment findings"), max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 4}))
    conditions = forms.CharField(label=_("Conditions"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (required to refuse or return)"), max_length=500, required=False)


class BatchForm(forms.Form):
    declaration_no = forms.CharField(label=_("Declaration number"), max_length=32)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    unit = forms.ChoiceField(label=_("Unit"), choices=m.Unit.choices)
    port = forms.ChoiceField(label=_("Port"), choices=m.Port.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ResultForm(forms.Form):
    result = forms.CharField(label=_("Customs finding"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class WhitelistForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=m.Organisation.objects.none())
    item = forms.ModelChoiceField(label=_("Product (empty: all the enterprise's items)"),
                                  queryset=m.Item.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason for listing"), max_length=500)

    def __init__(self, *args, enterprises=None, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises
        if items is not None:
            self.fields["item"].queryset = items


# --- list filters (every field optional) ----------------------------------------------------------------


class ApplicationFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_blank(m.ApplicationStatus.choices), required=False)
    level = forms.ChoiceField(label=_("Risk level"), choices=_blank(m.Level.choices), required=False)
    q = forms.CharField(label=_("Item or enterprise"), max_length=100, required=False)


class ApprovalFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_blank(m.ApprovalStatus.choices), required=False)
    level = forms.ChoiceField(label=_("Risk level"), choices=_blank(m.Level.choices), required=False)
    q = forms.CharField(label=_("Number, item or enterprise"), max_length=100, required=False)


class BatchFilter(forms.Form):
    port = forms.ChoiceField(label=_("Port"), choices=_blank(m.Port.choices), required=False)
    q = forms.CharField(label=_("Declaration or approval number"), max_length=100, required=False)


class ItemFilter(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=_blank(m.Category.choices), required=False)
    q = forms.CharField(label=_("Name, HS code or enterprise"), max_length=100, required=False)


class FollowUpFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_blank(m.FollowUpStatus.choices), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(m.FollowUpKind.choices), required=False)


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

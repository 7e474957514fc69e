from django import forms
from django.utils.translation import gettext_lazy as _


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), required=False, help_text=_("Up to 10 MB."))
    text = forms.CharField(label=_("Or paste text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AttachForm(forms.Form):
    case_ref = forms.CharField(label=_("Case reference"), max_length=100, required=False)


class VerifyReceiptForm(forms.Form):
    file = forms.FileField(label=_("The preserved file"), required=False)
    text = forms.CharField(label=_("Or the preserved text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    receipt = forms.FileField(label=_("Receipt (.tlog-proof)"))

"""Registry forms: input shape only; the rules live in services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoreform.core import forms as core_forms
from innoreform.core.forms import EMPTY, DateInput
from innoreform.core.models import FINANCIAL_KINDS, Organisation
from innoreform.core.regions import Region

from . import imports
from . import models as m


def _template_choices():
    return [(t.key, f"{imports.SOURCES[t.source]} · {t.title}") for t in imports.TEMPLATES.values()]


class ImportForm(forms.Form):
    template = forms.ChoiceField(label=_("Data source and template"))
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = _template_choices()


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("City"), choices=EMPTY + list(Region.choices), required=False)
    industry = forms.CharField(label=_("Industry code starts with"), required=False, max_length=5)
    listed = forms.TypedChoiceField(label=_("Tech-SME list"), required=False, coerce=lambda v: v == "yes",
                                    choices=[("", _("All")), ("yes", _("Listed")), ("no", _("Not listed"))],
                                    empty_value=None)


class DeclarationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=EMPTY + list(m.DeclarationStatus.choices), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    region = forms.ChoiceField(label=_("City"), choices=EMPTY + list(Region.choices), required=False)


class PublicListFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, credit code or registration number"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    region = forms.ChoiceField(label=_("City"), choices=EMPTY + list(Region.choices), required=False)


class YuanField(core_forms.YuanField):
    """Registry amounts may be zero."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_digits=16, **kwargs)


class DeclarationForm(forms.Form):
    year = forms.IntegerField(label=_("Evaluation year"), min_value=2000, max_value=2100)
    staff_total = forms.IntegerField(label=_("Staff (last year)"), min_value=0)
    tech_staff = forms.IntegerField(label=_("Technical staff (last year)"), min_value=0)
    sales_fen = YuanField(label=_("Sales revenue last year (yuan)"))
    total_assets_fen = YuanField(label=_("Total assets at last year end (yuan)"))
    rd_expense_fen = YuanField(label=_("R&D expense last year (yuan)"))
    total_cost_fen = YuanField(label=_("Total cost last year (yuan)"))
    major_incident = forms.BooleanField(
        label=_("A major safety or quality accident, serious environmental violation or research misconduct "
                "occurred last year or this year"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class ReviewForm(forms.Form):
    recommend = forms.ChoiceField(label=_("Recommendation"),
                                  choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Approve")), ("no", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation"), max_length=500)
    falsification = forms.BooleanField(label=_("Falsified data (three-year ban)"), required=False)


class PublishForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    region = forms.ChoiceField(label=_("City"), choices=list(Region.choices))


class GrantForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Organisation.objects.none())
    categories = forms.MultipleChoiceField(label=_("Data categories"), choices=m.DataCategory.choices,
                                           widget=forms.CheckboxSelectMultiple)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=m.Purpose.choices)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)
    notice_version = forms.IntegerField(widget=forms.HiddenInput)
    read_notice = forms.BooleanField(label=_("I have read the notice above and consent separately to this sharing"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Organisation.objects.filter(
            kind__in=FINANCIAL_KINDS, is_active=True).order_by("name")


"""Credit forms: input shape only; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import models as m

ACCEPT = ".csv,.txt,.tsv,.xlsx,.xlsm,.parquet,.arff"


class TrainForm(forms.Form):
    name = forms.CharField(label=_("Model name"), max_length=100,
                           help_text=_("A new version of this name is registered; another approver must approve it."))
    source = forms.ChoiceField(label=_("Data"), choices=m.RunSource.choices, initial=m.RunSource.UPLOAD,
                               widget=forms.RadioSelect)
    file = forms.FileField(label=_("File (CSV, Excel, Parquet or ARFF)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    target = forms.CharField(label=_("Target column"), max_length=200, required=False,
                             help_text=_("For a file: the column that says whether the case went bad."))
    bad = forms.CharField(label=_("Bad value"), max_length=100, required=False,
                          help_text=_("The target value meaning bad; empty: 1, bad, yes, true or default."))
    id_column = forms.CharField(label=_("Id column"), max_length=200, required=False,
                                help_text=_("An identifier column, never used as a feature."))
    registry_label = forms.ChoiceField(
        label=_("Bad outcome in the registry"), required=False,
        choices=[("dishonest_debtor", _("On the dishonest-debtor list")),
                 ("abnormal_operation", _("On the abnormal-operations list"))],
        help_text=_("For the registry snapshot: which current listing counts as bad."))
    kind = forms.ChoiceField(label=_("Model kind"), choices=m.ModelKind.choices, initial=m.ModelKind.SCORECARD)
    seed = forms.IntegerField(label=_("Random seed"), initial=0, min_value=0, max_value=2**31 - 1,
                              help_text=_("The same data and seed give the same model."))

    def clean(self):
        data = super().clean()
        if data.get("source") == m.RunSource.UPLOAD:
            if not data.get("file"):
                self.add_error("file", _("Choose a file to upload."))
            if not data.get("target"):
                self.add_error("target", _("Name the target column (the one that says good or bad)."))
        return data


class ScoreFileForm(forms.Form):
    file = forms.FileField(label=_("File to score (CSV, Excel, Parquet or ARFF)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    id_column = forms.CharField(label=_("Id column"), max_length=200, required=False,
                                help_text=_("Empty: the model's id column if the file has it, else the row number."))

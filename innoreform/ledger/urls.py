"""Public tlog-tiles serving (checkpoint, tiles, entry bundles, key) and the ledger pages."""

from django.urls import path, re_path

from . import views

app_name = "ledger"
urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    re_path(r"^tile/(?P<path>(?:entries|\d{1,2})/(?:x\d{3}/)*\d{3}(?:\.p/\d{1,3})?)$", views.tile, name="tile"),
    path("verify/", views.verify_receipt, name="verify"),
    path("mine/", views.my_entries, name="my_entries"),
    path("entries/<int:index>/", views.entry_detail, name="entry_detail"),
    path("evidence/", views.evidence_list, name="evidence_list"),
    path("evidence/<uuid:uid>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<uuid:uid>/receipt", views.evidence_receipt, name="evidence_receipt"),
    path("evidence/<uuid:uid>/file", views.evidence_file, name="evidence_file"),
    path("evidence/<uuid:uid>/timestamp.tsr", views.evidence_timestamp, name="evidence_timestamp"),
]

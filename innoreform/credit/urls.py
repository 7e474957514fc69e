from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("", views.model_list, name="model_list"),
    path("models/<int:version_id>/", views.model_report, name="model_report"),
    path("models/<int:version_id>/report.json", views.model_report_json, name="model_report_json"),
    path("models/<int:version_id>/approve/", views.model_approve, name="model_approve"),
    path("models/<int:version_id>/reject/", views.model_reject, name="model_reject"),
    path("models/<int:version_id>/score-registry/", views.score_registry, name="score_registry"),
]

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
    path("models/<int:version_id>/score-file/", views.score_file, name="score_file"),
    path("train/", views.train, name="train"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("runs/<int:run_id>/scores.csv", views.run_result, name="run_result"),
]

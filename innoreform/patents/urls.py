from django.urls import path

from . import views

app_name = "patents"
urlpatterns = [
    path("", views.index, name="index"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset"),
    path("datasets/<int:pk>/industries/<slug:industry>/", views.landscape_page, name="landscape"),
    path("datasets/<int:pk>/industries/<slug:industry>/report.html", views.report_download, name="report"),
    path("datasets/<int:pk>/industries/<slug:industry>/report.pdf", views.report_pdf, name="report_pdf"),
    path("datasets/<int:pk>/industries/<slug:industry>/patents/", views.topic_page, name="topic"),
    path("datasets/<int:pk>/industries/<slug:industry>/patents.xlsx", views.topic_export, name="topic_export"),
    path("rules/", views.rules_page, name="rules"),
]

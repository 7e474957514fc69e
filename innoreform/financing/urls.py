from django.urls import path

from . import views

app_name = "financing"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("loans/", views.loan_list, name="loans"),
    path("loans/template.xlsx", views.import_template, name="import_template"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("loans/<int:pk>/<slug:action>/", views.loan_action, name="loan_action"),
    path("equipment/", views.equipment_list, name="equipment"),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/<slug:action>/", views.programme_action, name="programme_action"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

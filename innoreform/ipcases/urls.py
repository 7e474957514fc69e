from django.urls import path

from . import views

app_name = "ipcases"
urlpatterns = [
    path("", views.home, name="home"),
    path("file/", views.file_new, name="file"),
    path("disputes/", views.dispute_list, name="disputes"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute"),
    path("disputes/<int:pk>/act/", views.dispute_act, name="dispute_act"),
    path("cases/", views.case_list, name="cases"),
    path("deadlines/", views.deadline_list, name="deadlines"),
    path("mediations/<int:pk>/", views.mediation_detail, name="mediation"),
    path("mediations/<int:pk>/act/", views.mediation_act, name="mediation_act"),
    path("mediations/<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("roster/", views.roster, name="roster"),
    path("notarial/", views.notarial_list, name="notarial_list"),
    path("notarial/new/", views.notarial_new, name="notarial_new"),
    path("notarial/<int:pk>/", views.notarial_detail, name="notarial"),
    path("notarial/<int:pk>/act/", views.notarial_act, name="notarial_act"),
    path("notarial/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("notarial/<int:pk>/verify/", views.verify, name="verify"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

from django.urls import path

from . import views

app_name = "vouchers"
urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:service_id>/order/", views.order_new, name="order_new"),
    path("orders/<int:order_id>/proof/", views.proof, name="proof"),
    path("orders/<int:order_id>/deduct/", views.order_deduct, name="order_deduct"),
    path("uses/<int:redemption_id>/claim/", views.claim_new, name="claim_new"),
    path("institutions/apply/", views.institution_apply, name="institution_apply"),
    path("institutions/services/", views.service_publish, name="service_publish"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution"),
    path("institutions/<int:pk>/review/", views.institution_review, name="institution_review"),
    path("institutions/<int:pk>/status/", views.institution_status, name="institution_status"),
    path("institutions/<int:pk>/object/", views.objection_submit, name="objection_submit"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/act/", views.claim_act, name="claim_act"),
    path("claims/<int:pk>/files/<str:which>/", views.claim_file, name="claim_file"),
    path("batches/build/", views.batch_build, name="batch_build"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/act/", views.batch_act, name="batch_act"),
    path("budgets/fund/", views.budget_fund, name="budget_fund"),
    path("reports/", views.reports_page, name="reports"),
]

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("me/", views.my_profile, name="my_profile"),
    path("me/declarations/", views.my_declarations, name="my_declarations"),
    path("me/grants/", views.my_grants, name="my_grants"),
    path("me/grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("me/access/", views.my_access, name="my_access"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration_detail"),
    path("declarations/<int:pk>/review/", views.declaration_review, name="declaration_review"),
    path("declarations/<int:pk>/decide/", views.declaration_decide, name="declaration_decide"),
    path("declarations/<int:pk>/revoke/", views.declaration_revoke, name="declaration_revoke"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<str:credit_code>/", views.enterprise_detail, name="enterprise_detail"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/errors.xlsx", views.import_error_report, name="import_error_report"),
    path("imports/<int:pk>/source", views.import_source_file, name="import_source_file"),
    path("imports/templates/<str:key>.<str:fmt>", views.import_template, name="import_template"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/publish/", views.batch_publish, name="batch_publish"),
    path("review/lapse/", views.listings_lapse, name="listings_lapse"),
    path("list/", views.public_list, name="public_list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/recompute/", views.index_recompute, name="index_recompute"),
    path("bank/enterprises/", views.bank_enterprises, name="bank_enterprises"),
    path("bank/enterprises/<str:credit_code>/read/", views.bank_enterprise_read, name="bank_enterprise_read"),
]

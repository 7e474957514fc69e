from django.urls import path

from . import views

app_name = "biomed"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("apply/", views.apply, name="apply"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/act/", views.application_act, name="application_act"),
    path("approvals/", views.approval_list, name="approvals"),
    path("approvals/<int:pk>/", views.approval_detail, name="approval"),
    path("approvals/<int:pk>/declare/", views.batch_declare, name="batch_declare"),
    path("approvals/<int:pk>/revoke/", views.approval_revoke, name="approval_revoke"),
    path("ledger/", views.ledger, name="ledger"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="follow_up"),
    path("white-list/", views.whitelist, name="whitelist"),
    path("white-list/<int:pk>/remove/", views.whitelist_remove, name="whitelist_remove"),
    path("statistics/", views.statistics, name="statistics"),
]

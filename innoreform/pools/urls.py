from django.urls import path

from . import views

app_name = "pools"
urlpatterns = [
    path("", views.claim_list, name="claims"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/trail/", views.claim_trail, name="claim_trail"),
    path("pools/", views.pool_list, name="pools"),
    path("pools/<int:pk>/", views.pool_detail, name="pool"),
    path("reports/", views.reports, name="reports"),
    path("key-list/", views.keylist, name="keylist"),
    path("loss-ratios/", views.loss_ratios, name="loss_ratios"),
]

from django.urls import path

from . import views

app_name = "books"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("accounts/<int:pk>/", views.account_statement, name="statement"),
    path("trial-balance/", views.trial_balance, name="trial_balance"),
]

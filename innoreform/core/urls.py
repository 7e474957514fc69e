from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/two-factor/", views.login_totp, name="login_totp"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("audit/", views.audit_list, name="audit"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/propose/", views.policy_propose, name="policy_propose"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/decide/", views.policy_decide, name="policy_decide"),
    path("api-keys/", views.api_key_list, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="job_progress"),
]

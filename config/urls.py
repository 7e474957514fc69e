from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import bank_api, portal_api
from innoreform.core import ops


def _admin_login(request, extra_context=None):
    # The back office signs in through the portal, so lockout and the second factor apply.
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


admin.site.login = _admin_login
handler404 = "innoreform.core.views.not_found"
admin.site.site_header = admin.site.site_title = "InnoReform"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", portal_api.urls),
    path("api/bank/v1/", bank_api.urls),
    path("healthz", ops.healthz, name="healthz"),
    path("metrics", ops.metrics, name="metrics"),
    # Browsers ask for /favicon.ico on pages without an icon link (a PDF, a JSON response).
    path("favicon.ico", RedirectView.as_view(url=static_url("core/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ledger/", include("innoreform.ledger.urls")),
    path("books/", include("innoreform.books.urls")),
    path("registry/", include("innoreform.registry.urls")),
    path("credit/", include("innoreform.credit.urls")),
    path("patents/", include("innoreform.patents.urls")),
    path("vouchers/", include("innoreform.vouchers.urls")),
    path("financing/", include("innoreform.financing.urls")),
    path("pools/", include("innoreform.pools.urls")),
    path("ipcases/", include("innoreform.ipcases.urls")),
    path("biomed/", include("innoreform.biomed.urls")),
    path("", include("innoreform.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

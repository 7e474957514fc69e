from django.http import HttpResponse

from innoreform.core.views import portal_view


@portal_view
def home(request):
    return HttpResponse("vouchers")


@portal_view
def reports(request):
    return HttpResponse("reports")

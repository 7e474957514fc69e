from django.http import HttpResponse


def home(request, *a, **k):
    return HttpResponse()


def file_new(request, *a, **k):
    return HttpResponse()


def dispute_list(request, *a, **k):
    return HttpResponse()


def dispute_detail(request, *a, **k):
    return HttpResponse()


def dispute_act(request, *a, **k):
    return HttpResponse()


def case_list(request, *a, **k):
    return HttpResponse()


def deadline_list(request, *a, **k):
    return HttpResponse()


def mediation_detail(request, *a, **k):
    return HttpResponse()


def mediation_act(request, *a, **k):
    return HttpResponse()


def agreement_pdf(request, *a, **k):
    return HttpResponse()


def roster(request, *a, **k):
    return HttpResponse()


def notarial_list(request, *a, **k):
    return HttpResponse()


def notarial_new(request, *a, **k):
    return HttpResponse()


def notarial_detail(request, *a, **k):
    return HttpResponse()


def notarial_act(request, *a, **k):
    return HttpResponse()


def certificate_pdf(request, *a, **k):
    return HttpResponse()


def verify(request, *a, **k):
    return HttpResponse()


def dashboard(request, *a, **k):
    return HttpResponse()

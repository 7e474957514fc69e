from django.http import HttpResponse


def home(request):
    return HttpResponse("")


item_list = item_new = apply = application_list = application_detail = application_act = home
approval_list = approval_detail = batch_declare = approval_revoke = ledger = follow_up_list = home
follow_up_detail = whitelist = whitelist_remove = statistics = home

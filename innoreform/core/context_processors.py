from django.conf import settings


def portal(request):
    actor = getattr(request, "actor", None)
    unread = 0
    if actor is not None and actor.user is not None:
        unread = actor.user.notifications.filter(read_at__isnull=True).count()
    return {
        "actor": actor,
        "unread_notifications": unread,
        "demo_mode": settings.DEMO_MODE,
        "portal_title": settings.PORTAL_TITLE,
    }

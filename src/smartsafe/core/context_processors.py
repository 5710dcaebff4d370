from django.conf import settings


def platform(request):
    return {
        "CENTRE_NAME": settings.SMARTSAFE_CENTRE_NAME,
        "HELPLINE": settings.SMARTSAFE_HELPLINE,
        "DEMO": settings.DEMO,
    }

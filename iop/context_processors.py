from django.conf import settings


def idle_logout(request):
    """The idle timeout, so the page can warn before the server signs the user out."""
    return {"IDLE_TIMEOUT_SECONDS": settings.IDLE_TIMEOUT_SECONDS}

"""No page of the app may stay in a browser's or a proxy's cache: every one of them is behind
the login and shows client data, or is the login page itself (#12)."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response the app itself produces — pages,
    CSV and PDF exports, redirects, error pages. It sits after WhiteNoise, whose static files
    (hashed names, no client data) keep their long caching and never pass through here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response

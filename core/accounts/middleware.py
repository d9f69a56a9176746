"""Keeps "last seen" of signed-in sessions roughly current, without a query on most requests."""

from django.contrib.auth import SESSION_KEY

from .sessions import session_seen


class SessionActivityMiddleware:
    """After the response: if the request already loaded a signed-in session, refresh its
    "last seen" (a cache marker limits this to one UPDATE per session every few minutes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # `accessed` is set once the session was read: checking it never costs a query.
        if session is not None and session.accessed and session.session_key and SESSION_KEY in session:
            session_seen(session.session_key)
        return response

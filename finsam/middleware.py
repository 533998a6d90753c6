"""Input no form can hold. A NUL byte cannot be stored or searched in PostgreSQL, and no one types
one; a request that carries one in its path, query or form fields is answered with the Swedish 400
page before any view or database sees it, instead of a 500."""

from __future__ import annotations

from django.core.exceptions import BadRequest

NUL = "\x00"


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        posted = request.POST if request.method == "POST" else None
        if NUL in request.path or _has_nul(request.GET) or (posted is not None and _has_nul(posted)):
            raise BadRequest("Förfrågan innehåller ett tecken som inte kan användas (NUL).")
        return self.get_response(request)

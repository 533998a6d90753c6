"""Lists that grow with a förbund's history are shown a page at a time (`?sida=N`), with the filter
kept in the page links. An Excel export always holds every row that matches."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PER_PAGE = 50
PARAMETER = "sida"


def paginate(request, rows, per_page: int = PER_PAGE) -> dict:
    """Context for `includes/pagination.html`: `page_obj` (its `object_list` is the page's rows) and
    `page_query`, the request's other parameters for the links. A page number out of range shows the
    last page, anything else that is not a number the first: a list is never an error page."""
    page: Page = Paginator(rows, per_page).get_page(request.GET.get(PARAMETER))
    query = request.GET.copy()
    query.pop(PARAMETER, None)
    return {"page_obj": page, "page_query": query.urlencode()}

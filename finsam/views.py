from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from finsam import access
from finsam import health as health_checks


@access.public
@login_not_required
@never_cache
def health(request):
    """The database, the broker and a worker's heartbeat, each "ok" or "fel" with a Swedish detail:
    200 only when all three are up, otherwise 503. Answers within about three seconds."""
    checks = health_checks.report()
    up = all(check.ok for check in checks.values())
    body = {name: "ok" if check.ok else "fel" for name, check in checks.items()}
    body["status"] = "ok" if up else "fel"
    body["detaljer"] = {name: check.detail for name, check in checks.items()}
    return JsonResponse(body, status=200 if up else 503, json_dumps_params={"ensure_ascii": False})


@access.declare("use_finsam")
def bench_bare(request):
    """`make bench` only (FINSAM_BENCH): a view that does nothing, behind the same middleware as every
    page, so the benchmark can say how much of a request's cost is the page's own."""
    return HttpResponse("ok", content_type="text/plain")

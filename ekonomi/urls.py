from .views import budget, outcome

app_name = "ekonomi"

urlpatterns = [*budget.urlpatterns, *outcome.urlpatterns]

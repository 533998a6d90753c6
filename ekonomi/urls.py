from .views import budget, carry_over, members, outcome, rekvisition

app_name = "ekonomi"

urlpatterns = [
    *budget.urlpatterns,
    *outcome.urlpatterns,
    *rekvisition.urlpatterns,
    *members.urlpatterns,
    *carry_over.urlpatterns,
]

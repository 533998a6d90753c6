"""The förbund's follow-up pages."""

urlpatterns: list = []

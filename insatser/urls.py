from django.urls import path

from . import views

app_name = "insatser"

urlpatterns = [
    path("", views.InsatsListView.as_view(), name="list"),
    path("<int:pk>/", views.InsatsDetailView.as_view(), name="detail"),
]

from django.urls import path

from . import views

app_name = "uppfoljning"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="documents"),
    path("verksamhetsplan/<int:year>/", views.VerksamhetsplanEditView.as_view(), name="verksamhetsplan"),
    path(
        "verksamhetsplan/<int:year>/forhandsgranskning/",
        views.VerksamhetsplanPreviewView.as_view(),
        name="verksamhetsplan_preview",
    ),
    path("skapa/<slug:kind>/<int:year>/", views.DocumentRequestView.as_view(), name="document_request"),
    path("jobb/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobb/<int:pk>/status/", views.JobStatusView.as_view(), name="job_status"),
    path("jobb/<int:pk>/fil/", views.JobDownloadView.as_view(), name="job_download"),
    path("jobb/<int:pk>/forsok-igen/", views.JobRetryView.as_view(), name="job_retry"),
]

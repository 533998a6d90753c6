from django.urls import path

from . import followup_views, report_views, views

app_name = "uppfoljning"

urlpatterns = [
    path("dokument/", views.DocumentListView.as_view(), name="documents"),
    path(
        "dokument/verksamhetsplan/<int:year>/",
        views.VerksamhetsplanEditView.as_view(),
        name="verksamhetsplan",
    ),
    path(
        "dokument/verksamhetsplan/<int:year>/forhandsgranskning/",
        views.VerksamhetsplanPreviewView.as_view(),
        name="verksamhetsplan_preview",
    ),
    path(
        "dokument/arsredovisning/<int:year>/", views.ArsredovisningEditView.as_view(), name="arsredovisning"
    ),
    path(
        "dokument/arsredovisning/<int:year>/forhandsgranskning/",
        views.ArsredovisningPreviewView.as_view(),
        name="arsredovisning_preview",
    ),
    path(
        "dokument/skapa/<slug:kind>/<int:year>/", views.DocumentRequestView.as_view(), name="document_request"
    ),
    path("dokument/jobb/<int:pk>/", views.JobView.as_view(), name="job"),
    path("dokument/jobb/<int:pk>/status/", views.JobStatusView.as_view(), name="job_status"),
    path("dokument/jobb/<int:pk>/fil/", views.JobDownloadView.as_view(), name="job_download"),
    path("dokument/jobb/<int:pk>/forsok-igen/", views.JobRetryView.as_view(), name="job_retry"),
    *report_views.urlpatterns,
    *followup_views.urlpatterns,
]

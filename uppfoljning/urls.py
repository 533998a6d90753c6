from django.urls import path

from .views import documents, followup, reports

app_name = "uppfoljning"

urlpatterns = [
    # Reports
    path("rapporter/", reports.ReportsView.as_view(), name="reports"),
    path("rapporter/<year:year>/", reports.ReportsView.as_view(), name="reports_year"),
    path("rapporter/<year:year>/perioder/", reports.ReportPeriodsView.as_view(), name="report_periods"),
    path("rapport/<id:pk>/", reports.ReportDetailView.as_view(), name="report"),
    path("rapport/<id:pk>/andra/", reports.ReportEditView.as_view(), name="report_edit"),
    path(
        "rapport/<id:pk>/status/<slug:target>/",
        reports.ReportTransitionView.as_view(),
        name="report_transition",
    ),
    path("rapport/<id:pk>/versioner/", reports.ReportVersionsView.as_view(), name="report_versions"),
    path(
        "rapport/<id:pk>/versioner/<id:number>/",
        reports.ReportVersionView.as_view(),
        name="report_version",
    ),
    path(
        "rapport/<id:pk>/versioner/<id:number>/jamfor/",
        reports.ReportVersionCompareView.as_view(),
        name="report_version_compare",
    ),
    # Follow-up
    path("uppfoljning/<year:year>/", followup.FollowUpView.as_view(), name="followup"),
    path("indikatorer/<year:year>/", followup.IndicatorsView.as_view(), name="indicators"),
    # Documents
    path("dokument/", documents.DocumentListView.as_view(), name="documents"),
    path(
        "dokument/verksamhetsplan/<year:year>/",
        documents.VerksamhetsplanEditView.as_view(),
        name="verksamhetsplan",
    ),
    path(
        "dokument/verksamhetsplan/<year:year>/forhandsgranskning/",
        documents.VerksamhetsplanPreviewView.as_view(),
        name="verksamhetsplan_preview",
    ),
    path(
        "dokument/arsredovisning/<year:year>/",
        documents.ArsredovisningEditView.as_view(),
        name="arsredovisning",
    ),
    path(
        "dokument/arsredovisning/<year:year>/forhandsgranskning/",
        documents.ArsredovisningPreviewView.as_view(),
        name="arsredovisning_preview",
    ),
    path(
        "dokument/skapa/<slug:kind>/<year:year>/",
        documents.DocumentRequestView.as_view(),
        name="document_request",
    ),
    path("dokument/jobb/<id:pk>/", documents.JobView.as_view(), name="job"),
    path("dokument/jobb/<id:pk>/status/", documents.JobStatusView.as_view(), name="job_status"),
    path("dokument/jobb/<id:pk>/fil/", documents.JobDownloadView.as_view(), name="job_download"),
    path("dokument/jobb/<id:pk>/forsok-igen/", documents.JobRetryView.as_view(), name="job_retry"),
]

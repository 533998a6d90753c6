from django.urls import path

from . import views

app_name = "insatser"

urlpatterns = [
    path("", views.InsatsListView.as_view(), name="list"),
    path("ny/", views.InsatsCreateView.as_view(), name="create"),
    path("ny-ide/", views.IdeaCreateView.as_view(), name="create_idea"),
    path("<id:pk>/", views.InsatsDetailView.as_view(), name="detail"),
    path("<id:pk>/andra/", views.InsatsUpdateView.as_view(), name="edit"),
    path("<id:pk>/budget/", views.BudgetEditView.as_view(), name="budget"),
    path("<id:pk>/delprocesser/ny/", views.DelprocessFormView.as_view(), name="delprocess_create"),
    path(
        "<id:pk>/delprocesser/<id:delprocess_pk>/andra/",
        views.DelprocessFormView.as_view(),
        name="delprocess_edit",
    ),
    path(
        "<id:pk>/delprocesser/<id:delprocess_pk>/ta-bort/",
        views.DelprocessDeleteView.as_view(),
        name="delprocess_delete",
    ),
    path("<id:pk>/bekraftelser/ny/", views.ConfirmationRequestView.as_view(), name="confirmation_request"),
    path(
        "bekraftelser/<id:confirmation_pk>/",
        views.ConfirmationView.as_view(),
        name="confirmation",
    ),
    path("<id:pk>/status/<slug:target>/", views.TransitionView.as_view(), name="transition"),
    path("<id:pk>/beslut/", views.DecisionView.as_view(), name="decide"),
    path("<id:pk>/delmal/ny/", views.MilestoneFormView.as_view(), name="milestone_create"),
    path("<id:pk>/delmal/<id:milestone_pk>/andra/", views.MilestoneFormView.as_view(), name="milestone_edit"),
    path("<id:pk>/bilagor/", views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path("<id:pk>/bilagor/<id:attachment_pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path(
        "<id:pk>/bilagor/<id:attachment_pk>/ta-bort/",
        views.AttachmentRemoveView.as_view(),
        name="attachment_remove",
    ),
]

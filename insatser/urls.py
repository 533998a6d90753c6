from django.urls import path

from . import views

app_name = "insatser"

urlpatterns = [
    path("", views.InsatsListView.as_view(), name="list"),
    path("ny/", views.InsatsCreateView.as_view(), name="create"),
    path("ny-ide/", views.IdeaCreateView.as_view(), name="create_idea"),
    path("<int:pk>/", views.InsatsDetailView.as_view(), name="detail"),
    path("<int:pk>/andra/", views.InsatsUpdateView.as_view(), name="edit"),
    path("<int:pk>/budget/", views.BudgetEditView.as_view(), name="budget"),
    path("<int:pk>/delprocesser/ny/", views.DelprocessFormView.as_view(), name="delprocess_create"),
    path(
        "<int:pk>/delprocesser/<int:delprocess_pk>/andra/",
        views.DelprocessFormView.as_view(),
        name="delprocess_edit",
    ),
    path(
        "<int:pk>/delprocesser/<int:delprocess_pk>/ta-bort/",
        views.DelprocessDeleteView.as_view(),
        name="delprocess_delete",
    ),
    path("<int:pk>/underskrifter/", views.SignatureView.as_view(), name="sign"),
    path("<int:pk>/status/<slug:target>/", views.TransitionView.as_view(), name="transition"),
    path("<int:pk>/beslut/", views.DecisionView.as_view(), name="decide"),
    path("<int:pk>/delmal/ny/", views.MilestoneFormView.as_view(), name="milestone_create"),
    path(
        "<int:pk>/delmal/<int:milestone_pk>/andra/", views.MilestoneFormView.as_view(), name="milestone_edit"
    ),
    path("<int:pk>/bilagor/", views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path("<int:pk>/bilagor/<int:attachment_pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path(
        "<int:pk>/bilagor/<int:attachment_pk>/ta-bort/",
        views.AttachmentRemoveView.as_view(),
        name="attachment_remove",
    ),
]

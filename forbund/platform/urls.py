"""The platform administration under /plattform/ (finsam/urls.py)."""

from django.urls import path

from . import views

app_name = "platform"

urlpatterns = [
    path("", views.PlatformHomeView.as_view(), name="home"),
    path("nytt/", views.ForbundStartView.as_view(), name="start"),
    path("<slug:forbund>/", views.SetupOverviewView.as_view(), name="setup"),
    path("<slug:forbund>/avsluta/", views.SetupCompleteView.as_view(), name="complete"),
    path("<slug:forbund>/uppgifter/", views.FactsView.as_view(), name="facts"),
    path("<slug:forbund>/medlemmar/", views.MembersView.as_view(), name="members"),
    path("<slug:forbund>/medlemmar/<id:pk>/andra/", views.MemberEditView.as_view(), name="member_edit"),
    path("<slug:forbund>/invanare/", views.PopulationsView.as_view(), name="populations"),
    path("<slug:forbund>/styrelse/", views.BoardView.as_view(), name="board"),
    path("<slug:forbund>/kansli/", views.StaffView.as_view(), name="staff"),
    path("<slug:forbund>/samordnare/", views.SamordnareView.as_view(), name="samordnare"),
    path("<slug:forbund>/ta-bort/<slug:kind>/<id:pk>/", views.RecordRemoveView.as_view(), name="remove"),
    path("<slug:forbund>/import/", views.ImportView.as_view(), name="import"),
    path("<slug:forbund>/import/mall.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("<slug:forbund>/import/<id:pk>/", views.ImportPreviewView.as_view(), name="import_preview"),
    path("<slug:forbund>/import/<id:pk>/bekrafta/", views.ImportConfirmView.as_view(), name="import_confirm"),
]

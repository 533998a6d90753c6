from django.urls import path

from . import views
from .meetings import urls as meeting_urls

app_name = "forbund"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("forbundet/", views.ForbundDetailView.as_view(), name="detail"),
    path("forbundet/andra/", views.ForbundUpdateView.as_view(), name="edit"),
    path("forbundet/invanare/ny/", views.PopulationCreateView.as_view(), name="population_create"),
    path("forbundet/invanare/<int:pk>/andra/", views.PopulationUpdateView.as_view(), name="population_edit"),
    path("medlemmar/", views.MedlemListView.as_view(), name="medlemmar"),
    path("medlemmar/ny/", views.MedlemCreateView.as_view(), name="medlem_create"),
    path("medlemmar/<int:pk>/andra/", views.MedlemUpdateView.as_view(), name="medlem_edit"),
    path("styrelse/", views.StyrelseView.as_view(), name="styrelse"),
    path("styrelse/ny/", views.StyrelseuppdragCreateView.as_view(), name="styrelseuppdrag_create"),
    path("styrelse/<int:pk>/andra/", views.StyrelseuppdragUpdateView.as_view(), name="styrelseuppdrag_edit"),
    path("kansli/", views.KansliView.as_view(), name="kansli"),
    path("kansli/ny/", views.KansliuppdragCreateView.as_view(), name="kansliuppdrag_create"),
    path("kansli/<int:pk>/andra/", views.KansliuppdragUpdateView.as_view(), name="kansliuppdrag_edit"),
    path("personer/", views.PersonListView.as_view(), name="personer"),
    path("personer/ny/", views.PersonCreateView.as_view(), name="person_create"),
    path("personer/<int:pk>/andra/", views.PersonUpdateView.as_view(), name="person_edit"),
    path("arbetsgrupper/", views.ArbetsgruppListView.as_view(), name="arbetsgrupper"),
    path("arbetsgrupper/ny/", views.ArbetsgruppCreateView.as_view(), name="arbetsgrupp_create"),
    path("arbetsgrupper/<int:pk>/", views.ArbetsgruppDetailView.as_view(), name="arbetsgrupp"),
    path("arbetsgrupper/<int:pk>/andra/", views.ArbetsgruppUpdateView.as_view(), name="arbetsgrupp_edit"),
    path("arbetsgrupper/<int:pk>/medlemmar/ny/", views.GroupMemberAddView.as_view(), name="group_member_add"),
    path(
        "arbetsgrupper/<int:pk>/medlemmar/<int:membership_pk>/ta-bort/",
        views.GroupMemberRemoveView.as_view(),
        name="group_member_remove",
    ),
    path("arbetsgrupper/<int:pk>/moten/nytt/", views.GroupMeetingAddView.as_view(), name="group_meeting_add"),
    path(
        "arbetsgrupper/<int:pk>/moten/<int:meeting_pk>/ta-bort/",
        views.GroupMeetingRemoveView.as_view(),
        name="group_meeting_remove",
    ),
    path("moten/", views.MotesplanView.as_view(), name="moten"),
    path("moten/nytt/", views.StyrelsemoteCreateView.as_view(), name="mote_create"),
    path("moten/<int:pk>/andra/", views.StyrelsemoteUpdateView.as_view(), name="mote_edit"),
    *meeting_urls.urlpatterns,
]

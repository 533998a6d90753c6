"""Every page of the förbund app under /f/<forbund>/ (`urlpatterns`) and its public archive under
/arkiv/<forbund>/ (`public_urlpatterns`)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import audit_views, membership_views, views
from .accounts import manage_views
from .meetings.views import agenda, forhinder, minutes, packet, public

app_name = "forbund"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("att-gora/", views.InboxView.as_view(), name="inbox"),
    path("forbundet/", views.ForbundDetailView.as_view(), name="detail"),
    path("forbundet/andra/", views.ForbundUpdateView.as_view(), name="edit"),
    path("forbundet/invanare/ny/", views.PopulationCreateView.as_view(), name="population_create"),
    path("forbundet/invanare/<id:pk>/andra/", views.PopulationUpdateView.as_view(), name="population_edit"),
    path("medlemmar/", views.MedlemListView.as_view(), name="medlemmar"),
    path("medlemmar/ny/", views.MedlemCreateView.as_view(), name="medlem_create"),
    path("medlemmar/<id:pk>/andra/", views.MedlemUpdateView.as_view(), name="medlem_edit"),
    path("medlemmar/intrade/", membership_views.MedlemJoinView.as_view(), name="medlem_join"),
    path("medlemmar/<id:pk>/uttrade/", membership_views.MedlemLeaveView.as_view(), name="medlem_leave"),
    path("medlemmar/fordelning/", membership_views.FundingRuleView.as_view(), name="medlem_fordelning"),
    path("styrelse/", views.StyrelseView.as_view(), name="styrelse"),
    path("styrelse/ny/", views.StyrelseuppdragCreateView.as_view(), name="styrelseuppdrag_create"),
    path("styrelse/<id:pk>/andra/", views.StyrelseuppdragUpdateView.as_view(), name="styrelseuppdrag_edit"),
    path(
        "styrelse/<id:pk>/ta-bort/", views.StyrelseuppdragRemoveView.as_view(), name="styrelseuppdrag_remove"
    ),
    path("kansli/", views.KansliView.as_view(), name="kansli"),
    path("kansli/ny/", views.KansliuppdragCreateView.as_view(), name="kansliuppdrag_create"),
    path("kansli/<id:pk>/andra/", views.KansliuppdragUpdateView.as_view(), name="kansliuppdrag_edit"),
    path("personer/", views.PersonListView.as_view(), name="personer"),
    path("personer/ny/", views.PersonCreateView.as_view(), name="person_create"),
    path("personer/<id:pk>/andra/", views.PersonUpdateView.as_view(), name="person_edit"),
    path("arbetsgrupper/", views.ArbetsgruppListView.as_view(), name="arbetsgrupper"),
    path("arbetsgrupper/ny/", views.ArbetsgruppCreateView.as_view(), name="arbetsgrupp_create"),
    path("arbetsgrupper/<id:pk>/", views.ArbetsgruppDetailView.as_view(), name="arbetsgrupp"),
    path("arbetsgrupper/<id:pk>/andra/", views.ArbetsgruppUpdateView.as_view(), name="arbetsgrupp_edit"),
    path("arbetsgrupper/<id:pk>/medlemmar/ny/", views.GroupMemberAddView.as_view(), name="group_member_add"),
    path(
        "arbetsgrupper/<id:pk>/medlemmar/<id:membership_pk>/ta-bort/",
        views.GroupMemberRemoveView.as_view(),
        name="group_member_remove",
    ),
    path("arbetsgrupper/<id:pk>/moten/nytt/", views.GroupMeetingAddView.as_view(), name="group_meeting_add"),
    path(
        "arbetsgrupper/<id:pk>/moten/<id:meeting_pk>/ta-bort/",
        views.GroupMeetingRemoveView.as_view(),
        name="group_meeting_remove",
    ),
    path("logg/", audit_views.AuditLogView.as_view(), name="logg"),
    # Användare och behörigheter (accounts, roles and invitations)
    path("anvandare/", manage_views.AccountsView.as_view(), name="accounts"),
    path("anvandare/bjud-in/", manage_views.InviteView.as_view(), name="invite"),
    path("anvandare/<id:user_pk>/", manage_views.AccountView.as_view(), name="account"),
    path("anvandare/roller/<id:role_pk>/avsluta/", manage_views.RoleEndView.as_view(), name="role_end"),
    path(
        "anvandare/inbjudningar/<id:invitation_pk>/skicka-igen/",
        manage_views.InvitationActionView.as_view(action="resend"),
        name="invitation_resend",
    ),
    path(
        "anvandare/inbjudningar/<id:invitation_pk>/aterkalla/",
        manage_views.InvitationActionView.as_view(action="withdraw"),
        name="invitation_withdraw",
    ),
    path("moten/", views.MotesplanView.as_view(), name="moten"),
    path("moten/nytt/", views.StyrelsemoteCreateView.as_view(), name="mote_create"),
    path("moten/<id:pk>/andra/", views.StyrelsemoteUpdateView.as_view(), name="mote_edit"),
]

# The board's meetings: the meeting page, its agenda and notice, attendance, minutes and packet.
meeting_urlpatterns = [
    # The meeting page, its agenda and notice
    path("moten/<id:pk>/", agenda.MeetingDetailView.as_view(), name="mote"),
    path("moten/<id:pk>/kalender.ics", agenda.MeetingIcsView.as_view(), name="mote_ics"),
    path("moten/<id:pk>/punkter/ny/", agenda.AgendaItemFormView.as_view(), name="agenda_item_create"),
    path(
        "moten/<id:pk>/punkter/<id:item_pk>/andra/",
        agenda.AgendaItemFormView.as_view(),
        name="agenda_item_edit",
    ),
    path(
        "moten/<id:pk>/punkter/<id:item_pk>/ta-bort/",
        agenda.AgendaItemDeleteView.as_view(),
        name="agenda_item_delete",
    ),
    path(
        "moten/<id:pk>/punkter/<id:item_pk>/flytta/<slug:direction>/",
        agenda.AgendaItemMoveView.as_view(),
        name="agenda_item_move",
    ),
    path(
        "moten/<id:pk>/standardpunkter/",
        agenda.AgendaStandardItemsView.as_view(),
        name="agenda_standard_items",
    ),
    path(
        "moten/<id:pk>/delegationsbeslut/",
        agenda.AgendaDelegationItemView.as_view(),
        name="agenda_delegation_item",
    ),
    path(
        "moten/<id:pk>/handlingar/<id:attachment_pk>/",
        agenda.AgendaAttachmentDownloadView.as_view(),
        name="agenda_attachment",
    ),
    path(
        "moten/<id:pk>/handlingar/<id:attachment_pk>/ta-bort/",
        agenda.AgendaAttachmentDeleteView.as_view(),
        name="agenda_attachment_delete",
    ),
    path("moten/<id:pk>/kallelse/", agenda.NoticeSendView.as_view(), name="notice_send"),
    path("moten/<id:pk>/kallelser/", agenda.NoticeListView.as_view(), name="notices"),
    path("moten/standardpunkter/", agenda.AgendaTemplateView.as_view(), name="agenda_template"),
    path(
        "moten/standardpunkter/<id:pk>/andra/",
        agenda.AgendaTemplateItemEditView.as_view(),
        name="agenda_template_edit",
    ),
    path(
        "moten/standardpunkter/<id:pk>/ta-bort/",
        agenda.AgendaTemplateItemDeleteView.as_view(),
        name="agenda_template_delete",
    ),
    path("delegationsbeslut/", agenda.DelegationsbeslutListView.as_view(), name="delegationsbeslut"),
    path(
        "delegationsbeslut/ny/", agenda.DelegationsbeslutFormView.as_view(), name="delegationsbeslut_create"
    ),
    path(
        "delegationsbeslut/<id:pk>/andra/",
        agenda.DelegationsbeslutFormView.as_view(),
        name="delegationsbeslut_edit",
    ),
    # Attendance, minutes, justering, rättelser and the anslag
    path("moten/<id:pk>/narvaro/", minutes.AttendanceView.as_view(), name="narvaro"),
    path("moten/<id:pk>/protokoll/", minutes.MinutesView.as_view(), name="protokoll"),
    path("moten/<id:pk>/protokoll/utskrift/", minutes.MinutesPrintView.as_view(), name="protokoll_utskrift"),
    path(
        "moten/<id:pk>/protokoll/status/<str:target>/",
        minutes.MinutesStatusView.as_view(),
        name="protokoll_status",
    ),
    path(
        "moten/<id:pk>/protokoll/rattelse/",
        minutes.MinutesCorrectionView.as_view(),
        name="protokoll_rattelse",
    ),
    path("moten/<id:pk>/justera/", minutes.ApproveView.as_view(), name="justera"),
    # Förhinder and the call-in of ersättare
    path("moten/<id:pk>/forhinder/", forhinder.ForhinderReportView.as_view(), name="forhinder_report"),
    path(
        "moten/<id:pk>/forhinder/<id:forhinder_pk>/aterkalla/",
        forhinder.ForhinderWithdrawView.as_view(),
        name="forhinder_withdraw",
    ),
    path("moten/<id:pk>/inkallelse/<id:ask_pk>/", forhinder.InkallelseView.as_view(), name="inkallelse"),
    path("moten/<id:pk>/anslag/", minutes.AnnouncementView.as_view(), name="anslag"),
    # The packet and the minutes as PDF
    path("moten/<id:pk>/handlingar/", packet.PacketView.as_view(), name="motespaket_html"),
    path("moten/<id:pk>/handlingar/pdf/", packet.PacketPdfView.as_view(), name="motespaket"),
    path("moten/<id:pk>/protokoll/pdf/", packet.MinutesPdfView.as_view(), name="motesprotokoll_pdf"),
]

urlpatterns += meeting_urlpatterns

# The public archive under /arkiv/<forbund>/, the only pages without login (finsam/urls.py).
public_urlpatterns = [
    path("", login_not_required(public.ArchiveView.as_view()), name="public_archive"),
    path(
        "protokoll/<id:pk>/", login_not_required(public.PublicMinutesView.as_view()), name="public_protokoll"
    ),
    path(
        "protokoll/<id:pk>/anslag/",
        login_not_required(public.PublicAnnouncementView.as_view()),
        name="public_anslag",
    ),
    path("verksamhetsplan/<id:pk>/", public.plan_download, name="public_verksamhetsplan"),
]

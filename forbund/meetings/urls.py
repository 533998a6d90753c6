"""Every meeting page, under /f/<forbund>/moten/ (the meeting plan's list stays in forbund.urls)."""

from . import agenda_views, minutes_views, packet_views

urlpatterns = [*agenda_views.urlpatterns, *minutes_views.urlpatterns, *packet_views.urlpatterns]

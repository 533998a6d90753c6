"""The signed-in user's notifications, under /konto/notiser/."""

from django.urls import path

from . import notifications_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("olasta/", views.UnreadCountView.as_view(), name="unread"),
    path("installningar/", views.PreferencesView.as_view(), name="preferences"),
    path("<id:pk>/", views.OpenNotificationView.as_view(), name="open"),
]

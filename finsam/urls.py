from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from forbund import urls as forbund_urls
from forbund.accounts import views as account_views
from forbund.accounts.forms import LoginForm
from forbund.accounts.invitation_views import InvitationView
from forbund.audit_views import PasswordChangeView
from forbund.forms import QueuedPasswordResetForm, RecordedSetPasswordForm
from forbund.views import home

from . import views

admin.site.site_header = "finsam – administration"
admin.site.site_title = "finsam"

auth_patterns = [
    path(
        "logga-in/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("losenord/", PasswordChangeView.as_view(), name="password_change"),
    path("losenord/klart/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "aterstall/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("aterstall/skickat/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "aterstall/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=RecordedSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("aterstall/klart/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("tvastegsverifiering/", account_views.TwoFactorView.as_view(), name="two_factor"),
    path(
        "tvastegsverifiering/aktivera/", account_views.TwoFactorSetupView.as_view(), name="two_factor_setup"
    ),
    path("tvastegsverifiering/koder/", account_views.RecoveryCodesView.as_view(), name="two_factor_codes"),
    path("tvastegsverifiering/stang-av/", account_views.TwoFactorOffView.as_view(), name="two_factor_off"),
    path("verifiera/", account_views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("inbjudan/<str:token>/", InvitationView.as_view(), name="invitation"),
]

urlpatterns = [
    path("", home, name="home"),
    path("konto/", include(auth_patterns)),
    path("konto/notiser/", include("forbund.notifications_urls")),
    path("halsa/", views.health, name="health"),
    path("plattform/", include("forbund.platform.urls")),
    path("admin/", admin.site.urls),
    path("arkiv/<slug:forbund>/", include(forbund_urls.public_urlpatterns)),
    path("f/<slug:forbund>/", include("forbund.urls")),
    path("f/<slug:forbund>/insatser/", include("insatser.urls")),
    path("f/<slug:forbund>/ekonomi/", include("ekonomi.urls")),
    path("f/<slug:forbund>/", include("uppfoljning.urls")),
]

if settings.FINSAM_BENCH:
    urlpatterns.append(path("bench/bar/", views.bench_bare))

"""The pages of logging in beyond the password: changing it (forced after an admin set it)
and the admins' second factor."""

from base64 import b32encode
from functools import partial

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, signals
from accounts.forms import TotpCodeForm
from accounts.policy import PASSWORD_CHANGE_SESSION_KEY, password_change_pending, totp_required


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own (old password, new one twice, the policy's validators), and the end of a
    forced change."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")
    http_method_names = ["get", "post"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = password_change_pending(self.request)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, and keeps this session logged in
        services.account_password_changed(user=form.user)
        self.request.session.pop(PASSWORD_CHANGE_SESSION_KEY, None)
        messages.success(self.request, _("Your password has been changed."))
        return response


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse_lazy("home")


def _code_accepted(request, device: TOTPDevice, form: TotpCodeForm, verify=None) -> bool:
    # django-otp doubles a device's wait after each wrong code (1 s, 2 s, 4 s …), so that
    # guessing six digits takes forever; a code sent during the wait is refused unread, and
    # saying "wrong" would mislead the holder of the right one.
    waiting = not device.verify_is_allowed()[0]
    if (verify or device.verify_token)(form.cleaned_data["code"]):
        return True
    user = request.user
    signals.second_factor_failed.send(sender=user.__class__, user=user, request=request)
    if waiting:
        form.add_error(
            "code", _("Too many wrong codes: wait a few seconds, then enter the current code.")
        )
    else:
        form.add_error("code", _("The code is not right or has expired. Try the next one."))
    return False


def _require_totp(request) -> None:
    # The pages exist only where a second factor is asked of this user.
    if not totp_required(request.user):
        raise Http404


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """After the password: the code from the admin's authenticator app."""
    _require_totp(request)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse_lazy('accounts:otp_setup')}?{request.GET.urlencode()}")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(request, device, form):
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """An admin without an authenticator adds one: scan the QR code (or type the key), then
    prove it with the first code."""
    _require_totp(request)
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        # A second authenticator is added only after the first one's code: an admin
        # removes a lost one in the administration.
        return redirect(f"{reverse_lazy('accounts:otp_verify')}?{request.GET.urlencode()}")
    device = services.totp_device_start(user=request.user)
    form = TotpCodeForm(request.POST or None)
    confirm = partial(services.totp_device_confirm, device)
    if (
        request.method == "POST"
        and form.is_valid()
        and _code_accepted(request, device, form, confirm)
    ):
        otp_login(request, device)
        messages.success(request, _("Your authenticator app is set up."))
        return redirect(_next_url(request))
    key = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, border=2),
        "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
    }
    return render(request, "accounts/otp_setup.html", context, status=400 if form.errors else 200)

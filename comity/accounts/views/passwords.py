"""Password reset pages: ask for a link by e-mail, then set a new password with it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from comity.accounts import forms, services
from comity.accounts.models import User


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_request(request):
    form = forms.PasswordResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            accepted = services.password_reset_request(
                email=form.cleaned_data["email"], language=translation.get_language()
            )
            if accepted:
                return render(request, "accounts/password_reset_sent.html")
            # Counted on the submitted address whether or not an account has it: this tells nothing either.
            form.add_error(None, _("Too many reset requests. Try again later."))
            status = 429
    return render(request, "accounts/password_reset_request.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"message": _("This password reset link is not valid or has expired. Ask for a new one.")},
            status=410,
        )
    form = forms.SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            services.password_reset_complete(user=user, password=form.cleaned_data["password1"])
            messages.success(request, _("Your password was changed. Sign in with it and your second factor."))
            return redirect("accounts:login")
        return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=400)
    return render(request, "accounts/password_reset_confirm.html", {"form": form})

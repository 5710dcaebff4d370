"""Staff administration of channels and canned replies. Secrets are write-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smartsafe.accounts.admin_access import REFERENCE
from smartsafe.taxonomy.models import Channel

from . import actions
from .models import CannedReply, ChannelAccount


class ChannelAccountForm(forms.ModelForm):
    new_secret = forms.CharField(
        label=_("Password / secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current one."),
    )
    new_token = forms.CharField(
        label=_("Token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("A provider's access token, if the channel needs one. Leave empty to keep it."),
    )

    class Meta:
        model = ChannelAccount
        fields = ["kind", "name", "settings", "active"]

    def clean_settings(self):
        value = self.cleaned_data.get("settings") or {}
        if not isinstance(value, dict):
            raise ValidationError(_("Settings are a JSON object."))
        try:
            return actions.clean_settings(self.cleaned_data.get("kind") or self.instance.kind, value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or self.instance.kind
        if kind and not Channel.objects.filter(code=kind).exists():
            raise ValidationError(
                _("The taxonomy has no channel of this kind; load the reference data first.")
            )
        return data


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    form = ChannelAccountForm
    list_display = ["name", "kind", "active", "last_polled_at", "last_error"]
    list_filter = ["kind", "active"]
    readonly_fields = ["has_secrets", "webhook_path", "cursor", "last_polled_at", "last_error", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "kind"] if obj else self.readonly_fields

    @admin.display(boolean=True, description=_("secrets set"))
    def has_secrets(self, obj):
        return obj.has_secrets

    @admin.display(description=_("webhook path"))
    def webhook_path(self, obj):
        return reverse("inbox:webhook", args=[obj.webhook_token]) if obj.pk else ""

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        secrets = {
            k: v for k, v in (("secret", data.get("new_secret")), ("token", data.get("new_token"))) if v
        }
        if change:
            account = actions.update_account(
                account=obj,
                actor=request.user,
                name=data["name"],
                settings=data["settings"],
                active=data["active"],
                **secrets,
            )
        else:
            account = actions.create_account(
                kind=data["kind"], name=data["name"], settings=data["settings"], actor=request.user, **secrets
            )
            if not data["active"]:
                account = actions.update_account(account=account, actor=request.user, active=False)
        obj.pk = account.pk
        obj.refresh_from_db()


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    list_display = ["title", "language", "active"]
    list_filter = ["language", "active"]
    search_fields = ["title", "body"]

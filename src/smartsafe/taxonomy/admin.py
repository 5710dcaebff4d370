"""Django admin for the taxonomy: administrators edit names, order, mappings and switch terms on/off.

Terms are never deleted (cases and statistics point at them for years) and a code never changes
once saved; a term that is no longer offered is deactivated. Changes made here are overwritten by
the next ``manage.py load_taxonomy`` for the fields its data files set, so a lasting change goes
into the data files as well (docs/taxonomy.md).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartsafe.accounts.admin_access import REFERENCE

from . import actions
from .frameworks import chi_label, insafe_label
from .models import AgeBand, Category, Channel, Municipality, Platform, ReporterType, Sex
from .translation import to_latin


class TermAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    list_display = ("code", "name_sr", "name_latin", "name_en", "sort_order", "active")
    list_display_links = ("code", "name_sr")
    list_filter = ("active",)
    list_editable = ("sort_order", "active")
    search_fields = ("code", "name_sr", "name_en")
    actions = ["activate", "deactivate"]
    list_per_page = 100

    @admin.display(description=_("name (Serbian, Latin)"))
    def name_latin(self, obj):
        return to_latin(obj.name_sr)

    def get_readonly_fields(self, request, obj=None):
        # Statistics over years are keyed by code: once saved, a code is fixed.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Activate the selected terms"))
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description=_("Deactivate the selected terms (they stay on existing records)"))
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    def _set_active(self, request, queryset, value: bool):
        count = actions.set_active(actor=request.user, terms=queryset, active=value)
        message = (
            ngettext("%(count)d term activated.", "%(count)d terms activated.", count)
            if value
            else ngettext("%(count)d term deactivated.", "%(count)d terms deactivated.", count)
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(Channel)
class ChannelAdmin(TermAdmin):
    list_display = TermAdmin.list_display[:4] + ("kind",) + TermAdmin.list_display[4:]
    list_filter = ("active", "kind")


@admin.register(Category)
class CategoryAdmin(TermAdmin):
    list_display = (
        "code",
        "name_sr",
        "name_en",
        "kind",
        "chi",
        "insafe",
        "suggests_urgent",
        "sort_order",
        "active",
    )
    list_filter = ("active", "kind", "suggests_urgent", "insafe_code")
    search_fields = ("code", "name_sr", "name_en", "description_sr", "description_en")
    fieldsets = (
        (None, {"fields": ("code", "kind", "sort_order", "active", "suggests_urgent")}),
        (_("Names"), {"fields": ("name_sr", "name_en", "description_sr", "description_en")}),
        (
            _("Reporting frameworks"),
            {
                "fields": ("chi_code", "insafe_code"),
                "description": _(
                    "Every category maps to one Child Helpline International and one Insafe category."
                ),
            },
        ),
    )

    @admin.display(description=_("CHI"), ordering="chi_code")
    def chi(self, obj):
        return chi_label(obj.chi_code) if obj.chi_code else "—"

    @admin.display(description=_("Insafe"), ordering="insafe_code")
    def insafe(self, obj):
        return insafe_label(obj.insafe_code) if obj.insafe_code else "—"


@admin.register(Platform)
class PlatformAdmin(TermAdmin):
    list_display = ("code", "name_sr", "name_en", "kind", "host_list", "sort_order", "active")
    list_filter = ("active", "kind")
    search_fields = ("code", "name_sr", "name_en", "hosts")

    @admin.display(description=_("host names"))
    def host_list(self, obj):
        return ", ".join(obj.hosts or []) or "—"


@admin.register(ReporterType)
class ReporterTypeAdmin(TermAdmin):
    pass


@admin.register(AgeBand)
class AgeBandAdmin(TermAdmin):
    list_display = TermAdmin.list_display[:4] + ("min_age", "max_age") + TermAdmin.list_display[4:]


@admin.register(Sex)
class SexAdmin(TermAdmin):
    pass


@admin.register(Municipality)
class MunicipalityAdmin(TermAdmin):
    list_display = (
        "code",
        "name_sr",
        "name_latin",
        "name_en",
        "kind",
        "district",
        "region",
        "country",
        "active",
    )
    list_editable = ("active",)
    list_filter = ("active", "kind", "country", "region", "district")
    search_fields = ("code", "name_sr", "name_en", "district", "district_en", "region", "region_en")

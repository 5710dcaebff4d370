"""Django admin for the directory: administrators keep institutions and organisations current.

Re-loading the shipped files (``manage.py load_directory``) only changes the fields those files
set, so contact data entered here survives it (docs/directory.md).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartsafe.accounts.admin import UserAdmin
from smartsafe.accounts.admin_access import REFERENCE, STAFF

from . import actions
from .models import InspireApproach, InspireStrategy, Institution, InstitutionMember, Organisation, Service


class InstitutionMemberInline(admin.StackedInline):
    """On a user's admin page: the institution a liaison works for (one at most)."""

    model = InstitutionMember
    extra = 0
    max_num = 1
    can_delete = True
    verbose_name = _("institution (for liaisons)")
    verbose_name_plural = _("institution (for liaisons)")


# The membership is the directory's record, so the directory puts it on the user's page (accounts,
# below it in the layers, imports nothing of the directory). accounts' admin loads first
# (INSTALLED_APPS order), so its registration is there to extend.
UserAdmin.inlines = [*UserAdmin.inlines, InstitutionMemberInline]


class MemberInline(admin.TabularInline):
    model = InstitutionMember
    extra = 0
    autocomplete_fields = ("user",)
    verbose_name_plural = _("liaisons")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    list_display = (
        "code",
        "name_sr",
        "name_en",
        "kind",
        "level",
        "municipality",
        "email",
        "uses_portal",
        "verified_on",
        "active",
    )
    list_display_links = ("code", "name_sr")
    list_filter = ("kind", "level", "uses_portal", "active", "packet_language", "country")
    search_fields = ("code", "name_sr", "name_en", "email", "search_text")
    autocomplete_fields = ("municipality", "parent")
    filter_horizontal = ("covered_municipalities",)
    readonly_fields = ("updated_at",)
    list_per_page = 100
    inlines = [MemberInline]
    fieldsets = (
        (None, {"fields": ("code", "kind", "name_sr", "name_en", "active")}),
        (
            _("Jurisdiction"),
            {"fields": ("country", "level", "parent", "municipality", "areas", "covered_municipalities")},
        ),
        (_("Contact"), {"fields": ("email", "phone", "website", "postal_address", "working_hours")}),
        (_("Referrals"), {"fields": ("uses_portal", "packet_language", "counsellor_notes")}),
        (_("Data"), {"fields": ("source", "verified_on", "updated_at")}),
    )

    def has_delete_permission(self, request, obj=None):
        # Referrals and liaisons point at institutions for years: deactivate instead.
        return False


@admin.register(InstitutionMember)
class InstitutionMemberAdmin(admin.ModelAdmin):
    exposure = STAFF
    list_display = ("user", "institution")
    list_filter = ("institution__kind",)
    search_fields = ("user__username", "institution__code", "institution__name_en", "institution__name_sr")
    autocomplete_fields = ("user", "institution")


class ApproachInline(admin.TabularInline):
    model = InspireApproach
    extra = 0
    fields = ("code", "name_en", "name_sr", "sort_order", "survey_count")


@admin.register(InspireStrategy)
class InspireStrategyAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    list_display = ("number", "code", "name_en", "name_sr")
    search_fields = ("code", "name_en", "name_sr")
    inlines = [ApproachInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InspireApproach)
class InspireApproachAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    list_display = ("code", "strategy", "name_en", "name_sr", "survey_count", "sort_order")
    list_filter = ("strategy",)
    search_fields = ("code", "name_en", "name_sr")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    list_display = ("code", "name_en", "name_sr", "sort_order", "active")
    list_editable = ("sort_order", "active")
    list_filter = ("active",)
    search_fields = ("code", "name_en", "name_sr")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    list_display = ("name", "acronym", "kind", "website", "town_list", "referrable", "active")
    list_filter = ("kind", "active", "strategies", "services", ("institution", admin.EmptyFieldListFilter))
    search_fields = ("slug", "name", "name_local", "acronym", "search_text")
    filter_horizontal = ("strategies", "approaches", "services", "municipalities")
    autocomplete_fields = ("institution",)
    readonly_fields = ("updated_at",)
    actions = ["make_referrable"]
    fieldsets = (
        (None, {"fields": ("slug", "kind", "name", "name_local", "acronym", "active")}),
        (_("About"), {"fields": ("website", "description_en", "description_sr", "links")}),
        (_("Where"), {"fields": ("country", "towns", "municipalities")}),
        (_("What"), {"fields": ("strategies", "approaches", "services")}),
        (_("Referrals"), {"fields": ("institution",)}),
        (_("Data"), {"fields": ("source", "updated_at")}),
    )

    @admin.display(description=_("towns"))
    def town_list(self, obj):
        return ", ".join(obj.towns or [])

    @admin.display(description=_("referrable"), boolean=True)
    def referrable(self, obj):
        return obj.institution_id is not None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        actions.organisation_saved_in_admin(
            actor=request.user, organisation=form.instance, created=not change
        )

    @admin.action(description=_("Make referrable (create an NGO institution entry)"))
    def make_referrable(self, request, queryset):
        try:
            for organisation in queryset:
                actions.make_referrable(actor=request.user, organisation=organisation)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "%d organisation can now receive referrals.",
                "%d organisations can now receive referrals.",
                count,
            )
            % count,
            messages.SUCCESS,
        )

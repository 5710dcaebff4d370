"""Read-only admin pages: every change goes through the prevention pages (and so is audited)."""

from django.contrib import admin

from smartsafe.accounts.admin_access import REFERENCE

from .models import Event, Venue


class ReadOnlyAdmin(admin.ModelAdmin):
    exposure = REFERENCE

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Venue)
class VenueAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "country", "municipality", "town", "external_id", "active")
    list_filter = ("kind", "country", "active")
    search_fields = ("name", "town", "external_id")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("date", "kind", "status", "venue", "country", "municipality", "pupils", "parents")
    list_filter = ("status", "kind", "country", "language")
    date_hierarchy = "date"
    list_select_related = ("venue__municipality", "municipality")

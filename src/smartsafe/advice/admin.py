"""Articles in the Django admin: read-only, with their row history.

Writing happens on the staff pages (/advice/staff/) through ``actions``, which audit every change
and enforce who may publish; an admin form would bypass both.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from smartsafe.accounts.admin_access import REFERENCE

from .models import Article


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    exposure = REFERENCE
    list_display = ("slug", "title_en", "audience", "status", "published_at", "updated_at")
    list_filter = ("status", "audience", "topics")
    search_fields = ("slug", "title_sr", "title_en")
    readonly_fields = [f.name for f in Article._meta.fields] + ["topics"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

from django.contrib import admin

from finsam.admin import ReadOnlyAdmin

from .models import Insats


@admin.register(Insats)
class InsatsAdmin(ReadOnlyAdmin):
    list_display = ["name", "status", "owner", "start", "end", "forbund"]
    list_filter = ["forbund", "status", "kind"]
    search_fields = ["name"]

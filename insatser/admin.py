from django.contrib import admin

from .models import Insats


@admin.register(Insats)
class InsatsAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "owner", "start", "end", "forbund"]
    list_filter = ["forbund", "status", "kind"]
    search_fields = ["name"]

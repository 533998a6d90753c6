from django.contrib import admin

from .models import Budget, BudgetIncome


class BudgetIncomeInline(admin.TabularInline):
    model = BudgetIncome
    extra = 0


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["year", "version", "status", "forbund"]
    list_filter = ["forbund", "status"]
    inlines = [BudgetIncomeInline]

from django.contrib import admin

from finsam.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline

from .models import (
    AccountMapping,
    Budget,
    BudgetCost,
    BudgetIncome,
    BudgetInsatsCost,
    BudgetOutlineYear,
    CostCategory,
    EconomySettings,
    ForecastOverride,
    Invoice,
    LedgerImport,
    LockedPeriod,
)


class BudgetIncomeInline(ReadOnlyInline):
    model = BudgetIncome
    extra = 0


class BudgetCostInline(ReadOnlyInline):
    model = BudgetCost
    extra = 0


class BudgetInsatsCostInline(ReadOnlyInline):
    model = BudgetInsatsCost
    extra = 0


class BudgetOutlineInline(ReadOnlyInline):
    model = BudgetOutlineYear
    extra = 0


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["year", "version", "status", "decided_on", "forbund"]
    list_filter = ["forbund", "status"]
    inlines = [BudgetIncomeInline, BudgetCostInline, BudgetInsatsCostInline, BudgetOutlineInline]


@admin.register(CostCategory)
class CostCategoryAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "order", "forbund"]
    list_filter = ["forbund"]


@admin.register(EconomySettings)
class EconomySettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "forbund",
        "equity_guideline_percent",
        "insats_share_target_percent",
        "invoice_interval_months",
    ]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["insats", "period_start", "period_end", "amount", "status", "forbund"]
    list_filter = ["forbund", "status"]


@admin.register(AccountMapping)
class AccountMappingAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["account", "name", "category", "insats", "medlem", "forbund"]
    list_filter = ["forbund"]


@admin.register(LedgerImport)
class LedgerImportAdmin(ReadOnlyAdmin):
    list_display = ["year", "first_month", "last_month", "filename", "imported_at", "forbund"]
    list_filter = ["forbund"]


@admin.register(LockedPeriod)
class LockedPeriodAdmin(ReadOnlyAdmin):
    list_display = ["year", "locked_at", "forbund"]


@admin.register(ForecastOverride)
class ForecastOverrideAdmin(ReadOnlyAdmin):
    """A full-year forecast the kansli set by hand, with its motivering; set on the comparison page."""

    list_display = ["year", "category", "insats", "medlem", "amount", "set_by", "set_at", "forbund"]
    list_filter = ["forbund", "year"]
    list_select_related = ["forbund", "category", "insats", "medlem", "set_by"]
    readonly_fields = ["set_at"]

"""What each member gets for its money: a page and an Excel export per year, for the kansli, the
board and the revisor. Thin: declare the rule, render the selector."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from finsam import access, xlsx
from finsam.xlsx import TITLE
from forbund.mixins import ForbundViewMixin

from ..selectors.members import MemberBenefits, member_benefits

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    "Medlem",
    "Bidrag enligt budget",
    "Inbetalt enligt huvudbok",
    "Insats",
    "Roll",
    "Beviljat",
    "Deltagare",
]


class MemberBenefitsMixin(ForbundViewMixin):
    rule = "view_member_benefits"

    def get_year(self) -> int:
        value = self.request.GET.get("ar", "")
        if value.isdigit() and 2004 <= int(value) <= 2100:
            return int(value)
        return timezone.localdate().year

    def benefits(self) -> MemberBenefits:
        exact = bool(access.check("see_exact_counts", self.request.user, self.forbund))
        return member_benefits(self.forbund, self.get_year(), exact=exact)


class MemberBenefitsView(MemberBenefitsMixin, TemplateView):
    template_name = "ekonomi/member_benefits.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.get_year()
        context.update(benefits=self.benefits(), year=year, years=range(year + 1, year - 6, -1))
        return context


class MemberBenefitsExportView(MemberBenefitsMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        benefits = self.benefits()
        response = HttpResponse(workbook(benefits, self.forbund.name), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="medlemmarna-{benefits.year}.xlsx"'
        return response


def workbook(benefits: MemberBenefits, forbund_name: str) -> bytes:
    """One row per member and insats it takes part in (a member without insatser gets one row);
    amounts as number cells, hidden participant counts as the page shows them."""
    book, sheet = xlsx.new_workbook("Medlemmarna")
    sheet.append([f"{forbund_name}: vad medlemmarna får för sina bidrag {benefits.year}"])
    sheet["A1"].font = TITLE
    header = xlsx.append_header(sheet, COLUMNS, numeric_from=2)
    for row in benefits.rows:
        money = [row.medlem.name, xlsx.amount(row.contribution), xlsx.amount(row.paid)]
        if not row.insatser:
            xlsx.append_row(sheet, [*money, "Ingen insats", None, None, None])
        for item in row.insatser:
            participants = item.participants.cell if item.participants is not None else None
            xlsx.append_row(
                sheet, [*money, item.insats.name, item.role.lower(), xlsx.amount(item.granted), participants]
            )
    xlsx.finish(sheet, freeze=f"B{header + 1}", measure_from=header)
    return xlsx.to_bytes(book)


urlpatterns = [
    path("medlemmar/", MemberBenefitsView.as_view(), name="member_benefits"),
    path("medlemmar/excel/", MemberBenefitsExportView.as_view(), name="member_benefits_xlsx"),
]

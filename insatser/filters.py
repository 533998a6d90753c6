"""Search and filters for the insats list (django-filter: the list's query string is the filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from forbund.models import Forbund, Medlem

from .models import Insats
from .selectors import overlapping_year

ALL = "Alla"


class InsatsFilter(django_filters.FilterSet):
    # Bounded: every word of the search is one more condition in the query.
    q = django_filters.CharFilter(label="Sök", method="search", max_length=200)
    status = django_filters.ChoiceFilter(label="Status", choices=Insats.Status.choices, empty_label=ALL)
    year = django_filters.ChoiceFilter(label="År", method="in_year", empty_label=ALL)
    owner = django_filters.ModelChoiceFilter(
        label="Projektägare", queryset=Medlem.objects.none(), empty_label=ALL
    )
    kind = django_filters.ChoiceFilter(label="Inriktning", choices=Insats.Kind.choices, empty_label=ALL)
    malgrupp = django_filters.ChoiceFilter(label="Målgrupp", choices=Insats.Malgrupp.choices, empty_label=ALL)

    class Meta:
        model = Insats
        fields = ["q", "status", "year", "owner", "kind", "malgrupp"]

    def __init__(self, *args, forbund: Forbund, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = Medlem.objects.filter(forbund=forbund)
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(problem__icontains=word)
                | Q(malgrupp_description__icontains=word)
                | Q(owner_unit__icontains=word)
            )
        return queryset

    def in_year(self, queryset, name, value):
        return queryset.filter(overlapping_year(int(value)))

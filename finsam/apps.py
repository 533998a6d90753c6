from django.apps import AppConfig


class FinsamConfig(AppConfig):
    name = "finsam"
    verbose_name = "Finsam"

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import IdConverter, YearConverter

        register_converter(YearConverter, "year")
        register_converter(IdConverter, "id")

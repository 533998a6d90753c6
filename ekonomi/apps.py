from django.apps import AppConfig


class EkonomiConfig(AppConfig):
    name = "ekonomi"
    verbose_name = "Ekonomi"

    def ready(self) -> None:
        from . import workflow  # noqa: F401 - registers the invoice and budget workflows with the engine

from django.apps import AppConfig


class InsatserConfig(AppConfig):
    name = "insatser"
    verbose_name = "Insatser"

    def ready(self) -> None:
        from . import workflow  # noqa: F401 - registers the insats workflow with the engine

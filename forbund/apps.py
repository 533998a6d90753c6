from django.apps import AppConfig


class ForbundConfig(AppConfig):
    name = "forbund"
    verbose_name = "Förbund"

    def ready(self) -> None:
        from .meetings import packet

        packet.register_documents()

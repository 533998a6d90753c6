from django.apps import AppConfig


class UppfoljningConfig(AppConfig):
    name = "uppfoljning"
    verbose_name = "Uppföljning"

    def ready(self) -> None:
        from finsam import rendering

        from . import arsredovisning, selectors

        rendering.register(
            "arsredovisning",
            template="uppfoljning/pdf/arsredovisning.html",
            context=arsredovisning.arsredovisning_context,
            rule="manage_documents",
        )
        rendering.register(
            "verksamhetsplan",
            template="uppfoljning/pdf/verksamhetsplan.html",
            context=selectors.verksamhetsplan_context,
            rule="manage_documents",
        )

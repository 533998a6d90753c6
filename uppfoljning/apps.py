from django.apps import AppConfig


class UppfoljningConfig(AppConfig):
    name = "uppfoljning"
    verbose_name = "Uppföljning"

    def ready(self) -> None:
        from finsam import rendering

        from . import workflow  # noqa: F401 - registers the report workflow with the engine
        from .selectors.arsredovisning import arsredovisning_context
        from .selectors.documents import verksamhetsplan_context

        rendering.register(
            "arsredovisning",
            template="uppfoljning/pdf/arsredovisning.html",
            context=arsredovisning_context,
            rule="manage_documents",
        )
        rendering.register(
            "verksamhetsplan",
            template="uppfoljning/pdf/verksamhetsplan.html",
            context=verksamhetsplan_context,
            rule="manage_documents",
        )

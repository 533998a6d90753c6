"""The board's meetings (styrelsemöten): the workflow (workflow), writes (services), reads
(selectors), forms, views and URLs (urls), and the documents the rendering service makes of a
meeting (packet)."""

#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
    # manage.py is the developer's tool: without settings it runs in development mode. Production sets
    # DEBUG=false (docker-compose.yml via .env), and gunicorn and Celery never read this default.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

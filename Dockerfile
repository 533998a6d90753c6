# One image for web (gunicorn), worker and beat (Celery); see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=finsam.settings

# WeasyPrint's runtime: Pango and a font. The PostgreSQL client (pg_dump, pg_restore, psql) for
# `manage.py backup` and `restore`: pg_dump refuses a server newer than itself and Debian bookworm's
# postgresql-client is 15, so the client matching docker-compose.yml's postgres:16 comes from the
# PostgreSQL project's Debian repository, set up with the script Debian's postgresql-common ships.
ARG POSTGRES_CLIENT_VERSION=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        postgresql-client-${POSTGRES_CLIENT_VERSION} \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The runtime dependencies from pyproject.toml first, so a code change does not reinstall them.
# The code itself runs from /app (PYTHONPATH), where manage.py, templates/ and static/ live.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image (/app/var/staticfiles) and served by WhiteNoise.
# The key and database are build-time placeholders: settings refuse to load without them when DEBUG
# is off, and collectstatic touches neither.
RUN DEBUG=false SECRET_KEY=build-time-placeholder-not-used-at-runtime DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin finsam \
    && chown -R finsam:finsam /app/var

USER finsam

EXPOSE 8000
CMD ["gunicorn", "finsam.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

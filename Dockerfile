# The portal image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=liaison_portal.settings.production

WORKDIR /app
# The liaisons' certificates (outreach/recognition/certificate.py) are set in a CJK font.
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt \
    && useradd --system --uid 1000 --home /app portal
COPY . .
# collectstatic needs settings but no real secrets or services.
RUN SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-000000 \
    DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=redis://localhost \
    ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "liaison_portal.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--workers", "3"]

"""There is no Docker engine here: check that what docker-compose runs exists."""

import importlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_redis_web_worker_and_exactly_one_beat():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    beat = services["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "beat" in " ".join(beat["command"])


def test_the_wsgi_application_that_gunicorn_serves_exists():
    web = " ".join(_compose()["services"]["web"]["command"])
    target = next(word for word in web.split() if ":application" in word)
    module, attribute = target.split(":")
    assert hasattr(importlib.import_module(module), attribute)


def test_the_celery_app_that_worker_and_beat_run_exists():
    services = _compose()["services"]
    for name in ("worker", "beat"):
        command = services[name]["command"]
        app_name = command[command.index("-A") + 1]
        module = importlib.import_module(app_name)
        assert module.celery_app.main == "liaison_portal"


def test_every_service_has_a_health_check_and_data_lives_in_volumes():
    compose = _compose()
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in compose["services"][name], name
    assert {"postgres-data", "media"} <= set(compose["volumes"])


def test_migrations_run_on_start_before_the_web_server():
    services = _compose()["services"]
    migrate = services["migrate"]
    assert "migrate" in " ".join(migrate["command"])
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_containers_run_the_production_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=liaison_portal.settings.production" in dockerfile
    environment = _compose()["x-portal-env"]
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"} <= set(environment)


def test_the_backends_compose_defaults_to_exist():
    # "${EMAIL_BACKEND:-django.core.mail.backends.smtp.EmailBackend}": the default after ":-"
    # is what a park runs unless it says otherwise; a wrong path fails only at the first send.
    environment = _compose()["x-portal-env"]
    default = environment["EMAIL_BACKEND"].split(":-", 1)[1].rstrip("}")
    module, attribute = default.rsplit(".", 1)
    assert hasattr(importlib.import_module(module), attribute)


def test_compose_wants_the_sms_gateway_and_the_public_address_from_the_env_file():
    """No stand-in default: production refuses the console SMS backend and a missing
    SELF_SERVICE_BASE_URL, and compose says which variable is missing before that."""
    environment = _compose()["x-portal-env"]
    for name in ("SMS_BACKEND", "SELF_SERVICE_BASE_URL"):
        assert environment[name] == f"${{{name}:?set {name} in .env}}", name


def test_gunicorn_runs_with_its_config_file_in_compose_and_in_the_image():
    """gunicorn.conf.py redacts personal-link tokens from the access log
    (tests/outreach/selfservice/test_logs.py runs gunicorn with it)."""
    web = _compose()["services"]["web"]["command"]
    assert web[web.index("--config") + 1] == "gunicorn.conf.py"
    assert (ROOT / "gunicorn.conf.py").is_file()
    cmd = (ROOT / "Dockerfile").read_text().split("\nCMD", 1)[1]
    assert '"--config", "gunicorn.conf.py"' in cmd


def test_the_replica_is_an_optional_streaming_standby_of_postgres():
    compose = _compose()
    replica = compose["services"]["db-replica"]
    assert replica["profiles"] == ["replica"]  # not started unless asked for
    script = " ".join(replica["command"])
    assert "pg_basebackup -h postgres" in script and " -R " in script
    assert "postgres-replica-data" in compose["volumes"]
    assert compose["x-portal-env"]["DATABASE_REPLICA_URL"] == "${DATABASE_REPLICA_URL:-}"
    # The primary lets it stream: the init script mounted into the image exists.
    mounts = [volume.split(":")[0] for volume in compose["services"]["postgres"]["volumes"]]
    assert all((ROOT / mount).exists() for mount in mounts if mount.startswith("./"))

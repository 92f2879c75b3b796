"""`make run`: the demo's personal links open the server it starts, on whatever PORT."""

import pytest

from liaison_portal import run


@pytest.mark.parametrize(
    ("host", "port", "base"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("127.0.0.1", 8001, "http://127.0.0.1:8001"),
        ("0.0.0.0", 9000, "http://localhost:9000"),
        ("::1", 8002, "http://[::1]:8002"),
    ],
)
def test_the_link_base_follows_host_and_port(host, port, base):
    assert run.link_base_url(host, port) == base


def test_make_run_passes_the_link_base_to_every_process(monkeypatch):
    """main() sets it before starting anything; the children inherit the environment."""
    seen = {}

    def stop_at_migrate(*args):
        seen["base"] = run.os.environ.get("SELF_SERVICE_BASE_URL")
        raise SystemExit(0)

    monkeypatch.delenv("SELF_SERVICE_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("DATABASE_URL", "postgres://unused")
    monkeypatch.setattr(run, "_port_free", lambda host, port: True)
    monkeypatch.setattr(run, "_manage", stop_at_migrate)
    with pytest.raises(SystemExit):
        run.main()
    assert seen["base"] == "http://127.0.0.1:8123"

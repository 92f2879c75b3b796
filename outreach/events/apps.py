"""What events register when outreach starts (called from OutreachConfig.ready, after the
desk's): who may edit events and the yearly target, the demo's events."""


def events_ready(app_config) -> None:
    _give_staff_the_events()
    _register_demo_step()
    _load_tasks()


def _load_tasks() -> None:
    # Celery finds only <app>.tasks: the events' live in their own module.
    from outreach.events import tasks  # noqa: F401


def _give_staff_the_events() -> None:
    # Staff and admins hold the events; the target is the park admin's, in the admin.
    from registry.roles import Role, register_role_permissions

    crud = {f"outreach.{action}_event" for action in ("view", "add", "change")}
    register_role_permissions(Role.STAFF, crud)
    register_role_permissions(
        Role.ADMIN,
        crud | {"outreach.view_eventsettings", "outreach.change_eventsettings"},
    )


def _register_demo_step() -> None:
    from outreach.events.demo import seed_events
    from registry.demo import register_demo_step

    register_demo_step("events", seed_events, after=("outreach",))

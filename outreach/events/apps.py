"""What events register when outreach starts (called from OutreachConfig.ready, after the
desk's): who may edit events and the yearly target, the demo's events; at the door: who
reads and works the attendance, the walk-in's mobile as a protected field, the events on the
enterprise page, attendance as the recognition's "attended an event", and walk-ins in the
retention run."""


def events_ready(app_config) -> None:
    _give_staff_the_events()
    _register_demo_step()
    _give_staff_the_attendance()
    _mask_the_walk_ins_mobile()
    _add_to_the_enterprise_page()
    _attendance_counts_for_recognition()
    _register_retention_step()
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


def _give_staff_the_attendance() -> None:
    # Staff and admins match walk-ins; auditors read the list and its export (mobiles masked).
    from registry.roles import Role, register_role_permissions

    work = {"outreach.view_eventattendance", "outreach.change_eventattendance"}
    register_role_permissions(Role.STAFF, work)
    register_role_permissions(Role.ADMIN, work)
    register_role_permissions(Role.AUDITOR, {"outreach.view_eventattendance"})


def _mask_the_walk_ins_mobile() -> None:
    # The mobile a walk-in typed: masked like a liaison's.
    from registry.masking import PHONE, register_protected
    from registry.normalize import mask_phone

    register_protected("eventattendance", "walk_in_mobile", PHONE, mask_phone)


def _add_to_the_enterprise_page() -> None:
    from outreach.events.enterprise_page import events_panel
    from registry.panels import register_panel

    register_panel(events_panel)


def _attendance_counts_for_recognition() -> None:
    # RECOGNITION_REQUIRE_EVENT: the liaisons checked in at an event of the year.
    from outreach.events.door import liaisons_attended
    from outreach.recognition.services import register_attendance

    register_attendance(liaisons_attended)


def _register_retention_step() -> None:
    # What walk-ins typed about themselves, erased with the registry's people.
    from outreach.events.retention import erase_walk_ins
    from registry.retention import register_retention_step

    register_retention_step(erase_walk_ins)

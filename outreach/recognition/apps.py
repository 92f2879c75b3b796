"""What the recognition registers when outreach starts (called from OutreachConfig.ready):
its beat task's module and its entries on the enterprise's timeline."""


def recognition_ready() -> None:
    from outreach.recognition import tasks  # noqa: F401  (Celery finds only <app>.tasks)
    from outreach.recognition.timeline import recognitions_on_timeline
    from registry.timeline import register_source

    register_source(recognitions_on_timeline)

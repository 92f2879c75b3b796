"""Events of the park's compliance service (issue 20): trainings (培训), service-month
meetings (座谈会) and salons (沙龙). Tables in outreach's app label (outreach/models.py
imports them); wiring in outreach.events.apps.events_ready."""

"""Outreach's REST API: the contact log and the tasks, with the rules of the pages
(docs/CHANGELOG.md, "Contact log, tasks, plan")."""

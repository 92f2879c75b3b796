"""Outreach's raw SQL, in one place (the app and its messaging, matters and selfservice
parts): the set-based statements the ORM cannot say, or not fast enough over the whole
registry. Every table and column name comes from the models' ``_meta`` (registry.sql.names);
beside each set-based statement, a short ORM reference version that a test holds equal on a
small park (tests/outreach, tests/outreach/messaging and tests/outreach/matters: test_sql.py).

- ``tasks``: opening and closing tasks for every enterprise a query selects (also the
  monitor's rules and lights: outreach owns the task table);
- ``plan``: the outreach plan over the whole registry;
- ``messaging`` and ``selfservice``: the bulk outbox write with its personal links, and a
  campaign's preview;
- ``matters``: matter numbers and the reminders' claims;
- ``retention``: what an erased liaison leaves in outreach's tables.
"""

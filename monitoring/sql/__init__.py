"""Monitoring's raw SQL, in one place: the rules' conditions, the light recomputed from the
whole contact log, the dashboard's trend figures, the stored health other statements query,
and the evidence's share of the retention run. Every table and column name comes from the
models' ``_meta`` (registry.sql.names); tasks are outreach's, opened and closed through
outreach.sql.tasks. Beside each set-based statement, a short reference version that
tests/monitoring/test_sql.py holds equal on a small park.
"""

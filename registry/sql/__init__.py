"""The registry's raw SQL, in one place: what the ORM cannot say, or not fast enough over the
whole registry. Every table and column name comes from the models' ``_meta``
(``registry.sql.names.Table``); beside each set-based statement, a short ORM (or Python)
reference version that a test holds equal on a small park (tests/registry/test_sql.py).

- ``search``: the enterprise list's partial search (one UNION of index lookups);
- ``history``: history events written set-based, and when a recorded change was made;
- ``retention``: choosing and erasing what is past its retention period, and the
  ``text_erase`` that higher apps' retention steps use on their own texts;
- ``security_log``: the switch that lets the purge through the log's DELETE trigger;
- ``fragments``: pieces higher apps put in their statements (a grid's workers, the current
  liaison);
- ``names``: ``Table``, the names of a model's table and columns for SQL text.

Higher apps name registry tables in their own SQL through ``Table`` and the public
fragments here (``fragments.current_liaison_join``, ``fragments.grid_workers_cte``,
``history.changed_at_sql``), never by hand.
"""

from registry.sql.names import Table, quoted

__all__ = ["Table", "quoted"]

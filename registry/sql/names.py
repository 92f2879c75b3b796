"""Table and column names for SQL text, every one read from a model's ``_meta``.

The raw SQL of each app (its ``sql`` package) writes no table or column name by hand: a
renamed field or table then changes the SQL with it, and a typo fails when the statement is
built, not when it runs. Aliases, CTE names and temporary tables stay plain text::

    e = Table(Enterprise, "e")
    f"SELECT {e.id} FROM {e} WHERE {e.grid} = %s AND {e.tier} = %s"
    # SELECT e."id" FROM "registry_enterprise" AS e WHERE e."grid_id" = %s AND e."tier" = %s

    t = Table(Task)  # no alias: columns bare
    f"INSERT INTO {t} ({t:enterprise,kind,status}) ... ON CONFLICT ({t:enterprise,kind})"
    # INSERT INTO "outreach_task" ("enterprise_id", "kind", "status") ...

``{e.<field>}`` is a column (a foreign key's ``_id`` column under the field's name), qualified
by the alias when the table has one; ``{e:<field>,<field>}`` lists bare columns, for the places
SQL wants them unqualified (an INSERT's column list, SET, ON CONFLICT); ``{e}`` is the table
with its alias, ``e.db_table`` the table alone (LOCK, ANALYZE).
"""

from __future__ import annotations

from django.db import connection


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


class Table:
    """A model's table in SQL text (module docstring)."""

    def __init__(self, model, alias: str = ""):
        self._model = model
        self._alias = alias

    @property
    def db_table(self) -> str:
        return quoted(self._model._meta.db_table)

    def column(self, name: str) -> str:
        """The bare column of field ``name`` (``pk`` for the primary key)."""
        meta = self._model._meta
        field = meta.pk if name == "pk" else meta.get_field(name)
        if field.column is None:
            raise ValueError(f"{meta.label}.{name} has no column")
        return quoted(field.column)

    def raw_column(self, column: str) -> str:
        """A column Django does not know (one a migration added by hand), qualified."""
        return f"{self._alias}.{quoted(column)}" if self._alias else quoted(column)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        column = self.column(name)
        return f"{self._alias}.{column}" if self._alias else column

    def __format__(self, spec: str) -> str:
        if spec:
            return ", ".join(self.column(name.strip()) for name in spec.split(","))
        return f"{self.db_table} AS {self._alias}" if self._alias else self.db_table

    def __str__(self) -> str:
        return format(self, "")

    def __repr__(self) -> str:
        return f"Table({self._model._meta.label}, {self._alias!r})"

"""The CockroachDB layer for Apache Airflow 2.11.x: no patch is needed, and this file says why.

``scripts/airflow-dialect-audit/2.11.2.yml`` lists the 37 runtime places where Airflow 2.11.2 (with its
FAB auth manager) branches on the dialect name. None needs a change under the ``cockroachdb`` name:
- there is no dialect-specific upsert: ``Variable.set`` and the rendered task fields use
  ``session.merge()`` (SELECT, then INSERT or UPDATE), which CockroachDB runs as PostgreSQL does;
- no ``@compiles`` registration is dialect-specific;
- the PostgreSQL-only branches are the scheduler's ``pg_try_advisory_xact_lock`` (unknown before
  CockroachDB v26.3: the fallback without it is the right form, apache/airflow#69557), NULLS FIRST/LAST
  (CockroachDB already sorts NULLs first ascending) and dataset ON CONFLICT DO NOTHING (the savepoint
  fallback works);
- the rest single out MySQL, SQLite, MSSQL or Oracle, or run only in ``airflow db migrate/reset/downgrade``
  and FAB's table creation.

The file exists so that 2.11 is a covered minor (the role's preflight and the layer's version check
accept it) and so that a future 2.11.x whose audit shows a new branch has one place to patch it.
"""

from __future__ import annotations

PATCHES: dict = {}

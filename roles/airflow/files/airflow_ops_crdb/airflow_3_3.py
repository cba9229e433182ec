"""The CockroachDB layer for Apache Airflow 3.3.x: every patch, and why it exists.

Source of truth: ``scripts/airflow-dialect-audit/3.3.2.yml`` lists all 73 runtime places where Airflow
3.3.2 branches on the dialect name (or registers a dialect-specific compiler; ``3.3.2-fab.yml`` adds the
FAB provider's 4 table-creation hooks) and classifies each:
(a) CockroachDB can take PostgreSQL's path, (b) it needs its own form, (c) never reached at runtime.
Most (a) places single out MySQL or SQLite, so CockroachDB already runs PostgreSQL's branch under its
own name ``cockroachdb``; most (b) places are already right because Airflow's fallback is what
CockroachDB needs (no advisory lock before v26.3, no NULLS FIRST since CockroachDB sorts NULLs first).
What is left is patched here, and ONLY when the dialect is ``cockroachdb``: PostgreSQL, MySQL and
SQLite see no difference.

Three mechanisms, the smallest that fits each place:
- ``_postgresql_path``: wrap a function so a ``dialect`` argument of ``"cockroachdb"`` reads
  ``"postgresql"`` (the upsert builders, the calendar).
- ``_module_sees_postgresql``: in a module whose every dialect branch is class (a), the module's own
  ``get_dialect_name`` answers ``"postgresql"`` for CockroachDB. Other modules keep the real name: the
  scheduler's advisory lock and the API's keyset pagination (class b) must see ``cockroachdb``.
- ``_register_like_postgresql``: ``@compiles`` registrations for ``cockroachdb`` reusing the
  ``postgresql`` compiler (SQLAlchemy dispatches on ``dialect.name`` and falls back to the element's
  default rendering, an unknown SQL function on CockroachDB).

Upstream: apache/airflow#69640 (the upsert helper; closed unmerged), #69556 (40001/40P01 retries in the
scheduler's critical section; not applied here), #69557 (advisory-lock guard; CockroachDB v26.3),
#46175 (maintainers decline CockroachDB support).
"""

from __future__ import annotations

import functools
import inspect

COCKROACHDB = "cockroachdb"


def _postgresql_path(func, argument: str = "dialect"):
    """``func`` with its ``argument`` (a dialect name) read as postgresql when it is cockroachdb."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        if bound.arguments.get(argument) == COCKROACHDB:
            bound.arguments[argument] = "postgresql"
        return func(*bound.args, **bound.kwargs)

    wrapper.__airflow_ops_crdb__ = True
    return wrapper


def _module_sees_postgresql(module) -> None:
    """The module's ``get_dialect_name`` answers postgresql for CockroachDB (only that module's)."""
    real = module.get_dialect_name

    @functools.wraps(real)
    def get_dialect_name(session):
        name = real(session)
        return "postgresql" if name == COCKROACHDB else name

    get_dialect_name.__airflow_ops_crdb__ = True
    module.get_dialect_name = get_dialect_name


def _register_like_postgresql(element, postgresql_compiler) -> None:
    from sqlalchemy.ext.compiler import compiles

    compiles(element, COCKROACHDB)(postgresql_compiler)


class _SeenAsPostgreSQL:
    """A bind whose ``dialect.name`` reads postgresql; everything else is the real bind's."""

    def __init__(self, bind):
        self._bind = bind
        self.dialect = _DialectNamed(bind.dialect, "postgresql")

    def __getattr__(self, name):
        return getattr(self._bind, name)


class _DialectNamed:
    def __init__(self, dialect, name):
        self._dialect = dialect
        self.name = name

    def __getattr__(self, attr):
        return getattr(self._dialect, attr)


def _wrap_classmethod(cls, name, make_wrapper) -> None:
    func = cls.__dict__[name].__func__
    setattr(cls, name, classmethod(make_wrapper(func)))


# --- the patches, one function per Airflow module -----------------------------------------------------


def patch_utils_sqlalchemy(module) -> None:
    # build_upsert_stmt raises ValueError for any dialect but postgresql/mysql/sqlite: Variable.set and
    # every task's rendered fields (RenderedTaskInstanceFields.write) fail, so every task start returns
    # a 500 from the execution API (apache/airflow#69640). CockroachDB documents INSERT ... ON CONFLICT
    # (cols) DO UPDATE, which is what the PostgreSQL branch builds. Callers import the name after this
    # module has run, so replacing the module attribute reaches them all.
    module.build_upsert_stmt = _postgresql_path(module.build_upsert_stmt)
    # random_db_uuid has compilers for the three known names only; on cockroachdb SQLAlchemy renders the
    # element's default, "random_db_uuid()", an unknown function: the scheduler's queueing UPDATE
    # (external_executor_id) would fail. gen_random_uuid() is built into CockroachDB.
    _register_like_postgresql(module.random_db_uuid, module._random_db_uuid_pg)


def patch_state_metastore(module) -> None:
    # The task/asset state store has its own upsert builder; its fallback builds a SQLite INSERT, which
    # the cockroachdb compiler cannot compile ('OnConflictDoUpdate' object has no attribute
    # 'constraint_target'): every state write fails. Use the PostgreSQL form, as for Variable.
    module._build_upsert_stmt = _postgresql_path(module._build_upsert_stmt)


def patch_models_hitl(module) -> None:
    # JSONExtract (human-in-the-loop queries) is compiled for the three known names only; the default
    # rendering is json_extract(), unknown on CockroachDB; json_extract_path_text() exists there.
    _register_like_postgresql(module.JSONExtract, module.compile_postgres)


def patch_calendar_service(module) -> None:
    # The UI calendar raises ValueError("Unsupported dialect") for anything else; CockroachDB has
    # PostgreSQL's date_trunc() and timezone().
    cls = module.CalendarService
    cls._get_time_truncation_expression = _postgresql_path(cls._get_time_truncation_expression)


def patch_task_instance(module) -> None:
    # duration_expression_update reads bind.dialect.name; CockroachDB would get MySQL's TIMESTAMPDIFF
    # (unknown there) when a task ends. PostgreSQL's EXTRACT(EPOCH FROM end - start) works.
    def make_wrapper(func):
        @functools.wraps(func)
        def wrapper(cls, end_date, query, bind):
            if bind.dialect.name == COCKROACHDB:
                bind = _SeenAsPostgreSQL(bind)
            return func(cls, end_date, query, bind)

        wrapper.__airflow_ops_crdb__ = True
        return wrapper

    _wrap_classmethod(module.TaskInstance, "duration_expression_update", make_wrapper)


# Module name -> patch. Every module listed here has only class (a) places, checked by
# tests/unit/test_crdb_layer.py against the audit file, when it is patched with _module_sees_postgresql:
# - models/deadline.py, serialization/definitions/deadline.py: the average-runtime deadline raises
#   ValueError for unknown dialects; EXTRACT(epoch FROM interval) works on CockroachDB.
# - assets/manager.py: asset-triggered DAG runs are queued with INSERT ... ON CONFLICT DO NOTHING instead
#   of one SAVEPOINT per row.
# - dag_processing/collection.py: assets are activated with PostgreSQL's INSERT ... ON CONFLICT DO NOTHING;
#   the SQLite insert of the fallback does not compile on cockroachdb (the DAG processor's write fails).
PATCHES = {
    "airflow.utils.sqlalchemy": patch_utils_sqlalchemy,
    "airflow.state.metastore": patch_state_metastore,
    "airflow.models.hitl": patch_models_hitl,
    "airflow.api_fastapi.core_api.services.ui.calendar": patch_calendar_service,
    "airflow.models.taskinstance": patch_task_instance,
    "airflow.models.deadline": _module_sees_postgresql,
    "airflow.serialization.definitions.deadline": _module_sees_postgresql,
    "airflow.assets.manager": _module_sees_postgresql,
    "airflow.dag_processing.collection": _module_sees_postgresql,
}

"""Runs INSIDE an Airflow venv's python (not collected by pytest): Airflow's own write paths under the
``cockroachdb`` dialect name, against a real PostgreSQL server.

Argument: JSON ``{"layer_site": DIR or null, "checks": [...]}``. Airflow's configuration comes from the
environment (``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=cockroachdb://...``). With ``layer_site`` the test
switches the airflow_ops_crdb layer on the way the role installs it: ``site.addsitedir`` processes the
directory's ``airflow_ops_crdb.pth`` exactly as Python does for site-packages at start. Without it,
Airflow runs unpatched.
Prints one JSON object: per check, the SQL Airflow sent (captured with SQLAlchemy's
``before_cursor_execute`` event on Airflow's own engine), what was read back, or the error.

What this proves: the statements Airflow builds under the cockroachdb dialect, compiled by the real
sqlalchemy-cockroachdb compiler, and that PostgreSQL runs them. What it does not prove: that
CockroachDB itself accepts them (no server can run here; the SQL is the form CockroachDB documents).
"""

from __future__ import annotations

import json
import sys
import traceback

ARGS = json.loads(sys.argv[1])
if ARGS["layer_site"]:
    import site

    site.addsitedir(ARGS["layer_site"])

from airflow import settings  # noqa: E402
from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.orm import instrumentation  # noqa: E402

SENT: list[str] = []


@event.listens_for(settings.engine, "before_cursor_execute")
def _capture(conn, cursor, statement, parameters, context, executemany):
    SENT.append(" ".join(statement.split()))


def _session_without_fk_checks():
    """A session on Airflow's engine that skips FK checks, so one row needs no DAG run behind it."""
    session = settings.Session()
    session.execute(__import__("sqlalchemy").text("SET session_replication_role = replica"))
    return session


def check_variable():
    from airflow.models.variable import Variable

    Variable.set("airflow_ops_probe", "first")
    Variable.set("airflow_ops_probe", "second")
    value = Variable.get("airflow_ops_probe")
    Variable.delete("airflow_ops_probe")
    return value


def check_rendered_fields():
    from airflow.models.renderedtifields import RenderedTaskInstanceFields as RTIF

    session = _session_without_fk_checks()
    for command in ("echo first", "echo second"):
        # Airflow's constructor wants a live task instance; the write path only reads these columns.
        row = instrumentation.manager_of_class(RTIF).new_instance()
        row.dag_id, row.task_id, row.run_id, row.map_index = "probe_dag", "probe_task", "probe_run", -1
        row.rendered_fields = {"bash_command": command}
        row.k8s_pod_yaml = None
        row.write(session=session)
        session.flush()  # Airflow 2's write() is a session.merge(), and its sessions do not autoflush
    value = session.scalar(select(RTIF.rendered_fields).where(RTIF.dag_id == "probe_dag"))
    session.rollback()
    return value


def check_state_store():
    from airflow._shared.state import AssetScope
    from airflow.models.asset_state_store import AssetStateStoreModel
    from airflow.state.metastore import MetastoreBackend

    session = _session_without_fk_checks()
    backend = MetastoreBackend()
    backend.set(AssetScope(asset_id=424242), "watermark", "first", session=session)
    backend.set(AssetScope(asset_id=424242), "watermark", "second", session=session)
    value = session.scalar(select(AssetStateStoreModel.value).where(AssetStateStoreModel.asset_id == 424242))
    session.rollback()
    return value


def _compile(expression) -> str:
    return str(expression.compile(dialect=settings.engine.dialect))


def check_compiled_expressions():
    """Expressions from the other patched places, compiled by the cockroachdb dialect (not executed)."""
    from airflow.api_fastapi.core_api.services.ui.calendar import CalendarService
    from airflow.models.dagrun import DagRun
    from airflow.models.hitl import JSONExtract
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.sqlalchemy import random_db_uuid
    from sqlalchemy import update

    service = CalendarService.__new__(CalendarService)
    end = __import__("datetime").datetime(2026, 1, 1)
    builders = {
        "random_db_uuid": random_db_uuid,
        "json_extract": lambda: JSONExtract(DagRun.conf, "k"),
        "calendar_hourly": lambda: service._get_time_truncation_expression(
            DagRun.logical_date, "hourly", "cockroachdb"
        ),
        "ti_duration": lambda: TaskInstance.duration_expression_update(
            end, update(TaskInstance), settings.engine
        ),
    }
    out = {}
    for name, build in builders.items():
        try:
            out[name] = " ".join(_compile(build()).split())
        except Exception as exc:  # each place fails on its own without the layer
            out[name] = f"ERROR {type(exc).__name__}: {exc}"
    return out


def check_deadlines():
    """The average-runtime deadline (models and serialized forms) against the real database."""
    from airflow.models.deadline import ReferenceModels
    from airflow.serialization.definitions.deadline import SerializedReferenceModels

    session = settings.Session()
    out = {}
    for name, ref in (
        ("models", ReferenceModels.AverageRuntimeDeadline(max_runs=3)),
        ("serialized", SerializedReferenceModels.AverageRuntimeDeadline(max_runs=3)),
    ):
        try:
            out[name] = repr(ref._evaluate_with(session=session, dag_id="no_such_dag"))
        except Exception as exc:  # each form fails on its own without the layer
            out[name] = f"ERROR {type(exc).__name__}: {exc}"
    session.close()
    return out


def check_asset_activation():
    """The DAG processor's eager asset activation (an insert that ignores conflicts), run twice."""
    from airflow.dag_processing.collection import AssetModelOperation
    from airflow.models.asset import AssetActive, AssetModel

    session = _session_without_fk_checks()
    assets = [AssetModel(name="probe_asset", uri="s3://probe/asset")]
    operation = AssetModelOperation(**{key: {} for key in AssetModelOperation._fields})  # fields unused
    operation.activate_assets_if_possible(assets, session=session)
    operation.activate_assets_if_possible(assets, session=session)
    value = session.scalar(select(__import__("sqlalchemy").func.count()).select_from(AssetActive))
    session.rollback()
    return value


def check_isolation():
    """The isolation a session of Airflow's own engine runs with (sync; and async on Airflow 3)."""
    text = __import__("sqlalchemy").text("SHOW transaction_isolation")
    session = settings.Session()
    values = {"sync": session.scalar(text)}
    session.rollback()
    if getattr(settings, "AsyncSession", None) is not None:
        import asyncio

        async def read_async():
            async with settings.AsyncSession() as async_session:
                return await async_session.scalar(text)

        values["async"] = asyncio.run(read_async())
    return values


CHECKS = {
    "isolation": check_isolation,
    "variable": check_variable,
    "rendered_fields": check_rendered_fields,
    "state_store": check_state_store,
    "compiled": check_compiled_expressions,
    "deadlines": check_deadlines,
    "asset_activation": check_asset_activation,
}

layer = sys.modules.get("airflow_ops_crdb")
results = {
    "dialect": settings.engine.dialect.name,
    "layer": getattr(layer.active_layer(), "__name__", None) if layer else None,
}
for name in ARGS["checks"]:
    SENT.clear()
    try:
        results[name] = {"value": CHECKS[name](), "sql": list(SENT)}
    except Exception as exc:  # the test asserts on the error text
        results[name] = {
            "error": f"{type(exc).__name__}: {exc}",
            "sql": list(SENT),
            "tb": traceback.format_exc(),
        }
print("AIRFLOW_OPS_PROBE " + json.dumps(results, default=str))

"""The canary's second half, run in the Airflow venv with the services' environment, after
``airflow dags test airflow_ops_migration_canary``.

It checks, through Airflow's own models on the new metadata database, that the canary DAG run succeeded
and that its task's rendered fields were written with the value Airflow rendered (the write every task
start needs; apache/airflow#69640 on CockroachDB). Then it deletes everything the run left: the DAG and
its versions (Airflow 3 writes them), the run, its task instance and rendered fields. Audit log rows
stay, as for any DAG an operator deletes. Prints one JSON line; exits 1 with the reason when a check
fails, so the migration rolls back.
Works on Airflow 2.11 (SQLAlchemy 1.4) and 3.x (2.0): it uses the ORM query API both have.
"""

from __future__ import annotations

import json
import sys

DAG_ID = "airflow_ops_migration_canary"
EXPECTED_COMMAND = "echo canary {run_id}"  # the DAG's templated bash_command, rendered


def check(session) -> dict:
    from airflow.models.dagrun import DagRun
    from airflow.models.renderedtifields import RenderedTaskInstanceFields

    runs = session.query(DagRun).filter(DagRun.dag_id == DAG_ID).all()
    if len(runs) != 1:
        return {"ok": False, "why": f"expected one canary DAG run, found {len(runs)}"}
    run = runs[0]
    state = str(getattr(run.state, "value", run.state))
    fields = (
        session.query(RenderedTaskInstanceFields)
        .filter(RenderedTaskInstanceFields.dag_id == DAG_ID, RenderedTaskInstanceFields.run_id == run.run_id)
        .all()
    )
    rendered = [dict(row.rendered_fields or {}).get("bash_command") for row in fields]
    result = {"run_id": run.run_id, "state": state, "rendered": rendered}
    if state != "success":
        return result | {"ok": False, "why": f"the canary DAG run ended {state}: a task could not run"}
    if rendered != [EXPECTED_COMMAND.format(run_id=run.run_id)]:
        return result | {"ok": False, "why": "the task's rendered fields were not written as rendered"}
    return result | {"ok": True}


def clean_up(session) -> int:
    """Delete the canary DAG and everything of its run; returns the rows still left (0 when clean)."""
    from airflow.api.common.delete_dag import delete_dag
    from airflow.models.dag import DagModel
    from airflow.models.dagrun import DagRun
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.taskinstance import TaskInstance

    if session.query(DagModel).filter(DagModel.dag_id == DAG_ID).count():
        session.commit()
        delete_dag(DAG_ID)  # Airflow 3: the DAG, its versions, runs, task instances, rendered fields
    else:  # Airflow 2.11's dags test writes no DAG row; task instances go with the run (ON DELETE CASCADE)
        session.query(DagRun).filter(DagRun.dag_id == DAG_ID).delete(synchronize_session=False)
        session.commit()
    models = (DagRun, TaskInstance, RenderedTaskInstanceFields, DagModel)
    return sum(session.query(model).filter(model.dag_id == DAG_ID).count() for model in models)


def main() -> int:
    from airflow import settings

    session = settings.Session()
    try:
        result = check(session)
        session.rollback()
        result["rows_left"] = clean_up(session)
    finally:
        session.close()
    if result["ok"] and result["rows_left"]:
        result |= {"ok": False, "why": f"{result['rows_left']} canary rows were left after deleting it"}
    print(json.dumps(result))
    if not result["ok"]:
        print(f"airflow_ops canary failed: {result['why']}", file=sys.stderr)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

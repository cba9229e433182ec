"""DAG of tests/integration/test_crdb_cluster_airflow.py: the write paths a task start needs on Airflow 3.

- ``templated``: a templated field, so starting it writes its rendered fields (the upsert that fails
  on CockroachDB without the airflow_ops_crdb layer, apache/airflow#69640);
- ``set_variable``: a Variable set from inside a task, through the Task SDK and the execution API;
- ``deferred``: a deferrable sensor: the task defers to the triggerer and resumes (trigger rows,
  next_method, the deferred state).
"""

from __future__ import annotations

import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import DAG, Variable, task

with DAG(
    dag_id="airflow_ops_cluster_e2e",
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),  # noqa: UP017 - Python 3.9+
    catchup=False,
    params={"word": "cockroach"},
):

    @task
    def set_variable(run_id=None):
        Variable.set("airflow_ops_cluster_e2e", f"set in {run_id}")

    templated = BashOperator(task_id="templated", bash_command="echo {{ run_id }} {{ params.word }}")
    # The moment is rendered when the task starts, so it always lies ahead and the task always defers.
    deferred = DateTimeSensorAsync(
        task_id="deferred",
        target_time="{{ (macros.datetime.utcnow() + macros.timedelta(seconds=10)).isoformat() }}",
    )
    templated >> set_variable() >> deferred

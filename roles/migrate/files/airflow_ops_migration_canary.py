"""The migration's canary DAG: one task, run with ``airflow dags test`` right after the switch.

Placed in a dags folder of its own (never the operator's) for one run, then deleted with its runs.
Its task has a templated field, so running it writes the task's rendered fields, the upsert every task
start needs and that fails on CockroachDB without the airflow_ops_crdb layer (apache/airflow#69640).
The same file parses on Airflow 2.11 and 3.x.
"""

from __future__ import annotations

import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow import DAG
    from airflow.operators.bash import BashOperator

with DAG(
    dag_id="airflow_ops_migration_canary",
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),  # noqa: UP017 - Python 3.9+
    catchup=False,
    is_paused_upon_creation=True,
    tags=["airflow_ops"],
):
    BashOperator(task_id="render_and_run", bash_command="echo canary {{ run_id }}")

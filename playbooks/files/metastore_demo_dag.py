"""A tiny DAG the demo triggers a few times, so the migration has DAG runs and task instances to move."""

from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow import DAG
    from airflow.operators.bash import BashOperator

with DAG(
    dag_id="metastore_demo",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    tags=["airflow_ops.metastore demo"],
):
    extract = BashOperator(task_id="extract", bash_command="echo extract {{ run_id }}")
    load = BashOperator(task_id="load", bash_command="echo load {{ run_id }}")
    extract >> load

"""Smoke DAG for the airflow role's Molecule scenarios: one task, triggered through the REST API."""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2
    from airflow.decorators import dag, task


@dag(dag_id="airflow_ops_smoke", schedule=None, start_date=datetime(2024, 1, 1), catchup=False)
def airflow_ops_smoke():
    @task
    def add(a: int, b: int) -> int:
        return a + b

    add(40, 2)


airflow_ops_smoke()

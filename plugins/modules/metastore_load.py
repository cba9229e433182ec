#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metastore_load
short_description: Load a metastore dump into PostgreSQL or CockroachDB, resumably, and verify it
version_added: "0.1.0"
description:
  - Loads a directory written by M(airflow_ops.metastore.metastore_dump) into a target database in four
    steps, then verifies it against the manifest (row counts and content checksums of every table)
  - 1. C(pre-data.sql) statement by statement. 2. Every table's data with C(COPY ... FROM STDIN) in bounded
    batches. 3. C(post-data.sql) statement by statement. 4. Sequences set to the dumped values.
  - Each statement and each batch commits in the same transaction as a progress row in
    C(<progress_schema>.load_progress) on the target, so a load killed at any point (kill -9, a dropped
    connection) resumes on the next run exactly where it stopped, without a duplicated or lost row.
  - Refuses a target that holds anything else (tables, views, sequences, or progress of another dump) unless
    O(if_exists=replace).
  - Serialization failures (SQLSTATE 40001, common on CockroachDB) are retried with exponential backoff.
  - The last transaction of a load records it as finished (C(finished) row, with the verification). A target
    already loaded from the same dump reports C(changed=false); a finished load of another dump is never
    taken for an unfinished attempt (it is reported as such, and only O(if_exists=replace) drops it).
  - Refuses a target that is the dump's source database itself, compared by the server's identity
    (PostgreSQL's C(system_identifier), CockroachDB's cluster id) and the database name, not by host name.
  - Statements are split with the collection's SQL splitter; psql meta-commands such as C(\restrict) are
    never sent to the server.
extends_documentation_fragment:
  - airflow_ops.metastore.connection
options:
  dump_dir:
    description:
      - Directory written by M(airflow_ops.metastore.metastore_dump). Its manifest and every file's sha256
        are checked before anything is written to the target.
    type: path
    required: true
  schema_dir:
    description:
      - Directory with the C(pre-data.sql) and C(post-data.sql) to execute. Default is C(DUMP_DIR/schema).
      - For CockroachDB pass the output of M(airflow_ops.metastore.metastore_rewrite) for that target.
    type: path
  if_exists:
    description:
      - What to do when the target holds other data than a load of this dump.
      - C(fail) stops with the list of objects found and changes nothing.
      - C(replace) drops the tables, views and sequences in the schemas the dump writes (those of its tables
        and sequences, and those its pre-data creates) and the progress of an earlier load, then loads from
        scratch. Objects in other schemas are kept; one of them that depends on a dropped object (a view, a
        foreign key) stops the replace before anything is dropped (no CASCADE).
    type: str
    choices: [fail, replace]
    default: fail
  batch_rows:
    description:
      - Most rows per COPY batch (each batch is its own transaction).
    type: int
    default: 10000
  batch_bytes:
    description:
      - Most bytes of COPY data per batch; a single larger row is sent alone. Bounds the module's memory.
    type: int
    default: 16777216
  ddl_in_transaction:
    description:
      - Run each DDL statement in the same transaction as its progress row (exactly-once DDL).
      - Default is C(true) on PostgreSQL and C(false) on CockroachDB, whose schema changes should not share
        a transaction with other writes. When C(false), a statement interrupted by a kill may have run; on
        resume its "already exists" error is accepted for that one statement.
    type: bool
  progress_schema:
    description:
      - Schema on the target that holds the C(load_progress) table. Ignored when checking for other data.
    type: str
    default: airflow_ops
  verify:
    description:
      - Verify the target against the manifest after loading (and again on every later run).
    type: bool
    default: true
  retries:
    description:
      - Attempts per transaction when the server reports a serialization failure (SQLSTATE 40001).
    type: int
    default: 8
attributes:
  check_mode:
    support: full
    description: Inspects the target and reports the steps that would run; writes nothing.
  diff_mode:
    support: none
    description: The load changes database contents, not files; there is no diff to show.
author:
  - airflow_ops.metastore contributors (@airflow-ops)
requirements:
  - psycopg2
  - pglast (used by the SQL splitter)
"""

EXAMPLES = r"""
- name: Load a dump into a fresh PostgreSQL database
  airflow_ops.metastore.metastore_load:
    login_host: pg2.example.com
    login_user: airflow
    login_password: "{{ vault_airflow_db_password }}"
    login_db: airflow
    dump_dir: /var/backups/airflow-metastore

- name: Load into CockroachDB through HAProxy, with the rewritten schema
  airflow_ops.metastore.metastore_load:
    url: "postgresql://airflow@haproxy:26257/airflow?sslmode=verify-full&sslrootcert=/etc/crdb/ca.crt"
    dump_dir: /var/backups/airflow-metastore
    schema_dir: /var/backups/airflow-metastore/rewritten/cockroachdb
    batch_rows: 2000
"""

RETURN = r"""
state:
  description: What the module found on the target before it started.
  returned: always
  type: str
  sample: resume
tables:
  description: Every table with its row count, number of batches and rows loaded by this run.
  returned: when the load ran
  type: list
  elements: dict
  sample: [{"schema": "public", "name": "dag_run", "row_count": 120, "batches": 1, "rows_loaded_this_run": 9}]
statements:
  description: The SQL statements executed by this run (DDL, drops for O(if_exists=replace), setval calls).
  returned: always
  type: list
  elements: str
batches:
  description: Number of COPY batches committed by this run.
  returned: always
  type: int
  sample: 12
retries:
  description: Transactions retried after a serialization failure.
  returned: always
  type: int
  sample: 0
resumed_from:
  description: For each step resumed from an earlier interrupted run, where it resumed.
  returned: always
  type: dict
  sample: {"data:public.task_instance": {"rows": 4000, "byte_offset": 812345}}
verification:
  description: The verification report (tables with expected/actual rows and checksum match, extra objects).
  returned: when O(verify=true) and not in check mode
  type: dict
target_identity:
  description:
    - The server and database the connection reached, by the server's own identity (C(kind), C(server),
      C(database), C(method)).
  returned: always
  type: dict
  sample: {"kind": "postgresql", "server": "7714582464750873896", "database": "airflow",
           "method": "pg_control_system().system_identifier"}
finished_at:
  description: When the load of this dump finished on the target (the server's clock, UTC), or null.
  returned: when the load ran or had finished before
  type: str
  sample: "2026-12-02 06:10:03.123456"
plan:
  description: The steps a run would execute (check mode).
  returned: in check mode
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    CONNECTION_MUTUALLY_EXCLUSIVE,
    DATABASE_ERRORS,
    connect_or_fail,
    connection_argument_spec,
    describe_database_error,
    scrub,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.load import load_progress as lp
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.load import loader as ld
from ansible_collections.airflow_ops.metastore.plugins.module_utils.sqlscript import (
    HAS_PGLAST,
    PGLAST_IMPORT_ERROR,
)

# The options' defaults are LoadOptions'; ddl_in_transaction has none (it depends on the target).
DEFAULTS = ld.LoadOptions()


def describe_foreign(objects, reason):
    names = [f"{o['schema']}.{o['name']} ({o['kind'].lower()})" for o in objects[:10]]
    if len(objects) > 10:
        names.append(f"and {len(objects) - 10} more")
    return "; ".join(filter(None, [reason, ", ".join(names)]))


def foreign_message(loader, objects, reason):
    """What is in the way, and exactly what if_exists=replace would drop and what it would keep."""
    to_drop, kept = loader.split_for_replace(objects)
    msg = f"the target holds other data: {describe_foreign(objects, reason)}. Nothing was changed. "
    if not to_drop and not reason:
        return msg + (
            "None of it is in the schemas this dump writes: load into an empty database, or set "
            "if_exists=replace to load beside it (nothing would be dropped)."
        )
    msg += "Load into an empty database, or set if_exists=replace to drop "
    msg += f"{describe_foreign(to_drop, None)}" if to_drop else f"the earlier load's progress ({reason})"
    if kept:
        msg += f"; it keeps {describe_foreign(kept, None)} (outside the dump's schemas)"
    return msg + "."


def run(module, conn, manifest):
    params = module.params
    options = ld.LoadOptions.for_target(params, conn)
    schema_dir = params["schema_dir"] or os.path.join(params["dump_dir"], "schema")
    loader = ld.Loader(conn, params["dump_dir"], manifest, schema_dir, options)
    state, objects, reason = loader.inspect()
    result = {
        "state": state,
        "statements": [],
        "batches": 0,
        "retries": 0,
        "resumed_from": {},
        "target_identity": loader.identity,
    }
    problem = loader.source_problem()
    if problem:  # before anything else: if_exists=replace would drop the source's own tables
        module.fail_json(msg=f"{problem}. Nothing was changed.", **result)
    if state == "foreign" and params["if_exists"] == "fail":
        module.fail_json(msg=foreign_message(loader, objects, reason), **result)
    if module.check_mode:
        steps = ld.plan(state, loader)
        module.exit_json(changed=state != "complete" and bool(steps), plan=steps, **result)
    if state == "foreign":
        loader.replace_target(objects)
    if state == "complete":
        report = loader.verify() if options.verify else None
        finished_at = lp.summary(loader.progress)["finished_at"]
        module.exit_json(changed=False, verification=report, tables=[], finished_at=finished_at, **result)
    report = loader.run()
    changed = bool(loader.executed or loader.batches or loader.retries) or state == "foreign"
    module.exit_json(
        changed=changed,
        tables=loader.loaded_tables,
        verification=report,
        **dict(
            result,
            statements=loader.executed,
            batches=loader.batches,
            retries=loader.retries,
            resumed_from=loader.resumed_from,
            finished_at=loader.finished_at,
        ),
    )


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        dump_dir={"type": "path", "required": True},
        schema_dir={"type": "path"},
        if_exists={"type": "str", "choices": ["fail", "replace"], "default": "fail"},
        batch_rows={"type": "int", "default": DEFAULTS.batch_rows},
        batch_bytes={"type": "int", "default": DEFAULTS.batch_bytes},
        ddl_in_transaction={"type": "bool"},
        progress_schema={"type": "str", "default": DEFAULTS.progress_schema},
        verify={"type": "bool", "default": DEFAULTS.verify},
        retries={"type": "int", "default": DEFAULTS.retries},
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE,
        supports_check_mode=True,
    )
    if not HAS_PGLAST:
        module.fail_json(msg=missing_required_lib("pglast"), exception=PGLAST_IMPORT_ERROR)
    params = module.params
    if params["batch_rows"] < 1 or params["batch_bytes"] < 1:
        module.fail_json(msg="batch_rows and batch_bytes must be at least 1")
    try:
        manifest = mf.load(params["dump_dir"])
    except mf.ManifestError as exc:
        module.fail_json(msg=f"cannot load {params['dump_dir']}: {exc}. Nothing was changed on the target.")
    problem = ld.verification_problem(manifest, params["verify"])
    if problem:
        module.fail_json(
            msg=f"cannot load {params['dump_dir']}: {problem}. Nothing was changed on the target."
        )
    conn = connect_or_fail(module)
    try:
        run(module, conn, manifest)
    except ld.LoadError as exc:
        module.fail_json(msg=scrub(f"load failed: {exc}", params))
    except (OSError, ValueError) as exc:
        module.fail_json(
            msg=scrub(f"load failed: {exc}. Fix the cause and run again: the load resumes.", params)
        )
    except DATABASE_ERRORS as exc:
        module.fail_json(
            msg=f"load failed: {describe_database_error(exc, conn, params)}. Everything committed so far is "
            "recorded on the target: fix the cause and run again to resume."
        )
    finally:
        conn.close()


if __name__ == "__main__":
    main()

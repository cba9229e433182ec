#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metastore_verify
short_description: Compare a metadata database with a dump or a live source, and name the rows that differ
version_added: "0.1.0"
description:
  - Computes every table's row count and content checksum on the target and compares them with the
    manifest of a dump written by M(airflow_ops.metastore.metastore_dump), or with the same figures computed
    on a live PostgreSQL source.
  - Checksums are computed identically on both sides from canonical values (json parsed with sorted keys,
    timestamps in UTC, bytes as hex), so they do not depend on how each server prints json, timestamps or
    bytea; CockroachDB's JSONB (other key order and spacing) compares equal to PostgreSQL's json.
  - Reads in one snapshot through server-side cursors; memory stays bounded whatever the table size.
  - With O(row_level=true) (the default) it names the rows that differ by primary key, as missing (on the
    source only), mismatched (other content) or extraneous (on the target only), with counts per table and
    the first O(report_keys) keys of each kind. Against a live source (O(source_url)) both sides are walked
    in primary-key order in batches of O(batch_rows) rows and compared chunk by chunk; only a chunk that
    differs is walked row by row. Against a dump (O(dump_dir)) the checksums find the differing tables and
    only those are compared row by row with the dump's data file (sorted by primary key outside memory, in
    a private temporary directory). Tables without a primary key are compared by row count and checksum.
  - Rows are read as the text of each column and compared as text first (equal texts are equal content);
    only rows whose texts differ are parsed and compared in a form that is the same on PostgreSQL and
    CockroachDB for equal content (json with sorted keys and exact numbers, timestamps as instants, bytea
    as bytes), so a difference in printing alone is never reported.
  - Text primary keys are walked in byte order (C(COLLATE "C") on a PostgreSQL database with another
    collation). A text key column with its own collation can make equal rows show as missing and
    extraneous, never hide a difference.
  - O(recheck_delay) re-reads the differing rows from both sides after a pause before reporting them, for
    a source that is still being written.
  - Fails with the list of differing tables (and their differing rows), and of sequences whose value is
    behind the expected one.
  - With O(touched_slot) (the online migration's cutover, writers stopped,
    M(airflow_ops.metastore.metastore_sync) drained to the source's current position) it compares the
    live source with the target, each in one REPEATABLE READ snapshot, in seconds whatever the size -
    every table's row count (a table missing on the target is a difference), every row that the sync
    wrote for that slot (listed on the target in C(<state_schema>.sync_touched)) by primary key (a row
    deleted on the source must be absent on the target, a present one equal), and every sequence (the
    target's next value may not be behind the source's; run M(airflow_ops.metastore.metastore_sequences)
    first). Tables, views and sequences only on the target also fail it. O(row_level), O(batch_rows) and
    O(recheck_delay) do not apply.
  - Read-only; never reports a change.
extends_documentation_fragment:
  - airflow_ops.metastore.connection
options:
  dump_dir:
    description:
      - Directory written by M(airflow_ops.metastore.metastore_dump) whose manifest gives the expected values.
    type: path
  source_url:
    description:
      - libpq URL of a live PostgreSQL source to compare with instead of a manifest. Never logged.
    type: str
  schemas:
    description:
      - With O(source_url), only compare tables and sequences of these schemas (default every user schema).
    type: list
    elements: str
  ignore_schemas:
    description:
      - Schemas on the target whose objects are not reported as extra (the load progress lives there).
    type: list
    elements: str
    default: [airflow_ops]
  fail_on_extra_objects:
    description:
      - Also fail when the target holds tables, views or sequences that the source does not have.
    type: bool
    default: false
  row_level:
    description:
      - Name the differing rows by primary key (see the description). V(false) compares row counts and
        checksums only, table by table, as earlier releases did.
    type: bool
    default: true
  batch_rows:
    description:
      - Rows each side holds at most at once in the row-level comparison (and per sorted run of a data file).
    type: int
    default: 5000
  report_keys:
    description:
      - How many primary keys of each kind (missing, mismatched, extraneous) to report per table.
      - The counts always cover every row.
    type: int
    default: 20
  touched_slot:
    description:
      - The replication slot of a drained M(airflow_ops.metastore.metastore_sync) run; selects the cutover
        verification (see the description). Needs O(source_url).
    type: str
  state_schema:
    description:
      - With O(touched_slot), the target schema where M(airflow_ops.metastore.metastore_sync) keeps its state
        (the C(state_schema) given to M(airflow_ops.metastore.metastore_sync)). Keep it in O(ignore_schemas).
    type: str
    default: airflow_ops
  recheck_delay:
    description:
      - Seconds to wait before re-reading every differing row from both sides (each in a new snapshot) and
        reporting only the rows that still differ. V(0) reports the first pass as it is.
      - For a source that Airflow is still writing. Only with O(source_url) and O(row_level=true).
      - Up to 10000 differing rows per table are re-checked; rows beyond that are reported as found.
    type: float
    default: 0
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module only reads; there is nothing to diff.
author:
  - airflow_ops.metastore contributors (@airflow-ops)
requirements:
  - psycopg2
"""

EXAMPLES = r"""
- name: Verify the target against the dump it was loaded from
  airflow_ops.metastore.metastore_verify:
    url: "postgresql://airflow@haproxy:26257/airflow?sslmode=verify-full&sslrootcert=/etc/crdb/ca.crt"
    dump_dir: /var/backups/airflow-metastore

- name: Verify the target against the live source (Airflow stopped)
  airflow_ops.metastore.metastore_verify:
    login_host: pg2.example.com
    login_user: airflow
    login_password: "{{ vault_target_password }}"
    login_db: airflow
    source_url: "postgresql://airflow:{{ vault_source_password | urlencode }}@pg1/airflow"

- name: Verify while the source still runs, re-checking the differing rows after 30 seconds
  airflow_ops.metastore.metastore_verify:
    url: "{{ target_url }}"
    source_url: "{{ source_url }}"
    recheck_delay: 30
    report_keys: 100
  register: verify
  failed_when: false

- name: Cutover (Airflow stopped, sync drained, sequences set) - counts, touched rows and sequences
  airflow_ops.metastore.metastore_verify:
    url: "{{ target_url }}"
    source_url: "{{ source_url }}"
    touched_slot: airflow_ops_sync

- name: Show the rows that differ
  ansible.builtin.debug:
    var: verify.row_differences
"""

RETURN = r"""
tables:
  description:
    - One entry per expected table with expected and actual rows, content match and status
      (V(equal), V(differs) or V(missing)).
    - C(checksum_match) is true when the content is equal (by rows or by checksum).
    - C(rows) is null when the table was not compared row by row (equal checksums against a dump, no
      primary key, O(row_level=false)); otherwise it holds the counts C(missing), C(mismatched) and
      C(extraneous), the first keys of each kind (C(missing_keys), ...; each key a list of the primary key's
      values in order) and C(rechecked).
    - With O(touched_slot), C(expected_rows) and C(actual_rows) are the counts on the source and the
      target, C(problem) says when they differ, and C(rows) (always set) covers the rows the sync touched,
      whose number is in C(rows.touched).
  returned: always
  type: list
  elements: dict
  sample: [{"schema": "public", "name": "task_instance", "expected_rows": 3, "actual_rows": 3,
            "checksum_match": false, "status": "differs", "problem": null,
            "rows": {"missing": 0, "mismatched": 1, "extraneous": 0, "missing_keys": [],
                     "mismatched_keys": [[3]], "extraneous_keys": [], "rechecked": false}}]
row_differences:
  description: Tables with differing rows and their counts of missing, mismatched and extraneous rows.
  returned: always
  type: list
  elements: dict
  sample: [{"table": "public.task_instance", "missing": 0, "mismatched": 1, "extraneous": 0}]
differing_tables:
  description: Tables whose count or checksum differs, or that are missing on the target.
  returned: always
  type: list
  elements: str
  sample: ["public.dag_run"]
sequences_behind:
  description: Sequences whose value on the target is below the expected one (or that are missing).
  returned: always
  type: list
  elements: dict
extra_objects:
  description: Tables, views and sequences on the target that the source does not have.
  returned: always
  type: list
  elements: str
touched_rows:
  description: With O(touched_slot), how many rows the sync touched, all compared by primary key.
  returned: when O(touched_slot) is set
  type: int
  sample: 1520
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    CONNECTION_MUTUALLY_EXCLUSIVE,
    DATABASE_ERRORS,
    connect_or_fail,
    connection_argument_spec,
    describe_database_error,
    scrub,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import (
    row_compare,
    verifier,
)


def expected_values(module):
    params = module.params
    if params["dump_dir"]:
        try:
            manifest = mf.load(params["dump_dir"], check_files=False)
        except mf.ManifestError as exc:
            module.fail_json(msg=f"cannot verify against {params['dump_dir']}: {exc}")
        if not mf.has_checksums(manifest):
            module.fail_json(
                msg=f"cannot verify against {params['dump_dir']}: it was dumped with checksums=false. Dump "
                "again with checksums=true (the default), or verify against the live source with source_url."
            )
        return manifest["tables"], manifest["sequences"]
    source_params = {"url": params["source_url"], "connect_timeout": params["connect_timeout"]}
    source = connect_or_fail(module, source_params, label="source: ")
    try:
        return dumper.measure_source(source, params["schemas"])
    except DATABASE_ERRORS as exc:
        module.fail_json(msg=scrub(f"reading the source failed: {exc}", source_params))
    finally:
        source.close()


def row_options(params):
    return verifier.RowOptions(
        batch_rows=params["batch_rows"],
        report_keys=params["report_keys"],
        recheck_delay=params["recheck_delay"],
    )


def verify_with_checksums(module):
    """Checksums of every table against the manifest or the source; rows of differing ones from the dump."""
    params = module.params
    tables, sequences = expected_values(module)
    conn = connect_or_fail(module)
    try:
        report = verifier.verify_target(conn, tables, sequences, params["ignore_schemas"])
        report.setdefault("row_differences", [])
        for table in report["tables"]:
            table.setdefault("rows", None)
        if params["row_level"] and params["dump_dir"] and report["differing_tables"]:
            verifier.verify_rows_against_dump(conn, report, tables, params["dump_dir"], row_options(params))
    except DATABASE_ERRORS as exc:
        module.fail_json(msg=describe_database_error(exc, conn, params, doing="reading the target"))
    except (OSError, ValueError) as exc:
        module.fail_json(
            msg=f"cannot read the dump's data files in {params['dump_dir']} to name the differing rows "
            f"({exc}): check the dump (metastore_load refuses a damaged one), or verify with row_level=false"
        )
    finally:
        conn.close()
    return report


def with_source(module, compare):
    """``compare(source, target, describe_source)`` on new connections; database errors end the run."""
    params = module.params
    source_params = {"url": params["source_url"], "connect_timeout": params["connect_timeout"]}
    source = connect_or_fail(module, source_params, label="source: ")
    try:
        target = connect_or_fail(module)
        try:
            return compare(
                source,
                target,
                lambda cur: (
                    dumper.describe_tables(cur, params["schemas"], False),
                    dumper.list_sequences(cur, params["schemas"]),
                ),
            )
        except DATABASE_ERRORS as exc:
            module.fail_json(
                msg=scrub(describe_database_error(exc, target, params, doing="the comparison"), source_params)
            )
        finally:
            target.close()
    finally:
        source.close()


def verify_rows_with_source(module):
    """Both sides row by row in primary-key order, each in one snapshot."""
    params = module.params
    return with_source(
        module,
        lambda source, target, describe: verifier.verify_rows_against_source(
            source, target, describe, params["ignore_schemas"], row_options(params)
        ),
    )


def verify_touched(module):
    """The cutover: counts, the rows the slot's sync touched, sequences; each side in one snapshot."""
    params = module.params
    return with_source(
        module,
        lambda source, target, describe: verifier.verify_touched_against_source(
            source,
            target,
            describe,
            params["touched_slot"],
            params["state_schema"],
            params["ignore_schemas"],
            verifier.RowOptions(report_keys=params["report_keys"]),
        ),
    )


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        dump_dir={"type": "path"},
        source_url={"type": "str", "no_log": True},
        schemas={"type": "list", "elements": "str"},
        ignore_schemas={"type": "list", "elements": "str", "default": ["airflow_ops"]},
        fail_on_extra_objects={"type": "bool", "default": False},
        row_level={"type": "bool", "default": True},
        batch_rows={"type": "int", "default": row_compare.DEFAULT_BATCH_ROWS},
        report_keys={"type": "int", "default": row_compare.DEFAULT_REPORT_KEYS, "no_log": False},
        recheck_delay={"type": "float", "default": 0.0},
        touched_slot={"type": "str"},
        state_schema={"type": "str", "default": "airflow_ops"},
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[*CONNECTION_MUTUALLY_EXCLUSIVE, ["dump_dir", "source_url"]],
        required_one_of=[["dump_dir", "source_url"]],
        required_by={"touched_slot": "source_url"},
        supports_check_mode=True,
    )
    params = module.params
    if params["batch_rows"] < 1 or params["report_keys"] < 0 or params["recheck_delay"] < 0:
        module.fail_json(msg="batch_rows must be at least 1, report_keys and recheck_delay at least 0")
    if params["recheck_delay"] and not (params["source_url"] and params["row_level"]):
        module.fail_json(
            msg="recheck_delay re-reads the differing rows from a live source: use it with source_url and "
            "row_level=true, or set recheck_delay to 0"
        )
    if params["touched_slot"] and params["recheck_delay"]:
        module.fail_json(
            msg="touched_slot verifies a drained sync with the writers stopped, where nothing changes any "
            "more: set recheck_delay to 0 (stop the writers and drain first if the source is still written)"
        )
    if params["touched_slot"]:
        report = verify_touched(module)
        problems = verifier.cutover_failure_message(report)
        if problems:
            module.fail_json(msg=f"the target differs from the source at the cutover: {problems}", **report)
        module.exit_json(changed=False, **report)
    if params["source_url"] and params["row_level"]:
        report = verify_rows_with_source(module)
    else:
        report = verify_with_checksums(module)
    problems = verifier.failure_message(report)
    rows = verifier.row_failure_details(report)
    if rows:
        problems = f"{problems}; differing rows by primary key: {rows}"
    if module.params["fail_on_extra_objects"] and report["extra_objects"]:
        problems = "; ".join(filter(None, [problems, "extra objects: " + ", ".join(report["extra_objects"])]))
    if problems:
        module.fail_json(msg=f"the target differs from the source: {problems}", **report)
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metastore_verify
short_description: Compare a metadata database with a dump manifest or a live source, table by table
version_added: "0.1.0"
description:
  - Computes every table's row count and content checksum on the target and compares them with the
    manifest of a dump written by M(airflow_ops.metastore.metastore_dump), or with the same figures computed
    on a live PostgreSQL source.
  - Checksums are computed identically on both sides from canonical values (json parsed with sorted keys,
    timestamps in UTC, bytes as hex), so they do not depend on how each server prints json, timestamps or
    bytea; CockroachDB's JSONB (other key order and spacing) compares equal to PostgreSQL's json.
  - Reads in one snapshot through server-side cursors; memory stays bounded whatever the table size.
  - Fails with the list of differing tables, and of sequences whose value is behind the expected one.
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
"""

RETURN = r"""
tables:
  description: One entry per expected table with expected and actual rows, checksum match and status.
  returned: always
  type: list
  elements: dict
  sample: [{"schema": "public", "name": "dag", "expected_rows": 3, "actual_rows": 3, "checksum_match": true,
            "status": "equal", "problem": null}]
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
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.airflow_ops.metastore.plugins.module_utils import manifest as mf
from ansible_collections.airflow_ops.metastore.plugins.module_utils import verifier
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    CONNECTION_MUTUALLY_EXCLUSIVE,
    DATABASE_ERRORS,
    connect_or_fail,
    connection_argument_spec,
    describe_database_error,
    scrub,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.dumper import measure_source


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
        return measure_source(source, params["schemas"])
    except DATABASE_ERRORS as exc:
        module.fail_json(msg=scrub(f"reading the source failed: {exc}", source_params))
    finally:
        source.close()


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        dump_dir={"type": "path"},
        source_url={"type": "str", "no_log": True},
        schemas={"type": "list", "elements": "str"},
        ignore_schemas={"type": "list", "elements": "str", "default": ["airflow_ops"]},
        fail_on_extra_objects={"type": "bool", "default": False},
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[*CONNECTION_MUTUALLY_EXCLUSIVE, ["dump_dir", "source_url"]],
        required_one_of=[["dump_dir", "source_url"]],
        supports_check_mode=True,
    )
    tables, sequences = expected_values(module)
    conn = connect_or_fail(module)
    try:
        report = verifier.verify_target(conn, tables, sequences, module.params["ignore_schemas"])
    except DATABASE_ERRORS as exc:
        module.fail_json(msg=describe_database_error(exc, conn, module.params, doing="reading the target"))
    finally:
        conn.close()
    problems = verifier.failure_message(report)
    if module.params["fail_on_extra_objects"] and report["extra_objects"]:
        problems = "; ".join(filter(None, [problems, "extra objects: " + ", ".join(report["extra_objects"])]))
    if problems:
        module.fail_json(msg=f"the target differs from the source: {problems}", **report)
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()

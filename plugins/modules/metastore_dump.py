#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metastore_dump
short_description: Dump an Airflow metadata database from PostgreSQL into a checksummed directory
version_added: "0.1.0"
description:
  - Dumps the schema with C(pg_dump --schema-only) split into C(pre-data) (types, sequences, tables) and
    C(post-data) (primary keys, indexes, foreign keys), and the data of every table with C(COPY ... TO STDOUT)
    into one file per table, streamed (no table is ever held in memory).
  - Everything comes from ONE snapshot (a REPEATABLE READ transaction whose snapshot C(pg_dump --snapshot)
    imports), so the row counts and checksums in C(manifest.json) describe exactly the files beside it while
    Airflow keeps running.
  - Writes C(DUMP_DIR/manifest.json) (format version, source server version, C(alembic_version) revision,
    per-table columns, primary key, row count, content checksum and file sha256, sequence values, pg_dump
    version), C(DUMP_DIR/schema/pre-data.sql), C(DUMP_DIR/schema/post-data.sql) and
    C(DUMP_DIR/data/<schema>.<table>.copy). The manifest is written last and atomically.
  - The manifest holds a sha256 of its own content (C(manifest_sha256)), so the load and the verification
    refuse a manifest edited or damaged after the dump before they write or compare anything. Manifests
    written by older versions lack it and must be dumped again.
  - Idempotent. If no write transaction committed on the source since the last dump (same snapshot), nothing
    is read or written. Otherwise the content is checksummed; an identical content rewrites nothing and
    reports C(changed=false); a different one replaces the dump.
  - C(pg_dump) must be of the server's major version or newer; the module says which client to install.
  - The dump holds Airflow's connections and variables, so new directories are created C(0700) and files
    C(0600), readable by the user running the module only.
extends_documentation_fragment:
  - airflow_ops.metastore.connection
options:
  dump_dir:
    description:
      - Directory to write the dump into. Created if missing. Other files in it (for example the
        C(rewritten/) directory of M(airflow_ops.metastore.metastore_rewrite)) are left alone.
    type: path
    required: true
  pg_dump_path:
    description:
      - The C(pg_dump) program to run (a name on C(PATH) or a full path).
      - It must be of the source server's major version or newer.
    type: str
    default: pg_dump
  schemas:
    description:
      - Only dump tables and sequences of these schemas. Default is every non-system schema.
      - C(pg_dump) gets one C(--schema) per entry.
    type: list
    elements: str
  exclude_schemas:
    description:
      - Schemas left out of the dump (C(pg_dump --exclude-schema) and the data).
      - The default leaves out the load progress of M(airflow_ops.metastore.metastore_load), so a database
        that was itself loaded with this collection can be dumped and migrated again.
    type: list
    elements: str
    default: [airflow_ops]
  checksums:
    description:
      - Compute a content checksum of every table (one extra read of each table in the same snapshot,
        hashed in Python, which is the slow part of a dump).
      - M(airflow_ops.metastore.metastore_verify) and M(airflow_ops.metastore.metastore_load) with
        O(airflow_ops.metastore.metastore_load#module:verify=true) need them.
      - V(false) records row counts only (counted from the COPY stream); such a dump can be loaded with
        O(airflow_ops.metastore.metastore_load#module:verify=false) only. Use it when another check
        compares the databases, or to measure the raw copy speed.
    type: bool
    default: true
  replication_slot:
    description:
      - Start an online migration (see M(airflow_ops.metastore.metastore_sync)). Before dumping, create a
        publication of every table the dump copies and a logical replication slot of this name with the
        C(pgoutput) plugin, and take the whole dump (schema and data) from the snapshot the slot exported.
        Every change committed after the slot's C(consistent_point) comes out of the slot, everything before
        is in the dump.
      - The name must start with C(airflow_ops_) (that is how every run finds a slot left behind). The
        publication gets the same name.
      - Refused while any slot named C(airflow_ops_...) exists on the source (it keeps WAL until dropped;
        resume it with M(airflow_ops.metastore.metastore_sync) or drop it with
        O(airflow_ops.metastore.metastore_sync#module:mode=drop)), when C(wal_level) is not C(logical),
        no replication slot or WAL sender is free, the login has neither
        C(REPLICATION) nor C(rds_replication), or a table has no primary key. Nothing is created then.
      - The dump is always written anew (the manifest records the slot and its C(consistent_point)). A dump
        that fails drops the slot and the publication again.
      - In check mode nothing is created; the checks above still run.
    type: str
  schema_from:
    description:
      - Dump a source that C(pg_dump) cannot dump (CockroachDB, v23.1 or newer), to copy it back to
        PostgreSQL. This is the upgrade route for Airflow on CockroachDB (C(docs/upgrade-on-cockroachdb.md)).
      - The path of an earlier dump (by this module) of the PostgreSQL database that C(airflow db migrate)
        of the Airflow release running on the source created. Its schema files and its tables' columns are
        used; only the rows, row counts, checksums and sequence positions come from the source, in one
        read-only transaction, with C(COPY ... TO STDOUT) and C(information_schema) (no C(pg_dump), no
        PostgreSQL-only function).
      - Refused, before anything is written, when the source's Alembic revision differs from the schema
        dump's, or a table, column or sequence is on one side only (its rows would have no place).
      - Idempotent by content. With O(checksums=true), rows and sequences equal to the existing dump's
        rewrite nothing.
    type: path
attributes:
  check_mode:
    support: full
    description: Reads the source (snapshot, schema, checksums) and reports whether it would write a dump.
  diff_mode:
    support: full
    description: Shows the per-table row counts and checksums before and after.
author:
  - airflow_ops.metastore contributors (@airflow-ops)
requirements:
  - psycopg2
  - pg_dump of the source server's major version or newer
"""

EXAMPLES = r"""
- name: Dump the Airflow metadata database
  airflow_ops.metastore.metastore_dump:
    login_host: pg1.example.com
    login_user: airflow
    login_password: "{{ vault_airflow_db_password }}"
    login_db: airflow
    sslmode: verify-full
    ssl_rootcert: /etc/ssl/certs/db-ca.pem
    dump_dir: /var/backups/airflow-metastore

- name: Dump with a URL and a newer pg_dump
  airflow_ops.metastore.metastore_dump:
    url: "postgresql://airflow:{{ vault_pw | urlencode }}@pg1:5432/airflow?sslmode=require"
    pg_dump_path: /usr/lib/postgresql/16/bin/pg_dump
    dump_dir: /var/backups/airflow-metastore

# The upgrade route on CockroachDB (docs/upgrade-on-cockroachdb.md): the schema of a PostgreSQL database
# that `airflow db migrate` of the running release created, the rows of the CockroachDB metastore.
- name: Dump the schema that `airflow db migrate` made on an empty PostgreSQL database
  airflow_ops.metastore.metastore_dump:
    url: "postgresql://airflow:{{ vault_pw | urlencode }}@pg1:5432/airflow_schema?sslmode=verify-full"
    dump_dir: /var/backups/airflow-schema

- name: Copy the CockroachDB metastore's rows under that schema
  airflow_ops.metastore.metastore_dump:
    url: "postgresql://airflow:{{ vault_crdb_pw | urlencode }}@crdb-lb:26257/airflow?sslmode=verify-full"
    schema_from: /var/backups/airflow-schema
    dump_dir: /var/backups/airflow-from-cockroachdb
"""

RETURN = r"""
dump_dir:
  description: The dump directory.
  returned: always
  type: str
  sample: /var/backups/airflow-metastore
manifest:
  description: Path of the manifest written by this run.
  returned: when a new dump was written
  type: str
  sample: /var/backups/airflow-metastore/manifest.json
reason:
  description: Why the module did or did not write a dump.
  returned: always
  type: str
  sample: source unchanged since the last dump (same snapshot)
server_version:
  description: The source server's version.
  returned: always
  type: str
  sample: "15.20 (Debian 15.20-0+deb12u1)"
pg_dump_version:
  description: Version of the pg_dump that was used (with O(schema_from), the one that wrote the schema dump).
  returned: always
  type: str
  sample: "15.20"
alembic_revision:
  description: Airflow's schema revision in the source's C(alembic_version) table (null when absent).
  returned: always
  type: str
  sample: 29ce7909c52b
tables:
  description:
    - Every dumped table with its row count and content checksum (null with O(checksums=false)).
    - In check mode with O(checksums=false) the row counts are null too (they are counted while copying).
  returned: always
  type: list
  elements: dict
  sample: [{"schema": "public", "name": "dag_run", "row_count": 120, "checksum": "v1:3f..."}]
consistent_point:
  description: The new slot's consistent point (LSN); the sync starts streaming there.
  returned: with O(replication_slot), when not in check mode
  type: str
  sample: 0/1A2B3C8
replication_slot:
  description: The slot, publication, consistent point and snapshot of the dump (as in the manifest).
  returned: with O(replication_slot)
  type: dict
  sample: {"slot": "airflow_ops_sync", "publication": "airflow_ops_sync", "consistent_point": "0/1A2B3C8",
           "snapshot": "00000003-00000002-1"}
slots:
  description:
    - Every replication slot named C(airflow_ops_...) on the source, with the WAL it keeps there
      (C(retained_wal_bytes), from its C(restart_lsn) to the current WAL position).
    - A slot nobody streams from keeps WAL until it is dropped and can fill the source's disk.
  returned: unless O(schema_from) is set
  type: list
  elements: dict
  sample: [{"name": "airflow_ops_sync", "database": "airflow", "active": false, "restart_lsn": "0/1A2B3C8",
            "confirmed_flush_lsn": "0/1A2B400", "retained_wal_bytes": 16384}]
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
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump.dumper import (
    DumpError,
    DumpOptions,
    run_dump,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump.schema_from import (
    run_data_dump,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.manifest import ManifestError
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync.sync_slot import (
    SlotError,
    dump_from_new_slot,
    our_slots,
)

# The options' defaults are DumpOptions'.
DEFAULTS = DumpOptions(dump_dir="")


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        dump_dir={"type": "path", "required": True},
        pg_dump_path={"type": "str", "default": DEFAULTS.pg_dump_path},
        schemas={"type": "list", "elements": "str"},
        exclude_schemas={"type": "list", "elements": "str", "default": list(DEFAULTS.exclude_schemas)},
        checksums={"type": "bool", "default": DEFAULTS.checksums},
        replication_slot={"type": "str"},
        schema_from={"type": "path"},
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[
            *CONNECTION_MUTUALLY_EXCLUSIVE,
            ("schema_from", "replication_slot"),
            ("schema_from", "schemas"),
        ],
        supports_check_mode=True,
    )
    params = module.params
    conn = connect_or_fail(module)
    admin = None
    try:
        options = DumpOptions.from_params(params, module.check_mode)
        if params["replication_slot"]:
            admin = connect_or_fail(module)
            admin.autocommit = True
            result = dump_from_new_slot(conn, params, options, params["replication_slot"], admin)
        elif options.schema_from:
            result = run_data_dump(conn, options)
        else:
            result = run_dump(conn, params, options)
        if not options.schema_from:  # a CockroachDB source has no replication slots to report
            with conn.cursor() as cur:
                result["slots"] = [slot.as_dict() for slot in our_slots(cur)]
            conn.rollback()
    except (DumpError, ManifestError, SlotError, OSError) as exc:
        module.fail_json(msg=scrub(f"dump into {params['dump_dir']} failed: {exc}", params))
    except DATABASE_ERRORS as exc:
        reason = describe_database_error(exc, conn, params, doing="reading the source")
        module.fail_json(msg=f"dump into {params['dump_dir']} failed: {reason}")
    finally:
        conn.close()
        if admin is not None:
            admin.close()
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metastore_info
short_description: Identify a PostgreSQL or CockroachDB database and what a metastore load left on it
version_added: "0.2.0"
description:
  - Reports which server and database a connection reaches by the server's own identity, not by the host
    name it was given. PostgreSQL's C(system_identifier) from C(pg_control_system()) and CockroachDB's
    C(crdb_internal.cluster_id()) are used, plus the database name. Two connections through different
    host names, addresses or proxies to one database report the same identity.
  - Where C(pg_control_system()) is not permitted for the login user, the postmaster's start time stands in;
    C(identity.method) says which one was used.
  - Reports the tables, views and sequences outside the system schemas and O(progress_schema), and the state
    of a load by M(airflow_ops.metastore.metastore_load) recorded in O(progress_schema). The state is
    C(none), C(unfinished) (an interrupted or failed load) or C(finished) (with when it finished).
  - Read-only; never reports a change. The migration playbook's preflight uses it to tell the source from
    the target and an unfinished earlier attempt from a finished migration.
extends_documentation_fragment:
  - airflow_ops.metastore.connection
options:
  progress_schema:
    description:
      - Schema where M(airflow_ops.metastore.metastore_load) records its progress. Its objects are not
        counted as user objects.
    type: str
    default: airflow_ops
  ignore:
    description:
      - Further schemas whose objects are not counted as user objects.
    type: list
    elements: str
    default: []
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
- name: Identify the target and find an earlier load
  airflow_ops.metastore.metastore_info:
    url: "postgresql://airflow@haproxy:26257/airflow?sslmode=verify-full&sslrootcert=/etc/crdb/ca.crt"
  register: target_info

- name: Refuse a target that is the source database
  ansible.builtin.assert:
    that: target_info.identity != source_info.identity
"""

RETURN = r"""
version:
  description: What C(SELECT version()) returns.
  returned: always
  type: str
  sample: PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu
identity:
  description:
    - C(kind) (postgresql or cockroachdb), C(server) (system identifier or cluster id), C(database), and
      C(method), which says how C(server) was read.
  returned: always
  type: dict
  sample: {"kind": "postgresql", "server": "7714582464750873896", "database": "airflow",
           "method": "pg_control_system().system_identifier"}
user_objects:
  description: Tables, views and sequences outside the system and ignored schemas, as C(schema.name (kind)).
  returned: always
  type: list
  elements: str
  sample: ["public.dag (base table)"]
load:
  description:
    - The load recorded in O(progress_schema). C(state) is none, unfinished or finished. C(manifest_digest)
      identifies the dump. C(finished_at) is the server's time (UTC) of the load's last transaction.
  returned: always
  type: dict
  sample: {"state": "finished", "manifest_digest": "3f5c...", "finished_at": "2026-12-02 06:10:03.123456"}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    CONNECTION_MUTUALLY_EXCLUSIVE,
    DATABASE_ERRORS,
    connect_or_fail,
    connection_argument_spec,
    describe_database_error,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.load import load_progress as lp
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import verifier


def read_info(conn, progress_schema, ignore):
    """Everything the module returns, read in one read-only transaction."""
    with conn.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0]
        identity = catalog.server_identity(cur)
        objects = verifier.user_objects(cur, [progress_schema, *ignore])
        progress = lp.read(cur, progress_schema)
    conn.rollback()
    return {
        "version": version,
        "identity": identity,
        "user_objects": [f"{o['schema']}.{o['name']} ({o['kind'].lower()})" for o in objects],
        "load": lp.summary(progress),
    }


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        progress_schema={"type": "str", "default": catalog.PROGRESS_SCHEMA},
        ignore={"type": "list", "elements": "str", "default": []},
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE,
        supports_check_mode=True,
    )
    conn = connect_or_fail(module)
    try:
        conn.set_session(readonly=True)
        info = read_info(conn, module.params["progress_schema"], module.params["ignore"])
    except DATABASE_ERRORS as exc:
        module.fail_json(msg=describe_database_error(exc, conn, module.params, doing="reading the server"))
    finally:
        conn.close()
    module.exit_json(changed=False, **info)


if __name__ == "__main__":
    main()

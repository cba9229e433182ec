#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cockroachdb_user
short_description: Manage a CockroachDB user, its database, privileges, role memberships and session settings
version_added: "0.1.0"
description:
  - Reads the user's current state first (role options, memberships, database privileges, per-database
    session settings) and runs only the statements needed, so a second run reports no change.
  - Speaks pgwire through psycopg2; retries serialization failures (SQLSTATE 40001).
  - Returns the statements it ran (or would run in check mode) without the password.
  - Typical use, the Airflow user with C(serial_normalization=sql_sequence) and a separate loader user that
    is a member of C(admin) (COPY needs it on many CockroachDB versions).
extends_documentation_fragment:
  - airflow_ops.metastore.connection
options:
  name:
    description: Name of the user.
    type: str
    required: true
  state:
    description: C(present) creates or updates the user; C(absent) drops it.
    type: str
    choices: [present, absent]
    default: present
  user_password:
    description:
      - Password of the user (never logged). Without it the user has no password (certificate login).
    type: str
  update_password:
    description:
      - C(on_create) sets the password only when creating the user (CockroachDB does not expose a way
        to compare it, so C(always) reports a change on every run).
    type: str
    choices: [always, on_create]
    default: on_create
  role_options:
    description:
      - Role options such as C(LOGIN), C(CREATEDB), C(NOCREATEROLE), C(CONTROLJOB), C(VIEWACTIVITY).
    type: list
    elements: str
    default: [LOGIN]
  member_of:
    description: Roles the user must be a member of, e.g. C(admin) for a loader user. Never revoked.
    type: list
    elements: str
    default: []
  database:
    description: Database the privileges and session settings apply to.
    type: str
  create_database:
    description: Create O(database) when it does not exist.
    type: bool
    default: false
  privileges:
    description: Privileges on O(database) to grant (C(ALL), C(CONNECT), C(CREATE), ...). Never revoked.
    type: list
    elements: str
    default: []
  session_settings:
    description:
      - Session variables set for this user in O(database) (C(ALTER ROLE ... IN DATABASE ... SET)),
        e.g. C(serial_normalization=sql_sequence).
    type: dict
    default: {}
requirements:
  - psycopg2
notes:
  - Check mode reads the cluster and returns the statements without running them. Diff mode shows the
    user's state before and after.
author:
  - airflow_ops.metastore contributors (@airflow-ops)
"""

EXAMPLES = r"""
- name: Airflow user with its database, keeping sequences for SERIAL columns
  airflow_ops.metastore.cockroachdb_user:
    url: "postgresql://root@crdb1:26257/defaultdb?sslmode=verify-full&sslrootcert=/certs/ca.crt"
    name: airflow
    user_password: "{{ vault_airflow_db_password }}"
    database: airflow
    create_database: true
    privileges: [ALL]
    session_settings:
      serial_normalization: sql_sequence

- name: Loader user for COPY (admin on many versions)
  airflow_ops.metastore.cockroachdb_user:
    login_host: crdb1
    login_port: 26257
    login_user: root
    sslmode: verify-full
    ssl_rootcert: /certs/ca.crt
    ssl_cert: /certs/client.root.crt
    ssl_key: /certs/client.root.key
    name: airflow_loader
    user_password: "{{ vault_loader_password }}"
    member_of: [admin]
"""

RETURN = r"""
queries:
  description: Statements run (or planned in check mode), passwords replaced by placeholders.
  returned: always
  type: list
  elements: str
  sample: ['CREATE USER "airflow" WITH LOGIN PASSWORD %s', 'CREATE DATABASE "airflow"']
user:
  description: The user's state after the run (before, in check mode).
  returned: success
  type: dict
  sample: {exists: true, options: {LOGIN: true}, member_of: [], privileges: [ALL]}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_user import (
    PlanError,
    describe,
    plan,
    read_state,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    CONNECTION_MUTUALLY_EXCLUSIVE,
    DATABASE_ERRORS,
    connect_or_fail,
    connection_argument_spec,
    run_transaction,
    scrub,
)


def _argument_spec():
    spec = connection_argument_spec()
    spec.update(
        name={"type": "str", "required": True},
        state={"type": "str", "choices": ["present", "absent"], "default": "present"},
        user_password={"type": "str", "no_log": True},
        update_password={"type": "str", "choices": ["always", "on_create"], "default": "on_create"},
        role_options={"type": "list", "elements": "str", "default": ["LOGIN"]},
        member_of={"type": "list", "elements": "str", "default": []},
        database={"type": "str"},
        create_database={"type": "bool", "default": False},
        privileges={"type": "list", "elements": "str", "default": []},
        session_settings={"type": "dict", "default": {}},
    )
    return spec


def _wanted(params):
    return {
        "name": params["name"],
        "state": params["state"],
        "password": params["user_password"],
        "update_password": params["update_password"],
        "options": params["role_options"],
        "member_of": params["member_of"],
        "database": params["database"],
        "create_database": params["create_database"],
        "privileges": params["privileges"],
        "settings": params["session_settings"],
    }


def _apply(conn, statements):
    def work(cur):
        for sql, args in statements:
            cur.execute(sql, args)

    run_transaction(conn, work)


def main():
    module = AnsibleModule(
        argument_spec=_argument_spec(),
        mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE,
        supports_check_mode=True,
    )
    params = module.params
    conn = connect_or_fail(module)
    try:
        with conn.cursor() as cur:
            before = read_state(cur, params["name"], params["database"])
        conn.rollback()
        statements = plan(_wanted(params), before)
        if statements and not module.check_mode:
            _apply(conn, statements)
            with conn.cursor() as cur:
                after = read_state(cur, params["name"], params["database"])
            conn.rollback()
        else:
            after = before
    except PlanError as exc:
        module.fail_json(msg=str(exc))
    except DATABASE_ERRORS as exc:
        module.fail_json(
            msg=scrub(f"CockroachDB refused a statement for user {params['name']}: {exc}".strip(), params)
        )
    finally:
        conn.close()
    result = {
        "changed": bool(statements),
        "queries": [statement[0] for statement in statements],
        "user": describe(after),
    }
    if module._diff:
        result["diff"] = {"before": describe(before), "after": describe(after)}
    module.exit_json(**result)


if __name__ == "__main__":
    main()

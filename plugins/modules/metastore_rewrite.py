#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: metastore_rewrite
short_description: Rewrite a pg_dump schema of an Airflow metadata database for CockroachDB or PostgreSQL
version_added: "1.0.0"
description:
  - Reads C(pre-data.sql) and C(post-data.sql) written by M(airflow_ops.metastore.metastore_dump)
    (C(pg_dump --schema-only --section=pre-data/post-data)), parses them with pglast (PostgreSQL's
    own parser) and applies the versioned rule table for the target.
  - For C(cockroachdb) the rules include the classic hand edits (sequence C(AS integer), C(OWNER TO),
    C(nextval('s'::regclass))) for the versions that need them, removal of psql meta-commands and of
    session settings the target rejects, C(ALTER TABLE ONLY) to C(ALTER TABLE), primary keys moved
    from post-data into their C(CREATE TABLE) (printed by pglast from the statement's syntax tree), and
    what Airflow's own upgrade chain leaves in old metastores (C(CREATE EXTENSION pgcrypto),
    C(COMMENT ON EXTENSION)).
  - For C(postgresql) the DDL passes through; only psql meta-commands are removed and C(OWNER TO) is
    rewritten to O(owner) (or removed when O(owner) is not set).
  - Writes O(dest)/C(pre-data.sql), O(dest)/C(post-data.sql) and O(dest)/C(rewrite-report.json).
    Files whose content would not change are not touched.
  - For C(cockroachdb), a construct no rule knows fails the module before any file is written, naming
    each statement and what to do, because the load would probably stop at it, after Airflow was stopped.
  - Notes (a rule did its job and the consequence is worth reading, such as an expression index not
    created on an old version) do not fail the module; they are returned in RV(rewrite_warnings).
author:
  - airflow_ops.metastore contributors (@airflow-ops)
requirements:
  - pglast >= 7 on the host that runs the module
options:
  src:
    description:
      - Directory holding C(pre-data.sql) and C(post-data.sql), usually C(DUMP_DIR/schema).
    type: path
    required: true
  dest:
    description:
      - Directory to write the rewritten files to; created when missing.
      - Defaults to C(<src>/../rewritten/<target>), i.e. C(DUMP_DIR/rewritten/<target>).
    type: path
  target:
    description:
      - The database the rewritten DDL is for.
    type: str
    choices: [cockroachdb, postgresql]
    default: cockroachdb
  target_version:
    description:
      - CockroachDB version of the target cluster, such as C(v25.4) or C(v23.2.1). Rules that the
        version no longer needs are skipped. Ignored for O(target=postgresql).
      - Versions before v20.2 are refused.
    type: str
    default: v25.4
  owner:
    description:
      - Role that should own every object on the target. The role must exist there.
      - When not set, every C(OWNER TO) is removed and objects belong to the user that loads them.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports what would be written without writing it.
  diff_mode:
    support: full
    description: Shows each output file before and after.
notes:
  - The rule table, with the source of every rule, is in C(plugins/module_utils/cockroachdb_rules.py).
seealso:
  - module: airflow_ops.metastore.metastore_dump
  - module: airflow_ops.metastore.metastore_load
"""

EXAMPLES = r"""
- name: Rewrite the dumped schema for a CockroachDB v25.4 cluster, owned by airflow
  airflow_ops.metastore.metastore_rewrite:
    src: /var/backups/airflow/dump/schema
    target: cockroachdb
    target_version: v25.4
    owner: airflow
  register: rewrite

- name: Show the rules applied and anything that needs a person to look at
  ansible.builtin.debug:
    msg: "{{ rewrite.report }} / {{ rewrite.warnings }}"

- name: Prepare the same dump for another PostgreSQL, without the source's owners
  airflow_ops.metastore.metastore_rewrite:
    src: /var/backups/airflow/dump/schema
    dest: /var/backups/airflow/dump/rewritten/postgresql
    target: postgresql
"""

RETURN = r"""
report:
  description: Every rule that changed something, by rule id.
  returned: always
  type: dict
  sample:
    primary-key-in-create-table:
      count: 58
      description: ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY moved from post-data into its CREATE TABLE
      source: a key added later first creates a hidden rowid key (CRDB_CONSTRUCTS.md)
rules_not_needed:
  description: Ids of the target's rules that O(target_version) no longer needs.
  returned: always
  type: list
  elements: str
  sample: [sequence-as-type, nextval-regclass]
rewrite_warnings:
  description:
    - Notes on what the rules did that has a consequence (for example an expression index not
      created, or sequences keeping the loading user as owner); read them.
    - Each one is also emitted as an Ansible warning. Unverified constructs are never here, they fail
      the module (see RV(unverified_constructs)).
  returned: always
  type: list
  elements: str
files:
  description: The output files, with whether each one was (or in check mode would be) written.
  returned: always
  type: list
  elements: dict
  sample:
    - path: /var/backups/airflow/dump/rewritten/cockroachdb/pre-data.sql
      changed: true
output_dir:
  description: The directory written to (O(dest) or its default).
  returned: always
  type: str
unverified_constructs:
  description:
    - Set only when the module fails because statements use constructs the rule table does not know
      for the target version; one entry per statement, with the construct named.
  returned: failure
  type: list
  elements: str
  sample:
    - "CREATE EXTENSION hstore WITH SCHEMA public: not verified for CockroachDB: extension hstore"
target_version:
  description: The CockroachDB version the rules were chosen for (normalised), null for PostgreSQL.
  returned: always
  type: str
  sample: v25.4.0
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.airflow_ops.metastore.plugins.module_utils import sqlscript
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.rewrite.schema_rewrite import (
    OUTPUT_FILES,
    REPORT_FILE,
    UnverifiedConstructs,
    report_document,
    rewrite_schema,
)


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _current(path):
    return _read(path) if os.path.exists(path) else None


def _write_atomically(path, content):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".rewrite-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _input_files(module, src):
    if not os.path.isdir(src):
        module.fail_json(msg=f"src {src} is not a directory: point it at DUMP_DIR/schema from metastore_dump")
    paths = [os.path.join(src, name) for name in OUTPUT_FILES]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        module.fail_json(
            msg=f"missing {', '.join(missing)}: src must hold pg_dump's pre-data.sql and post-data.sql "
            "(run metastore_dump first)"
        )
    return [_read(p) for p in paths]


def run(module):
    params = module.params
    src = params["src"]
    dest = params["dest"] or os.path.join(
        os.path.dirname(os.path.abspath(src)), "rewritten", params["target"]
    )
    pre_sql, post_sql = _input_files(module, src)
    try:
        new_pre, new_post, report, warnings = rewrite_schema(
            pre_sql, post_sql, params["target"], params["target_version"], params["owner"]
        )
        document = report_document(
            params["target"], params["target_version"], params["owner"], report, warnings
        )
    except UnverifiedConstructs as exc:
        module.fail_json(msg=str(exc), unverified_constructs=exc.constructs)
    except ValueError as exc:  # SqlScriptError is a ValueError too
        module.fail_json(msg=str(exc))
    outputs = {
        OUTPUT_FILES[0]: new_pre,
        OUTPUT_FILES[1]: new_post,
        REPORT_FILE: json.dumps(document, indent=2, sort_keys=True) + "\n",
    }
    files, diffs = [], []
    for name, content in outputs.items():
        path = os.path.join(dest, name)
        before = _current(path)
        changed = before != content
        files.append({"path": path, "changed": changed})
        if changed:
            diffs.append(
                {"before_header": path, "before": before or "", "after_header": path, "after": content}
            )
            if not module.check_mode:
                os.makedirs(dest, mode=0o750, exist_ok=True)
                _write_atomically(path, content)
    changed = any(f["changed"] for f in files)
    result = {
        "changed": changed,
        "report": report,
        "rules_not_needed": document["rules_not_needed"],
        "rewrite_warnings": warnings,
        "files": files,
        "output_dir": dest,
        "target_version": document["target_version"],
    }
    if module._diff:
        result["diff"] = diffs
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "path", "required": True},
            "dest": {"type": "path"},
            "target": {"type": "str", "choices": ["cockroachdb", "postgresql"], "default": "cockroachdb"},
            "target_version": {"type": "str", "default": "v25.4"},
            "owner": {"type": "str"},
        },
        supports_check_mode=True,
    )
    if not sqlscript.HAS_PGLAST:
        module.fail_json(msg=missing_required_lib("pglast"), exception=sqlscript.PGLAST_IMPORT_ERROR)
    run(module)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metastore_sequences
short_description: Move the target's sequences up to a live source's positions at the cutover
version_added: "0.1.0"
description:
  - For the online migration's cutover, with every writer stopped and
    M(airflow_ops.metastore.metastore_sync) drained. The change stream carries no sequence changes, so after
    a sync the target's sequences hold the dump's values while the source went on handing out ids.
  - Reads every sequence of the source (O(source_url)) in one REPEATABLE READ snapshot and calls
    C(setval(sequence, last_value, is_called)) on each target sequence whose next value is behind the
    source's, all in one target transaction (retried on serialization failures).
  - Never moves a target sequence backwards. A target sequence that is ahead has handed out ids (a canary
    write, an earlier cutover attempt) that may already be stored in the target's rows; moving it back would
    hand them out again and the running Airflow would hit duplicate keys. A sequence ahead only leaves a gap
    of unused ids, which is harmless.
  - Positions are compared as the value the next C(nextval) returns, which is the same on PostgreSQL and
    CockroachDB (CockroachDB does not store C(is_called); see C(cockroachdb_rules.sequence_next_value)).
  - Reports a change only when a sequence was behind; a second run reports none. Check mode reports what
    would change and writes nothing; diff mode shows every sequence's next value before and after.
  - Fails, changing nothing, when a source sequence does not exist on the target.
extends_documentation_fragment:
  - airflow_ops.metastore.connection
options:
  source_url:
    description:
      - libpq URL of the live PostgreSQL source whose sequence positions the target takes. Never logged.
    type: str
    required: true
  schemas:
    description:
      - Only the sequences of these source schemas (default every user schema).
    type: list
    elements: str
attributes:
  check_mode:
    support: full
    description: Reports which sequences would be set, and to what, without writing.
  diff_mode:
    support: full
    description: Every sequence's next value on the target before and after.
author:
  - airflow_ops.metastore contributors (@airflow-ops)
requirements:
  - psycopg2
"""

EXAMPLES = r"""
- name: Cutover - set the target's sequences from the source (Airflow stopped, sync drained)
  airflow_ops.metastore.metastore_sequences:
    url: "{{ target_url }}"
    source_url: "{{ source_url }}"

- name: Show what would change
  airflow_ops.metastore.metastore_sequences:
    login_host: crdb1.example.com
    login_port: 26257
    login_user: airflow
    login_db: airflow
    sslmode: verify-full
    ssl_rootcert: /etc/crdb/ca.crt
    source_url: "postgresql://airflow:{{ vault_source_password | urlencode }}@pg1/airflow"
  check_mode: true
  diff: true
"""

RETURN = r"""
sequences:
  description:
    - One entry per source sequence. C(source_next_value) is the value the source's next C(nextval) returns;
      C(before_next_value) and C(after_next_value) the target's, before and after this run (in check mode,
      after it would run). C(last_value) and C(is_called) are the source's, as given to C(setval).
      C(changed) is true for the sequences that were (or would be) set.
  returned: always
  type: list
  elements: dict
  sample: [{"schema": "public", "name": "dag_run_id_seq", "source_next_value": 1043,
            "before_next_value": 1001, "after_next_value": 1043, "last_value": 1042, "is_called": true,
            "changed": true}]
changed_sequences:
  description: The qualified names of the sequences that were (or would be) set.
  returned: always
  type: list
  elements: str
  sample: ["public.dag_run_id_seq"]
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
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import sync_sequences


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        source_url={"type": "str", "required": True, "no_log": True},
        schemas={"type": "list", "elements": "str"},
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE,
        supports_check_mode=True,
    )
    params = module.params
    options = sync_sequences.SequenceOptions(
        schemas=tuple(params["schemas"]) if params["schemas"] else None, check_mode=module.check_mode
    )
    source_params = {"url": params["source_url"], "connect_timeout": params["connect_timeout"]}
    source = connect_or_fail(module, source_params, label="source: ")
    try:
        target = connect_or_fail(module)
        try:
            entries = sync_sequences.set_sequences(source, target, options)
        except sync_sequences.SequencesMissing as exc:
            module.fail_json(msg=f"{exc}. Nothing was changed.")
        except DATABASE_ERRORS as exc:
            module.fail_json(
                msg=scrub(
                    describe_database_error(exc, target, params, doing="setting the sequences"), source_params
                )
            )
        finally:
            target.close()
    finally:
        source.close()
    changed = [f"{e['schema']}.{e['name']}" for e in entries if e["changed"]]
    result = {"changed": bool(changed), "sequences": entries, "changed_sequences": changed}
    if module._diff:
        result["diff"] = sync_sequences.diff(entries)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

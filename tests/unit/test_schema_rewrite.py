"""Each rewrite rule on small pieces of real pg_dump 15 output of an Airflow database.

The snippets are verbatim pg_dump text (comments trimmed); the last tests dump a small
Airflow-shaped schema with the real pg_dump on the session's PostgreSQL and rewrite that.
"""

from __future__ import annotations

import subprocess

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils import sqlscript
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.rewrite.schema_rewrite import (
    UnverifiedConstructs,
    report_document,
    rewrite_schema,
)
from pglast.enums import ConstrType

HEADER = """\\restrict spS75amXuAmWFtIMke015GRhW8gNzTf1WT9bbs58fT5YsDBGD0LLqDvAcYllewo

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;
"""

PRE_DATA = (
    HEADER
    + """
CREATE TABLE public.variable (
    id integer NOT NULL,
    key character varying(250) NOT NULL,
    val text NOT NULL,
    team_name character varying(50)
);


ALTER TABLE public.variable OWNER TO postgres;

CREATE SEQUENCE public.variable_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.variable_id_seq OWNER TO postgres;

ALTER SEQUENCE public.variable_id_seq OWNED BY public.variable.id;

ALTER TABLE ONLY public.variable ALTER COLUMN id SET DEFAULT nextval('public.variable_id_seq'::regclass);

\\unrestrict spS75amXuAmWFtIMke015GRhW8gNzTf1WT9bbs58fT5YsDBGD0LLqDvAcYllewo
"""
)

POST_DATA = (
    HEADER
    + """
ALTER TABLE ONLY public.variable
    ADD CONSTRAINT variable_key_uq UNIQUE (key);

ALTER TABLE ONLY public.variable
    ADD CONSTRAINT variable_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX idx_ab_user_username ON public.ab_user USING btree (lower((username)::text));

CREATE INDEX idx_dag_run_queued_dags ON public.dag_run USING btree (state, dag_id) WHERE ((state)::text = 'queued'::text);

ALTER TABLE ONLY public.variable
    ADD CONSTRAINT variable_team_name_fkey FOREIGN KEY (team_name) REFERENCES public.team(name) ON DELETE SET NULL;

\\unrestrict spS75amXuAmWFtIMke015GRhW8gNzTf1WT9bbs58fT5YsDBGD0LLqDvAcYllewo
"""  # noqa: E501 (verbatim pg_dump lines)
)


def crdb(version="v25.4", owner=None, pre=PRE_DATA, post=POST_DATA):
    return rewrite_schema(pre, post, "cockroachdb", version, owner)


def counts(report):
    return {rule_id: entry["count"] for rule_id, entry in report.items()}


def test_meta_commands_are_removed_and_counted_for_both_targets():
    for target in ("cockroachdb", "postgresql"):
        pre, post, report, _unused = rewrite_schema(PRE_DATA, POST_DATA, target, None, None)
        assert "\\restrict" not in pre + post and "\\unrestrict" not in pre + post
        assert report["psql-meta-commands"]["count"] == 4


def test_restrict_key_does_not_change_the_output():
    other_key = PRE_DATA.replace("spS75amX", "differen")
    assert crdb()[0] == crdb(pre=other_key)[0]


def test_sequence_as_integer_removed_before_v22_1_and_kept_from_v22_1():
    old_pre = crdb("v21.2")[0]
    assert "AS integer" not in old_pre and "CREATE SEQUENCE public.variable_id_seq" in old_pre
    assert "AS integer" in crdb("v22.1")[0]


def test_owner_to_removed_when_no_owner_is_given():
    pre, _unused, report, _unused = crdb(owner=None)
    assert "OWNER TO" not in pre
    assert report["owner-to"]["count"] == 2


def test_owner_to_rewritten_to_the_given_owner_on_current_versions():
    pre, _unused, report, warnings = crdb(owner="airflow")
    assert "ALTER TABLE public.variable OWNER TO airflow;" in pre
    assert "ALTER TABLE public.variable_id_seq OWNER TO airflow;" in pre
    assert "postgres;" not in pre
    assert report["owner-to"]["count"] == 2
    assert warnings == []


def test_sequence_owner_to_dropped_before_v21_1_with_a_warning_when_an_owner_was_asked_for():
    pre, _unused, report, warnings = crdb("v20.2", owner="airflow")
    assert "ALTER TABLE public.variable_id_seq OWNER TO" not in pre
    assert "ALTER TABLE public.variable OWNER TO airflow;" in pre
    assert report["sequence-owner-to"]["count"] == 1
    assert any("keep the loading user as owner" in w for w in warnings)


def test_nextval_regclass_unwrapped_before_v21_1():
    pre = crdb("v20.2")[0]
    assert "DEFAULT nextval('public.variable_id_seq');" in pre
    assert "regclass" not in pre


def test_nextval_regclass_kept_from_v21_1():
    pre = crdb("v21.1")[0]
    assert "regclass" in pre


def test_set_config_search_path_removed_on_v23_2_0_and_kept_on_v23_2_1():
    assert "set_config" not in crdb("v23.2.0")[0]
    assert "SELECT pg_catalog.set_config('search_path', '', false);" in crdb("v23.2.1")[0]


def test_settings_cockroachdb_lacks_before_v22_1_are_removed_and_kept_after():
    old, new = crdb("v21.2")[0], crdb("v22.1")[0]
    for setting in ("check_function_bodies", "xmloption", "default_table_access_method"):
        assert setting not in old
        assert f"SET {setting}" in new


def test_session_only_settings_always_removed_compatibility_settings_at_default_kept():
    pre = crdb("v26.2")[0]
    for setting in ("statement_timeout", "idle_in_transaction_session_timeout", "client_min_messages"):
        assert setting not in pre
    for line in ("SET lock_timeout = 0;", "SET client_encoding = 'UTF8';", "SET row_security = off;"):
        assert line in pre


def test_compatibility_setting_at_a_non_default_value_is_removed_with_a_warning():
    pre, _unused, _unused, warnings = crdb(pre="SET client_encoding = 'LATIN1';\n", post="")
    assert "client_encoding" not in pre
    assert any("only at its default" in w for w in warnings)


def test_alter_table_only_becomes_alter_table():
    pre, post, report, _unused = crdb()
    assert "ONLY" not in pre + post
    assert "ALTER TABLE public.variable ALTER COLUMN id SET DEFAULT" in pre
    assert report["alter-table-only"]["count"] == 3  # the default, the unique key and the FK


def test_primary_key_moved_from_post_data_into_create_table():
    pre, post, report, _unused = crdb()
    assert "PRIMARY KEY" not in post
    (create,) = [s for s in sqlscript.parse_script(pre)[0] if s.kind == "CreateStmt"]
    assert [getattr(e, "colname", None) or e.conname for e in create.node.tableElts] == [
        "id",
        "key",
        "val",
        "team_name",
        "variable_pkey",
    ]
    assert report["primary-key-in-create-table"]["count"] == 1
    assert "UNIQUE (key)" in post  # other constraints stay where pg_dump put them


# pg_dump's form of a table with storage parameters, and its primary key in post-data.
STORAGE_PARAMETER_PRE = """CREATE TABLE public.log (
    id integer NOT NULL,
    event character varying(60),
    extra json
)
WITH (fillfactor='70');
"""
STORAGE_PARAMETER_POST = """ALTER TABLE ONLY public.log
    ADD CONSTRAINT log_pkey PRIMARY KEY (id);
"""


@pytest.mark.parametrize("version", ["v22.1", "v25.4"])
def test_primary_key_goes_into_the_column_list_of_a_table_with_storage_parameters(version):
    pre, post, report, _unused = crdb(version, pre=STORAGE_PARAMETER_PRE, post=STORAGE_PARAMETER_POST)
    statements, _meta = sqlscript.parse_script(pre)  # raises if the output is not valid SQL
    (create,) = [s for s in statements if s.kind == "CreateStmt"]
    elements = create.node.tableElts
    assert [type(e).__name__ for e in elements] == ["ColumnDef", "ColumnDef", "ColumnDef", "Constraint"]
    assert elements[-1].conname == "log_pkey" and elements[-1].contype == ConstrType.CONSTR_PRIMARY
    assert [(o.defname, o.arg.sval) for o in create.node.options] == [("fillfactor", "70")]
    assert "PRIMARY KEY" not in post
    assert report["primary-key-in-create-table"]["count"] == 1


def test_create_table_printed_by_pglast_keeps_pg_dump_type_spellings():
    pre = crdb(pre=STORAGE_PARAMETER_PRE, post=STORAGE_PARAMETER_POST)[0]
    assert "pg_catalog." not in pre  # json stays json, as pg_dump wrote it
    assert " integer NOT NULL" in pre  # integer stays integer (int4 would mean INT4 on CockroachDB)


def test_primary_key_without_its_create_table_stays_in_post_data_with_a_warning():
    _unused, post, report, warnings = crdb(
        pre="", post="ALTER TABLE ONLY public.gone ADD CONSTRAINT gone_pkey PRIMARY KEY (id);"
    )
    assert "ADD CONSTRAINT gone_pkey PRIMARY KEY (id)" in post
    assert "primary-key-in-create-table" not in report
    assert any("no CREATE TABLE" in w for w in warnings)


def test_expression_index_removed_before_v21_2_with_a_warning_naming_the_consequence():
    _unused, post, report, warnings = crdb("v21.1")
    assert "idx_ab_user_username" not in post
    assert report["expression-index"]["count"] == 1
    assert any("idx_ab_user_username" in w and "uniqueness" in w for w in warnings)
    assert "idx_dag_run_queued_dags" in post  # partial indexes are fine from v20.2


def test_expression_index_kept_from_v21_2():
    _unused, post, report, warnings = crdb("v21.2")
    assert (
        "CREATE UNIQUE INDEX idx_ab_user_username ON public.ab_user USING btree (lower((username)::text));"
        in post
    )
    assert "expression-index" not in report and warnings == []


@pytest.mark.parametrize("version", ["v20.2", "v25.4"])
@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("CREATE TYPE public.state AS ENUM ('a', 'b');", "CreateEnumStmt"),
        ("CREATE VIEW public.v AS SELECT 1 AS one;", "ViewStmt"),
        ("CREATE TABLE public.t (id integer NOT NULL, doc xml);", "column type xml"),
        ("CREATE INDEX t_doc ON public.t USING gin (doc);", "index method gin"),
        ("SET work_mem = '64MB';", "setting work_mem"),
        ("SELECT 1;", "a SELECT"),
        ("CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;", "extension hstore"),
        (
            "CREATE TABLE public.t (id integer) WITH (toast.autovacuum_enabled='false');",
            "storage parameter toast.autovacuum_enabled",
        ),
        (
            "CREATE INDEX t_id ON public.t USING btree (id) WITH (fillfactor='50');",
            "storage parameter fillfactor",
        ),
    ],
)
def test_unknown_construct_fails_the_rewrite_naming_it_and_what_to_do(sql, named, version):
    with pytest.raises(UnverifiedConstructs) as failure:
        crdb(version, pre=sql, post="")
    assert len(failure.value.constructs) == 1 and named in failure.value.constructs[0]
    message = str(failure.value)
    assert "nothing was written" in message and "What to do" in message
    assert "cockroachdb_rules.py" in message


# What Airflow's own upgrade chain (2.9 -> 2.11 -> 3.3) leaves in pre-data, verbatim pg_dump 15.
UPGRADED_EXTENSION = """
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';
"""


@pytest.mark.parametrize("version", ["v20.2", "v22.1", "v25.4", "v26.2"])
def test_pgcrypto_extension_and_its_comment_are_removed_by_rule_on_every_version(version):
    pre, _unused, report, warnings = crdb(version, pre=PRE_DATA + UPGRADED_EXTENSION)
    assert "EXTENSION" not in pre
    assert report["pgcrypto-extension"]["count"] == 1
    assert report["comment-on-extension"]["count"] == 1
    assert "unverified-constructs" not in report
    assert not any("EXTENSION" in w for w in warnings)


def test_a_pgcrypto_function_qualified_with_its_schema_fails_once_the_extension_is_removed():
    pre = UPGRADED_EXTENSION + (
        "CREATE TABLE public.token (\n    id uuid DEFAULT public.gen_random_uuid() NOT NULL\n);\n"
    )
    with pytest.raises(UnverifiedConstructs) as failure:
        crdb(pre=pre, post="")
    assert [c.split(": ", 1)[1] for c in failure.value.constructs] == [
        "not verified for CockroachDB: function public.gen_random_uuid"
    ]


def test_comment_on_an_unknown_extension_is_removed_but_the_extension_itself_fails():
    sql = "CREATE EXTENSION hstore WITH SCHEMA public;\nCOMMENT ON EXTENSION hstore IS 'key/value';\n"
    with pytest.raises(UnverifiedConstructs) as failure:
        crdb(pre=sql, post="")
    assert [c.split(":")[0] for c in failure.value.constructs] == [
        "CREATE EXTENSION hstore WITH SCHEMA public"
    ]


def test_postgresql_target_keeps_the_pgcrypto_extension():
    pre = rewrite_schema(PRE_DATA + UPGRADED_EXTENSION, POST_DATA, "postgresql", None, None)[0]
    assert "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;" in pre
    assert "COMMENT ON EXTENSION pgcrypto" in pre


def test_compatibility_storage_parameters_removed_before_v22_1_and_kept_from_v22_1():
    old, _unused, report, _unused = crdb("v21.2", pre=STORAGE_PARAMETER_PRE, post=STORAGE_PARAMETER_POST)
    assert "fillfactor" not in old and report["table-storage-parameters-v22.1"]["count"] == 1
    assert "fillfactor = '70'" in crdb("v22.1", pre=STORAGE_PARAMETER_PRE, post=STORAGE_PARAMETER_POST)[0]


def test_notes_do_not_fail_the_rewrite():
    _unused, post, _unused, warnings = crdb("v21.1")
    assert "idx_ab_user_username" not in post
    assert warnings  # the dropped expression index is a note with its consequence


def test_postgresql_target_passes_ddl_through_and_rewrites_only_owners():
    pre, post, report, warnings = rewrite_schema(PRE_DATA, POST_DATA, "postgresql", None, "airflow")
    assert counts(report) == {"psql-meta-commands": 4, "owner-to": 2}
    assert warnings == []
    for kept in (
        "AS integer",
        "nextval('public.variable_id_seq'::regclass)",
        "SET statement_timeout = 0;",
        "ALTER TABLE ONLY public.variable\n    ADD CONSTRAINT variable_pkey PRIMARY KEY (id);",
    ):
        assert kept in pre + post
    assert "OWNER TO postgres" not in pre and "OWNER TO airflow" in pre


def test_postgresql_target_without_owner_drops_owner_to():
    pre = rewrite_schema(PRE_DATA, POST_DATA, "postgresql", None, None)[0]
    assert "OWNER TO" not in pre


def test_rewritten_output_is_valid_sql_and_deterministic():
    first = crdb("v20.2", owner="airflow")
    assert first == crdb("v20.2", owner="airflow")
    for text in first[:2]:
        assert sqlscript.split_statements(text)


@pytest.mark.parametrize(
    ("target", "version", "message"),
    [
        ("oracle", None, "target 'oracle' is not supported"),
        ("cockroachdb", "v19.2", "older than the oldest version"),
        ("cockroachdb", "latest", "use the form"),
    ],
)
def test_bad_target_or_version_is_refused_with_what_to_fix(target, version, message):
    with pytest.raises(ValueError, match=message):
        rewrite_schema(PRE_DATA, POST_DATA, target, version, None)


def test_unparseable_input_is_refused_before_anything_is_produced():
    with pytest.raises(sqlscript.SqlScriptError, match="cannot parse"):
        rewrite_schema("CREATE TABLE public.t (id integer", "", "cockroachdb", None, None)


def test_report_document_lists_rules_not_needed_and_is_stable():
    _unused, _unused, report, warnings = crdb("v25.4")
    document = report_document("cockroachdb", "v25.4", None, report, warnings)
    assert document["target_version"] == "v25.4.0"
    assert "sequence-as-type" in document["rules_not_needed"]
    assert document == report_document("cockroachdb", "25.4.0", None, report, warnings)


# --- on real pg_dump output ------------------------------------------------------------------------

SMALL_AIRFLOW_SCHEMA = """
CREATE TABLE ab_user (id serial PRIMARY KEY, username varchar(512) NOT NULL);
CREATE UNIQUE INDEX idx_ab_user_username ON ab_user (lower(username));
CREATE TABLE dag_run (id serial PRIMARY KEY, dag_id varchar(250) NOT NULL, state varchar(50),
                      conf json, created_by integer REFERENCES ab_user (id) ON DELETE SET NULL);
CREATE INDEX idx_dag_run_queued_dags ON dag_run (state, dag_id) WHERE state = 'queued';
"""


@pytest.fixture
def small_dump(postgres_server, pg_database, tmp_path):
    conn = psycopg2.connect(postgres_server.url_for(pg_database))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(SMALL_AIRFLOW_SCHEMA)
    conn.close()
    files = {}
    for section in ("pre-data", "post-data"):
        files[section] = subprocess.run(
            [
                str(postgres_server.bindir / "pg_dump"),
                "--schema-only",
                f"--section={section}",
                postgres_server.url_for(pg_database),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return files


def test_real_pg_dump_rewritten_for_old_cockroachdb_applies_the_seed_edits(small_dump):
    pre, post, report, warnings = crdb("v20.2", "airflow", small_dump["pre-data"], small_dump["post-data"])
    assert counts(report)["sequence-as-type"] == 2
    assert counts(report)["nextval-regclass"] == 2
    assert counts(report)["primary-key-in-create-table"] == 2
    assert "CONSTRAINT ab_user_pkey PRIMARY KEY (id)\n);" in pre
    assert "regclass" not in pre and "AS integer" not in pre
    assert "lower(" not in post
    assert len(warnings) == 2  # sequences keep the loader as owner; the expression index is gone


def test_real_pg_dump_rewritten_for_postgresql_loads_into_a_fresh_database(
    small_dump, postgres_server, pg_database
):
    pre, post, _unused, _unused = rewrite_schema(
        small_dump["pre-data"], small_dump["post-data"], "postgresql", None, None
    )
    target = f"{pg_database}_copy"
    admin = psycopg2.connect(postgres_server.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{target}"')
    try:
        conn = psycopg2.connect(postgres_server.url_for(target))
        with conn, conn.cursor() as cur:
            for statement in sqlscript.split_statements(pre) + sqlscript.split_statements(post):
                cur.execute(statement)
            cur.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")
            assert cur.fetchone()[0] == 4  # two primary keys, the expression and the partial index
        conn.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()


def test_pg_dump_file_without_its_closing_line_is_refused_as_truncated():
    truncated = "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.t (id integer);\n"
    with pytest.raises(ValueError, match=r"pre-data\.sql is incomplete"):
        rewrite_schema(truncated, "", "cockroachdb", None, None)
    complete = truncated + "\n--\n-- PostgreSQL database dump complete\n--\n"
    assert "CREATE TABLE public.t" in rewrite_schema(complete, "", "cockroachdb", None, None)[0]


def test_connect_meta_command_is_removed_with_a_warning_for_both_targets():
    for target in ("cockroachdb", "postgresql"):
        _unused, _unused, report, warnings = rewrite_schema(
            "\\connect other\nSET lock_timeout = 0;\n", "", target, None, None
        )
        assert report["psql-meta-commands"]["count"] == 1
        assert any("\\connect other (line 1) removed" in w for w in warnings)

"""pg_dump text <-> statements: psql meta-commands removed and reported, SQL split by pglast."""

from __future__ import annotations

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils import sqlscript

# Verbatim head and tail of a pg_dump 15.20 --section=pre-data of an Airflow 3.3.2 database.
PG_DUMP_PRE_DATA = """--
-- PostgreSQL database dump
--

\\restrict spS75amXuAmWFtIMke015GRhW8gNzTf1WT9bbs58fT5YsDBGD0LLqDvAcYllewo

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

--
-- Name: variable; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.variable (
    id integer NOT NULL,
    key character varying(250) NOT NULL,
    val text NOT NULL
);


ALTER TABLE public.variable OWNER TO postgres;

--
-- PostgreSQL database dump complete
--

\\unrestrict spS75amXuAmWFtIMke015GRhW8gNzTf1WT9bbs58fT5YsDBGD0LLqDvAcYllewo
"""


def test_split_removes_restrict_and_unrestrict_and_reports_their_lines():
    script = sqlscript.split_script(PG_DUMP_PRE_DATA)
    assert [(m.line, m.command) for m in script.meta_commands] == [(5, "restrict"), (30, "unrestrict")]
    assert script.meta_commands[0].argument.startswith("spS75amX")
    assert not any("\\" in s for s in script.statements)


def test_split_statements_returns_bare_sql_without_comments_or_semicolons():
    statements = sqlscript.split_statements(PG_DUMP_PRE_DATA)
    assert statements == [
        "SET statement_timeout = 0",
        "SELECT pg_catalog.set_config('search_path', '', false)",
        "CREATE TABLE public.variable (\n    id integer NOT NULL,\n"
        "    key character varying(250) NOT NULL,\n    val text NOT NULL\n)",
        "ALTER TABLE public.variable OWNER TO postgres",
    ]


def test_connect_meta_command_is_removed_too():
    script = sqlscript.split_script("\\connect airflow\nSELECT 1;\n")
    assert script.statements == ["SELECT 1"]
    assert script.meta_commands[0].command == "connect"
    assert script.meta_commands[0].argument == "airflow"


def test_backslash_line_inside_a_string_literal_is_sql_not_a_meta_command():
    text = "COMMENT ON TABLE public.t IS 'first line\n\\restrict is text here';\nSELECT 1;\n"
    script = sqlscript.split_script(text)
    assert script.meta_commands == []
    assert script.statements[0].endswith("\\restrict is text here'")
    assert len(script.statements) == 2


def test_unparseable_sql_raises_an_error_naming_the_line():
    with pytest.raises(sqlscript.SqlScriptError, match="near line 3"):
        sqlscript.split_statements("SELECT 1;\n\nCREATE TABLE (;\n")


def test_parse_statement_refuses_more_than_one_statement():
    with pytest.raises(sqlscript.SqlScriptError, match="expected one statement"):
        sqlscript.parse_statement("SELECT 1; SELECT 2")


def test_render_keeps_pg_dump_text_of_untouched_statements_and_leaves_out_dropped_ones():
    statements, _meta = sqlscript.parse_script(PG_DUMP_PRE_DATA)
    statements[0].dropped = True
    rendered = sqlscript.render_script(statements, header="-- header")
    assert rendered.startswith("-- header\n\nSELECT pg_catalog.set_config('search_path', '', false);\n")
    assert "    key character varying(250) NOT NULL,\n" in rendered
    assert "statement_timeout" not in rendered


def test_added_constraint_is_printed_inside_the_column_list_before_with_options():
    table = sqlscript.parse_statement(
        "CREATE TABLE public.variable (\n    id integer NOT NULL,\n    val json NOT NULL\n)\n"
        "WITH (fillfactor='70', autovacuum_enabled='false')"
    )
    pk = sqlscript.parse_statement(
        "ALTER TABLE ONLY public.variable ADD CONSTRAINT variable_pkey PRIMARY KEY (id)"
    )
    sqlscript.add_table_elements(table, [pk.node.cmds[0].def_])
    text = sqlscript.render_statement(table)
    reparsed = sqlscript.parse_statement(text).node
    assert [type(e).__name__ for e in reparsed.tableElts] == ["ColumnDef", "ColumnDef", "Constraint"]
    assert reparsed.tableElts[-1].conname == "variable_pkey"
    assert [o.defname for o in reparsed.options] == ["fillfactor", "autovacuum_enabled"]
    assert " val json NOT NULL" in text and "pg_catalog" not in text


def test_only_a_create_table_takes_table_elements():
    statement = sqlscript.parse_statement("CREATE INDEX i ON public.t (a)")
    with pytest.raises(sqlscript.SqlScriptError, match="not a CREATE TABLE"):
        sqlscript.add_table_elements(statement, [])


def test_rendered_changed_statement_is_deparsed_and_parses_again():
    statement = sqlscript.parse_statement("ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT 1")
    statement.node.relation.inh = True
    statement.changed = True
    text = sqlscript.render_statement(statement)
    assert text == "ALTER TABLE public.t ALTER COLUMN id SET DEFAULT 1"
    assert sqlscript.parse_statement(text).node.relation.inh is True


def test_walk_visits_nested_nodes():
    statement = sqlscript.parse_statement("SELECT nextval('public.s'::regclass)")
    kinds = [type(node).__name__ for node in sqlscript.walk(statement.node)]
    assert kinds[0] == "SelectStmt"
    assert "FuncCall" in kinds and "TypeCast" in kinds


def test_backslash_line_inside_a_dollar_quoted_body_is_kept():
    text = (
        "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$\nSELECT 'x'\n"
        "\\restrict inside the body\n$$;\n\\unrestrict KEY\n"
    )
    script = sqlscript.split_script(text)
    assert [m.command for m in script.meta_commands] == ["unrestrict"]
    assert "\\restrict inside the body" in script.statements[0]


def test_meta_command_after_a_statement_with_a_trailing_comment_is_removed():
    script = sqlscript.split_script("SELECT 1; -- done\n\\unrestrict KEY\n")
    assert script.statements == ["SELECT 1"]
    assert [m.command for m in script.meta_commands] == ["unrestrict"]

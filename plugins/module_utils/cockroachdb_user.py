# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure planning for CockroachDB users: compare the wanted user with what the cluster has, return SQL.

Nothing here talks to a server: ``read_state`` takes a DB-API cursor, ``plan`` takes two plain dicts and
returns ``(statement, params)`` pairs, so every statement the module would run is unit-tested.
"""

from __future__ import annotations

import re

# Role options CockroachDB accepts in CREATE/ALTER ROLE that this planner manages (v21.1+ spelling).
ROLE_OPTIONS = (
    "LOGIN",
    "CREATEDB",
    "CREATEROLE",
    "CONTROLJOB",
    "VIEWACTIVITY",
    "CANCELQUERY",
    "MODIFYCLUSTERSETTING",
)
# Database privileges CockroachDB grants on a database.
DATABASE_PRIVILEGES = ("ALL", "CONNECT", "CREATE", "DROP", "ZONECONFIG", "BACKUP", "RESTORE")
_SETTING_NAME = re.compile(r"^[a-z_][a-z0-9_.]*$")


class PlanError(ValueError):
    """The wanted state cannot be expressed; the message says which option to fix."""


def quote_ident(name):
    """Quote an identifier the PostgreSQL/CockroachDB way (always quoted, inner quotes doubled)."""
    if not name or "\x00" in name:
        raise PlanError(f"invalid identifier {name!r}: it must be non-empty and contain no NUL byte")
    return '"' + name.replace('"', '""') + '"'


def normalize_options(options):
    """Upper-case role options, each either OPTION or NOOPTION; reject unknown ones with the valid list."""
    wanted = {}
    for raw in options or []:
        option = raw.strip().upper()
        enabled = not option.startswith("NO")
        base = option[2:] if not enabled else option
        if base not in ROLE_OPTIONS:
            valid = ", ".join(ROLE_OPTIONS)
            raise PlanError(f"unknown role option {raw!r}; use one of {valid} (or NO<option>)")
        wanted[base] = enabled
    return wanted


def normalize_privileges(privileges):
    result = set()
    for raw in privileges or []:
        privilege = raw.strip().upper()
        if privilege not in DATABASE_PRIVILEGES:
            raise PlanError(
                f"unknown database privilege {raw!r}; use one of {', '.join(DATABASE_PRIVILEGES)}"
            )
        result.add(privilege)
    return result


def _setting_literal(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def plan(wanted, current):
    """Statements that turn ``current`` into ``wanted``.

    wanted: name, state (present/absent), password (or None), update_password (always/on_create),
    options (list), database (or None), create_database (bool), privileges (list), member_of (list),
    settings (dict, per user in ``database``).
    current: exists, options (dict option -> bool), member_of (set), database_exists,
    privileges (set), settings (dict).
    """
    name = quote_ident(wanted["name"])
    statements = []
    if wanted.get("state", "present") == "absent":
        if current.get("exists"):
            statements.append((f"DROP USER {name}", None))
        return statements

    options = normalize_options(wanted.get("options"))
    password = wanted.get("password")
    if not current.get("exists"):
        clause = " ".join(opt if on else "NO" + opt for opt, on in sorted(options.items()))
        sql = f"CREATE USER {name}" + (f" WITH {clause}" if clause else "")
        if password is not None:
            sql += (" " if clause else " WITH ") + "PASSWORD %s"
        statements.append((sql, (password,) if password is not None else None))
    else:
        have = current.get("options", {})
        changes = [
            opt if on else "NO" + opt for opt, on in sorted(options.items()) if have.get(opt, False) != on
        ]
        if changes:
            statements.append((f"ALTER USER {name} WITH {' '.join(changes)}", None))
        if password is not None and wanted.get("update_password", "on_create") == "always":
            statements.append((f"ALTER USER {name} WITH PASSWORD %s", (password,)))

    for role in sorted(set(wanted.get("member_of") or []) - set(current.get("member_of") or ())):
        statements.append((f"GRANT {quote_ident(role)} TO {name}", None))

    statements.extend(_database_statements(wanted, current, name))
    return statements


def _database_statements(wanted, current, name):
    database = wanted.get("database")
    if not database:
        if wanted.get("privileges") or wanted.get("settings"):
            raise PlanError("privileges and settings need 'database': the database they apply to")
        return []
    db = quote_ident(database)
    statements = []
    if not current.get("database_exists"):
        if not wanted.get("create_database"):
            raise PlanError(
                f"database {database!r} does not exist: create it first or set create_database=true"
            )
        statements.append((f"CREATE DATABASE {db}", None))
    have = set(current.get("privileges") or ())
    want = normalize_privileges(wanted.get("privileges"))
    missing = want - have if "ALL" not in have else set()
    if missing:
        statements.append((f"GRANT {', '.join(sorted(missing))} ON DATABASE {db} TO {name}", None))
    settings = wanted.get("settings") or {}
    have_settings = current.get("settings") or {}
    for setting, value in sorted(settings.items()):
        if not _SETTING_NAME.match(setting):
            raise PlanError(f"invalid session variable name {setting!r}")
        literal = _setting_literal(value)
        if have_settings.get(setting) != literal:
            statements.append((f"ALTER ROLE {name} IN DATABASE {db} SET {setting} = %s", (literal,)))
    return statements


STATE_QUERIES = {
    "role": "SELECT rolcanlogin, rolcreatedb, rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = %s",
    "options": "SELECT option FROM system.role_options WHERE username = %s",
    "member_of": (
        "SELECT r.rolname FROM pg_catalog.pg_auth_members m "
        "JOIN pg_catalog.pg_roles r ON r.oid = m.roleid JOIN pg_catalog.pg_roles u ON u.oid = m.member "
        "WHERE u.rolname = %s"
    ),
    "database": "SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s",
    "settings": (
        "SELECT unnest(s.setconfig) FROM pg_catalog.pg_db_role_setting s "
        "JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase "
        "JOIN pg_catalog.pg_roles r ON r.oid = s.setrole "
        "WHERE r.rolname = %s AND d.datname = %s"
    ),
}


def options_from_rows(role_row, option_rows):
    """Current role options from pg_roles (LOGIN, CREATEDB, CREATEROLE) and system.role_options."""
    have = {"LOGIN": bool(role_row[0]), "CREATEDB": bool(role_row[1]), "CREATEROLE": bool(role_row[2])}
    for (option,) in option_rows:
        option = option.upper()
        if option.startswith("NO") and option[2:] in ROLE_OPTIONS:
            have[option[2:]] = False
        elif option in ROLE_OPTIONS:
            have[option] = True
    return have


def settings_from_rows(rows):
    settings = {}
    for (entry,) in rows:
        key, _sep, value = entry.partition("=")
        settings[key] = value
    return settings


def read_state(cursor, name, database):
    """What the cluster has for ``name`` (and ``database``): the ``current`` input of ``plan``."""
    cursor.execute(STATE_QUERIES["role"], (name,))
    role_row = cursor.fetchone()
    state = {"exists": role_row is not None, "options": {}, "member_of": set()}
    state.update(privileges=set(), settings={})
    if role_row is not None:
        cursor.execute(STATE_QUERIES["options"], (name,))
        state["options"] = options_from_rows(role_row, cursor.fetchall())
        cursor.execute(STATE_QUERIES["member_of"], (name,))
        state["member_of"] = {row[0] for row in cursor.fetchall()}
    state["database_exists"] = False
    if database:
        cursor.execute(STATE_QUERIES["database"], (database,))
        state["database_exists"] = cursor.fetchone() is not None
    if database and state["database_exists"] and role_row is not None:
        cursor.execute(f"SHOW GRANTS ON DATABASE {quote_ident(database)} FOR {quote_ident(name)}")
        columns = [c[0] for c in cursor.description]
        index = columns.index("privilege_type")
        state["privileges"] = {row[index].upper() for row in cursor.fetchall()}
        cursor.execute(STATE_QUERIES["settings"], (name, database))
        state["settings"] = settings_from_rows(cursor.fetchall())
    return state


def describe(state):
    """A JSON-friendly copy of a state (sets become sorted lists) for diff output."""
    return {k: sorted(v) if isinstance(v, set) else v for k, v in state.items()}

# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the airflow_ops.metastore.cockroachdb role: the names a node certificate is valid for.

A client that verifies the server (libpq ``sslmode=verify-full``) checks the name it dialled against the
certificate's Subject Alternative Names. Through HAProxy that name is the load balancer's, and the certificate
is whichever node the balancer picked: so every node certificate names the node itself and every load
balancer (CockroachDB's "Authentication" docs: "Any load balancer addresses/names or DNS aliases through which
the node could be reached" must be in the node certificate).
"""

from __future__ import annotations

import ipaddress
import re

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # plain unit tests and tools without Ansible still get a clear error type
    AnsibleFilterError = ValueError

# A DNS name as it may appear in a SAN: labels of letters, digits, '-' and '_', optionally a leading '*.'.
_DNS_RE = re.compile(
    r"^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$"
)


def san_entry(name):
    """``IP:<address>`` or ``DNS:<name>`` for one host name or address; ValueError saying what is wrong."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{name!r} is not a host name or address: give a DNS name or an IP address")
    text = name.strip()
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return f"IP:{ipaddress.ip_address(bare).compressed}"
    except ValueError:
        pass
    if len(text) > 253 or not _DNS_RE.match(text):
        raise ValueError(f"{name!r} is neither an IP address nor a DNS name")
    return f"DNS:{text.rstrip('.').lower()}"


def cockroachdb_cert_sans(names, *more):
    """The SAN list for a certificate valid for every name in ``names`` (and in each further list).

    Order is kept (first occurrence wins), duplicates are dropped (DNS names compare case-insensitively,
    addresses by value), empty entries are ignored; anything else that is not a name fails with the entry.
    """
    result = []
    problems = []
    for group in (names, *more):
        if group is None:
            continue
        if isinstance(group, str):
            group = [group]
        for name in group:
            if name is None or (isinstance(name, str) and not name.strip()):
                continue
            try:
                entry = san_entry(name)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if entry not in result:
                result.append(entry)
    if problems:
        raise AnsibleFilterError(
            "cockroachdb certificate names: "
            + "; ".join(problems)
            + ". Fix cockroachdb_advertise_host or cockroachdb_cert_extra_names."
        )
    return result


class FilterModule:
    def filters(self):
        return {"cockroachdb_cert_sans": cockroachdb_cert_sans}

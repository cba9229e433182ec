"""Download a URL to a file through the proxy the environment names, and say whether the file changed.

Usage: fetch_url.py URL DEST [CA_FILE]

The airflow role fetches Airflow's constraints with this program, run by with_airflow_env.py with the
role's pip environment file (root only): a proxy URL there may carry credentials, which must not reach
Ansible's ``environment:`` (written into the command line Ansible runs, and printed at -vvv), as they would
for ansible.builtin.get_url, which reads its proxy only from the environment.

Python's urllib takes http_proxy / https_proxy / no_proxy from the environment, with user:password@ in
the proxy URL sent as Proxy-Authorization. CA_FILE (optional) replaces the system's CA bundle.
Prints ``changed`` when DEST was written (it did not exist or its content differed), nothing otherwise;
exits 1 with the reason on stderr when the download fails.
"""

from __future__ import annotations

import os
import ssl
import sys
import urllib.error
import urllib.request


def fetch(url: str, cafile: str | None) -> bytes:
    context = ssl.create_default_context(cafile=cafile or None)
    with urllib.request.urlopen(url, context=context, timeout=30) as response:  # noqa: S310 - https URL
        return response.read()


def write_if_changed(dest: str, data: bytes) -> bool:
    try:
        with open(dest, "rb") as handle:
            if handle.read() == data:
                return False
    except FileNotFoundError:
        pass
    with open(dest + ".tmp", "wb") as handle:
        handle.write(data)
    os.chmod(dest + ".tmp", 0o644)
    os.replace(dest + ".tmp", dest)
    return True


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: fetch_url.py URL DEST [CA_FILE]\n")
        return 2
    url, dest = argv[1], argv[2]
    try:
        data = fetch(url, argv[3] if len(argv) == 4 else None)
    except (OSError, urllib.error.URLError, ValueError) as error:
        sys.stderr.write(f"cannot download {url}: {getattr(error, 'reason', error)}\n")
        return 1
    if write_if_changed(dest, data):
        print("changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap its sanity venvs.

ansible-test fetches get-pip from a host this machine (and CI) cannot reach; PyPI itself is reachable.
This script does what get-pip does with the same arguments: put pip into the (empty) venv — here from
the interpreter's own bundled wheel via ensurepip — and then install the pinned packages it asks for.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install", *args])

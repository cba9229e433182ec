"""Stop a load at one exact point, for the fault-injection tests (and the benchmark's resume check).

    python tests/support/paused_load.py STEP:POSITION PAUSE_FILE MODULE_FILE ARGS_FILE

runs an Ansible module file (metastore_load) the way tests/integration/metastore_helpers.start_module does,
after replacing ``Loader.checkpoint`` (a no-op in the collection) in this process: once the load has
committed STEP at POSITION (``pre-data:3``, ``data:public.task_instance:5`` = after its 5th batch), or, for
``<step>-unrecorded:N``, ran statement N alone without its progress row yet, it writes its pid into
PAUSE_FILE and waits while that file exists (at most 120 s). The test then kills it (kill -9), cuts its
connection or damages its files, and removes the file to let it go on.

The collection reads no environment variable for this: the pause exists only in processes a test starts.
"""

from __future__ import annotations

import os
import runpy
import sys
import time

WAIT_SECONDS = 120


def pause_at(wanted, pause_file):
    """A checkpoint(step, position) that parks the process at ``wanted`` ("step:position")."""

    def checkpoint(step, position):
        if f"{step}:{position}" != wanted:
            return
        with open(pause_file, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
        deadline = time.monotonic() + WAIT_SECONDS
        while os.path.exists(pause_file) and time.monotonic() < deadline:
            time.sleep(0.05)

    return checkpoint


def main(argv):
    wanted, pause_file, module_file, args_file = argv[1:5]
    from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.load import loader

    pause = pause_at(wanted, pause_file)
    loader.Loader.checkpoint = lambda _self, step, position: pause(step, position)
    sys.argv = [module_file, args_file]  # AnsibleModule reads its arguments from argv[1]
    runpy.run_path(module_file, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv)

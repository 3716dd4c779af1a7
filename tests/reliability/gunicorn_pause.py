"""gunicorn config for the crash test: pause an expert's submission just before COMMIT.

Loaded with `gunicorn --config`, it never ships with the app. When a POST to
/respond carries the header X-Test-Pause-Before-Commit, the worker flushes
the writes into the open transaction, records its pid in the marker file and
sleeps, so the test can SIGKILL it with half the work done and uncommitted.
"""

import os
import time


def post_worker_init(worker):  # gunicorn hook
    from flask import has_request_context, request
    from sqlalchemy.orm import Session

    original_commit = Session.commit

    def pausing_commit(self):
        if has_request_context() and request.method == "POST" \
                and request.headers.get("X-Test-Pause-Before-Commit"):
            self.flush()
            with open(os.environ["ELICIT_TEST_MARKER"], "w") as marker:
                marker.write(str(os.getpid()))
            time.sleep(120)
        return original_commit(self)

    Session.commit = pausing_commit

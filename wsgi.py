"""What gunicorn serves: `gunicorn wsgi:app`."""

import gc

from elicit import create_app

app = create_app()
# What start-up created (app, templates, mappers) lives as long as the worker: keep it out
# of the collector's full passes, which otherwise rescan it while requests allocate.
gc.freeze()

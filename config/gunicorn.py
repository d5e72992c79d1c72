"""gunicorn's settings beyond its command line (`--config python:config.gunicorn`)."""

import gc


def post_worker_init(worker):
    """Once a worker has loaded the application: every module of it imported, then frozen out of
    the garbage collector's sight. Django's classes, URL patterns and templates live as long as
    the worker; the collector scanned them again in each of its older collections, a sixth of
    a page's CPU time (docs/benchmarks.md, "Page load")."""
    from django.urls import get_resolver

    get_resolver().check()  # imports every view, form and selector module now
    gc.collect()
    gc.freeze()

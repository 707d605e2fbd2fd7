"""Production gunicorn settings: sync workers (CPU-bound PDF work), recycled to keep memory flat."""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 3))
worker_class = "sync"
timeout = 60
max_requests = 50000
max_requests_jitter = 5000
# Requests are logged by the reverse proxy in front (README, "Running in production"); set GUNICORN_ACCESS_LOG=-
# to have gunicorn log them too (to stdout), e.g. when it is exposed directly. Errors are logged either way.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def post_fork(server, worker):
    """Warm the PDF renderer in each worker so no user pays the cold start."""
    try:
        from registry.documents.pdf import warm_up
    except ImportError:
        return
    warm_up()


def post_worker_init(worker):
    """Once the application is loaded in a worker, move everything it holds out of the cyclic garbage collector's
    sight: those objects live as long as the worker, and scanning them again and again cost about 5 % of a
    verification scan's CPU (measured with ``bench/bench_verify.py``)."""
    import gc

    gc.collect()
    gc.freeze()

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

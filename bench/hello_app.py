"""The application as gunicorn serves it for the benchmark, plus one bare route, `/bench-hello`, answering
"ok": the reference for what the server, the WSGI stack and Flask cost without any page work. Only the
benchmark serves this module; the application itself has no such route.

    gunicorn --chdir bench hello_app:app
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app  # noqa: E402

app = create_app()


@app.route("/bench-hello")
def bench_hello():
    return "ok"

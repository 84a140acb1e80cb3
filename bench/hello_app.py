"""The application as gunicorn serves it for the benchmark, plus two bare routes answering "ok":
`/bench-hello`, the reference for what the server, the WSGI stack and Flask cost without any page work,
and `/bench-hello-signed-in`, the same for a signed-in person (the session read and signed again, the
account and its roles loaded, as every page of a signed-in person does before its own work). Only the
benchmark serves this module; the application itself has no such routes.

    gunicorn -c python:lms.serving --chdir bench hello_app:app
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_login import login_required  # noqa: E402

from lms import create_app  # noqa: E402

app = create_app()


@app.route("/bench-hello")
def bench_hello():
    return "ok"


@app.route("/bench-hello-signed-in")
@login_required
def bench_hello_signed_in():
    return "ok"

"""Gunicorn settings for serving the application (README, "Production"):

    gunicorn -c python:lms.serving --workers 4 --bind 127.0.0.1:8000 "lms:create_app()"

Two things a worker does after loading the application and before it takes any request:
- It compiles the templates and loads each language's number formats and translations. Otherwise its first
  requests would, and a reader of the national dashboard would wait well over half a second on each new worker.
- It leaves everything it holds by then out of Python's full garbage collections (gc.freeze). Those objects
  (modules, templates, language data: some 200,000) live as long as the worker; scanning them again every few
  dozen requests paused a request for about 150 ms.
Gunicorn reads only its own settings from this module (post_worker_init)."""
import gc

from flask import Flask
from flask_babel import force_locale, gettext

from lms.reports.charts import number_text
from lms.reports.tables import INT, PERCENT


def post_worker_init(worker) -> None:
    """Gunicorn's hook, called once the worker has loaded the application, before its first request."""
    if isinstance(worker.wsgi, Flask):
        warm_up(worker.wsgi)
    gc.collect()
    gc.freeze()


def warm_up(app: Flask) -> None:
    """Compile every template and load every language's formats and translations."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for locale in app.config["LMS_LOCALES"]:
            with force_locale(locale):
                gettext("Trang chủ")
                number_text(1234, INT)
                number_text(12.5, PERCENT)

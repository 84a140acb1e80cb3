"""A learning management system that builds the volunteer-coordination capacity of youth-organisation cadres."""
import hashlib
import logging
from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from lms import static_files
from lms.config import load_config
from lms.db import ID_IN_PATH, MAX_ID, db, end_read_only_transaction
from lms.extensions import babel, cache, csrf, login_manager, migrate
from lms.uploads import Request

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class IdConverter(IntegerConverter):
    """A row id in a URL: a positive integer that fits the id columns, written without a leading zero (/011
    is not /11); anything else is a 404."""

    regex = ID_IN_PATH

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or request.is_secure


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = Request
    app.config.update(load_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    if app.config["LMS_BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.session_interface = SessionInterface()
    app.url_map.converters["id"] = IdConverter
    logging.basicConfig(level=logging.INFO)

    _init_extensions(app)
    _register_blueprints(app)
    static_files.init_app(app)
    _register_shell(app)
    return app


def _init_extensions(app: Flask) -> None:
    from lms.i18n import select_locale

    db.init_app(app)
    app.teardown_request(end_read_only_transaction)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    # Report figures are kept in files that every worker (and the refresh command) shares; none at all
    # when the keeping time is 0.
    kept = app.config["LMS_REPORT_CACHE_SECONDS"]
    cache.init_app(app, config={
        "CACHE_TYPE": "FileSystemCache" if kept > 0 else "NullCache", "CACHE_DEFAULT_TIMEOUT": kept,
        "CACHE_DIR": str(Path(app.config["LMS_REPORT_CACHE_DIR"] or Path(app.instance_path) / "report-cache")
                         / _database_tag(app)),
        # No limit on the number of entries: past one, each write would scan the folder and throw the oldest
        # out, which are the top units' figures the refresh computes first. The entries are bounded by the
        # units and years read, and expire.
        "CACHE_THRESHOLD": 0, "CACHE_NO_NULL_WARNING": True})
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)


def _database_tag(app: Flask) -> str:
    """The name of the sub-folder for figures kept from this database, so that a report-cache folder
    shared between two databases never mixes their figures."""
    return hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]


def _register_blueprints(app: Flask) -> None:
    from lms import errors, web
    from lms.assessments.views import bp as assessments_bp
    from lms.auth.views import bp as auth_bp
    from lms.cli import lms_cli
    from lms.courses.certificate_views import verify_bp
    from lms.courses.views import bp as courses_bp
    from lms.trainers.views import bp as trainers_bp
    from lms.orgs.views import bp as orgs_bp
    from lms.people.views import bp as people_bp
    from lms.reports.api import bp as api_bp
    from lms.reports.views import bp as reports_bp

    app.register_blueprint(web.bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(orgs_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(trainers_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(api_bp)
    errors.register(app)
    app.cli.add_command(lms_cli)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def _register_shell(app: Flask) -> None:
    from lms.assessments import models as assessment_models  # noqa: F401  (every model known to migrations)
    from lms.courses import models as course_models  # noqa: F401
    from lms.reports import models as report_models  # noqa: F401
    from lms.trainers import models as trainer_models  # noqa: F401
    from lms.orgs.models import Organisation, Unit, UnitLevel
    from lms.people.models import RoleAssignment, User

    @app.shell_context_processor
    def shell_context():
        return {"db": db, "Organisation": Organisation, "Unit": Unit, "UnitLevel": UnitLevel,
                "User": User, "RoleAssignment": RoleAssignment}

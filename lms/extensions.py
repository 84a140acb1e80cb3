"""Flask extensions, created once and bound in the application factory."""
from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

babel = Babel()
cache = Cache()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()

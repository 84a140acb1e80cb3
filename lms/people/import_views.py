from lms.people.views import bp


@bp.route("/import")
def import_upload():
    return ""

"""The Chalice app: creates it, registers the blueprints and the middleware. No logic here."""

from chalice import Chalice

from chalicelib.accounts import middleware
from chalicelib.accounts import pages as account_pages
from chalicelib.accounts import routes as account_routes
from chalicelib.core.config import settings
from chalicelib.directory import pages as directory_pages
from chalicelib.directory import routes as directory_routes
from chalicelib.files import pages as file_pages
from chalicelib.files import routes as file_routes
from chalicelib.notifications import mute_pages as notification_mute_pages
from chalicelib.notifications import pages as notification_pages
from chalicelib.notifications import routes as notification_routes
from chalicelib.notifications import settings_routes as notification_settings
from chalicelib.projects import board_pages as project_board_pages
from chalicelib.projects import board_routes as project_board_routes
from chalicelib.projects import calendar_pages as project_calendar_pages
from chalicelib.projects import calendar_routes as project_calendar_routes
from chalicelib.projects import card_pages as project_card_pages
from chalicelib.projects import pages as project_pages
from chalicelib.projects import routes as project_routes
from chalicelib.projects.recruiting import actuals_pages as recruiting_actuals_pages
from chalicelib.projects.recruiting import actuals_routes as recruiting_actuals_routes
from chalicelib.projects.recruiting import application_pages as recruiting_application_pages
from chalicelib.projects.recruiting import pages as recruiting_pages
from chalicelib.projects.recruiting import routes as recruiting_routes
from chalicelib.search import pages as search_pages
from chalicelib.search import routes as search_routes
from chalicelib.sharing import pages as share_pages
from chalicelib.sharing import partner_routes as share_partner_routes
from chalicelib.sharing import routes as share_routes
from chalicelib.sharing import staff_pages as share_staff_pages
from chalicelib.shell import pages as shell_pages
from chalicelib.shell import routes as shell_routes
from chalicelib.surveys import answer_pages as survey_answer_pages
from chalicelib.surveys import pages as survey_pages
from chalicelib.surveys import respond_pages as survey_respond_pages
from chalicelib.surveys import respond_routes as survey_respond_routes
from chalicelib.surveys import result_pages as survey_result_pages
from chalicelib.surveys import routes as survey_routes

settings()  # fail closed: outside stage local a missing setting stops the process here, by name

app = Chalice(app_name="kumo")
app.api.binary_types = ["image/png", "image/x-icon", "application/octet-stream"]

for blueprint in (
    shell_pages.bp,
    shell_routes.bp,
    account_pages.bp,
    account_routes.bp,
    directory_pages.bp,
    directory_routes.bp,
    notification_pages.bp,
    notification_routes.bp,
    notification_settings.bp,
    notification_mute_pages.bp,
    file_routes.bp,
    file_pages.bp,
    share_routes.bp,
    share_staff_pages.bp,
    share_partner_routes.bp,
    share_pages.bp,
    search_routes.bp,
    search_pages.bp,
    survey_routes.bp,
    survey_pages.bp,
    survey_answer_pages.bp,
    survey_respond_routes.bp,
    survey_respond_pages.bp,
    survey_result_pages.bp,
    project_routes.bp,
    project_board_routes.bp,
    project_pages.bp,
    project_board_pages.bp,
    project_card_pages.bp,
    project_calendar_routes.bp,
    project_calendar_pages.bp,
    recruiting_routes.bp,
    recruiting_actuals_routes.bp,
    recruiting_pages.bp,
    recruiting_application_pages.bp,
    recruiting_actuals_pages.bp,
):
    app.register_blueprint(blueprint)
middleware.guard_views(app)


@app.middleware("http")
def kumo_http(event, get_response):  # type: ignore[no-untyped-def]
    return middleware.handle(event, get_response)

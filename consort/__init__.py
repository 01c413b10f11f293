"""The top layer: it assembles the shell and every feature into one application, and owns what reads across them
(publication in OCDS, the dashboards, the demo, the operators' commands, the task consumer's entry)."""
from flask import Flask

from app import create_shell
from app.audit import naming as audit_naming
from app.audit import tasks as audit_tasks  # noqa: F401 - every task is declared before the queue runs
from consort import cli
from consort.dashboard import views as dashboard_views
from consort.privacy import api as privacy_api
from consort.privacy import tasks as privacy_tasks  # noqa: F401
from consort.privacy import views as privacy_views
from consort.publication import api as publication_api
from consort.publication import views as publication_views
from frameworks import api as frameworks_api
from frameworks import naming as frameworks_naming
from frameworks import tasks as frameworks_tasks  # noqa: F401
from frameworks import views as frameworks_views
from frameworks.requirements import api as requirements_api
from frameworks.requirements import views as requirements_views
from frameworks.sharing import api as sharing_api
from frameworks.sharing import views as sharing_views
from procurement.award import api as award_api
from procurement.award import tasks as award_tasks  # noqa: F401
from procurement.award import views as award_views
from procurement.board import api as board_api
from procurement.board import views as board_views
from procurement.calloffs import api as calloffs_api
from procurement.calloffs import views as calloffs_views
from procurement.contracts import api as contracts_api
from procurement.contracts import tasks as contracts_tasks  # noqa: F401
from procurement.contracts import views as contracts_views
from procurement.evaluation import api as evaluation_api
from procurement.evaluation import views as evaluation_views
from procurement.payments import api as payments_api
from procurement.payments import views as payments_views
from procurement.savings import api as savings_api
from procurement.savings import views as savings_views
from suppliers import api as suppliers_api
from suppliers import bid_pages
from suppliers import views as suppliers_views

PAGES = (dashboard_views.bp, frameworks_views.bp, publication_views.bp, suppliers_views.bp, bid_pages.bp,
         requirements_views.bp, evaluation_views.bp, award_views.bp, board_views.bp, contracts_views.bp,
         calloffs_views.bp, payments_views.bp, savings_views.bp, sharing_views.bp, privacy_views.bp)
API = (frameworks_api.bp, publication_api.bp, requirements_api.bp, suppliers_api.bp, evaluation_api.bp, award_api.bp,
       board_api.bp, contracts_api.bp, calloffs_api.bp, payments_api.bp, payments_api.webhook_bp, savings_api.bp,
       sharing_api.bp, privacy_api.bp)


def create_app(test_config: dict | None = None) -> Flask:
    """Consort: the shell with every feature's pages, API, commands and tasks."""
    app = create_shell(test_config)
    for blueprint in PAGES + API:
        app.register_blueprint(blueprint)
    cli.register(app)
    audit_naming.register("Lot", frameworks_naming.lot_names)
    return app

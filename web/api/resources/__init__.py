"""The API's resources, one blueprint each (api.md, "Resources")."""
from web.api.resources.cases import blp as cases
from web.api.resources.directory import organisations, persons, users
from web.api.resources.forms import blp as forms, dossiers
from web.api.resources.misc import calendar, reports
from web.api.resources.tokens import blp as tokens

BLUEPRINTS = (organisations, users, persons, cases, tokens, calendar, reports, forms, dossiers)

"""The API's resources, one blueprint each (api.md, "Resources")."""
from web.api.resources.cases import blp as cases
from web.api.resources.directory import organisations, persons, users
from web.api.resources.forms import blp as forms
from web.api.resources.forms import dossiers
from web.api.resources.imports import blp as imports
from web.api.resources.me import blp as me
from web.api.resources.misc import calendar, reports
from web.api.resources.tokens import blp as tokens

BLUEPRINTS = (organisations, users, persons, cases, tokens, calendar, reports, me, imports, forms, dossiers)

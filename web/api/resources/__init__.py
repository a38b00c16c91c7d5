"""The API's resources, one blueprint each (api.md, "Resources")."""
from .cases import blp as cases
from .directory import organisations, persons, users
from .misc import calendar, reports
from .tokens import blp as tokens

BLUEPRINTS = (organisations, users, persons, cases, tokens, calendar, reports)

"""The form-error convention of the web UI.

A view that calls a service catches its domain error and re-renders the form
with it; nothing was written (the service raised before committing):

    errors = FormErrors()
    try:
        fire(rt, ...)
    except (InvalidInput, RuleViolation) as exc:
        errors.add_error(exc)
        return render_template("...", errors=errors), errors.status

In the template (templates/_forms.html):

    {% import "_forms.html" as f %}
    {{ f.form_errors(errors) }}                       {# alert box: rules with no field, general messages #}
    {{ f.field_errors(errors, "ceremony_date") }}     {# beside the input of that field #}
    {{ f.input(form.full_name, errors) }}             {# a WTForms field with label, hint and errors #}

A `workflows.domain.errors.RuleViolation` shows each failed rule's message (Vietnamese
or English per the user's language) and its legal source beside the rule's
`field`; a rule with no field goes to the alert box. An `InvalidInput` shows
its message in the alert box and a short note beside each field it names.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import Field
from wtforms.widgets import TextInput

from web.common.i18n import lang, message
from workflows.domain import field_rules
from workflows.domain.errors import InvalidInput, QuytrinhError, RuleViolation

STATUS = {InvalidInput: 400, RuleViolation: 422}

# WTForms' own messages for the field types the UI uses (Flask-WTF translates them through this
# catalogue); listed so that extraction picks them up.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."), _l("Not a valid date value."), _l("Invalid Choice: could not coerce."),
    _l("'%(value)s' is not a valid choice for this field."), _l("Not a valid integer value."),
    _l("Field must be equal to %(other_name)s."),
)
TOO_LONG = _l("At most %(max)d characters.")

# The per-field details workflows.domain.fields and the directory services report (English):
# listed here so the catalogue translates them beside their field.
FIELD_DETAILS = (
    _l("is required"), _l("must be an integer"), _l("is out of range"), _l("must be a string"),
    _l("must be true or false"), _l("must be a vote object"), _l("must be an object"), _l("must be a list"),
    _l("has too many items"), _l("must be a date YYYY-MM-DD"), _l("required, at most 200 characters"),
    _l("must be a date YYYY-MM-DD in the past"), _l("a text of at most 400 characters"), _l("an e-mail address"),
    _l("invalid"), _l("taken"), _l("unknown"), _l("date"), _l("wrong kind"),
)


@dataclass(frozen=True)
class FieldMessage:
    text: str
    source: str | None = None  # the legal source of a failed rule
    rule: str | None = None  # the rule id (for tests and the API-minded)


class FormErrors:
    """Messages to show beside form fields (by field name) and above the form (general)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[FieldMessage]] = {}
        self.general: list[FieldMessage] = []
        self.status = 200

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)

    def add(self, field: str | None, text: str, source: str | None = None, rule: str | None = None,
            status: int = 422) -> None:
        """One message, beside `field` (or above the form when None)."""
        entry = FieldMessage(str(text), source, rule)
        if field:
            self.by_field.setdefault(field, []).append(entry)
        else:
            self.general.append(entry)
        self.status = max(self.status, status)

    def add_error(self, exc: QuytrinhError) -> None:
        """Place a domain error's messages: rules beside their field, the rest above the form."""
        if isinstance(exc, RuleViolation):
            for failure in exc.failures:
                self.add(failure.get("field"), message(failure), failure.get("source"), failure.get("id"))
            self.status = 422
            return
        status = STATUS.get(type(exc), 400)
        self.add(None, exc.message(lang()), status=status)
        if isinstance(exc, InvalidInput):
            for key, detail in exc.fields.items():
                self.add(key, exc.field_message(key, lang()) or translate_detail(detail), status=status)

    def for_field(self, name: str) -> list[FieldMessage]:
        return self.by_field.get(name, [])

    def under(self, prefix: str) -> list[tuple[str, FieldMessage]]:
        """Messages of a field and of everything nested in it ('certificate', 'certificate.number')."""
        found = []
        for key, entries in self.by_field.items():
            if key == prefix or key.startswith(prefix + ".") or key.startswith(prefix + "["):
                found.extend((key, e) for e in entries)
        return found

    def rule_ids(self) -> list[str]:
        ids = [m.rule for m in self.general if m.rule]
        for entries in self.by_field.values():
            ids.extend(m.rule for m in entries if m.rule)
        return ids


def translate_detail(detail: str) -> str:
    """A service's English per-field detail, in the user's language where the catalogue knows it."""
    if lang() == "en":
        return detail
    translated = gettext(detail)
    return translated if translated != detail else gettext("Invalid value") + f" ({detail})"


def choices(pairs) -> list:
    """WTForms select options from (value, label) pairs."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(value, label) for value, label in pairs]


class SimpleEmail:
    """An e-mail address by the field rule the API and the import apply too (name@domain.tld, no DNS)."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field) -> None:
        from wtforms.validators import ValidationError

        if not (field.data or "").strip():
            return
        try:
            field_rules.clean_email(field.data)
        except field_rules.FieldError:
            raise ValidationError(self.message or "Invalid e-mail address.") from None


class DayFirstDateField(Field):
    """A date typed day first — 05/03/2001, 05-03-2001, 05.03.2001 (or ISO) — shown as dd/mm/yyyy in a text
    input whatever the browser's locale; read by the field rules every door shares."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.raw = ""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist) -> None:
        from wtforms.validators import ValidationError

        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        try:
            self.data = field_rules.parse_date(self.raw)
        except field_rules.FieldError:
            self.data = None
            raise ValueError(self.gettext("Enter a real date as dd/mm/yyyy.")) from None


class _CatalogueTranslations:
    """WTForms' built-in messages through this app's catalogue (Flask-WTF only knows WTForms' own)."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        from flask_babel import ngettext

        return ngettext(singular, plural, n)


class UIForm(FlaskForm):
    """The base class of the UI's WTForms forms: CSRF from Flask-WTF, messages in the user's language."""

    class Meta:
        def get_translations(self, form):
            return _CatalogueTranslations()

from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..web.forms import Form, as_id, options
from ..core.i18n import _l, lazy_pgettext
from ..models import EXPENSE_CATEGORY_LABELS

AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


class ExpenseForm(Form):
    spent_on = DateField(_l("Date"), validators=[Optional()])
    category = SelectField(_l("Category"), choices=options(EXPENSE_CATEGORY_LABELS.items()), default="travel",
                           validate_choice=False)
    amount = StringField(_l("Amount"), validators=[Optional(), Length(max=30)], render_kw=AMOUNT)
    description = TextAreaField(_l("What it was for"), validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 3})
    visit = SelectField(_l("Visit (optional)"), coerce=as_id, validate_choice=False)
    customer = SelectField(_l("Customer"), coerce=as_id, validate_choice=False)
    receipt = FileField(_l("Receipt"), render_kw={"accept": "image/*,.pdf", "capture": "environment"})


class DecisionForm(Form):
    version = HiddenField()
    note = StringField(lazy_pgettext("approval", "Comment"), validators=[Optional(), Length(max=500)])


class PaidForm(Form):
    version = HiddenField()
    reference = StringField(_l("Payment reference (optional)"), validators=[Optional(), Length(max=100)])


class BudgetFilterForm(Form):
    class Meta:
        csrf = False

    quarter = StringField(_l("Quarter"), validators=[Optional(), Length(max=7)])

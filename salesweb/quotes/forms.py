import wtforms
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, FieldList, FormField, HiddenField, IntegerField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..web.forms import Form, as_id, options
from ..core.i18n import _l, lazy_pgettext
from ..models import QUOTE_STATUS_LABELS

VALIDITY_LABELS = {"valid": _l("Still valid"), "expired": _l("Past its validity")}


class LineForm(wtforms.Form):
    """One quote line; the service reads and checks the texts (so a bad value gets its message on its line)."""
    product = HiddenField()
    product_name = StringField(_l("Product"), validators=[Optional(), Length(max=200)])
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "decimal", "data-quantity-input": ""})
    unit_price = StringField(_l("Unit price"), validators=[Optional(), Length(max=30)],
                             render_kw={"inputmode": "decimal", "data-price-input": ""})
    discount = StringField(_l("Discount (%)"), validators=[Optional(), Length(max=10)],
                           render_kw={"inputmode": "decimal"})


class QuoteForm(Form):
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=60)
    discount = StringField(_l("Overall discount (%)"), validators=[Optional(), Length(max=10)],
                           render_kw={"inputmode": "decimal"})
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    notes = TextAreaField(_l("Notes for the customer"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class ActionForm(Form):
    version = HiddenField()
    note = StringField(lazy_pgettext("approval", "Comment"), validators=[Optional(), Length(max=500)])


class ProductForm(Form):
    sku = StringField(_l("SKU"), validators=[DataRequired(), Length(max=40)])
    name = StringField(lazy_pgettext("name of a thing", "Name"), validators=[DataRequired(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])
    unit_price = StringField(_l("Unit price"), validators=[DataRequired(), Length(max=30)],
                             render_kw={"inputmode": "decimal"})
    active = BooleanField(_l("Active (offered on new quotes)"), default=True)


class ProductFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


class QuoteFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Customer"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=options([("", _l("Any status"))] + list(QUOTE_STATUS_LABELS.items())),
                         default="", validate_choice=False)
    owner = SelectField(_l("Owner"), default="", validate_choice=False)
    validity = SelectField(_l("Valid until"), choices=options([("", _l("Any"))] + list(VALIDITY_LABELS.items())),
                           default="", validate_choice=False)

    def criteria(self):
        """What the list filters by; anything it cannot read is simply not applied."""
        return {"q": (self.q.data or "").strip()[:100],
                "status": self.status.data if self.status.data in QUOTE_STATUS_LABELS else None,
                "owner": as_id(self.owner.data or ""),
                "validity": self.validity.data if self.validity.data in VALIDITY_LABELS else None}


class ImportForm(Form):
    file = FileField(_l("File"))


class ContractForm(Form):
    number = StringField(_l("Contract number"), validators=[DataRequired(), Length(max=60)])
    signed_on = DateField(_l("Signed on"), validators=[DataRequired()])
    value = StringField(_l("Contract value"), validators=[DataRequired(), Length(max=30)],
                        render_kw={"inputmode": "decimal"})
    file = FileField(_l("Signed contract (optional)"), render_kw={"accept": ".pdf,.png,.jpg,.jpeg,.docx"})


class PlanRowForm(wtforms.Form):
    due_on = DateField(_l("Due on"), validators=[Optional()])
    amount = StringField(_l("Amount"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "decimal"})


class PlanForm(Form):
    plan = FieldList(FormField(PlanRowForm), min_entries=1, max_entries=60)
    count = IntegerField(_l("Instalments"), validators=[Optional(), NumberRange(1, 60)])
    first_due = DateField(_l("First due on"), validators=[Optional()])


class PaymentForm(Form):
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=30)], render_kw={"inputmode": "decimal"})
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])

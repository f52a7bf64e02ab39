from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..web.forms import Form, as_id, options
from ..core.i18n import _l
from ..models import COLLATERAL_KIND_LABELS, LANGUAGE_LABELS
from .queries import SORTS

SORT_LABELS = {"newest": _l("Newest"), "downloads": _l("Most downloaded"), "title": _l("Title")}
assert set(SORT_LABELS) == set(SORTS)

FILE_REQUIRED = FileRequired(_l("Choose a file to upload."))
ACCEPT = {"accept": ".pdf,.pptx,.docx,.xlsx,.png,.jpg,.jpeg,.mp4"}  # the phone's picker offers only these
NOTE = [Optional(), Length(max=500)]


class ItemFields(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=options(COLLATERAL_KIND_LABELS.items()), default="brochure")
    language = SelectField(_l("Language"), choices=options(LANGUAGE_LABELS.items()), default="en")
    tags = StringField(_l("Product tags"), validators=[Optional(), Length(max=1500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class UploadForm(ItemFields):
    file = FileField(_l("File"), validators=[FILE_REQUIRED], render_kw=ACCEPT)
    note = StringField(_l("Version note"), validators=NOTE)


class VersionForm(Form):
    file = FileField(_l("File"), validators=[FILE_REQUIRED], render_kw=ACCEPT)
    note = StringField(_l("What changed"), validators=NOTE)


class ShareForm(Form):
    customer = SelectField(_l("Customer"), coerce=as_id, validate_choice=False)


class FilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=options([("", _l("Any kind"))] + list(COLLATERAL_KIND_LABELS.items())),
                       default="", validate_choice=False)
    product = SelectField(_l("Product"), default="", validate_choice=False)
    language = SelectField(_l("Language"), choices=options([("", _l("Any language"))] + list(LANGUAGE_LABELS.items())),
                           default="", validate_choice=False)
    sort = SelectField(_l("Sort"), choices=options(SORT_LABELS.items()), default="newest", validate_choice=False)
    archived = BooleanField(_l("Include archived"))

    def criteria(self, may_see_archived):
        self.product.data = (self.product.data or "").casefold()[:60]  # a tag link may carry any case
        return {"q": (self.q.data or "").strip()[:100], "kind": self.kind.data, "language": self.language.data,
                "product": self.product.data, "sort": self.sort.data,
                "archived": bool(self.archived.data) and may_see_archived}

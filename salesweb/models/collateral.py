"""The collateral library (资料库): items, their versions and tags, downloads and share links."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l
from .customers import Customer
from .files import StoredFile
from .people import User

COLLATERAL_KINDS = ("brochure", "presentation", "spec_sheet", "case_study", "price_list", "contract_template", "other")
COLLATERAL_KIND_LABELS = {"brochure": _l("Brochure"), "presentation": _l("Presentation"),
                          "spec_sheet": _l("Spec sheet"), "case_study": _l("Case study"), "price_list": _l("Price list"),
                          "contract_template": _l("Contract template"), "other": _l("Other")}
LANGUAGES = ("en", "zh", "multi")
LANGUAGE_LABELS = {"en": _l("English"), "zh": _l("Chinese"), "multi": _l("Bilingual")}


class CollateralItem(BaseModel):
    title = CharField(max_length=200)
    description = TextField(default="")
    kind = CharField(max_length=20, default="other")
    language = CharField(max_length=8, default="en")
    archived = BooleanField(default=False)
    version_count = IntegerField(default=0)  # the current version is the one numbered version_count
    download_count = IntegerField(default=0)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("archived", "updated_at"), False), (("archived", "download_count"), False))


class CollateralTag(BaseModel):
    """A product tag on an item, kept as typed; `key` is its case-folded form for matching."""
    item = ForeignKeyField(CollateralItem, backref="tags", on_delete="CASCADE")
    tag = CharField(max_length=60)
    key = CharField(max_length=60, index=True)

    class Meta:
        indexes = ((("item", "key"), True),)


class CollateralVersion(BaseModel):
    item = ForeignKeyField(CollateralItem, backref="versions", on_delete="CASCADE")
    number = IntegerField()
    file = ForeignKeyField(StoredFile, backref="+", on_delete="RESTRICT")
    filename = CharField(max_length=200)
    note = CharField(max_length=500, default="")
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    uploaded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "number"), True),)


class ShareLink(BaseModel):
    token = CharField(max_length=64, unique=True)
    item = ForeignKeyField(CollateralItem, backref="shares", on_delete="CASCADE")
    version = ForeignKeyField(CollateralVersion, backref="+", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="shares", on_delete="CASCADE")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    revoked_at = DateTimeField(null=True)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    download_count = IntegerField(default=0)

    class Meta:
        indexes = ((("item", "created_at"), False), (("customer", "created_at"), False))


class Download(BaseModel):
    item = ForeignKeyField(CollateralItem, backref="downloads", on_delete="CASCADE")
    version = ForeignKeyField(CollateralVersion, backref="+", on_delete="CASCADE")
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")  # None: through a share link
    share_link = ForeignKeyField(ShareLink, null=True, backref="downloads", on_delete="SET NULL")
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "at"), False),)

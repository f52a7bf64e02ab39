"""The collateral library: items with versions and product tags, downloads, and share links for customers.

Support, ops and admin upload and edit; reps and managers share with the customers they can see. Files enter
only through the storage service, so a refused upload leaves neither a file nor a row here.
"""
import datetime
import re
import secrets

from peewee import JOIN, fn

from ..core.access import visible
from ..core.db import contains, db, utcnow
from ..core.i18n import _l
from ..models import (COLLATERAL_KINDS, LANGUAGES, CollateralItem, CollateralTag, CollateralVersion, Customer,
                      Download, ShareLink, StoredFile, User)
from ..core import audit
from ..infra import storage
from ..customers import queries as customers_service
from ..core.errors import Invalid

EDITORS = ("support", "ops", "admin")
SHARERS = ("rep", "manager")
REVOKERS = ("manager", "ops", "admin")  # besides whoever made the link
MAX_TAGS = 20
TAG_SPLIT = re.compile(r"[,，、;；\n]+")
SORTS = ("newest", "downloads", "title")
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def may_edit(user):
    return user.role in EDITORS


def may_share(user):
    return user.role in SHARERS


def parse_tags(text):
    """Tags as typed, split on commas (either script's), trimmed, without duplicates (ignoring case)."""
    tags, seen = [], set()
    for raw in TAG_SPLIT.split(text or ""):
        tag = " ".join(raw.split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def _checked(values):
    errors = {}
    title = " ".join((values.get("title") or "").split())
    if not title:
        errors["title"] = _l("This field is required.")
    elif len(title) > 200:
        errors["title"] = _l("At most %(n)d characters.", n=200)
    if values.get("kind") not in COLLATERAL_KINDS:
        errors["kind"] = _l("Choose a kind.")
    if values.get("language") not in LANGUAGES:
        errors["language"] = _l("Choose a language.")
    description = (values.get("description") or "").strip()
    if len(description) > 5000:
        errors["description"] = _l("At most %(n)d characters.", n=5000)
    tags = parse_tags(values.get("tags"))
    if len(tags) > MAX_TAGS:
        errors["tags"] = _l("At most %(n)d tags.", n=MAX_TAGS)
    elif any(len(t) > 60 for t in tags):
        errors["tags"] = _l("A tag has at most %(n)d characters.", n=60)
    if errors:
        raise Invalid(errors)
    return dict(title=title, kind=values["kind"], language=values["language"], description=description), tags


def _checked_note(note):
    note = " ".join((note or "").split())
    if len(note) > 500:
        raise Invalid({"note": _l("At most %(n)d characters.", n=500)})
    return note


def _set_tags(item, tags):
    CollateralTag.delete().where(CollateralTag.item == item).execute()
    if tags:
        CollateralTag.insert_many([{"item": item.id, "tag": t, "key": t.casefold()} for t in tags]).execute()


def create(values, upload, by, upload_dir, max_bytes, now=None, zone="UTC"):
    """A new item with its first version. upload: (stream, filename). `zone`: the install's time zone (for a
    photo's capture time)."""
    fields, tags = _checked(values)
    note = _checked_note(values.get("note"))
    now = now or utcnow()

    def write(stored, name):
        item = CollateralItem.create(**fields, version_count=1, created_by=by, created_at=now, updated_at=now)
        CollateralVersion.create(item=item, number=1, file=stored, filename=name, note=note, uploaded_by=by,
                                 uploaded_at=now)
        _set_tags(item, tags)
        audit.record("create", by, item, f"Collateral “{item.title}” ({name})")
        return item
    return storage.save(*upload, upload_dir, max_bytes, then=write, zone=zone)


def add_version(item, upload, note, by, upload_dir, max_bytes, now=None, zone="UTC"):
    """A new current version of an item; the earlier ones stay in its history."""
    note = _checked_note(note)
    if item.archived:
        raise Invalid({None: _l("This item is archived. Restore it before uploading a new version.")})
    now = now or utcnow()

    def write(stored, name):
        # The count is bumped in SQL, so two uploads at once get numbers n+1 and n+2, never the same.
        CollateralItem.update(version_count=CollateralItem.version_count + 1, updated_at=now).where(
            CollateralItem.id == item.id).execute()
        number = CollateralItem.select(CollateralItem.version_count).where(CollateralItem.id == item.id).scalar()
        version = CollateralVersion.create(item=item.id, number=number, file=stored, filename=name, note=note,
                                           uploaded_by=by, uploaded_at=now)
        item.version_count, item.updated_at = number, now
        audit.record("edit", by, item, f"New version {number} of “{item.title}” ({name})")
        return version
    return storage.save(*upload, upload_dir, max_bytes, then=write, zone=zone)


def update(item, values, by, now=None):
    fields, tags = _checked(values)
    with db.atomic():
        for key, value in fields.items():
            setattr(item, key, value)
        item.updated_at = now or utcnow()
        item.save()
        _set_tags(item, tags)
        audit.record("edit", by, item, f"Collateral “{item.title}” edited")
    return item


def set_archived(item, archived, by):
    with db.atomic():
        item.archived = archived
        item.save(only=[CollateralItem.archived])
        audit.record("edit", by, item, f"Collateral “{item.title}” {'archived' if archived else 'restored'}")
    return item


def tags_of(item_ids):
    """{item id: [tag, ...]} for a page of items, in one query."""
    found = {i: [] for i in item_ids}
    if found:
        for item_id, tag in (CollateralTag.select(CollateralTag.item, CollateralTag.tag)
                             .where(CollateralTag.item.in_(list(found))).order_by(CollateralTag.id).tuples()):
            found[item_id].append(tag)
    return found


def products():
    """The product tags in use on items that are not archived, for the filter."""
    rows = (CollateralTag.select(fn.MIN(CollateralTag.tag).alias("tag"), CollateralTag.key)
            .join(CollateralItem).where(CollateralItem.archived == False)  # noqa: E712
            .group_by(CollateralTag.key).order_by(CollateralTag.key).limit(200))
    return [(r.key, r.tag) for r in rows]


def _with_current(query):
    """Items with their current version and its file, as item.current and item.current.file."""
    current = CollateralVersion.alias("current")
    return (query.select_extend(current, StoredFile)
            .join(current, on=((current.item == CollateralItem.id) & (current.number == CollateralItem.version_count)),
                  attr="current")
            .join(StoredFile, on=(current.file == StoredFile.id), attr="file"))


def search(criteria):
    """The library: items matching title or tag, kind, product and language, in the chosen order."""
    text = (criteria.get("q") or "").strip()
    kind = criteria.get("kind") if criteria.get("kind") in COLLATERAL_KINDS else None
    language = criteria.get("language") if criteria.get("language") in LANGUAGES else None
    product = (criteria.get("product") or "").casefold() or None
    sort = criteria.get("sort") if criteria.get("sort") in ("downloads", "title") else None
    query = _with_current(CollateralItem.select())
    if not criteria.get("archived"):
        query = query.where(CollateralItem.archived == False)  # noqa: E712
    if text:
        tagged = CollateralTag.select(CollateralTag.item).where(contains(CollateralTag.tag, text))
        query = query.where(contains(CollateralItem.title, text) | CollateralItem.id.in_(tagged))
    if kind is not None:
        query = query.where(CollateralItem.kind == kind)
    if language is not None:
        query = query.where(CollateralItem.language == language)
    if product is not None:
        query = query.where(CollateralItem.id.in_(CollateralTag.select(CollateralTag.item)
                                                  .where(CollateralTag.key == product)))
    order = {"downloads": (CollateralItem.download_count.desc(), CollateralItem.updated_at.desc()),
             "title": (CollateralItem.title,)}.get(sort, (CollateralItem.updated_at.desc(),))
    return query.order_by(*order, CollateralItem.id.desc())


def listed(criteria):
    """`search` as the library lists it: (id, kind, archived, title, file kind, file size, versions, updated at,
    downloads) tuples, as (fetch(offset, limit), total) for a `Page`."""
    query = search(criteria)
    rows = query.select(CollateralItem.id, CollateralItem.kind, CollateralItem.archived, CollateralItem.title,
                        StoredFile.kind, StoredFile.size, CollateralItem.version_count, CollateralItem.updated_at,
                        CollateralItem.download_count).tuples()
    return (lambda offset, limit: list(rows.limit(limit).offset(offset)),
            query.select(fn.COUNT(CollateralItem.id)).order_by().scalar())


def get_item(item_id, viewer=None):
    """One item with its current version and file, or None. An archived item is withdrawn: only those who keep
    the library (or no viewer: the system itself) still reach it."""
    query = _with_current(CollateralItem.select()).where(CollateralItem.id == item_id)
    if viewer is not None and not may_edit(viewer):
        query = query.where(CollateralItem.archived == False)  # noqa: E712
    return query.first()


def versions(item):
    """The item's versions, newest first, with uploader, file and downloads of each."""
    uploader = User.alias()
    downloads = (Download.select(Download.version, fn.COUNT(Download.id).alias("n"))
                 .where(Download.item == item.id).group_by(Download.version).alias("counts"))
    return list(CollateralVersion.select(CollateralVersion, uploader, StoredFile,
                                         fn.COALESCE(downloads.c.n, 0).alias("downloads"))
                .join(uploader, JOIN.LEFT_OUTER, on=(CollateralVersion.uploaded_by == uploader.id), attr="uploader")
                .switch(CollateralVersion).join(StoredFile, attr="file")
                .switch(CollateralVersion)
                .join(downloads, JOIN.LEFT_OUTER, on=(downloads.c.version_id == CollateralVersion.id))
                .where(CollateralVersion.item == item.id).order_by(CollateralVersion.number.desc()))


def get_version(item, version_id):
    return (CollateralVersion.select(CollateralVersion, StoredFile).join(StoredFile, attr="file")
            .where((CollateralVersion.item == item.id) & (CollateralVersion.id == version_id)).first())


def record_download(item, version, user=None, link=None, now=None):
    """Count one download (a person's, or a customer's through a share link)."""
    now = now or utcnow()
    with db.atomic():
        Download.create(item=item.id, version=version.id, user=user, share_link=link, at=now)
        CollateralItem.update(download_count=CollateralItem.download_count + 1).where(
            CollateralItem.id == item.id).execute()
        if link is not None:
            ShareLink.update(download_count=ShareLink.download_count + 1).where(ShareLink.id == link.id).execute()


# Share links ------------------------------------------------------------------------------------------------

def link_state(link, now=None):
    """active, expired or revoked (by hand, or because the item was archived since)."""
    if link.revoked_at is not None or link.item.archived:
        return "revoked"
    return "expired" if link.expires_at <= (now or utcnow()) else "active"


def share(item, customer, by, days, now=None):
    """A link for one customer to the item's current version, valid for `days` days."""
    if not may_share(by):
        raise Invalid({None: _l("Only reps and managers share collateral with customers.")})
    if item.archived:
        raise Invalid({None: _l("This item is archived and can no longer be shared.")})
    if customer is None or not customers_service.scope(by).where(Customer.id == customer.id).exists():
        raise Invalid({"customer": _l("Choose one of your customers.")})
    now = now or utcnow()
    with db.atomic():
        version = CollateralVersion.get((CollateralVersion.item == item.id)
                                        & (CollateralVersion.number == item.version_count))
        link = ShareLink.create(token=secrets.token_urlsafe(32), item=item.id, version=version, customer=customer.id,
                                created_by=by, created_at=now, expires_at=now + datetime.timedelta(days=days))
        audit.record("create", by, link, f"Shared “{item.title}” with {customer.name}")
    return link


def may_revoke(link, user):
    return link.created_by_id == user.id or user.role in REVOKERS


def revoke(link, by, now=None):
    if not may_revoke(link, by):
        raise Invalid({None: _l("Only the person who shared it or a manager can revoke this link.")})
    if link.revoked_at is not None:
        return link
    with db.atomic():
        link.revoked_at, link.revoked_by = now or utcnow(), by
        link.save(only=[ShareLink.revoked_at, ShareLink.revoked_by])
        audit.record("edit", by, link, f"Share link for {link.customer.name} revoked")
    return link


def find_link(token):
    """The link for a token with its item, version, file and customer; None for a token that was never issued."""
    if not TOKEN.fullmatch(token or ""):
        return None
    by = User.alias()
    return (ShareLink.select(ShareLink, CollateralItem, CollateralVersion, StoredFile, Customer, by)
            .join(CollateralItem, attr="item").switch(ShareLink)
            .join(CollateralVersion, attr="version").join(StoredFile, attr="file").switch(ShareLink)
            .join(Customer, attr="customer").switch(ShareLink)
            .join(by, JOIN.LEFT_OUTER, on=(ShareLink.created_by == by.id), attr="created_by")
            .where(ShareLink.token == token).first())


def _shares(query):
    by = User.alias()
    return (query.select_extend(Customer, CollateralItem, by)
            .join(Customer, attr="customer").switch(ShareLink)
            .join(CollateralItem, attr="item").switch(ShareLink)
            .join(by, JOIN.LEFT_OUTER, on=(ShareLink.created_by == by.id), attr="created_by")
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc()))


def shares_of_item(item, user, limit=50):
    """Where the item was shared, limited to customers the user can see."""
    seen = visible(Customer.select(Customer.id), user, Customer.owner)
    return list(_shares(ShareLink.select().where((ShareLink.item == item.id) & ShareLink.customer.in_(seen)))
                .limit(limit))


def get_share(share_id, user):
    """A share link the user can see (its customer is in their scope), or None."""
    visible = customers_service.scope(user).select(Customer.id)
    return (_shares(ShareLink.select().where((ShareLink.id == share_id) & ShareLink.customer.in_(visible)))
            .first())


def recent_uploads(limit=5):
    """The latest versions uploaded to the library, with their item and uploader (support's home)."""
    uploader = User.alias()
    return list(CollateralVersion.select(CollateralVersion, CollateralItem, uploader.id, uploader.name)
                .join(CollateralItem, attr="item").switch(CollateralVersion)
                .join(uploader, JOIN.LEFT_OUTER, on=(CollateralVersion.uploaded_by == uploader.id), attr="uploader")
                .order_by(CollateralVersion.uploaded_at.desc(), CollateralVersion.id.desc()).limit(limit))

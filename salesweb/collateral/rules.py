"""The collateral library: items with versions and product tags, downloads, and share links for customers.
What is read of them is in `queries`.

Support, ops and admin upload and edit; reps and managers share with the customers they can see. Files enter
only through the storage service, so a refused upload leaves neither a file nor a row here.
"""
import datetime
import re
import secrets

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import (COLLATERAL_KINDS, LANGUAGES, CollateralItem, CollateralTag, CollateralVersion, Customer,
                      Download, ShareLink)
from ..core import audit
from ..infra import storage
from ..customers import queries as customers_service
from ..core.errors import Invalid

EDITORS = ("support", "ops", "admin")
SHARERS = ("rep", "manager")
REVOKERS = ("manager", "ops", "admin")  # besides whoever made the link
MAX_TAGS = 20
TAG_SPLIT = re.compile(r"[,，、;；\n]+")


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

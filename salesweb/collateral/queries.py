"""What the collateral package reads: the library (search, tags, versions, recent uploads) and the share links
with their state."""
import re
from collections import namedtuple

from peewee import JOIN, fn

from ..core.access import scope_shape, visible, visible_kept
from ..core.db import in_query, kept_row, kept_rows, like, like_pattern, param, utcnow
from ..models import (COLLATERAL_KINDS, LANGUAGES, CollateralItem, CollateralTag, CollateralVersion, Customer,
                      Download, ShareLink, StoredFile, User)
from ..customers import queries as customers_service

SORTS = ("newest", "downloads", "title")
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def tags_of(item_ids):
    """{item id: [tag, ...]} for a page of items, in one query."""
    found = {i: [] for i in item_ids}
    if found:
        # one statement per block of TAG_SLOTS ids (the unused slots NULL), its SQL written once per block count:
        # the library's reads spent most of its time in peewee
        slots = -(-len(found) // TAG_SLOTS) * TAG_SLOTS
        values = dict(zip((f"i{n}" for n in range(slots)), [*found, *[None] * (slots - len(found))]))
        for item_id, tag in kept_rows(("collateral-tags-of", slots), lambda: (
                CollateralTag.select(CollateralTag.item, CollateralTag.tag)
                .where(CollateralTag.item.in_([param(f"i{n}") for n in range(slots)])).order_by(CollateralTag.id)),
                **values):
            found[item_id].append(tag)
    return found


TAG_SLOTS = 25


def tags_of_item(item_id):
    """The item's tags, in the order they were given."""
    # kept: its SQL written once (the item page's five reads spent most of its time in peewee)
    return [row.tag for row in kept_rows("collateral-item-tags", lambda: (
        CollateralTag.select(CollateralTag.tag).where(CollateralTag.item == param("item"))
        .order_by(CollateralTag.id)), item=item_id)]


def products():
    """The product tags in use on items that are not archived, for the filter."""
    # kept: its SQL written once (the library's reads spent most of its time in peewee)
    return [(r.key, r.tag) for r in kept_rows("collateral-products", lambda: (
        CollateralTag.select(fn.MIN(CollateralTag.tag).alias("tag"), CollateralTag.key)
        .join(CollateralItem).where(CollateralItem.archived == False)  # noqa: E712
        .group_by(CollateralTag.key).order_by(CollateralTag.key).limit(200)))]


CURRENT = CollateralVersion.alias("current")


def _with_current(query):
    """Items with their current version and its file, as item.current and item.current.file."""
    current = CollateralVersion.alias("current")
    return (query.select_extend(current, StoredFile)
            .join(current, on=((current.item == CollateralItem.id) & (current.number == CollateralItem.version_count)),
                  attr="current")
            .join(StoredFile, on=(current.file == StoredFile.id), attr="file"))


def _criteria(criteria):
    """(text, kind, language, product, sort, archived) of a search's criteria, each None where it does not apply."""
    text = (criteria.get("q") or "").strip() or None
    kind = criteria.get("kind") if criteria.get("kind") in COLLATERAL_KINDS else None
    language = criteria.get("language") if criteria.get("language") in LANGUAGES else None
    product = (criteria.get("product") or "").casefold() or None
    sort = criteria.get("sort") if criteria.get("sort") in ("downloads", "title") else None
    return text, kind, language, product, sort, bool(criteria.get("archived"))


def _searched(query, pattern, kind, language, product, sort, archived):
    """The search's conditions and order on `query`; each value a value or a `param` (None: no such filter)."""
    if not archived:
        query = query.where(CollateralItem.archived == False)  # noqa: E712
    if pattern is not None:
        tagged = CollateralTag.select(CollateralTag.item).where(like(CollateralTag.tag, pattern))
        query = query.where(like(CollateralItem.title, pattern) | CollateralItem.id.in_(tagged))
    if kind is not None:
        query = query.where(CollateralItem.kind == kind)
    if language is not None:
        query = query.where(CollateralItem.language == language)
    if product is not None:
        query = query.where(in_query(CollateralItem.id, CollateralTag.select(CollateralTag.item)
                                                  .where(CollateralTag.key == product)))
    order = {"downloads": (CollateralItem.download_count.desc(), CollateralItem.updated_at.desc()),
             "title": (CollateralItem.title,)}.get(sort, (CollateralItem.updated_at.desc(),))
    return query.order_by(*order, CollateralItem.id.desc())


def search(criteria):
    """The library: items matching title or tag, kind, product and language, in the chosen order."""
    text, kind, language, product, sort, archived = _criteria(criteria)
    return _searched(_with_current(CollateralItem.select()), like_pattern(text) if text else None, kind, language,
                     product, sort, archived)


LISTED = (CollateralItem.id, CollateralItem.kind, CollateralItem.archived, CollateralItem.title,
          StoredFile.kind.alias("file_kind"), StoredFile.size, CollateralItem.version_count,
          CollateralItem.updated_at, CollateralItem.download_count)


def listed(criteria):
    """`search` as the library lists it: (id, kind, archived, title, file kind, file size, versions, updated at,
    downloads) named tuples, as (fetch(offset, limit), total) for a `Page`."""
    text, kind, language, product, sort, archived = _criteria(criteria)
    values = {"pattern": like_pattern(text) if text else None, "kind": kind, "language": language,
              "product": product}
    key = ("collateral-listed", sort, archived, *(value is not None for value in values.values()))

    def build(*columns):
        query = (CollateralItem.select(*columns)
                 .join(CURRENT, on=((CURRENT.item == CollateralItem.id)
                                    & (CURRENT.number == CollateralItem.version_count)))
                 .join(StoredFile, on=(CURRENT.file == StoredFile.id)))
        return _searched(query, *(param(name) if value is not None else None for name, value in values.items()),
                         sort, archived)

    # kept: the list's two reads' SQL written once (writing it was most of the library's time)
    total = kept_row(key + ("count",), lambda: build(fn.COUNT(CollateralItem.id).alias("n")).order_by(),
                     **values).n
    return (lambda offset, limit: kept_rows(key, lambda: build(*LISTED).limit(param("limit")).offset(param("offset")),
                                            limit=limit, offset=offset, **values),
            total)


def get_item(item_id, with_archived=True):
    """One item with its current version and file, or None. An archived item is withdrawn: only those who keep
    the library (or the system itself) still reach it, `with_archived`."""
    query = _with_current(CollateralItem.select()).where(CollateralItem.id == item_id)
    if not with_archived:
        query = query.where(CollateralItem.archived == False)  # noqa: E712
    return query.first()


# the item as its page shows it, with its current version's file name, kind and size
ITEM_PAGE = (CollateralItem.id, CollateralItem.title, CollateralItem.kind, CollateralItem.archived,
             CollateralItem.language, CollateralItem.version_count, CollateralItem.updated_at,
             CollateralItem.download_count, CollateralItem.description, CURRENT.filename,
             StoredFile.kind.alias("file_kind"), StoredFile.size)
ItemPage = namedtuple("ItemPage", "id title kind archived language version_count updated_at download_count "
                                  "description filename file_kind size")


def item_page(item_id, with_archived=True):
    """`get_item` as the item's page shows it (the fields of an `ItemPage`), or None."""
    def build():
        query = (CollateralItem.select(*ITEM_PAGE)
                 .join(CURRENT, on=((CURRENT.item == CollateralItem.id)
                                    & (CURRENT.number == CollateralItem.version_count)))
                 .join(StoredFile, on=(CURRENT.file == StoredFile.id))
                 .where(CollateralItem.id == param("item")))
        return query if with_archived else query.where(CollateralItem.archived == False)  # noqa: E712

    # kept: its SQL written once (the item page's five reads spent most of its time in peewee)
    return kept_row(("collateral-item-page", with_archived), build, item=item_id)


def item_page_of(item):
    """An `ItemPage` of an item read with `get_item` (a page shown again after a refused form)."""
    return ItemPage(item.id, item.title, item.kind, item.archived, item.language, item.version_count,
                    item.updated_at, item.download_count, item.description, item.current.filename,
                    item.current.file.kind, item.current.file.size)


UPLOADER = User.alias("uploader")


def version_history(item_id):
    """The item's versions as its page shows them, newest first: named tuples (id, number, filename, note,
    uploaded_at, uploaded_by, uploader_name, size, downloads)."""
    def build():
        downloads = (Download.select(Download.version, fn.COUNT(Download.id).alias("n"))
                     .where(Download.item == param("item")).group_by(Download.version).alias("counts"))
        return (CollateralVersion.select(CollateralVersion.id, CollateralVersion.number, CollateralVersion.filename,
                                         CollateralVersion.note, CollateralVersion.uploaded_at,
                                         CollateralVersion.uploaded_by, UPLOADER.name.alias("uploader_name"),
                                         StoredFile.size, fn.COALESCE(downloads.c.n, 0).alias("downloads"))
                .join(UPLOADER, JOIN.LEFT_OUTER, on=(CollateralVersion.uploaded_by == UPLOADER.id))
                .switch(CollateralVersion).join(StoredFile)
                .switch(CollateralVersion)
                .join(downloads, JOIN.LEFT_OUTER, on=(downloads.c.version_id == CollateralVersion.id))
                .where(CollateralVersion.item == param("item")).order_by(CollateralVersion.number.desc()))

    # kept: its SQL written once (the item page's five reads spent most of its time in peewee)
    return kept_rows("collateral-version-history", build, item=item_id)


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


def recent_uploads(limit=5):
    """The latest versions uploaded to the library (support's home): named tuples (item_id, title, number,
    uploader_id, uploader_name, uploaded_at)."""
    def build():
        return (CollateralVersion.select(CollateralVersion.item.alias("item_id"), CollateralItem.title,
                                         CollateralVersion.number, UPLOADER.id.alias("uploader_id"),
                                         UPLOADER.name.alias("uploader_name"), CollateralVersion.uploaded_at)
                .join(CollateralItem).switch(CollateralVersion)
                .join(UPLOADER, JOIN.LEFT_OUTER, on=(CollateralVersion.uploaded_by == UPLOADER.id))
                .order_by(CollateralVersion.uploaded_at.desc(), CollateralVersion.id.desc()).limit(param("limit")))

    # kept: its SQL written once (the support desk's reads spent most of its time in peewee)
    return kept_rows("collateral-recent-uploads", build, limit=limit)


# Share links ------------------------------------------------------------------------------------------------

def link_state(link, now=None):
    """active, expired or revoked (by hand, or because the item was archived since)."""
    return share_state(link.revoked_at, link.expires_at, link.item.archived, now)


def share_state(revoked_at, expires_at, archived, now=None):
    """`link_state` of a link's times and whether its item is archived."""
    if revoked_at is not None or archived:
        return "revoked"
    return "expired" if expires_at <= (now or utcnow()) else "active"


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
    return list(_shares(ShareLink.select().where((ShareLink.item == item.id) & in_query(ShareLink.customer, seen)))
                .limit(limit))


SHARER = User.alias("sharer")


def shares_on_page(item_id, user, limit=50):
    """`shares_of_item` as the item's page lists them: named tuples (id, token, created_at, expires_at,
    revoked_at, download_count, created_by_id, customer_id, customer_name, created_by_name)."""
    def build():
        seen = visible_kept(Customer.select(Customer.id), user.role, Customer.owner)
        return (ShareLink.select(ShareLink.id, ShareLink.token, ShareLink.created_at, ShareLink.expires_at,
                                 ShareLink.revoked_at, ShareLink.download_count,
                                 ShareLink.created_by.alias("created_by_id"), Customer.id.alias("customer_id"),
                                 Customer.name.alias("customer_name"), SHARER.name.alias("created_by_name"))
                .join(Customer).switch(ShareLink)
                .join(SHARER, JOIN.LEFT_OUTER, on=(ShareLink.created_by == SHARER.id))
                .where((ShareLink.item == param("item")) & in_query(ShareLink.customer, seen))
                .order_by(ShareLink.created_at.desc(), ShareLink.id.desc()).limit(param("limit")))

    # kept: its SQL written once (the item page's five reads spent most of its time in peewee)
    return kept_rows(("collateral-item-shares", scope_shape(user.role)), build, item=item_id, user=user.id,
                     limit=limit)


def get_share(share_id, user):
    """A share link the user can see (its customer is in their scope), or None."""
    visible = customers_service.scope(user).select(Customer.id)
    return (_shares(ShareLink.select().where((ShareLink.id == share_id) & in_query(ShareLink.customer, visible)))
            .first())

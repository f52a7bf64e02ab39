"""Customer CSV import: read the file, guess the column mapping, check every row, then write all or nothing.

Between the web steps the upload waits in UPLOAD_DIR/imports/<token>.csv, with a <token>.json
sidecar naming the user who uploaded it; the command line reads its file directly.
"""
import codecs
import hashlib
import csv
import dataclasses
import io
import json
import os
import re
import secrets
import time
import unicodedata
from pathlib import Path

from peewee import JOIN

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import AuditEvent, Contact, Customer, TierChange, User
from ..core import audit
from . import cadence, queries, rules
from ..core.errors import Invalid
from ..infra import rollups
from ..infra.storage import process_alive

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 100
PREVIEW_ROWS = 50
MAX_AGE_SECONDS = 24 * 3600
ON_DUPLICATE = ("skip", "update")

TARGETS = ("name", "industry", "region", "address", "phone", "website", "source", "status", "owner_email", "tier",
           "contact_name", "contact_title", "contact_phone", "contact_email", "contact_wechat")
LABELS = {
    "name": _l("Customer name"), "industry": _l("Industry"), "region": _l("Region"), "address": _l("Address"),
    "phone": _l("Phone"), "website": _l("Website"), "source": _l("Source"), "status": _l("Status"),
    "owner_email": _l("Owner (email)"), "tier": _l("Tier"), "contact_name": _l("Contact name"),
    "contact_title": _l("Contact title"), "contact_phone": _l("Contact phone"), "contact_email": _l("Contact email"),
    "contact_wechat": _l("Contact WeChat"),
}
CUSTOMER_COLUMNS = ("name", "industry", "region", "address", "phone", "website", "source", "status")
CONTACT_COLUMNS = {"contact_name": "name", "contact_title": "title", "contact_phone": "phone",
                   "contact_email": "email", "contact_wechat": "wechat"}
# Capped like the columns they land in.
LIMITS = {**{k: Customer._meta.fields[k].max_length for k in CUSTOMER_COLUMNS if k not in ("source", "status")},
          **{k: Contact._meta.fields[v].max_length for k, v in CONTACT_COLUMNS.items()},
          "owner_email": User._meta.fields["email"].max_length}

# Header names, compared after _key(): width, case, spaces and punctuation do not count.
HEADER_NAMES = {
    "name": ("name", "customer", "customer name", "company", "company name", "客户名称", "公司名称", "名称", "客户",
             "公司", "客户名", "企业名称"),
    "industry": ("industry", "sector", "行业", "所属行业"),
    "region": ("region", "province", "area", "state", "地区", "区域", "省份", "省市", "城市"),
    "address": ("address", "地址", "公司地址", "详细地址"),
    "phone": ("phone", "telephone", "tel", "company phone", "电话", "座机", "公司电话", "固定电话"),
    "website": ("website", "web site", "url", "homepage", "网址", "网站", "官网", "公司网址"),
    "source": ("source", "lead source", "来源", "客户来源"),
    "status": ("status", "customer status", "状态", "客户状态"),
    "owner_email": ("owner", "owner email", "rep", "rep email", "sales email", "负责人", "负责人邮箱", "销售邮箱",
                    "销售"),
    "tier": ("tier", "level", "grade", "等级", "客户等级", "级别", "客户级别", "分级"),
    "contact_name": ("contact", "contact name", "联系人", "联系人姓名", "姓名"),
    "contact_title": ("title", "job title", "position", "contact title", "职位", "职务", "联系人职位"),
    "contact_phone": ("mobile", "mobile phone", "cell", "contact phone", "手机", "手机号", "手机号码", "联系人电话",
                      "联系人手机"),
    "contact_email": ("email", "e-mail", "contact email", "邮箱", "电子邮箱", "电子邮件", "联系人邮箱"),
    "contact_wechat": ("wechat", "weixin", "contact wechat", "微信", "微信号", "联系人微信"),
}
SOURCE_WORDS = {"visit": "visit", "拜访": "visit", "website": "website", "websiteregistration": "website",
                "网站注册": "website", "tradeshow": "trade_show", "展会": "trade_show", "referral": "referral",
                "转介绍": "referral", "other": "other", "其他": "other", "其它": "other"}
STATUS_WORDS = {"lead": "lead", "线索": "lead", "prospect": "prospect", "潜在客户": "prospect",
                "customer": "customer", "客户": "customer", "dormant": "dormant", "休眠": "dormant"}

# Linear: no nested or overlapping repetition, so a long cell cannot make the match backtrack.
_PHONE = re.compile(r"[\d\s+\-()]+(?:(?:ext\.?|转)\s*\d+)?", re.IGNORECASE)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_TIER = re.compile(r"([abc])\s*(?:级|类|级客户|类客户)?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

SPLIT_HINT = _l("Split it into files of at most 10,000 rows and 5 MB each.")


def _key(text):
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text or "").casefold())


_HEADERS = {_key(name): target for target, names in HEADER_NAMES.items() for name in names}


def _refuse(message):
    return Invalid({"file": message})


# Reading the file

@dataclasses.dataclass
class Table:
    """A CSV file as read: the header, and each data row with its spreadsheet row number (header = 1)."""
    header: list
    rows: list
    encoding: str
    delimiter: str


# How documents, images, programs and archives begin: none of them is a CSV file, whatever its name says.
NOT_TEXT = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"MZ", b"\x7fELF", b"\x1f\x8b")


def decode(data):
    """(text, encoding name) for UTF-8 (with or without BOM) or GBK/GB18030 bytes; anything else is refused."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _refuse(_l("This is an Excel workbook, not a CSV file. In Excel choose Save As, "
                         "“CSV UTF-8 (Comma delimited)”, and upload that file."))
    if data.startswith(NOT_TEXT):
        raise _refuse(_l("This is a document, image or program, not a CSV file."))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise _refuse(_l("The file is not UTF-8 or GBK text (it looks like UTF-16 or a binary file). "
                         "In Excel choose Save As, “CSV UTF-8 (Comma delimited)”, and upload that file."))
    text = encoding = None
    for codec, name in (("utf-8-sig", "UTF-8"), ("gb18030", "GBK")):
        try:
            text, encoding = data.decode(codec), name
            break
        except UnicodeDecodeError:
            continue
    # GB18030 decodes almost any bytes; Big5 or Shift-JIS text comes out with private-use characters.
    if text is None or _CONTROL.search(text) or (encoding == "GBK" and _PRIVATE_USE.search(text)):
        raise _refuse(_l("The file is not UTF-8 or GBK text. In Excel choose Save As, "
                         "“CSV UTF-8 (Comma delimited)”, and upload that file."))
    if looks_like_markup(text):
        raise _refuse(_l("The file is a web page or other markup, not a CSV file."))
    return text, encoding


def looks_like_markup(text):
    """A file that opens as a web page, SVG or XML (after any BOM and blank space) is not a table of text."""
    return re.match(r"\s*<(?:!doctype|html|svg|\?xml|script|body|iframe)", text[:1024], re.IGNORECASE) is not None


def _delimiter(text):
    """Comma, semicolon or tab: whichever splits the header row into the most columns."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    best, most = ",", 1
    for candidate in (",", ";", "\t"):
        try:
            count = len(next(csv.reader([first], delimiter=candidate), []))
        except csv.Error:
            continue
        if count > most:
            best, most = candidate, count
    return best


def read(data):
    """The table in an uploaded file; Invalid({"file": why}) for a file that cannot be imported.

    Too many rows are refused as soon as row 10,001 is reached, without reading the rest.
    """
    if len(data) > MAX_BYTES:
        raise _refuse(_l("The file is larger than 5 MB.") + " " + SPLIT_HINT)
    text, encoding = decode(data)
    if not text.strip():
        raise _refuse(_l("The file is empty."))
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows = None, []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
                if len(header) > MAX_COLUMNS:
                    raise _refuse(_l("The file has more than %(n)d columns.", n=MAX_COLUMNS))
                continue
            if len(rows) == MAX_ROWS:
                raise _refuse(_l("The file has more than 10,000 rows.") + " " + SPLIT_HINT)
            rows.append((number, cells))
    except csv.Error:
        raise _refuse(_l("The file is not valid CSV near row %(n)d (a quote may be missing).",
                         n=reader.line_num)) from None
    if header is None:
        raise _refuse(_l("The file is empty."))
    if not rows:
        raise _refuse(_l("The file has a header row but no customers below it."))
    return Table(header, rows, encoding, delimiter)


# Mapping columns to fields

def guess_mapping(header):
    """{target: column index or None} from the header names, in English or Chinese."""
    mapping = dict.fromkeys(TARGETS)
    for index, title in enumerate(header):
        target = _HEADERS.get(_key(title))
        if target and mapping[target] is None:
            mapping[target] = index
    return mapping


def check_mapping(mapping, header):
    """A complete mapping with valid column indexes; the name must come from some column."""
    checked = {}
    for target in TARGETS:
        index = (mapping or {}).get(target)
        checked[target] = index if isinstance(index, int) and 0 <= index < len(header) else None
    if checked["name"] is None:
        raise Invalid({"name": _l("Choose the column that holds the customer name.")})
    return checked


# Checking rows

def skip_note(kind, value):
    """Why a row is skipped, in the reader's language."""
    if kind == "repeat":
        return _l("Same customer as row %(n)d.", n=value)
    if kind == "ambiguous":
        return _l("Matches %(n)d existing customers; update the right one by hand.", n=value)
    return _l("Already exists as “%(name)s”.", name=value)


@dataclasses.dataclass
class Row:
    number: int
    values: dict
    status: str = "create"  # create, update, duplicate (exists, skipped), repeat (earlier row, skipped), error
    problems: list = dataclasses.field(default_factory=list)  # [(target, message)]
    owner: object = None
    owner_given: bool = False
    match: object = None  # the existing customer (duplicate, update)
    why: tuple = ()  # why a row is skipped: (exists, name), (repeat, row number) or (ambiguous, count)
    key: str = ""

    @property
    def skipped(self):
        return self.status in ("duplicate", "repeat")

    @property
    def note(self):
        return skip_note(*self.why) if self.why else None


@dataclasses.dataclass
class Plan:
    """What committing would do, row by row."""
    rows: list
    on_duplicate: str

    @property
    def errors(self):
        return [row for row in self.rows if row.status == "error"]

    @property
    def preview(self):
        return self.rows[:PREVIEW_ROWS]

    @property
    def counts(self):
        counts = {"create": 0, "update": 0, "skip": 0, "error": 0, "total": len(self.rows)}
        for row in self.rows:
            counts["skip" if row.skipped else row.status] += 1
        return counts


def _cells(cells, mapping):
    values = {}
    for target, index in mapping.items():
        values[target] = cells[index].strip() if index is not None and index < len(cells) else ""
    return values


def _check(row):
    """Field rules; values become what will be stored (codes for source, status, tier; empty stays empty)."""
    values, problems = row.values, row.problems
    for target, limit in LIMITS.items():
        if len(values[target]) > limit:
            problems.append((target, _l("At most %(n)d characters.", n=limit)))
    if not values["name"]:
        problems.append(("name", _l("This field is required.")))
    elif not _key(values["name"]):
        problems.append(("name", _l("The name needs at least one letter or digit.")))
    for target in ("phone", "contact_phone"):
        values[target] = unicodedata.normalize("NFKC", values[target])
        if values[target] and len(values[target]) <= LIMITS[target] and not (
                _PHONE.fullmatch(values[target]) and any(c.isdigit() for c in values[target])):
            problems.append((target, _l("Use digits, spaces, + - ( ) and “ext” or “转” only.")))
    values["owner_email"] = values["owner_email"].lower()  # user emails are stored lower case
    for target in ("contact_email", "owner_email"):
        if values[target] and not _EMAIL.fullmatch(values[target]):
            problems.append((target, _l("Enter a valid email address.")))
    for target, words, allowed in (
            ("source", SOURCE_WORDS, "visit, website, trade_show, referral, other / 拜访, 网站注册, 展会, 转介绍, 其他"),
            ("status", STATUS_WORDS, "lead, prospect, customer, dormant / 线索, 潜在客户, 客户, 休眠")):
        raw = values[target]
        if raw:
            values[target] = words.get(_key(raw), "")
            if not values[target]:
                problems.append((target, _l("“%(value)s” is not one of: %(allowed)s.", value=raw[:40],
                                            allowed=allowed)))
    if values["tier"]:
        match = _TIER.fullmatch(unicodedata.normalize("NFKC", values["tier"]))
        if match:
            values["tier"] = match.group(1).upper()
        else:
            problems.append(("tier", _l("Use A, B or C.")))
    contact_given = any(values[k] for k in CONTACT_COLUMNS if k != "contact_name")
    if contact_given and not values["contact_name"]:
        problems.append(("contact_name", _l("A contact needs a name.")))


def _owners(emails, by):
    """The people `by` may make owners, by email, in one query."""
    if not emails:
        return {}
    query = queries.assignable_owners(by).select_extend(User.email).where(User.email.in_(sorted(emails)))
    return {user.email: user for user in query}


def owner_by_email(email, by):
    """An active rep or manager `by` may assign, or Invalid."""
    email = (email or "").strip().lower()
    owner = _owners({email}, by).get(email)
    if owner is None:
        raise Invalid({"owner_email": _l("No active rep or manager you may assign has the email %(email)s.",
                                         email=email)})
    return owner


def _existing(keys):
    """Existing customers by normalised name, with their owners, in one query."""
    found = {}
    if not keys:
        return found
    query = (Customer.select(Customer, User)
             .join(User, JOIN.LEFT_OUTER, on=(Customer.owner == User.id))
             .where(Customer.name_key.in_(sorted(keys)))
             .order_by(Customer.id))
    for customer in query:
        found.setdefault(customer.name_key, []).append(customer)
    return found


def plan(table, mapping, by, on_duplicate="skip", default_owner=None):
    """Check every row and decide what it will do; nothing is written.

    by: the importer (support or ops; the command line passes command_line_importer()).
    default_owner: owner of new rows that name none (None: the pool).
    """
    mapping = check_mapping(mapping, table.header)
    if on_duplicate not in ON_DUPLICATE:
        raise Invalid({"on_duplicate": _l("Choose one of the listed values.")})
    rows = [Row(number, _cells(cells, mapping)) for number, cells in table.rows]
    for row in rows:
        _check(row)
    owners = _owners({row.values["owner_email"] for row in rows if row.values["owner_email"]}, by)
    pool_allowed = rules.may_use_pool_owner(by)
    # New customers that name no owner go to their region's rep (when the import's default is the pool).
    unowned = default_owner is None and any(not row.values["owner_email"] for row in rows)
    by_region = queries.region_owners(by) if unowned else {}
    for row in rows:
        email = row.values["owner_email"]
        row.owner_given = bool(email)
        if email:
            row.owner = owners.get(email)
            if row.owner is None and not any(t == "owner_email" for t, _ in row.problems):
                row.problems.append(("owner_email", _l(
                    "No active rep or manager you may assign has the email %(email)s.", email=email)))
        else:
            row.owner = by_region.get(queries.region_key(row.values["region"]), default_owner)
            if row.owner is None and not pool_allowed:
                row.problems.append(("owner_email", _l("Choose an owner.")))
        row.key = queries.normalise_name(row.values["name"])
    existing = _existing({row.key for row in rows if row.key})
    first_seen = {}
    for row in rows:
        if row.problems:
            row.status = "error"
        elif row.key in first_seen:
            row.status, row.why = "repeat", ("repeat", first_seen[row.key])
        elif row.key in existing:
            matches = existing[row.key]
            row.match = matches[0]
            if on_duplicate == "update" and len(matches) == 1:
                row.status = "update"
            elif on_duplicate == "update":
                row.status, row.why = "duplicate", ("ambiguous", len(matches))
            else:
                row.status, row.why = "duplicate", ("exists", row.match.name)
        if row.key:
            first_seen.setdefault(row.key, row.number)
    return Plan(rows, on_duplicate)


# Writing

@dataclasses.dataclass
class Skipped:
    number: int
    name: str
    why: tuple

    @property
    def note(self):
        return skip_note(*self.why)


@dataclasses.dataclass
class Report:
    created: int
    updated: int
    skipped: list  # [Skipped]

    def as_dict(self):
        return {"created": self.created, "updated": self.updated,
                "skipped": [[row.number, row.name, list(row.why)] for row in self.skipped]}

    @classmethod
    def from_dict(cls, data):
        return cls(data["created"], data["updated"],
                   [Skipped(number, name, tuple(why)) for number, name, why in data["skipped"]])


def _contact_values(row):
    return {field: row.values[target] for target, field in CONTACT_COLUMNS.items()}


def _new_customer(row):
    """A checked row as an item for rules.create_many (owners were checked by plan())."""
    values = {k: row.values[k] for k in CUSTOMER_COLUMNS}
    values["source"] = values["source"] or Customer.source.default
    values["status"] = values["status"] or Customer.status.default
    return {"values": values, "owner": row.owner, "tier": row.values["tier"] or "C",
            "contacts": [_contact_values(row)] if row.values["contact_name"] else []}


def _update(row, by, settings_values, contacts):
    """Cells with a value replace the stored one; empty cells, and the name, stay as they are."""
    customer = row.match
    values = {k: getattr(customer, k) for k in rules.FIELDS}
    values.update({k: row.values[k] for k in CUSTOMER_COLUMNS[1:] if row.values[k]})
    owner = row.owner if row.owner_given else customer.owner
    rules.update(customer, values, owner, by)
    tier = row.values["tier"]
    if tier and tier != customer.tier and not customer.tier_locked:
        old, old_due, customer.tier = customer.tier, customer.next_visit_due, tier
        cadence.refresh(customer, settings_values)
        customer.save(only=[Customer.tier, Customer.next_visit_due])
        rollups.customers_changed([(rollups.customer_key(customer, tier=old, due=old_due),
                                    rollups.customer_key(customer))])
        TierChange.create(customer=customer, old_tier=old, new_tier=tier, reason="import", by=by)
    if row.values["contact_name"]:
        name = row.values["contact_name"].casefold()
        contact = next((c for c in contacts.get(customer.id, ()) if c.name.casefold() == name), None)
        given = {k: v for k, v in _contact_values(row).items() if v}
        if contact is None:
            rules.save_contact(customer, None, given, by)
        else:  # the stored spelling of the name stays
            stored = {field: getattr(contact, field) for field in rules.CONTACT_FIELDS}
            rules.save_contact(customer, contact, {**stored, **given, "name": contact.name,
                                                   "is_primary": contact.is_primary}, by)


def commit(plan, by, settings_values, upload=None):
    """Write the plan in one transaction, or nothing at all when any row has an error. The audit entry, written in
    the same transaction, names the upload: after a crash it tells whether its commit happened (see recover())."""
    errors = plan.errors
    if errors:
        raise Invalid({None: _l("Nothing was imported: rows with errors: %(n)d. Fix them in the file and "
                                "upload it again.", n=len(errors))})
    updating = [row for row in plan.rows if row.status == "update"]
    contacts = {}
    if any(row.values["contact_name"] for row in updating):
        for contact in Contact.select().where(Contact.customer.in_([row.match.id for row in updating])):
            contacts.setdefault(contact.customer_id, []).append(contact)
    with db.atomic():
        created = rules.create_many([_new_customer(row) for row in plan.rows if row.status == "create"],
                                    by, settings_values)
        for row in updating:
            _update(row, by, settings_values, contacts)
        report = Report(created, len(updating),
                        [Skipped(row.number, row.values["name"], row.why) for row in plan.rows if row.skipped])
        audit.record("import", actor=by, object_type="customer",
                     summary=f"created {report.created}, updated {report.updated}, skipped {len(report.skipped)}"
                     + (f" {_marker(upload.token)}" if upload is not None else ""))
    return report


def _marker(token):
    """How an import's audit entry names its upload: a digest of the token (the token itself opens the upload)."""
    return f"(upload {hashlib.sha256(token.encode()).hexdigest()[:16]})"


def command_line_importer():
    """The importer for `salesweb import-customers`: ops-level rights, and no user recorded as actor."""
    return User(role="ops", name="salesweb import-customers", active=True)


# Keeping the upload between the web steps

@dataclasses.dataclass
class Upload:
    token: str
    data: bytes
    user_id: int
    filename: str
    on_duplicate: str
    mapping: dict | None


def _folder(upload_dir):
    return Path(upload_dir) / "imports"


def _write_json(path, content):
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temp.write_text(json.dumps(content), encoding="utf-8")
    os.replace(temp, path)


def store(upload_dir, data, user_id, filename, on_duplicate="skip"):
    """Keep an upload for its user; returns the token that names it."""
    folder = _folder(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.csv").write_bytes(data)
    _write_json(folder / f"{token}.json", {
        "user_id": user_id, "filename": os.path.basename(filename or "")[:200],
        "on_duplicate": on_duplicate if on_duplicate in ON_DUPLICATE else "skip", "mapping": None,
        "created": utcnow().isoformat()})
    return token


def load(upload_dir, token, user_id):
    """The upload named by token if user_id uploaded it; None otherwise (unknown, gone, or someone else's)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    folder = _folder(upload_dir)
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        if meta.get("user_id") != user_id:
            return None
        data = (folder / f"{token}.csv").read_bytes()
    except (OSError, ValueError):
        return None
    mapping = meta.get("mapping")
    return Upload(token, data, user_id, meta.get("filename", ""), meta.get("on_duplicate", "skip"),
                  {k: v for k, v in mapping.items() if k in TARGETS} if isinstance(mapping, dict) else None)


def remember(upload_dir, upload, mapping, on_duplicate):
    """Save the user's mapping and duplicate choice with the upload."""
    path = _folder(upload_dir) / f"{upload.token}.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(mapping=mapping, on_duplicate=on_duplicate if on_duplicate in ON_DUPLICATE else "skip")
    _write_json(path, meta)
    upload.mapping, upload.on_duplicate = mapping, meta["on_duplicate"]


def _committing(upload_dir, token, pid=None):
    # The committing process's id in the name: after a crash, the next start knows whose commit never ended.
    return _folder(upload_dir) / f"{token}.committing-{pid or os.getpid()}"


def take(upload_dir, upload):
    """Claim the upload for one commit: a second commit of the same file (a double click) finds
    nothing to take. Returns False when another request took it first."""
    try:
        os.replace(_folder(upload_dir) / f"{upload.token}.csv", _committing(upload_dir, upload.token))
    except FileNotFoundError:
        return False
    return True


def put_back(upload_dir, upload, pid=None):
    """The commit was refused (or never happened): the upload can be previewed and committed again."""
    os.replace(_committing(upload_dir, upload.token, pid), _folder(upload_dir) / f"{upload.token}.csv")


def finish(upload_dir, upload, report, pid=None):
    """After the commit: the file goes, its report stays (for the sweep to remove a day later)."""
    path = _folder(upload_dir) / f"{upload.token}.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(report=report.as_dict(), mapping=None)
    _write_json(path, meta)
    _committing(upload_dir, upload.token, pid).unlink(missing_ok=True)


def recover(upload_dir):
    """At start: a commit whose process died (a killed worker) is settled by what the database says. If its audit
    entry is there, the rows were committed and the upload is finished (its report counts what was created and
    updated; the skipped rows' reasons died with the process); if not, nothing was written and the upload is
    put back to be committed again. Returns how many were settled."""
    folder = _folder(upload_dir)
    settled = 0
    for path in sorted(folder.glob("*.committing-*")) if folder.is_dir() else []:
        token, _sep, pid = path.name.rpartition(".committing-")
        if not pid.isdecimal() or process_alive(int(pid)):
            continue
        upload = Upload(token, b"", None, "", "skip", None)
        event = (AuditEvent.select(AuditEvent.summary)
                 .where((AuditEvent.action == "import") & AuditEvent.summary.endswith(_marker(token))).first())
        try:
            if event is None:
                put_back(upload_dir, upload, pid)
            else:
                counts = re.match(r"created (\d+), updated (\d+)", event.summary)
                finish(upload_dir, upload, Report(int(counts.group(1)), int(counts.group(2)), []), pid)
        except FileNotFoundError:
            continue  # another worker starting at the same moment settled it first
        settled += 1
    return settled



def load_report(upload_dir, token, user_id):
    """The report of a committed import, for the user who made it; None otherwise."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    try:
        meta = json.loads((_folder(upload_dir) / f"{token}.json").read_text(encoding="utf-8"))
        if meta.get("user_id") != user_id or not meta.get("report"):
            return None
        return Report.from_dict(meta["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def sweep(upload_dir, max_age=MAX_AGE_SECONDS, now=None):
    """Remove uploads left behind for longer than max_age seconds; returns how many files went."""
    folder = _folder(upload_dir)
    if not folder.is_dir():
        return 0
    cutoff = (now or time.time()) - max_age
    removed = 0
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed

"""The product catalogue: what quotes are made of. Kept by ops and support, by hand or from a CSV file."""
import csv
import io

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import Product
from ..core import audit
from ..customers import importer as imports
from ..core.errors import Invalid
from ..core.money import parse_amount

KEEPERS = ("ops", "support")
IMPORT_COLUMNS = ("sku", "name", "unit", "unit_price", "active")
MAX_IMPORT_ROWS = 5000
TRUE, FALSE = {"", "1", "true", "yes", "y", "active", "是"}, {"0", "false", "no", "n", "inactive", "否"}


def may_keep(user):
    return user.role in KEEPERS


def _check(values, product=None):
    errors = {}
    sku = (values.get("sku") or "").strip()
    if not sku:
        errors["sku"] = _l("This field is required.")
    elif len(sku) > 40:
        errors["sku"] = _l("At most %(n)d characters.", n=40)
    elif Product.select().where((Product.sku == sku) & (Product.id != (product.id if product else 0))).exists():
        errors["sku"] = _l("Another product has this SKU.")
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _l("This field is required.")
    elif len(name) > 200:
        errors["name"] = _l("At most %(n)d characters.", n=200)
    if len((values.get("unit") or "").strip()) > 20:
        errors["unit"] = _l("At most %(n)d characters.", n=20)
    price = values.get("unit_price")
    if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price <= 10**13:
        errors["unit_price"] = _l("Enter a price between 0 and 100,000,000,000.")
    if errors:
        raise Invalid(errors)
    return {"sku": sku, "name": name, "unit": (values.get("unit") or "").strip(), "unit_price": price,
            "active": bool(values.get("active", True))}


def save(values, by, product=None):
    clean = _check(values, product)
    with db.atomic():
        if product is None:
            product = Product.create(**clean, updated_at=utcnow())
            audit.record("create", by, product, f"Product {clean['sku']} {clean['name']}")
        else:
            Product.update(**clean, updated_at=utcnow()).where(Product.id == product.id).execute()
            audit.record("edit", by, product, f"Product {clean['sku']} {clean['name']}")
    return product


def read_csv(raw):
    """Rows of a catalogue CSV (UTF-8, with or without BOM; GBK as Excel in China writes it): (line, {column: text})."""
    if len(raw) > 5 * 1024 * 1024:
        raise Invalid({"file": _l("The file is larger than 5 MB.")})
    if raw.startswith((*imports.NOT_TEXT, b"PK\x03\x04")):
        raise Invalid({"file": _l("This is a document, image or program, not a CSV file.")})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Invalid({"file": _l("The file is not UTF-8 or GBK text.")})
    if "\x00" in text or imports.looks_like_markup(text):
        raise Invalid({"file": _l("The file is a web page or other markup, not a CSV file.")})
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ("sku", "name", "unit_price") if c not in header]
    if missing:
        raise Invalid({"file": _l("The first row must name the columns: sku, name, unit, unit_price, active "
                                  "(missing: %(cols)s).", cols=", ".join(missing))})
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append((line, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}))
        if len(rows) > MAX_IMPORT_ROWS:
            raise Invalid({"file": _l("At most %(n)d products in one file.", n=MAX_IMPORT_ROWS)})
    if not rows:
        raise Invalid({"file": _l("The file has no products.")})
    return rows


def import_rows(rows, by):
    """Create or update products by SKU, all or nothing: any bad row refuses the whole file, naming each line.
    Returns (created, updated)."""
    existing = {p.sku: p for p in Product.select()}
    seen, problems, clean_rows = {}, [], []
    for line, cells in rows:
        active_text = cells.get("active", "").lower()
        try:
            try:
                price = parse_amount(cells.get("unit_price"))
            except ValueError as bad:
                raise Invalid({"unit_price": bad.args[0]}) from None
            values = {"sku": cells.get("sku"), "name": cells.get("name"), "unit": cells.get("unit", ""),
                      "unit_price": price, "active": active_text not in FALSE}
            if active_text not in TRUE | FALSE:
                raise Invalid({"active": _l("Write yes or no.")})
            clean = _check(values, existing.get((values["sku"] or "").strip()))
        except Invalid as invalid:
            problems.append(_l("Line %(line)d: %(problems)s", line=line,
                               problems="; ".join(f"{k or ''} {m}".strip() for k, m in invalid.errors.items())))
            continue
        if clean["sku"] in seen:
            problems.append(_l("Line %(line)d: SKU %(sku)s is also on line %(other)d.", line=line, sku=clean["sku"],
                               other=seen[clean["sku"]]))
        seen[clean["sku"]] = line
        clean_rows.append(clean)
    if problems:
        raise Invalid({"file": " ".join(str(p) for p in problems[:20])
                       + (f" (+{len(problems) - 20})" if len(problems) > 20 else "")})
    created = updated = 0
    now = utcnow()
    with db.atomic():
        for clean in clean_rows:
            if clean["sku"] in existing:
                Product.update(**clean, updated_at=now).where(Product.sku == clean["sku"]).execute()
                updated += 1
            else:
                Product.create(**clean, updated_at=now)
                created += 1
        audit.record("import", by, object_type="product",
                     summary=f"Products: {created} created, {updated} updated")
    return created, updated

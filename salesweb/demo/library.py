"""Demo collateral: a library of small real files with versions, the reps' downloads, and links shared
with customers. The small library is hand-written; the large one adds generated editions per product."""
import collections
import datetime
import io

from ..models import CollateralItem, Customer, Download, User
from ..collateral import queries as library, rules as collateral
from . import files as demo_files
from ..core import settings

# (title, kind, language, product tags, file type, versions)
LIBRARY = (
    ("X200 Product brochure", "brochure", "en", "X200", "pdf", 2),
    ("X200 产品手册", "brochure", "zh", "X200", "pdf", 2),
    ("X300 Product brochure", "brochure", "en", "X300", "pdf", 1),
    ("X300 产品手册", "brochure", "zh", "X300", "pdf", 1),
    ("P100 泵系列手册 Pump series", "brochure", "multi", "P100, Pumps", "pdf", 3),
    ("V20 阀门选型指南", "brochure", "zh", "V20, Valves", "pdf", 1),
    ("Company overview", "presentation", "en", "", "pdf", 3),
    ("公司介绍", "presentation", "zh", "", "pdf", 2),
    ("Smart Monitor launch deck", "presentation", "en", "Smart Monitor", "pdf", 1),
    ("X200 Spec sheet", "spec_sheet", "en", "X200", "pdf", 2),
    ("X300 Spec sheet", "spec_sheet", "en", "X300", "pdf", 1),
    ("P100 技术参数表", "spec_sheet", "zh", "P100, Pumps", "pdf", 1),
    ("V20 Valve data sheet", "spec_sheet", "en", "V20, Valves", "pdf", 1),
    ("Smart Monitor 规格书", "spec_sheet", "multi", "Smart Monitor", "pdf", 1),
    ("Case study: Harbor Industrial cuts downtime 30%", "case_study", "en", "X200, Smart Monitor", "pdf", 1),
    ("案例：苏州精工 产线升级", "case_study", "zh", "X300", "pdf", 1),
    ("Case study: Greenfield Foods pump retrofit", "case_study", "en", "P100, Pumps", "pdf", 1),
    ("2026 价格表 Price list", "price_list", "multi", "X200, X300, P100, V20", "pdf", 3),
    ("Distributor price list", "price_list", "en", "X200, X300", "pdf", 2),
    ("Spare parts prices", "price_list", "en", "P100, V20", "pdf", 1),
    ("销售合同模板", "contract_template", "zh", "", "pdf", 2),
    ("Sales contract template", "contract_template", "en", "", "pdf", 2),
    ("Service agreement template", "contract_template", "en", "Smart Monitor", "pdf", 1),
    ("X200 product photo", "other", "multi", "X200", "png", 1),
    ("X300 product photo", "other", "multi", "X300", "png", 1),
    ("P100 installation photo", "other", "multi", "P100, Pumps", "png", 2),
    ("Trade show booth 2026", "other", "multi", "", "png", 1),
    ("Sales results chart 2026", "presentation", "en", "", "png", 1),
    ("Old 2024 price list", "price_list", "en", "X200", "pdf", 1),
)
# For the large library: every product gets each kind of document, per edition, in English and Chinese.
PRODUCTS = ("X100", "X200", "X300", "X500", "X900", "P100", "P200", "P300", "V10", "V20", "V40", "Smart Monitor",
            "Smart Gateway", "Service plan")
KINDS = (("brochure", "{p} Product brochure {y}", "{p} 产品手册 {y}版", "pdf"),
         ("spec_sheet", "{p} Spec sheet {y}", "{p} 技术参数表 {y}版", "pdf"),
         ("presentation", "{p} sales presentation {y}", "{p} 销售演示 {y}", "pdf"),
         ("price_list", "{p} price list {y}", "{p} 价格表 {y}", "pdf"),
         ("case_study", "Case study: {p} in the field, {y}", "案例：{p} 应用 {y}", "pdf"),
         ("other", "{p} product photos {y}", "{p} 产品图片 {y}", "png"))
COLOURS = ((31, 95, 191), (15, 123, 63), (154, 103, 0), (180, 35, 24), (90, 60, 160))
MAX_BYTES = 50 * 1024 * 1024


def _generated(rng, count):
    """Up to `count` more items: (title, kind, language, tags, file type, versions, archived)."""
    items = []
    for year in (2026, 2025, 2024):
        for product in PRODUCTS:
            for kind, english, chinese, file_type in KINDS:
                for language, title in (("en", english), ("zh", chinese)):
                    items.append((title.format(p=product, y=year), kind, language, product, file_type,
                                  rng.choice((1, 1, 2, 3)), year == 2024 and rng.random() < 0.5))
    return items[:count]


def _demo_file(rng, title, file_type, version):
    if file_type == "png":
        data = demo_files.png(240, 160, rng.choice(COLOURS), [rng.uniform(0.2, 1.0) for _ in range(6)])
        return data, f"{title.split()[0].lower()}-v{version}.png"
    # The PDF's text is Latin only (Helvetica); a Chinese title keeps its own name for the file (a UTF-8 download name)
    latin = " ".join(title.encode("ascii", "ignore").decode().split())
    lines = [f"Version {version}", "", "Prepared by sales support for the field team.",
             *(f"- Point {n}: {rng.choice(('reliable', 'efficient', 'quiet', 'compact', 'certified'))} "
               f"and {rng.choice(('easy to service', 'energy saving', 'in stock', 'made to order'))}." for n in range(1, 6))]
    heading = latin if title.isascii() else f"{latin} - Chinese edition" if latin else "Chinese edition"
    name = "-".join("".join(c for c in title if c not in ":%,/").split()[:4])
    return demo_files.pdf(heading, lines), f"{name.lower() if name.isascii() else name}-v{version}.pdf"


def _upload(rng, now, upload_dir, support, title, kind, language, tags, file_type, versions, archived):
    first = now - datetime.timedelta(days=rng.randint(120, 600))
    data, filename = _demo_file(rng, title, file_type, 1)
    item = collateral.create({"title": title, "kind": kind, "language": language, "tags": tags,
                              "description": f"{title}: for customer meetings and follow-up e-mails."},
                             (io.BytesIO(data), filename), support, upload_dir, MAX_BYTES, now=first)
    for number in range(2, versions + 1):
        data, filename = _demo_file(rng, title, file_type, number)
        collateral.add_version(item, (io.BytesIO(data), filename), rng.choice(("Updated prices", "New photos",
                               "Corrected specifications", "2026 edition")), support, upload_dir, MAX_BYTES,
                               now=first + datetime.timedelta(days=60 * (number - 1)))
    if archived:
        collateral.set_archived(item, True, support)


def load(rng, now, upload_dir, size):
    """`size` items (at least the hand-written library), downloads by the reps, and shared links."""
    support = User.select().where(User.role == "support").order_by(User.id).first()
    reps = list(User.select().where(User.role == "rep"))
    for title, kind, language, tags, file_type, versions in LIBRARY:
        _upload(rng, now, upload_dir, support, title, kind, language, tags, file_type, versions,
                title.startswith("Old"))
    for row in _generated(rng, size - len(LIBRARY)):
        _upload(rng, now, upload_dir, support, *row)
    items = list(library.search({}))
    downloads = []
    for item in items:
        for _ in range(rng.choice((0, 2, 5, 12, 30))):
            downloads.append({"item": item.id, "version": item.current.id, "user": rng.choice(reps).id,
                              "at": now - datetime.timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 9))})
    for start in range(0, len(downloads), 500):
        Download.insert_many(downloads[start:start + 500]).execute()
    for item_id, count in collections.Counter(d["item"] for d in downloads).items():
        CollateralItem.update(download_count=count).where(CollateralItem.id == item_id).execute()
    days = settings.current()["share_link_days"]
    links = []
    for rep in reps:
        for customer in Customer.select().where(Customer.owner == rep).limit(rng.randint(1, 3)):
            shared_at = now - datetime.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 9))
            link = collateral.share(library.get_item(rng.choice(items).id), customer, rep, days, now=shared_at)
            if library.link_state(link, now) == "active" and rng.random() < 0.6:
                collateral.record_download(link.item, link.version, link=link, now=shared_at)
            links.append(link)
    collateral.revoke(links[0], reps[0], now=now)  # one withdrawn, to show how that looks

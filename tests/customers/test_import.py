"""Customer CSV import: upload, mapping, preview with per-row errors, all-or-nothing commit, the CLI."""
import io
import os
import re
import time

import pytest

from salesweb.models import AuditEvent, Contact, Customer, TierChange, User
from salesweb.customers import importer as imports
from salesweb.core import settings
from tests.conftest import count_queries, post

HEADER = "客户名称,行业,地区,电话,来源,状态,等级,联系人,职位,手机,邮箱,微信\n"
ROW = "上海明远贸易有限公司,制造业,上海,021-5555 1234,展会,潜在客户,B,王芳,采购经理,138 0000 0000,wang@example.com,wangfang\n"


@pytest.fixture
def support(signed_in):
    return signed_in("support", name="Support")[0]


def upload(client, content, filename="customers.csv", on_duplicate="skip"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return post(client, "/customers/import", {"file": (io.BytesIO(content), filename), "on_duplicate": on_duplicate},
                content_type="multipart/form-data")


def token_of(response):
    assert response.status_code == 303, response.get_data(as_text=True)
    match = re.fullmatch(r".*/customers/import/([\w-]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def plan_key(page):
    match = re.search(r'name="plan_key" type="hidden" value="([^"]+)"', page)
    assert match, "no commit form on the preview"
    return match.group(1)


def preview_and_commit(client, content, on_duplicate="skip"):
    token = token_of(upload(client, content, on_duplicate=on_duplicate))
    page = client.get(f"/customers/import/{token}").get_data(as_text=True)
    return post(client, f"/customers/import/{token}/commit", {"plan_key": plan_key(page)}, follow_redirects=True)


def stored_uploads(app):
    folder = os.path.join(app.config["UPLOAD_DIR"], "imports")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def text(response):
    return response.get_data(as_text=True)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_utf8_bom_and_gbk_files_with_chinese_text_import(app, support, encoding):
    response = preview_and_commit(support, (HEADER + ROW).encode(encoding))
    assert response.status_code == 200
    assert "Import finished" in text(response)
    customer = Customer.get(Customer.name == "上海明远贸易有限公司")
    assert (customer.industry, customer.region, customer.phone, customer.source, customer.status, customer.tier) == (
        "制造业", "上海", "021-5555 1234", "trade_show", "prospect", "B")
    assert customer.owner_id is None  # no owner column: the pool
    contact = Contact.get(Contact.customer == customer)
    assert (contact.name, contact.title, contact.phone, contact.email, contact.wechat, contact.is_primary) == (
        "王芳", "采购经理", "138 0000 0000", "wang@example.com", "wangfang", True)
    assert [(t.old_tier, t.new_tier, t.reason) for t in TierChange.select().where(TierChange.customer == customer)] \
        == [(None, "B", "import")]
    assert [n for n in stored_uploads(app) if n.endswith(".csv")] == []  # the upload is gone once committed


def test_preview_shows_the_guessed_mapping_and_rows_before_anything_is_written(app, support):
    token = token_of(upload(support, HEADER + ROW + "北京新科技术有限公司,软件,北京,,网站注册,线索,,,,,,\n"))
    page = text(support.get(f"/customers/import/{token}"))
    assert '<option selected value="0">客户名称</option>' in page
    assert '<option selected value="10">邮箱</option>' in page
    assert "上海明远贸易有限公司" in page and "北京新科技术有限公司" in page
    assert page.count("Will create</span>") == 2
    assert 'data-label="Result"' in page
    assert Customer.select().count() == 0


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(app, support, delimiter):
    content = f"Name{delimiter}Region{delimiter}Phone\nAcme, Inc.{delimiter}Zhejiang{delimiter}+86 571 1234 ext 5\n"
    response = preview_and_commit(support, content)
    assert response.status_code == 200
    acme = Customer.get(Customer.name == "Acme, Inc.")
    assert (acme.region, acme.phone, acme.source, acme.status, acme.tier) == (
        "Zhejiang", "+86 571 1234 ext 5", "other", "lead", "C")


def test_utf16_file_is_refused_with_a_clear_message(app, support):
    response = upload(support, (HEADER + ROW).encode("utf-16"))
    assert response.status_code == 422
    assert "The file is not UTF-8 or GBK text" in text(response)
    assert "CSV UTF-8" in text(response)
    assert stored_uploads(app) == []


def test_a_binary_or_excel_file_is_refused(app, support):
    assert "not UTF-8 or GBK text" in text(upload(support, bytes(range(256)) * 4))
    assert "This is an Excel workbook" in text(upload(support, b"PK\x03\x04" + b"\x14" * 200, "customers.xlsx"))
    assert "not UTF-8 or GBK text" in text(upload(support, "名称\n上海\n".encode("utf-8")[:-2] + b"\xff\xfe\xfa\n"))


def test_a_file_of_100000_rows_is_refused_quickly(app, support):
    content = b"name,region\n" + b"".join(b"Customer %d,Shanghai\n" % i for i in range(100_000))
    assert len(content) < imports.MAX_BYTES
    started = time.perf_counter()
    response = upload(support, content)
    elapsed = time.perf_counter() - started
    assert response.status_code == 422
    assert "The file has more than 10,000 rows. Split it into files of at most 10,000 rows" in text(response)
    assert elapsed < 2, elapsed
    assert stored_uploads(app) == [] and Customer.select().count() == 0


def test_a_file_over_5_mb_is_refused(app, support):
    content = b"name,notes\n" + b"x,%s\n" % (b"y" * (imports.MAX_BYTES))
    response = upload(support, content)
    assert response.status_code == 422
    assert "The file is larger than 5 MB. Split it" in text(response)


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (b"\n\n , \n", "The file is empty."),
    ("客户名称,地区\n".encode(), "The file has a header row but no customers below it."),
])
def test_empty_and_header_only_files_are_refused(app, support, content, message):
    response = upload(support, content)
    assert response.status_code == 422 and message in text(response)


def test_no_file_chosen(app, support):
    response = post(support, "/customers/import", {"on_duplicate": "skip"})
    assert response.status_code == 422 and "Choose a CSV file." in text(response)


def test_missing_name_column_is_explained_and_can_be_mapped_by_hand(app, support):
    token = token_of(upload(support, "Firma,行业\n杭州云海科技有限公司,软件\n"))
    page = text(support.get(f"/customers/import/{token}"))
    assert "Choose the column that holds the customer name." in page
    assert 'name="plan_key"' not in page  # no commit without a name column
    mapping = {t: "" for t in imports.TARGETS}
    mapping.update(name="", industry="1", on_duplicate="skip")
    refused = post(support, f"/customers/import/{token}", mapping)
    assert refused.status_code == 422 and "Choose the column that holds the customer name." in text(refused)
    mapping["name"] = "0"
    assert post(support, f"/customers/import/{token}", mapping).status_code == 303
    page = text(support.get(f"/customers/import/{token}"))
    assert "Will create</span>" in page and '<option selected value="0">Firma</option>' in page
    assert post(support, f"/customers/import/{token}/commit", {"plan_key": plan_key(page)}).status_code == 303
    assert Customer.get(Customer.name == "杭州云海科技有限公司").industry == "软件"


def test_cli_refuses_a_file_without_a_name_column(app):
    result = run_cli(app, "Firma,行业\n杭州云海科技有限公司,软件\n")
    assert result.exit_code != 0 and "no column holds the customer name" in result.output


def test_row_errors_are_listed_and_block_the_commit(app, support, make):
    gone = make.user("rep", email="gone@example.com")
    User.update(active=False).where(User.id == gone.id).execute()
    make.user("support", email="helper@example.com")
    rows = [
        "name,phone,source,status,tier,owner_email,contact_name,contact_email",
        "Good Co,010-1234 5678,referral,customer,A,,,",
        "Bad Phone,call me,,,,,,",
        ",,,,,,,",  # blank rows are ignored
        ",010,,,,,,",
        "X" * 201 + ",,,,,,,",
        "Bad Source,,newspaper,,,,,",
        "Bad Status,,,asleep,,,,",
        "Bad Tier,,,,D,,,",
        "Inactive Owner,,,,,gone@example.com,,",
        "Support Owner,,,,,helper@example.com,,",
        "Nobody Owner,,,,,nobody@example.com,,",
        "Bad Email,,,,,,Li Lei,li.lei@",
        "No Contact Name,,,,,,,li@example.com",
    ]
    token = token_of(upload(support, "\n".join(rows) + "\n"))
    page = text(support.get(f"/customers/import/{token}"))
    assert "Nothing can be imported while rows have errors." in page
    for expected in ("Row 3 · Phone: Use digits, spaces, + - ( ) and “ext” or “转” only.",
                     "Row 5 · Customer name: This field is required.",
                     "Row 6 · Customer name: At most 200 characters.",
                     "Row 7 · Source: “newspaper” is not one of:",
                     "Row 8 · Status: “asleep” is not one of:",
                     "Row 9 · Tier: Use A, B or C.",
                     "Row 10 · Owner (email): No active rep or manager you may assign has the email gone@example.com.",
                     "Row 11 · Owner (email): No active rep or manager you may assign has the email helper@example.com.",
                     "Row 12 · Owner (email): No active rep or manager you may assign has the email nobody@example.com.",
                     "Row 13 · Contact email: Enter a valid email address.",
                     "Row 14 · Contact name: A contact needs a name."):
        assert expected in page, expected
    assert 'name="plan_key"' not in page
    from salesweb.customers.imports import _plan_key
    mapping = imports.guess_mapping(rows[0].split(","))
    response = post(support, f"/customers/import/{token}/commit", {"plan_key": _plan_key(mapping, "skip")})
    assert response.status_code == 422
    assert "Nothing was imported: rows with errors: 11." in text(response)
    assert Customer.select().count() == 0 and Contact.select().count() == 0
    assert not AuditEvent.select().where(AuditEvent.action == "import").exists()
    assert stored_uploads(app)  # kept, the user may still look at the preview


def test_duplicates_in_the_database_and_within_the_file_are_flagged_and_skipped(app, support, make):
    rep = make.user("rep", email="rep@example.com")
    make.customer(rep, name="上海明远贸易有限公司", region="上海")
    content = ("客户名称,地区,负责人邮箱\n"
               "上海明远贸易,浙江,\n"
               "北京新科技术有限公司,北京,REP@example.com\n"
               "北京新科技术,北京,\n"
               '"Acme Co., Ltd.",Tianjin,\n')
    token = token_of(upload(support, content))
    page = text(support.get(f"/customers/import/{token}"))
    assert "Duplicate, skipped</span> Already exists as “上海明远贸易有限公司”." in page
    assert "Repeated in the file, skipped</span> Same customer as row 3." in page
    assert page.count("Will create</span>") == 2
    response = post(support, f"/customers/import/{token}/commit", {"plan_key": plan_key(page)}, follow_redirects=True)
    report = text(response)
    assert '<dd class="import-created">2</dd>' in report
    assert '<dd class="import-updated">0</dd>' in report
    assert '<dd class="import-skipped">2</dd>' in report
    assert "上海明远贸易" in report and "北京新科技术" in report
    assert Customer.select().where(Customer.name_key == "上海明远贸易").count() == 1
    assert Customer.get(Customer.name == "上海明远贸易有限公司").region == "上海"  # not touched
    assert Customer.get(Customer.name == "北京新科技术有限公司").owner_id == rep.id
    assert Customer.get(Customer.name == "Acme Co., Ltd.").owner_id is None
    event = AuditEvent.get(AuditEvent.action == "import")
    assert event.summary.startswith("created 2, updated 0, skipped 2 (upload ") and event.actor.name == "Support"


def test_update_mode_updates_existing_customers(app, signed_in, make):
    client, _ = signed_in("ops", name="Ops")
    rep = make.user("rep", email="rep@example.com")
    other = make.user("manager", email="boss@example.com", name="Boss")
    existing = make.customer(rep, name="Acme Trading Co., Ltd.", region="", phone="010 1111", status="prospect")
    locked = make.customer(rep, name="Locked Co")
    Customer.update(tier_locked=True).where(Customer.id == locked.id).execute()
    content = ("name,region,phone,status,tier,owner email,contact,title,mobile\n"
               "ACME trading,Shanghai,,customer,A,boss@example.com,Li Lei,Buyer,139 1234 5678\n"
               "locked co.,Beijing,,,B,,,,\n"
               "New One,Hebei,,,,,,,\n")
    token = token_of(upload(client, content, on_duplicate="update"))
    page = text(client.get(f"/customers/import/{token}"))
    assert "<dt>Will create</dt><dd>1</dd>" in page and "<dt>Will update</dt><dd>2</dd>" in page
    response = post(client, f"/customers/import/{token}/commit", {"plan_key": plan_key(page)}, follow_redirects=True)
    assert response.status_code == 200
    report = text(response)
    assert '<dd class="import-created">1</dd>' in report and '<dd class="import-updated">2</dd>' in report
    acme = Customer.get_by_id(existing.id)
    assert (acme.name, acme.region, acme.phone, acme.status, acme.tier, acme.owner_id) == (
        "Acme Trading Co., Ltd.", "Shanghai", "010 1111", "customer", "A", other.id)
    assert TierChange.select().where((TierChange.customer == acme) & (TierChange.reason == "import")).count() == 1
    assert [(c.name, c.title, c.phone, c.is_primary) for c in acme.contacts] == [("Li Lei", "Buyer", "139 1234 5678", True)]
    locked = Customer.get(Customer.name == "Locked Co")
    assert (locked.region, locked.tier, locked.owner_id) == ("Beijing", "C", rep.id)  # a locked tier stays
    assert Customer.select().count() == 3


def test_update_of_a_contact_with_the_same_name_edits_it(app, support, make):
    customer = make.customer(None, name="Blue Sky Tech")
    from salesweb.customers import rules as customers
    customers.save_contact(customer, None, {"name": "Li Lei", "email": "old@example.com", "title": "CTO"},
                           make.user("ops"))
    response = preview_and_commit(support, "name,contact name,contact email\nBlue Sky Tech,li lei,new@example.com\n",
                                  on_duplicate="update")
    assert response.status_code == 200
    contact = Contact.get(Contact.customer == customer)
    assert (contact.name, contact.email, contact.title, contact.is_primary) == ("Li Lei", "new@example.com", "CTO", True)
    assert Contact.select().count() == 1


def test_the_on_duplicate_choice_can_be_changed_on_the_preview(app, support, make):
    make.customer(None, name="Acme")
    token = token_of(upload(support, "name,region\nAcme,Shanghai\n"))
    assert "Duplicate, skipped" in text(support.get(f"/customers/import/{token}"))
    mapping = {t: "" for t in imports.TARGETS}
    mapping.update(name="0", region="1", on_duplicate="update")
    assert post(support, f"/customers/import/{token}", mapping).status_code == 303
    page = text(support.get(f"/customers/import/{token}"))
    assert "Will update</span>" in page
    assert post(support, f"/customers/import/{token}/commit", {"plan_key": plan_key(page)}).status_code == 303
    assert Customer.get(Customer.name == "Acme").region == "Shanghai"


def test_a_stale_preview_cannot_be_committed(app, support):
    token = token_of(upload(support, "name,region\nAcme,Shanghai\n"))
    page = text(support.get(f"/customers/import/{token}"))
    mapping = {t: "" for t in imports.TARGETS}
    mapping.update(name="0", on_duplicate="skip")
    post(support, f"/customers/import/{token}", mapping)  # changed in another tab
    response = post(support, f"/customers/import/{token}/commit", {"plan_key": plan_key(page)})
    assert response.status_code == 303
    assert "The mapping changed in another window" in text(support.get(response.headers["Location"]))
    assert Customer.select().count() == 0


def test_only_support_and_ops_may_import(app, signed_in):
    owner, _ = signed_in("support")
    token = token_of(upload(owner, "name\nAcme\n"))
    for role in ("rep", "manager", "admin"):
        client, _ = signed_in(role)
        assert client.get("/customers/import").status_code == 403, role
        assert upload(client, "name\nAcme\n").status_code == 403, role
        assert client.get(f"/customers/import/{token}").status_code == 403, role
        assert post(client, f"/customers/import/{token}/commit", {"plan_key": "x"}).status_code == 403, role
    ops, _ = signed_in("ops")
    assert ops.get("/customers/import").status_code == 200
    assert Customer.select().count() == 0


def test_signed_out_users_are_sent_to_sign_in(app, client):
    response = client.get("/customers/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_users_upload_cannot_be_seen_or_committed(app, signed_in):
    alice, _ = signed_in("support")
    token = token_of(upload(alice, "name\nAcme\n"))
    key = plan_key(text(alice.get(f"/customers/import/{token}")))
    for role in ("support", "ops"):
        other, _ = signed_in(role)
        assert other.get(f"/customers/import/{token}").status_code == 404
        assert post(other, f"/customers/import/{token}", {"name": "0", "on_duplicate": "skip"}).status_code == 404
        assert post(other, f"/customers/import/{token}/commit", {"plan_key": key}).status_code == 404
    assert alice.get("/customers/import/not-a-real-token-at-all").status_code == 404
    assert alice.get("/customers/import/..%2F..%2Fsecret").status_code == 404
    assert Customer.select().count() == 0 and len(stored_uploads(app)) == 2


def test_a_committed_upload_cannot_be_committed_again_and_its_report_stays_private(app, signed_in):
    support, _ = signed_in("support")
    token = token_of(upload(support, "name\nAcme\nAcme Inc.\n"))
    key = plan_key(text(support.get(f"/customers/import/{token}")))
    committed = post(support, f"/customers/import/{token}/commit", {"plan_key": key})
    assert committed.status_code == 303 and committed.headers["Location"].endswith(f"/customers/import/{token}/report")
    report = text(support.get(f"/customers/import/{token}/report"))  # a reload shows the report again
    assert '<dd class="import-created">1</dd>' in report and "Same customer as row 2." in report
    assert post(support, f"/customers/import/{token}/commit", {"plan_key": key}).status_code == 404
    assert support.get(f"/customers/import/{token}").status_code == 404
    other, _ = signed_in("support")
    assert other.get(f"/customers/import/{token}/report").status_code == 404
    assert Customer.select().count() == 1


def test_commit_needs_the_csrf_token(app, support):
    token = token_of(upload(support, "name\nAcme\n"))
    key = plan_key(text(support.get(f"/customers/import/{token}")))
    response = support.post(f"/customers/import/{token}/commit", data={"plan_key": key})
    assert response.status_code == 400
    assert Customer.select().count() == 0


def test_uploads_older_than_a_day_are_removed_when_a_new_import_starts(app, support):
    old = token_of(upload(support, "name\nOld\n"))
    folder = os.path.join(app.config["UPLOAD_DIR"], "imports")
    day_ago = time.time() - 25 * 3600
    for name in os.listdir(folder):
        os.utime(os.path.join(folder, name), (day_ago, day_ago))
    new = token_of(upload(support, "name\nNew\n"))
    assert stored_uploads(app) == sorted([f"{new}.csv", f"{new}.json"])
    assert support.get(f"/customers/import/{old}").status_code == 404


def test_preview_shows_50_rows_but_counts_the_whole_file(app, support, make):
    make.customer(None, name="Customer 70")
    content = "name\n" + "".join(f"Customer {i}\n" for i in range(120)) + "Customer 3\n"
    token = token_of(upload(support, content))
    page = text(support.get(f"/customers/import/{token}"))
    assert "The first 50 rows" in page
    assert page.count('<td data-label="Row">') == 50
    assert "<dt>Rows</dt><dd>121</dd>" in page
    assert "<dt>Will create</dt><dd>119</dd>" in page and "<dt>Skipped</dt><dd>2</dd>" in page


def test_checking_rows_takes_the_same_queries_for_10_and_500_rows(app, make):
    by = make.user("support")
    owners = [make.user("rep", email=f"r{i}@example.com") for i in range(3)]
    for i in range(20):
        make.customer(owners[i % 3], name=f"Customer {i}")

    def queries(n):
        content = "name,owner_email\n" + "".join(f"Customer {i},r{i % 3}@example.com\n" for i in range(n))
        table = imports.read(content.encode())
        with count_queries() as sent:
            plan = imports.plan(table, imports.guess_mapping(table.header), by)
        assert not plan.errors
        return len(sent)

    assert queries(10) == queries(500) <= 2


# The command line

def run_cli(app, content, *args, name="customers.csv"):
    path = os.path.join(os.path.dirname(app.config["UPLOAD_DIR"]), name)
    with open(path, "wb") as fh:
        fh.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    return app.test_cli_runner().invoke(args=["import-customers", path, *args])


def test_cli_imports_a_file(app, make):
    rep = make.user("rep", email="rep@example.com")
    make.customer(None, name="上海明远贸易有限公司")
    content = (HEADER + ROW + "杭州云海科技有限公司,软件,浙江,,,,,,,,,\n").encode("gbk")
    result = run_cli(app, content, "--owner-email", "REP@example.com")
    assert result.exit_code == 0, result.output
    assert "Created 1, updated 0, skipped 1." in result.output
    assert "skipped row 2: 上海明远贸易有限公司" in result.output
    created = Customer.get(Customer.name == "杭州云海科技有限公司")
    assert (created.owner_id, created.region, created.created_by_id) == (rep.id, "浙江", None)
    event = AuditEvent.get(AuditEvent.action == "import")
    assert event.actor_id is None and event.summary == "created 1, updated 0, skipped 1"


def test_cli_update_mode(app, make):
    make.customer(None, name="Acme")
    result = run_cli(app, "name,region\nAcme,Shanghai\n", "--update")
    assert result.exit_code == 0 and "Created 0, updated 1, skipped 0." in result.output
    assert Customer.get(Customer.name == "Acme").region == "Shanghai"


def test_cli_refuses_bad_files_and_writes_nothing(app, make):
    rows = "name,contact,contact_email\n" + "".join(f"Bad {i},Li,nope{i}\n" for i in range(25)) + "Good,Li,ok@example.com\n"
    result = run_cli(app, rows)
    assert result.exit_code != 0
    assert "row 2: Contact email: Enter a valid email address." in result.output
    assert "row 21:" in result.output and "row 22:" not in result.output
    assert "... and 5 more row(s) with errors" in result.output
    assert "25 row(s) have errors; nothing was imported." in result.output
    utf16 = run_cli(app, "name\nAcme\n".encode("utf-16"))
    assert utf16.exit_code != 0 and "not UTF-8 or GBK text" in utf16.output
    owner = run_cli(app, "name\nAcme\n", "--owner-email", "nobody@example.com")
    assert owner.exit_code != 0 and "No active rep or manager you may assign has the email nobody@example.com" \
        in owner.output
    assert Customer.select().count() == 0


def test_a_big5_file_is_refused_not_read_as_gbk(app, support):
    response = upload(support, (HEADER + ROW).encode("big5", errors="ignore").replace(b"\n", b"\r\n") +
                      "臺灣貿易股份有限公司,電子,臺北,02-2345,其他,客戶,C,張三,經理,0912,a@b.tw,x\n".encode("big5"))
    assert response.status_code == 422
    assert "not UTF-8 or GBK" in text(response)
    assert stored_uploads(app) == []


def test_a_long_phone_cell_is_checked_in_linear_time(app, make):
    content = ("客户名称,电话\n" + "".join(f"公司{i},{'1' * 20000}x\n" for i in range(20))).encode()
    started = time.monotonic()
    table = imports.read(content)
    plan = imports.plan(table, imports.guess_mapping(table.header), make.user("ops"))
    assert time.monotonic() - started < 2
    assert len(plan.errors) == 20


def test_two_commits_racing_on_one_upload_import_it_once(app, support, signed_in):
    """Both requests have loaded the upload; only the one that takes it commits."""
    token = token_of(upload(support, HEADER + ROW))
    user_id = User.get(User.role == "support").id
    first, second = (imports.load(app.config["UPLOAD_DIR"], token, user_id) for _ in range(2))
    assert imports.take(app.config["UPLOAD_DIR"], first) is True
    assert imports.take(app.config["UPLOAD_DIR"], second) is False
    imports.put_back(app.config["UPLOAD_DIR"], first)
    key = plan_key(support.get(f"/customers/import/{token}").get_data(as_text=True))
    assert post(support, f"/customers/import/{token}/commit", {"plan_key": key}).status_code == 303
    assert post(support, f"/customers/import/{token}/commit", {"plan_key": key}).status_code == 404
    assert Customer.select().count() == 1


def test_a_commit_whose_process_died_is_finished_or_put_back_by_what_the_database_says(app, support, signed_in):
    """Killed after its rows were committed: finished, with a report. Killed before: put back, to commit again."""
    import os
    import subprocess
    import sys
    uploads = app.config["UPLOAD_DIR"]
    user = User.get(User.role == "support")
    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)  # a process that has ended
    folder = __import__("pathlib").Path(uploads) / "imports"

    def as_if_killed(upload):
        os.replace(folder / f"{upload.token}.committing-{os.getpid()}", folder / f"{upload.token}.committing-{gone}")

    committed = imports.load(uploads, token_of(upload(support, HEADER + ROW)), user.id)
    imports.take(uploads, committed)
    table = imports.read(committed.data)
    imports.commit(imports.plan(table, imports.guess_mapping(table.header), user), user, settings.current(), committed)
    as_if_killed(committed)
    never = imports.load(uploads, token_of(upload(support, HEADER + "上海新客户有限公司,上海\n")), user.id)
    imports.take(uploads, never)
    as_if_killed(never)
    running = imports.load(uploads, token_of(upload(support, HEADER + "杭州新客户有限公司,杭州\n")), user.id)
    imports.take(uploads, running)  # this process is alive: its commit is under way and not touched
    assert imports.recover(uploads) == 2
    assert imports.load_report(uploads, committed.token, user.id).created == 1
    assert imports.load(uploads, never.token, user.id) is not None  # can be committed again
    assert (folder / f"{running.token}.committing-{os.getpid()}").exists()
    assert Customer.select().count() == 1


def test_a_dead_commit_settled_by_another_worker_first_is_no_error(app, support, signed_in, monkeypatch):
    """Two workers starting together both find the same leftover; the one that comes second moves on."""
    import os
    import subprocess
    import sys
    uploads = app.config["UPLOAD_DIR"]
    user = User.get(User.role == "support")
    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    left = imports.load(uploads, token_of(upload(support, HEADER + ROW)), user.id)
    imports.take(uploads, left)
    folder = __import__("pathlib").Path(uploads) / "imports"
    os.replace(folder / f"{left.token}.committing-{os.getpid()}", folder / f"{left.token}.committing-{gone}")
    real = imports.put_back

    def the_other_worker_was_first(upload_dir, found, pid=None):
        real(upload_dir, found, pid)
        real(upload_dir, found, pid)  # as the second worker would: the file is gone
    monkeypatch.setattr(imports, "put_back", the_other_worker_was_first)
    assert imports.recover(uploads) == 0
    assert imports.load(uploads, left.token, user.id) is not None

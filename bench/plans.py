"""Which statements of the bench's pages read a large table whole, or sort it, instead of seeking an index.

    python bench/plans.py [--scale large|xl] [--statistics with|without|both]
    DATABASE_URL=postgresql://... python bench/plans.py     # the bench's PostgreSQL copies (make bench made them)

Each page of bench/bench.py is requested once on the bench data (`make bench` builds it); every statement it sends
is explained (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN) and a step is reported when it reads a table of more
than --rows rows from end to end (a table or whole-index scan), or when a page of a list is sorted in a temporary
b-tree after its rows were read and the statement takes more than --slow-ms.
Run without and with ANALYZE statistics: a list must find its rows by an index either way. Exits non-zero when a
page has such a step, so that a list whose filter and order no index matches is found before users meet it."""
import argparse
import logging
import os
import pathlib
import re
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench  # noqa: E402
from salesweb.core.db import close_all, db  # noqa: E402


class Statements(logging.Handler):
    """The statements peewee sends, with their values."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.found = []

    def emit(self, record):
        if isinstance(record.msg, tuple):
            self.found.append(record.msg)


def sent(send):
    logger, handler = logging.getLogger("peewee"), Statements()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        send()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.found


def table_rows(sqlite):
    """{table: rows} of the database's tables."""
    if sqlite:
        names = [n for (n,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
    else:
        names = [n for (n,) in db.execute_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return {name: db.execute_sql(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def took_ms(sql, params):
    """The statement's time, the least of three runs."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        db.execute_sql(sql, params).fetchall()
        spent = (time.perf_counter() - started) * 1000
        best = spent if best is None else min(best, spent)
    return best


def findings(sql, params, sqlite, big, slow_ms):
    """The plan steps of one statement that read a large table whole, or that sort many rows to take one page of
    a list (a sort in a statement that takes more than `slow_ms`: sorting a column's few cards is no matter)."""
    found, paged = [], " LIMIT " in sql.upper()
    if sqlite:
        aliases = _aliases(sql)
        for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall():
            step = row[3]
            scan = re.match(r"SCAN (\w+)", step)
            if scan and aliases.get(scan.group(1), scan.group(1)) in big:
                found.append(f"{step} ({big[aliases.get(scan.group(1), scan.group(1))]:,} rows)")
            elif step.startswith("USE TEMP B-TREE FOR ORDER BY") and paged:
                spent = took_ms(sql, params)
                if spent > slow_ms:
                    found.append(f"{step} (a page of a list sorted after reading its rows: {spent:.1f} ms)")
    else:
        for (line,) in db.execute_sql("EXPLAIN " + sql, params).fetchall():
            match = re.search(r"Seq Scan on (\w+)", line)
            if match and match.group(1) in big:
                found.append(f"{line.strip()} ({big[match.group(1)]:,} rows)")
    return found


def _aliases(sql):
    """{alias: table} of the tables a statement names (peewee writes `"table" AS "t1"`)."""
    return {alias: table for table, alias in re.findall(r'(?:FROM|JOIN) "(\w+)" AS "(\w+)"', sql)}


def check(directory, scale, url, rows_limit, slow_ms):
    app = bench.serving(directory, scale, url)
    users = bench.clients(app)
    page_list = bench.measured_pages(app)
    sqlite = url.startswith("sqlite")
    with app.app_context():
        big = {t: n for t, n in table_rows(sqlite).items() if n > rows_limit}
    csrf = {role: bench.csrf_of(c.get("/account/password" if role != "anonymous" else "/login").get_data(as_text=True))
            for role, c in users.items()}
    report = {}
    for name, role, method, path, data, fragment in page_list:
        form = bench.posted(app, method, data, csrf[role])
        statements = sent(lambda: bench.send(users[role], method, path, form, fragment).get_data())
        with app.app_context():
            steps = [(sql, step) for sql, params in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))
                     for step in findings(sql, params, sqlite, big, slow_ms)]
        if steps:
            report[name] = steps
    close_all()
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=str(ROOT / "instance" / "bench"))
    parser.add_argument("--scale", choices=("large", "xl"), default="large")
    parser.add_argument("--statistics", choices=("with", "without", "both"), default="both")
    parser.add_argument("--rows", type=int, default=5000, help="a table larger than this must not be read whole")
    parser.add_argument("--slow-ms", type=float, default=1.0, help="a sort for a page of a list that takes longer")
    args = parser.parse_args()
    directory = pathlib.Path(args.dir)
    url = os.environ.get("DATABASE_URL")
    data = bench.PostgreSQLData(url, directory) if url and url.startswith("postgres") else bench.SQLiteData(directory)
    target = data.prepare(args.scale)
    missed = False
    for analysed in {"with": (True,), "without": (False,), "both": (False, True)}[args.statistics]:
        data.set_statistics(target, analysed)
        print(f"\n{args.scale} data, {'with' if analysed else 'without'} ANALYZE statistics")
        report = check(directory, args.scale, target, args.rows, args.slow_ms)
        for page, steps in report.items():
            missed = True
            print(f"  {page}")
            for sql, step in steps:
                print(f"      {step}\n        in {sql[:160]}")
        if not report:
            print("  every statement finds its rows by an index")
    data.finish(args.scale)
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()

"""The README's performance table from the two engines' results: `python bench/table.py` after `make bench` and
`DATABASE_URL=postgresql://... make bench` (reads instance/bench/results-sqlite.json and results-postgresql.json)."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load(engine, directory):
    path = directory / f"results-{engine}.json"
    return json.loads(path.read_text()) if path.exists() else None


def main():
    directory = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "instance" / "bench"
    sqlite, postgresql = load("sqlite", directory), load("postgresql", directory)
    if sqlite is None:
        raise SystemExit(f"no results-sqlite.json in {directory}: run make bench first")
    pg_rows = {row["page"]: row for row in (postgresql or {}).get("pages", [])}
    print("| page | queries | SQLite cold ms | floor ms | x floor | PostgreSQL cold ms | x floor | first KB |")
    print("|---|---|---|---|---|---|---|---|")
    for row in sqlite["pages"]:
        pg = pg_rows.get(row["page"])
        queries = str(row["queries"])
        if pg and pg["queries"] != row["queries"]:
            queries += f" ({pg['queries']} on PostgreSQL)"
        first = f"{row['first_load_gzip_bytes'] / 1024:.1f}" if row["first_load_gzip_bytes"] else ""
        pg_cells = f"{pg['cold_median_ms']:.2f} | {pg['ratio']:.1f}" if pg else "— | —"
        print(f"| {row['page']} | {queries} | {row['cold_median_ms']:.2f} | {row['floor_ms']:.2f} | {row['ratio']:.1f} "
              f"| {pg_cells} | {first} |")

if __name__ == "__main__":
    main()

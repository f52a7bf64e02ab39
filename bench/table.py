"""The README's performance tables from the two engines' results: `python bench/table.py` after `make bench` and
`DATABASE_URL=postgresql://... make bench` (reads instance/bench/results-sqlite.json and results-postgresql.json,
each from a run of both scales). One table without ANALYZE statistics, one with them; in each, per engine, the cold
median on the large data, its ratio to the signed-in floor, the cold median on the xl data and the growth (the xl
ratio to the floor over the large one, as bench.py reports it)."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load(engine, directory):
    path = directory / f"results-{engine}.json"
    return json.loads(path.read_text()) if path.exists() else None


def by_scale(results, analysed):
    """{scale: {page: row}} of the runs with (or without) statistics."""
    return {run["scale"]: {row["page"]: row for row in run["pages"]}
            for run in (results or {}).get("runs", []) if run["statistics"] == analysed}


def cells(runs, page):
    large, xl = runs.get("large", {}).get(page), runs.get("xl", {}).get(page)
    return [f"{large['cold_median_ms']:.2f}" if large else "—", f"{large['ratio']:.1f}" if large else "—",
            f"{xl['cold_median_ms']:.2f}" if xl else "—",
            f"{xl['ratio'] / large['ratio']:.2f}" if large and xl else "—"]  # as bench.growth: each over its floor


def main():
    directory = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "instance" / "bench"
    sqlite, postgresql = load("sqlite", directory), load("postgresql", directory)
    if sqlite is None:
        raise SystemExit(f"no results-sqlite.json in {directory}: run make bench first")
    for analysed in (False, True):
        lite, pg = by_scale(sqlite, analysed), by_scale(postgresql, analysed)
        first_run = next(iter(lite.values()))
        print(f"\n{'With' if analysed else 'Without'} ANALYZE statistics, cold median in ms:\n")
        print("| page | queries | SQLite large | x floor | xl | growth | PostgreSQL large | x floor | xl | growth "
              "| first KB |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for page, row in first_run.items():
            queries = str(row["queries"])
            pg_counts = {rows[page]["queries"] for rows in pg.values() if page in rows}
            if pg_counts and pg_counts != {row["queries"]}:
                queries += f" ({'/'.join(map(str, sorted(pg_counts)))} on PostgreSQL)"
            first = f"{row['first_load_gzip_bytes'] / 1024:.1f}" if row["first_load_gzip_bytes"] else ""
            print(f"| {page} | {queries} | " + " | ".join(cells(lite, page) + cells(pg, page)) + f" | {first} |")
    for name, results in (("SQLite", sqlite), ("PostgreSQL", postgresql)):
        if results:
            print(f"\n{name}, {results['when']}, {results['rounds']} requests per page: "
                  + "; ".join(f"{run['scale']} data " + ", ".join(f"{v:,} {k}" for k, v in run["data"].items())
                              for run in results["runs"] if not run["statistics"]))


if __name__ == "__main__":
    main()

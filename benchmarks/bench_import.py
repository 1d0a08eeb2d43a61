"""Issue 15: ``card import`` of a 5,000-row requests file (40 bad rows, --partial) as
XLSX and as CSV, in process on a durable SQLite office (WAL, synchronous=FULL): wall
time and peak memory (the child process's maximum resident size; and, in one more run
with tracemalloc on, whose time is not counted, the peak of Python allocations during
the import), beside the same 4,960 requests made one
`request_card` call (one transaction) each. Each variant runs in a child process of
its own, so its resident size is its own.

``.venv/bin/python benchmarks/run.py bench_import``
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from harness import median, report

ROWS, BAD = 5000, 40
HEADER = ["nik", "name", "kk", "village", "reason", "evidence"]
JABON = "35.17.09.2018"


def _name(n: int) -> str:
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[digit]
        if not n:
            return f"Warga {letters.capitalize()}"


def rows() -> list[list[str]]:
    """5,000 rows: 4,960 good ones and 40 bad (E-notation, 15 digits, unknown village,
    a lost card without evidence), spread through the file."""
    good = []
    for n in range(ROWS - BAD):
        serial = n * 10 + 1
        nik = f"351709{1 + serial // 10000 % 28:02d}0385{serial % 10000:04d}"
        good.append([nik, _name(n), nik[:6] + "0101100" + nik[-3:], JABON, "new", ""])
    bad_kinds = [["3.51709E+15", "Nama E", "3517090101100001", JABON, "new", ""],
                 ["351709010385000", "Nama Pendek", "3517090101100001", JABON, "new", ""],
                 ["3517090103859971", "Desa Salah", "3517090101100001", "99.99.99.9999", "new", ""],
                 ["3517090103859951", "Hilang", "3517090101100001", JABON, "lost", ""]]
    table = list(good)
    for k in range(BAD):
        table.insert(k * (ROWS // BAD), bad_kinds[k % len(bad_kinds)])
    return table


def write_file(kind: str, path: Path) -> None:
    """The rows as an XLSX workbook (text cells) or a semicolon CSV."""
    table = [HEADER, *rows()]
    if kind == "xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("requests")
        for row in table:
            sheet.append(row)
        book.save(path)
    else:
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(table)
        path.write_text(out.getvalue(), encoding="utf-8")


def child(kind: str, path: str, db: str, traced: str) -> None:
    """One measured run (in its own process): prints its figures as JSON. `traced`
    ("1"): with tracemalloc on, for the peak of Python allocations only (it slows
    Python several times over, so its time is not reported)."""
    from staff import BENCH_HOST, OPERATOR, enrol

    from ektp.adapters.files import read_limited
    from ektp.adapters.spreadsheet.files import read_table_file
    from ektp.application.card.bulk import HEADER_ALIASES, REQUEST_COLUMNS, REQUESTS_FILE
    from ektp.application.tables.table import MAX_FILE_BYTES
    from ektp.entrypoints.composition import open_office

    office = enrol(open_office(f"sqlite:///{db}", identity=BENCH_HOST))
    office.regions.get(JABON)  # the region list loaded before timing, as in every benchmark
    if traced == "1":
        tracemalloc.start()
    started = time.perf_counter()
    if kind == "single":
        for row in rows():
            try:
                office.cards.request_card(OPERATOR, nik=row[0], name=row[1], kk=row[2],
                                          village=row[3], reason=row[4], evidence=row[5] or None)
            except Exception:  # the 40 bad rows, refused one by one
                pass
        recorded = ROWS - BAD
    else:
        table = read_table_file(read_limited(path, MAX_FILE_BYTES, REQUESTS_FILE),
                                REQUEST_COLUMNS, REQUESTS_FILE, HEADER_ALIASES, any_encoding=True)
        result = office.cards.import_requests(OPERATOR, table.rows, partial=True)
        assert len(result.bad) == BAD, result.bad[:3]
        recorded = result.recorded
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory() if traced == "1" else (0, 0)
    tracemalloc.stop()
    office.close()
    print(json.dumps({"seconds": elapsed, "peak_mib": peak / 2**20, "recorded": recorded,
                      "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(kind: str, workdir: Path, n: int, traced: bool = False) -> dict[str, float]:
    """Run `kind` in a fresh child process on a fresh office."""
    path = workdir / f"requests-{n}.{'csv' if kind == 'csv' else 'xlsx'}"
    if kind != "single":
        write_file(kind, path)
    db = workdir / f"office-{kind}-{n}-{int(traced)}.db"
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(db),
                           "1" if traced else "0"],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["recorded"] == ROWS - BAD, figures
    return figures


def run(rounds: int = 3) -> dict[str, float]:
    """XLSX, CSV and single requests side by side, `rounds` times; medians."""
    workdir = Path(tempfile.mkdtemp(prefix="ektp-bench-import-"))
    kinds = ("xlsx", "csv", "single")
    seen: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
    for n in range(rounds):
        for kind in kinds:  # alternated, so the machine's load drifts over all alike
            seen[kind].append(measure(kind, workdir, n))
    traced = {kind: measure(kind, workdir, rounds, traced=True)["peak_mib"] for kind in kinds}

    def mid(kind: str, key: str) -> float:
        if key == "peak_mib":
            return traced[kind]
        return median([f[key] for f in seen[kind]])

    lines = [(f"{kind}", f"{mid(kind, 'seconds'):6.2f} s, {mid(kind, 'seconds') / (ROWS - BAD) * 1e3:.2f}"
              f" ms a request; peak {mid(kind, 'peak_mib'):.0f} MiB traced, "
              f"{mid(kind, 'maxrss_mib'):.0f} MiB resident")
             for kind in kinds]
    lines.append(("import (xlsx) / single requests",
                  f"{mid('xlsx', 'seconds') / mid('single', 'seconds'):.2f}x the time"))
    lines.append(("import (csv) / single requests",
                  f"{mid('csv', 'seconds') / mid('single', 'seconds'):.2f}x the time"))
    report(f"card import: {ROWS:,} rows ({BAD} bad, --partial), SQLite WAL synchronous=FULL, "
           f"median of {rounds}", lines)
    return {f"{k}_{key}": mid(k, key) for k in kinds for key in ("seconds", "peak_mib", "maxrss_mib")}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:6])
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        run()

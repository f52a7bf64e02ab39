"""Exports of lists to CSV and XLSX: the same rows either way, and cells a spreadsheet cannot run."""
import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would read as a formula is prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_chunks(header, rows):
    """CSV as UTF-8 with a BOM (so Excel reads Chinese correctly), produced row by row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _text_cell(sheet, value):
    """A cell typed as text: a spreadsheet shows "=1+1" or "+86 21 5555" as written, never runs it."""
    cell = WriteOnlyCell(sheet, value="" if value is None else value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def xlsx_bytes(header, rows, title):
    """An XLSX workbook with one sheet (write-only mode keeps memory flat on long lists)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_text_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

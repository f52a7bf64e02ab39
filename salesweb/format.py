"""Template filters: times in the install's zone, money from minor units, file sizes."""
from flask_babel import format_date, format_datetime, format_decimal


def register(app):
    @app.template_filter("datetime")
    def _datetime(value, style="medium"):
        return format_datetime(value, style) if value else "—"

    @app.template_filter("date")
    def _date(value, style="medium"):
        return format_date(value, style) if value else "—"

    @app.template_filter("money")
    def _money(minor_units):
        return format_decimal((minor_units or 0) / 100, format="#,##0.##")

    @app.template_filter("filesize")
    def _filesize(size):
        size = size or 0
        for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
            if size >= scale:
                return f"{format_decimal(size / scale, format='#,##0.#')} {unit}"
        return f"{size} B"

"""Downloads: CSV streamed row by row, and stored files served so that none can run as a page of this site."""
from flask import Response, current_app, request, send_file, stream_with_context
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from ..infra import storage
from ..infra.exports import csv_chunks


def csv_download(header, rows, filename):
    """A CSV attachment streamed row by row (rows may be a generator reading the database)."""
    response = Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def send_stored(stored, name, inline=False):
    """A stored file as a download: conditional and range requests, the detected type, the original
    (UTF-8) name, never sniffed, and sandboxed so a file can never run as a page of this site. Only an image
    may be shown inline (`inline`); everything else, PDFs included, is an attachment, so no browser viewer
    opens it on this site's origin."""
    inline = inline and stored.kind in storage.IMAGES
    content, stored = storage.open_stored(stored, current_app.config["UPLOAD_DIR"])  # the row its content is of
    response = send_file(content, mimetype=stored.mime, as_attachment=not inline, download_name=name,
                         conditional=False, etag=stored.sha256, max_age=0)
    response.content_length = stored.size  # read from the row: the content is a stream, wherever it is kept
    response.last_modified = stored.created_at
    try:
        response = response.make_conditional(request.environ, accept_ranges=True, complete_length=stored.size)
    except RequestedRangeNotSatisfiable:
        content.close()
        raise
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ("sandbox; default-src 'none'; img-src 'self'; "
                                                   "style-src 'unsafe-inline'")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


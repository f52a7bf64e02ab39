"""What the service worker keeps at install: the app's shell (the styles, scripts and icons every page uses, and the
offline page), and its version, which changes whenever one of those files does, so a new release replaces it."""
import functools
import hashlib
from pathlib import Path

# under static/: what a page needs to draw itself without the network
FILES = ("css/app.css", "vendor/htmx.min.js", "vendor/Sortable.min.js", "js/app.js", "js/bell.js", "js/board.js",
         "js/picker.js", "js/search.js", "js/share.js", "js/upload.js", "js/visit.js", "js/phone.js", "js/outbox.js",
         "js/visit-outbox.js", "favicon.svg", "favicon.ico", "icons/icon-192.png", "icons/icon-512.png", "icons/icon-maskable-512.png",
         "icons/apple-touch-icon.png")
# the templates whose output the worker keeps or is: a change to either is a new version too
TEMPLATES = ("phone/offline.html", "phone/sw.js")


@functools.lru_cache(maxsize=4)
def version(static_folder, template_folder):
    """A short digest of the shell's files and the worker's own templates. The files are the release's, so they are
    read once per process (a new release is a new process)."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((Path(static_folder) / name).read_bytes())
    for name in TEMPLATES:
        digest.update((Path(template_folder) / name).read_bytes())
    return digest.hexdigest()[:16]

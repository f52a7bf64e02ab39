"""Messages translated lazily, with a value a person typed in them, reach the page escaped."""
from flask import render_template_string

from salesweb.core.i18n import _l


def test_a_lazy_message_escapes_what_is_interpolated(app):
    with app.test_request_context():
        message = _l("%(name)s is deactivated.", name="<script>alert(1)</script>")
        page = render_template_string("<p>{{ message }}</p>", message=message)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; is deactivated." in page

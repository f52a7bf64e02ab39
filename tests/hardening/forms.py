"""The forms a user is offered: read from the pages as a browser would (action, method, fields, choices)."""
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)  # name → list of values offered (the first is the page's own)


class _Forms(HTMLParser):
    def __init__(self, page_path):
        super().__init__()
        self.page_path, self.forms, self.current, self.select = page_path, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.current = Form(urlsplit(a.get("action") or self.page_path).path)
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "button" and a.get("formaction"):  # a second action of the same form
            extra = Form(urlsplit(a["formaction"]).path, dict(self.current.fields))
            self.forms.append(extra)
        elif tag in ("input", "textarea", "button") and a.get("name"):
            if a.get("type") == "file":
                self.current.fields.setdefault(a["name"], ["<file>"])
            elif tag != "button" or a.get("value") is not None:
                self.current.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self.select = self.current.fields.setdefault(a["name"], [])
        elif tag == "option" and self.select is not None:
            self.select.append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(page_path, html):
    parser = _Forms(page_path)
    parser.feed(html)
    return parser.forms

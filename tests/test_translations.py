"""Every string the UI shows has a Simplified Chinese translation."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "salesweb" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2),
            "lazy_ngettext": (1, 2)}


def _extracted():
    """(context, msgid) of every marked string, with where it was first seen; context is None for plain gettext."""
    found = {}
    for folder, mapping in (("salesweb", [("**.py", "python")]), ("templates", [("**.html", "jinja2")])):
        for filename, lineno, message, _comments, context in extract_from_dir(
                ROOT / folder, method_map=mapping, keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            found.setdefault((context, msgid), f"{folder}/{filename}:{lineno}")
    return found


def test_every_ui_string_has_a_chinese_translation():
    with open(CATALOGUE, "rb") as fh:
        catalogue = read_po(fh)
    missing = []
    for (context, msgid), where in _extracted().items():
        entry = catalogue.get(msgid, context=context)
        text = entry.string if entry else None
        translated = all(text) if isinstance(text, (tuple, list)) else bool(text)
        if not entry or not translated or entry.fuzzy:
            missing.append(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, "untranslated (run `make extract-messages`, then translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    import re
    with open(CATALOGUE, "rb") as fh:
        catalogue = read_po(fh)
    for entry in catalogue:
        if not entry.id:
            continue
        source = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        target = entry.string[0] if isinstance(entry.string, tuple) else entry.string
        assert set(re.findall(r"%\(\w+\)[sd]", source)) == set(re.findall(r"%\(\w+\)[sd]", target)), entry.id


def test_the_compiled_catalogue_in_the_repository_is_current():
    """The compiled catalogue is committed, so an app installed without `make` speaks Chinese; it must say what the
    source catalogue says (after editing messages.po, run `make translations` and commit both)."""
    from babel.messages.mofile import read_mo
    with open(CATALOGUE, "rb") as fh:
        source = read_po(fh)
    with open(CATALOGUE.with_suffix(".mo"), "rb") as fh:
        compiled = read_mo(fh)

    def messages(catalogue):  # fuzzy ones included: `make translations` compiles with --use-fuzzy
        def plain(value):
            return tuple(value) if isinstance(value, (tuple, list)) else value
        return {(m.context, plain(m.id)): plain(m.string) for m in catalogue
                if m.id and m.string and (all(m.string) if isinstance(m.string, (tuple, list)) else True)}

    want, have = messages(source), messages(compiled)
    stale = sorted(str(k) for k in (want.keys() ^ have.keys()) | {k for k in want.keys() & have.keys()
                                                                    if want[k] != have[k]})
    assert not stale, "messages.mo is not messages.po compiled (run `make translations`):\n" + "\n".join(stale[:20])

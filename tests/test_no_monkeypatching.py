"""Application code uses its libraries through their public API: it never rewrites a library's module or class
(monkeypatching), nor reads or writes a private attribute (`_name`) of an object that is not its own."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "salesweb"
# Library objects made for the application to write to: Flask's `g` holds a request's own values.
WRITABLE = {"flask.g"}
# What the tree still does that this test forbids, as (file, what is assigned): peewee's FieldAlias.create replaced
# for the whole process. Delete the entry when db.py stops doing it; the test fails on any offence not listed here.
KNOWN = {("salesweb/db.py", "FieldAlias.create")}


def _ours(module):
    return module == "salesweb" or module.startswith("salesweb.")


def _root(node):
    """The name an attribute chain, subscript or call starts from (`a` in `a.b[1].c()`), or None."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _attributes(node):
    """The attribute names along a chain (`b`, `c` in `a.b[1].c`)."""
    names = []
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
        node = node.func if isinstance(node, ast.Call) else node.value
    return names


def _reveals_members(node, library):
    """`vars(lib)`, `dir(lib)`, `inspect.getmembers(lib)` or `lib.__dict__` somewhere in an expression: what is
    bound from it is one of the library's own members."""
    for part in ast.walk(node):
        if isinstance(part, ast.Call) and part.args and _root(part.args[0]) in library and (
                (isinstance(part.func, ast.Name) and part.func.id in ("vars", "dir"))
                or (isinstance(part.func, ast.Attribute) and part.func.attr == "getmembers")):
            return True
        if isinstance(part, ast.Attribute) and part.attr == "__dict__" and _root(part) in library:
            return True
    return False


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _names_bound(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _names_bound(element)]
    if isinstance(target, ast.Starred):
        return _names_bound(target.value)
    return []


def library_names(tree):
    """The names a module binds to a library (anything imported from outside salesweb), with where they come
    from; and the names it binds to one of those by plain aliasing (`core = wtforms.widgets.core`) or by
    walking a library's members (`for widget in vars(wtforms.widgets.core).values()`)."""
    library = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _ours(alias.name):
                    name = alias.asname or alias.name.split(".")[0]
                    library[name] = alias.name if alias.asname else name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and not _ours(node.module):
            for alias in node.names:
                library[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for _ in range(3):  # aliases of aliases
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Attribute)) \
                    and _root(node.value) in library:
                for target in node.targets:
                    for name in _names_bound(target):
                        library.setdefault(name, library[_root(node.value)])
            elif isinstance(node, (ast.For, ast.comprehension)) and _reveals_members(node.iter, library):
                for name in _names_bound(node.target):
                    library.setdefault(name, "a library's member")
    return library


def _written(node):
    """Each attribute or member an assignment, deletion, setattr or delattr changes: (the object's expression,
    the attribute's name or None for a member, what is written as text)."""
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
            and len(node.args) >= 2:
        name = node.args[1].value if isinstance(node.args[1], ast.Constant) else None
        yield node.args[0], str(name or ""), f"{ast.unparse(node.args[0])}.{name or '<name>'}"
        return
    stack = list(targets)
    while stack:
        target = stack.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            stack.extend(target.elts)
        elif isinstance(target, ast.Starred):
            stack.append(target.value)
        elif isinstance(target, ast.Attribute):
            yield target.value, target.attr, ast.unparse(target)
        elif isinstance(target, ast.Subscript):
            yield target.value, None, ast.unparse(target)


def offences(source):
    """(line, what is written, why) for each write into a library, or to a private attribute of an object that is
    not the code's own (`self._name` is its own; `self.app._name` is not)."""
    tree = ast.parse(source)
    library = library_names(tree)
    found = []
    for node in ast.walk(tree):
        for obj, attribute, text in _written(node):
            root, chain = _root(obj), _attributes(obj)[::-1] + ([attribute] if attribute else [])
            if root in ("self", "cls"):
                chain = chain[1:]
            if any(_private(name) for name in chain):
                found.append((node.lineno, text, "private attribute"))
            elif attribute is None:  # a member: only a library's own namespace (`vars(lib)[...]`) is off limits
                if _reveals_members(obj, library):
                    found.append((node.lineno, text, "writes a library's namespace"))
            elif root in library and library[root] not in WRITABLE:
                found.append((node.lineno, text, f"changes {library[root]}"))
    return found


def tree_offences(package=PACKAGE):
    """(file, what is assigned) for every offence in the package's modules."""
    found = set()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).as_posix()
        found |= {(relative, text) for _line, text, _why in offences(path.read_text(encoding="utf-8"))}
    return found


@pytest.mark.parametrize("source", [
    "import wtforms.widgets.core\nwtforms.widgets.core.html_params = lambda **kw: ''",
    "import wtforms.widgets\nwtforms.widgets.html_params = None",
    "from peewee import DatabaseProxy, FieldAlias, Model\nFieldAlias.create = classmethod(_create_field_alias)",
    "import flask_wtf.i18n\nflask_wtf.i18n._get_translations = lambda: None",
    "from .extensions import login_manager\nlogin_manager._session_identifier_generator = lambda: 'x'",
    "from flask import g\ng._flask_babel.babel_translations = None",
    "from flask_login import LoginManager\nsetattr(LoginManager, 'unauthorized', None)",
    "import jinja2\nsetattr(jinja2.Environment, name, value)",
    "import jinja2\ndelattr(jinja2.Environment, 'make_globals')",
    "from jinja2 import Environment\ndef install():\n    Environment.make_globals = lambda self, d: d",
    "import wtforms.widgets.core as core\ncore.html_params = None",
    "import wtforms\ncore = wtforms.widgets.core\ncore.html_params = None",
    "import wtforms.widgets.core\nfor widget in vars(wtforms.widgets.core).values():\n    widget.html_params = 1",
    "import wtforms.widgets.core\nvars(wtforms.widgets.core)['html_params'] = None",
    "import peewee\npeewee.FieldAlias.__dict__['create'] = None",
    "from flask import Flask\nFlask.url_for = None",
    "from flask import request\nrequest.environ['x'] = 1\nrequest.wtforms_translations = None",
    "import flask_login\nflask_login.login_manager.x, y = 1, 2",
    "from .extensions import babel\ndel babel._configure_jinja",
    "from .extensions import login_manager\nlogin_manager._user_callback['x'] = None",
    "class Request:\n    def load(self):\n        self.app._got_first_request = False",
])
def test_a_write_into_a_library_or_a_private_attribute_is_found(source):
    assert offences(source), source


@pytest.mark.parametrize("source", [
    "from .extensions import login_manager\nlogin_manager.login_view = 'auth.login'",
    "from flask import Flask\napp = Flask(__name__)\napp.wsgi_app = wrap(app.wsgi_app)\n"
    "app.jinja_env.globals['x'] = 1",
    "from flask import g\ng.settings = {}",
    "class Form:\n    pass\nsetattr(Form, 'name', 1)\nForm.label = 'x'",
    "from . import web\nweb.name = 1",
    "def save(deal, values):\n    for key, value in values.items():\n        setattr(deal, key, value)",
    "class Box:\n    def __init__(self):\n        self._items = {}\n        self._items['a'] = 1",
    "from flask import current_app, session\nsession['locale'] = 'zh'\ncurrent_app.extensions['salesweb.kept'] = {}",
    "def cached(function):\n    function.__doc__ = 'kept'\n    return function",
    "from flask import send_file\nresponse = send_file(x)\nresponse.content_length = 3",
    "from flask_wtf import FlaskForm\nclass SettingsForm(FlaskForm):\n    pass\nsetattr(SettingsForm, key, field)",
])
def test_our_own_objects_and_an_extensions_public_settings_may_be_written(source):
    assert not offences(source), offences(source)


def test_no_module_writes_into_a_library():
    assert tree_offences() <= KNOWN, sorted(tree_offences() - KNOWN)


def test_the_tree_scan_names_each_offence_and_excuses_only_the_known_ones(tmp_path):
    package = tmp_path / "salesweb"
    (package / "pipeline").mkdir(parents=True)
    (package / "db.py").write_text("from peewee import FieldAlias\nFieldAlias.create = classmethod(create)\n")
    (package / "pipeline" / "cards.py").write_text(
        "import jinja2\nfrom ..extensions import login_manager\n\n\ndef install():\n"
        "    jinja2.Environment.make_globals = None\n    setattr(login_manager, '_user_callback', None)\n")
    found = tree_offences(package)
    assert found == {("salesweb/db.py", "FieldAlias.create"),
                     ("salesweb/pipeline/cards.py", "jinja2.Environment.make_globals"),
                     ("salesweb/pipeline/cards.py", "login_manager._user_callback")}
    assert found - KNOWN >= {("salesweb/pipeline/cards.py", "jinja2.Environment.make_globals"),
                             ("salesweb/pipeline/cards.py", "login_manager._user_callback")}  # never excused

"""The house's shape: dependencies between salesweb's packages run one way (ARCHITECTURE.md).

core <- models <- infra, web <- features <- figures <- dashboards <- demo, cli, app. A feature may import another
feature's rules, queries or forms, never its views; nothing imports inside a function to dodge a cycle."""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "salesweb"

# models and core share a layer (core writes audit events, notifications and settings as models), but a model
# holds data and its choices only:
MODELS_MAY_USE = {"salesweb.core.db", "salesweb.core.i18n"}
# rank of each layer: a module may import its own layer's modules (acyclically) and lower ones
LAYERS = {"core": 0, "models": 0, "infra": 2, "web": 3, "feature": 4, "figures": 5, "dashboards": 6, "top": 7}


def layer_of(module):
    """The layer of a dotted module name under salesweb."""
    parts = module.split(".")
    if len(parts) == 1:
        return "top"
    head = parts[1]
    if head in ("core", "models", "infra", "web", "figures", "dashboards"):
        return head
    if head in ("app", "cli", "demo"):
        return "top"
    return "feature"


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path, module):
    """(imported module, line, inside a function) for each import of a salesweb module in one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function.update(id(sub) for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom)))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target + "." + alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            target, names = None, [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] != "salesweb":
                continue
            found.append((name, node.lineno, id(node) in in_function))
    return found


def graph():
    """module -> {imported module: line}, and the function-level imports, over every module under salesweb/."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges, nested = {}, []
    for module, path in paths.items():
        edges[module] = {}
        for name, line, inside in imports_of(path, module):
            # `from x import y`: y is a module if a file says so, else a name in x
            target = name if name in paths else name.rpartition(".")[0]
            while target not in paths and "." in target:
                target = target.rpartition(".")[0]
            if target == module:
                continue
            edges[module][target] = line
            if inside:
                nested.append(f"{module}:{line} imports {target} inside a function")
    return edges, nested


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def view_modules(edges):
    """The modules holding views: those that import their own package's blueprint."""
    return {module for module, targets in edges.items()
            if any(target.endswith(".blueprint") and target.rpartition(".")[0] == module.rpartition(".")[0]
                   for target in targets)}


def feature_of(module):
    parts = module.split(".")
    return parts[1] if layer_of(module) == "feature" else None


def forbidden(edges):
    """Each import that runs against the layers, or into another package's views."""
    found = []
    views = view_modules(edges)
    packages = {module.rpartition(".")[0] for module in edges}

    def package_of(module):
        return module if module in packages else module.rpartition(".")[0]
    for module, targets in sorted(edges.items()):
        for target, line in sorted(targets.items()):
            here, there = layer_of(module), layer_of(target)
            if target == "salesweb":  # the package itself holds nothing
                continue
            if here == "models" and there == "core" and target not in MODELS_MAY_USE:
                found.append(f"{module}:{line} (models) imports {target}: models use only {sorted(MODELS_MAY_USE)}")
            elif LAYERS[there] > LAYERS[here]:
                found.append(f"{module}:{line} ({here}) imports {target} ({there})")
            elif here != "top" and (target in views or target.split(".")[-1] == "routes") \
                    and package_of(target) != package_of(module):
                found.append(f"{module}:{line} imports another package's views: {target}")
    return found


def with_packages(edges):
    """The edges, and from each import to the packages above its target: importing a module runs its packages'
    __init__ first, so a cycle through one is a cycle too."""
    out = {module: dict(targets) for module, targets in edges.items()}
    for module, targets in edges.items():
        for target, line in targets.items():
            package = target.rpartition(".")[0]
            while "." in package and not module.startswith(package + "."):
                out[module].setdefault(package, line)
                package = package.rpartition(".")[0]
    return out


EDGES, NESTED = graph()


def test_no_import_cycles():
    assert cycles(with_packages(EDGES)) == []


def test_dependencies_run_one_way():
    assert forbidden(EDGES) == []


def test_no_import_inside_a_function():
    assert NESTED == []


@pytest.mark.parametrize("edges, expected", [
    ({"salesweb.a": {"salesweb.b": 1}, "salesweb.b": {"salesweb.a": 2}}, [["salesweb.a", "salesweb.b"]]),
    ({"salesweb.a": {"salesweb.b": 1}, "salesweb.b": {}}, []),
])
def test_the_cycle_finder_finds_a_cycle(edges, expected):
    assert cycles(edges) == expected


def test_a_cycle_through_a_packages_init_is_found():
    """customers/__init__ importing its views, which import allocation, whose queries import customers' queries."""
    edges = {"salesweb.customers": {"salesweb.customers.routes": 1},
             "salesweb.customers.routes": {"salesweb.allocation.rules": 2},
             "salesweb.allocation.rules": {"salesweb.customers.queries": 3},
             "salesweb.customers.queries": {}, "salesweb.allocation": {}}
    assert cycles(edges) == []
    assert cycles(with_packages(edges)) == [["salesweb.allocation.rules", "salesweb.customers",
                                             "salesweb.customers.routes"]]


def test_the_layer_check_refuses_a_feature_importing_figures_or_another_packages_views():
    edges = {"salesweb.pipeline.rules": {"salesweb.figures.metrics": 3, "salesweb.customers.routes": 4,
                                         "salesweb.customers.queries": 5, "salesweb.customers.picker": 6},
             "salesweb.customers.picker": {"salesweb.customers.blueprint": 1},
             "salesweb.customers.routes": {"salesweb.customers.picker": 2}}
    assert forbidden(edges) == [
        "salesweb.pipeline.rules:6 imports another package's views: salesweb.customers.picker",
        "salesweb.pipeline.rules:4 imports another package's views: salesweb.customers.routes",
        "salesweb.pipeline.rules:3 (feature) imports salesweb.figures.metrics (figures)"]

"""The product catalogue at /ops/products (ops and support keep it), and the product picker quote lines use."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..core.access import role_required
from ..core.i18n import _
from ..models import Product
from . import products, queries, rules as quotes
from ..infra import storage
from ..core.errors import Invalid
from ..core.money import parse_amount
from ..web.pages import Page, all_or_nothing, page_number, render, submit
from .blueprint import bp
from .forms import ImportForm, ProductFilterForm, ProductForm

PAGE_SIZE = 50


@bp.get("/ops/products")
@role_required(*products.KEEPERS)
def product_list():
    filters = ProductFilterForm(request.args)
    page = Page(queries.catalogue(filters.q.data, active_only=False), page_number(), PAGE_SIZE)
    return render("quotes/products.html", block="list", filters=filters, page=page)


def _values(form):
    try:
        price = parse_amount(form.unit_price.data)
    except ValueError:
        price = None  # the service names what is wrong with it, along with any other field
    return {"sku": form.sku.data, "name": form.name.data, "unit": form.unit.data, "unit_price": price,
            "active": form.active.data}


def _product_form(product=None):
    form = ProductForm(obj=product if request.method == "GET" else None)
    if request.method == "GET" and product is not None:
        form.unit_price.data = f"{product.unit_price / 100:.2f}"

    def save():
        products.save(_values(form), current_user, product)

    done, status = submit(form, save)
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("quotes.product_list"), 303)
    return render("quotes/product_form.html", form=form, product=product, status=status)


@bp.route("/ops/products/new", methods=["GET", "POST"])
@role_required(*products.KEEPERS)
@all_or_nothing
def product_new():
    return _product_form()


@bp.route("/ops/products/<int:product_id>/edit", methods=["GET", "POST"])
@role_required(*products.KEEPERS)
@all_or_nothing
def product_edit(product_id):
    return _product_form(Product.get_or_none(Product.id == product_id) or abort(404))


@bp.route("/ops/products/import", methods=["GET", "POST"])
@role_required(*products.KEEPERS)
@all_or_nothing
def product_import():
    form = ImportForm()
    result = {}

    def load():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            raise Invalid({"file": _("Choose a CSV file.")})
        storage.checked_filename(upload.filename)
        result["counts"] = products.import_rows(products.read_csv(upload.stream.read(5 * 1024 * 1024 + 1)),
                                                current_user)

    done, status = submit(form, load)
    if done:
        created, updated = result["counts"]
        flash(_("Imported: %(created)d new products, %(updated)d updated.", created=created, updated=updated),
              "success")
        return redirect(url_for("quotes.product_list"), 303)
    return render("quotes/product_import.html", form=form, status=status)


@bp.get("/products/pick")
def pick():
    """Active products whose SKU or name holds what was typed into a quote line."""
    if not quotes.may_prepare(current_user):
        abort(403)
    text = next((v for k, v in request.args.items() if k.endswith("product_name") or k == "q"), "").strip()[:100]
    matches = list(queries.catalogue(text, limit=8)) if text else []
    return render("quotes/_pick.html", matches=matches, text=text)

"""My tasks: what is due, add one, done, snooze; a manager hands tasks to the team."""
import datetime

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..customers import forms as customer_forms
from ..web.forms import as_id
from ..core.i18n import _
from ..models import Deal, Task, User
from ..pipeline import queries as pipeline
from . import queries, tasks
from ..core.errors import Invalid
from ..web.pages import is_fragment_request, render, safe_next, submit
from ..core.clock import local_today as today
from .blueprint import bp
from .forms import HandOnForm, TaskForm


def _form(form):
    """The new task's form, its "for" field set once its value is: a select of the people in reach when few, else
    a picker (empty: the user themself); {"form", "people", "chosen"} for the page."""
    people, chosen = customer_forms.person_field(form.assignee, keep=current_user.id,
                                                 keep_name=lambda: current_user.name)
    return {"form": form, "people": people, "chosen": chosen}


def _page(task_form, deal=None, status=200):
    assignees = task_form["people"]  # whom a task can go to (the form's people, read once), None beyond twenty
    return render("visits/tasks.html", **task_form, deal=deal, status=status, today=today(),
                  assignees=assignees, hand_on_page=assignees is None, team_tasks=queries.team_open_tasks(current_user),
                  open_tasks=queries.open_tasks_for(current_user, today() + datetime.timedelta(days=366), limit=200))


def _about(form):
    """What a new task is about: a deal (from its page) brings its customer, else the customer picked or
    typed; either must be in the user's scope."""
    deal_id = as_id(form.deal.data or request.args.get("deal"))
    deal = (pipeline.scope(current_user).where(Deal.id == deal_id).first() or abort(404)) if deal_id else None
    if request.method == "GET" and deal is None and request.args.get("customer"):
        form.customer.data = as_id(request.args.get("customer"))
        customer = customer_forms.chosen(form) or abort(404)
    else:
        customer = customer_forms.chosen(form, keep_id=deal.customer_id if deal else None)
    customer_forms.offer(form, customer)
    form.deal.data = deal.id if deal else ""
    return customer, deal


@bp.get("/tasks")
def task_list():
    task_form = _form(TaskForm(formdata=None, due_on=today(), assignee=current_user.id))
    _customer, deal = _about(task_form["form"])
    return _page(task_form, deal)


@bp.post("/tasks")
def add_task():
    task_form = _form(TaskForm())
    form = task_form["form"]
    customer, deal = _about(form)

    def save():
        if customer is None and (request.form.get("customer_name") or "").strip():
            raise Invalid({"customer": _("Choose one of your customers from the list.")})
        tasks.create(form.title.data, User.get_or_none(User.id == form.assignee.data), form.due_on.data,
                     current_user, today(), customer=customer, deal=deal)

    done, status = submit(form, save)
    if done:
        flash(_("Task added."), "success")
        return redirect(url_for("visits.task_list"), 303)
    return _page(task_form, deal, status)


def _task_or_404(task_id):
    return queries.with_case(queries.task_scope(current_user).where(Task.id == task_id)).first() or abort(404)


def _answer(task, message):
    """An htmx button gets the task's row back (done rows leave the list); a plain form goes back."""
    if is_fragment_request():  # the row as the list showed it: a team member's with their name and hand-on
        assignees = queries.task_assignees(current_user)
        return render("visits/_task.html", task=task, today=today(), assignees=assignees,
                      hand_on_page=assignees is None,
                      owner=task.assignee if task.assignee_id != current_user.id else None)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next")) or url_for("visits.task_list"), 303)


@bp.post("/tasks/<int:task_id>/done")
def task_done(task_id):
    task = _task_or_404(task_id)
    return _answer(tasks.done(task, current_user), _("Done."))


@bp.post("/tasks/<int:task_id>/snooze")
def task_snooze(task_id):
    task = _task_or_404(task_id)
    try:
        tasks.snooze(task, int(request.form.get("days", "0")) if request.form.get("days", "").isdecimal() else 0,
                     today())
    except Invalid as refused:
        abort(400, str(refused))
    return _answer(task, _("Snoozed until %(day)s.", day=task.due_on.isoformat()))


@bp.route("/tasks/<int:task_id>/reassign", methods=["GET", "POST"])
def task_reassign(task_id):
    """Hand a task to someone in the manager's team: the list's select posts here when the team is small; beyond,
    the list links to this page, whose picker finds the person."""
    task = _task_or_404(task_id)
    if current_user.role != "manager":  # their own task, but only a manager hands tasks on
        abort(403)
    form = HandOnForm(formdata=request.form if request.method == "POST" else None, assignee=task.assignee_id)
    people, chosen = customer_forms.person_field(form.assignee)
    done, status = submit(form, lambda: tasks.reassign(task, User.get_or_none(User.id == form.assignee.data),
                                                       current_user))
    if done:
        flash(_("Task handed to %(name)s.", name=task.assignee.name), "success")
        return redirect(url_for("visits.task_list"), 303)
    return render("visits/hand_on.html", form=form, task=task, people=people, chosen=chosen, status=status)

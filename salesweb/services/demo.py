"""Demo data: teams, a manager per team under a sales director, reps, support, ops and admin."""
from ..db import db
from ..models import User
from . import people

PASSWORD = "salesweb-demo"

# (email, name, role, team, reports to) — the director leads the team managers.
SMALL = (
    ("director@example.com", "周杰 Zhou Jie", "manager", "销售管理 Sales leadership", None),
    ("wang.fang@example.com", "王芳", "manager", "华东 East China", "director@example.com"),
    ("li.wei@example.com", "李伟", "manager", "华南 South China", "director@example.com"),
    ("emma.clarke@example.com", "Emma Clarke", "manager", "Key Accounts", "director@example.com"),
    ("zhang.min@example.com", "张敏", "rep", "华东 East China", None),
    ("liu.yang@example.com", "刘洋", "rep", "华东 East China", None),
    ("tom.baker@example.com", "Tom Baker", "rep", "华东 East China", None),
    ("chen.jing@example.com", "陈静", "rep", "华南 South China", None),
    ("huang.lei@example.com", "黄磊", "rep", "华南 South China", None),
    ("sofia.martin@example.com", "Sofia Martin", "rep", "Key Accounts", None),
    ("zhao.li@example.com", "赵丽", "rep", "Key Accounts", None),
    ("support@example.com", "孙悦 Sun Yue", "support", None, None),
    ("ops@example.com", "Daniel Brooks", "ops", None, None),
    ("admin@example.com", "管理员 Admin", "admin", None, None),
)


def is_empty():
    return not User.select().exists()


def load(scale="small"):
    """Load the demo people into an empty database; returns [(email, name, role)]."""
    if scale != "small":
        raise ValueError(f"unknown demo scale {scale!r}")
    created = {}
    with db.atomic():
        for email, name, role, team, boss in SMALL:
            created[email] = people.create_user(
                email, name, role, PASSWORD, team_name=team,
                reports_to=created.get(boss), locale="zh" if not name.isascii() and role == "rep" else None)
    return [(u.email, u.name, u.role) for u in created.values()]


def logins():
    """The demo accounts still present, for printing."""
    emails = [row[0] for row in SMALL]
    rows = User.select(User.email, User.name, User.role).where(User.email.in_(emails) & (User.active == True))  # noqa: E712
    order = {e: i for i, e in enumerate(emails)}
    return sorted(((u.email, u.name, u.role) for u in rows), key=lambda r: order[r[0]])

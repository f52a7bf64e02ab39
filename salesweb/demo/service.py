"""Demo help requests, customer feedback (some answered late, a few still waiting, one escalated) and NPS answers
from the last six months, written in bulk."""
import datetime
import secrets

from ..models import Customer, CustomerLink, Feedback, HelpReply, HelpRequest, SurveyAnswer, User
from ..service import rules as feedback_rules

QUESTIONS = (
    "客户要 PX-300 的英文技术参数表，资料库里只有中文版，能帮忙吗？",
    "Can you prepare a quote for 2 plate heat exchangers with installation? Customer wants it by Friday.",
    "客户问能否延长维保到三年，价格怎么算？",
    "Which case study fits a food-processing plant? Meeting in an hour.",
    "合同模板里的付款条款客户不接受，有没有替代版本？",
    "Need the latest price list for control valves, the one I have is from last year.",
)
COMPLAINTS = (
    ("complaint", "交货比约定晚了两周，影响了客户的生产计划。"),
    ("complaint", "The pump makes noise after the last service visit."),
    ("suggestion", "希望培训资料能提供视频版本。"),
    ("praise", "安装团队非常专业，提前一天完成。"),
    ("complaint", "Invoice amount does not match the quote."),
    ("suggestion", "Would like a monthly status report on open orders."),
)


def load(rng, now, settings):
    reps = list(User.select().where((User.role == "rep") & (User.active == True)))  # noqa: E712
    desk = list(User.select().where(User.role == "support"))
    owned = list(Customer.select(Customer.id, Customer.owner).where(Customer.owner.is_null(False))
                 .order_by(Customer.id).limit(4000))
    if not reps or not owned:
        return
    _requests(rng, now, reps, desk, owned)
    _feedback(rng, now, owned, settings)
    _surveys(rng, now, owned)


def _requests(rng, now, reps, desk, owned):
    by_owner = {}
    for customer in owned:
        by_owner.setdefault(customer.owner_id, []).append(customer.id)
    rows, replies = [], []
    for n in range(min(60, 4 * len(reps))):
        rep = rng.choice(reps)
        asked = now - datetime.timedelta(hours=rng.randint(1, 24 * 90))
        status = "open" if asked > now - datetime.timedelta(days=2) and rng.random() < 0.7 else rng.choice(
            ("answered", "closed", "closed"))
        urgency = rng.choice(("high", "normal", "normal", "low"))
        helper = rng.choice(desk) if desk and (status != "open" or rng.random() < 0.4) else None
        answered = asked + datetime.timedelta(minutes=rng.randint(10, 600)) if status != "open" else None
        rows.append({"asked_by": rep.id, "question": QUESTIONS[n % len(QUESTIONS)], "urgency": urgency,
                     "urgency_rank": {"high": 0, "normal": 1, "low": 2}[urgency],
                     "customer": rng.choice(by_owner.get(rep.id) or [None]), "status": status,
                     "claimed_by": helper.id if helper else None, "claimed_at": asked if helper else None,
                     "answered_at": answered, "closed_at": answered if status == "closed" else None,
                     "created_at": asked, "updated_at": answered or asked, "version": 1})
    HelpRequest.insert_many(rows).execute()
    for request in HelpRequest.select().where(HelpRequest.answered_at.is_null(False)):
        replies.append({"request": request.id, "author": request.claimed_by_id,
                        "body": "已发到你的邮箱，资料库也更新了。 Sent to your mailbox; the library is updated too.",
                        "created_at": request.answered_at})
    HelpReply.insert_many(replies).execute()


def _feedback(rng, now, owned, settings):
    hours = settings["feedback_response_hours"]
    rows = []
    for n, customer in enumerate(rng.sample(owned, min(len(owned), 80))):
        kind, text = COMPLAINTS[n % len(COMPLAINTS)]
        created = now - datetime.timedelta(hours=rng.randint(2, 24 * 180))
        recent = created > now - datetime.timedelta(hours=hours * 2)
        responded = None if recent and rng.random() < 0.6 else created + datetime.timedelta(
            hours=rng.uniform(0.5, hours * (1.4 if rng.random() < 0.15 else 0.9)))
        resolved = responded + datetime.timedelta(days=rng.randint(1, 10)) if responded and not recent else None
        closed = resolved + datetime.timedelta(days=2) if resolved and rng.random() < 0.8 else None
        due = feedback_rules.response_due(created, settings)
        rows.append({"customer": customer.id, "kind": kind, "channel": rng.choice(("phone", "visit", "email", "wechat")),
                     "severity": "high" if kind == "complaint" and rng.random() < 0.4 else "medium",
                     "description": text, "source": "staff", "logged_by": customer.owner_id, "created_at": created,
                     "response_due_at": due, "responded_at": responded,
                     "responded_by": customer.owner_id if responded else None,
                     "response": "已致电客户说明情况。 Called the customer to explain." if responded else "",
                     "escalated_at": due if responded is None and due < now else None,
                     "resolved_at": resolved, "resolved_by": customer.owner_id if resolved else None,
                     "resolution": "已安排补救并确认。 Remedied and confirmed." if resolved else "",
                     "satisfaction": rng.choice((3, 4, 4, 5, 5)) if closed else None, "closed_at": closed,
                     "version": 1})
    Feedback.insert_many(rows).execute()


def _surveys(rng, now, owned):
    links, answers = [], []
    for customer in rng.sample(owned, min(len(owned), 150)):
        sent = now - datetime.timedelta(days=rng.randint(1, 180))
        links.append({"token": secrets.token_urlsafe(32), "purpose": "survey", "customer": customer.id,
                      "created_by": customer.owner_id, "created_at": sent,
                      "expires_at": sent + datetime.timedelta(days=14), "uses": 1})
    CustomerLink.insert_many(links).execute()
    for link in CustomerLink.select().where(CustomerLink.purpose == "survey"):
        if rng.random() < 0.8:
            score = min(10, max(0, round(rng.gauss(8, 2))))
            answers.append({"link": link.id, "customer": link.customer_id, "rep": link.created_by_id, "score": score,
                            "comment": "" if rng.random() < 0.6 else ("服务及时" if score >= 9 else "交期需要改进"),
                            "answered_at": link.created_at + datetime.timedelta(hours=rng.randint(1, 72))})
    SurveyAnswer.insert_many(answers).execute()

"""Every model, in dependency order (the schema test compares them with the migrations), and each area's choices:
the codes a field takes and, beside them, their labels."""
from .people import ROLE_LABELS, ROLES, LoginAttempt, Team, User
from .audit import AUDIT_ACTION_LABELS, AuditEvent
from .settings import Setting
from .customers import (POOL_MOVE_LABELS, SOURCE_LABELS, SOURCES, STATUS_LABELS, STATUSES, TIER_REASON_LABELS, TIERS,
                        Contact, Customer, CustomerNote, PoolMove, TierChange)
from .pipeline import STAGE_KIND_LABELS, STAGE_KINDS, Deal, LossReason, Stage, StageChange
from .files import StoredFile
from .visits import (CHECK_PROBLEM_LABELS, OUTCOME_LABELS, OUTCOMES, VISIT_KIND_LABELS, VISIT_KINDS, VISIT_STATUSES,
                     Task, Visit, VisitComment, VisitContact, WeeklyReport)
from .targets import PERIODS, Target
from .quotes import (QUOTE_STATUS_LABELS, QUOTE_STATUSES, Contract, Instalment, Payment, Product, Quote, QuoteCounter,
                     QuoteEvent, QuoteLine)
from .notifications import Notification
from .service import (FEEDBACK_CHANNEL_LABELS, FEEDBACK_CHANNELS, FEEDBACK_KIND_LABELS, FEEDBACK_KINDS,
                      FEEDBACK_STATE_LABELS, HELP_QUEUE_LABELS, HELP_STATUS_LABELS, HELP_STATUSES, LINK_PURPOSE_LABELS,
                      LINK_PURPOSES, SATISFACTION_LABELS, SEVERITIES, SEVERITY_LABELS, URGENCIES, URGENCY_LABELS,
                      CustomerLink, Feedback, HelpReply, HelpRequest, PublicHit, SurveyAnswer)
from .ops import (ALLOCATION_FLAG_LABELS, EXPENSE_CATEGORIES, EXPENSE_CATEGORY_LABELS, EXPENSE_STATUS_LABELS,
                  EXPENSE_STATUSES, Budget, Expense, Reallocation, ReallocationMove, Region)
from .rollups import (ClosedDay, ClosedMonth, CustomerCount, DealDay, DealMonth, Due, MoneyDay, NewCustomerDay,
                      NewCustomerMonth, QuoteCount, RegionCount, MoneyMonth, StageDeals, StageMonthDeals, StageStay,
                      StageStayMonth, UnpaidDay, UnpaidMonth, VisitDay, VisitMonth)
from .collateral import (COLLATERAL_KIND_LABELS, COLLATERAL_KINDS, LANGUAGE_LABELS, LANGUAGES, CollateralItem,
                         CollateralTag, CollateralVersion, Download, ShareLink)

ALL_MODELS = [Team, User, LoginAttempt, AuditEvent, Setting, Customer, Contact, CustomerNote, TierChange, PoolMove,
              Stage, LossReason, Deal, StageChange, StoredFile, CollateralItem, CollateralTag, CollateralVersion,
              ShareLink, Download, Visit, VisitContact, VisitComment, Task, WeeklyReport, Target, Product, QuoteCounter,
              Quote, QuoteLine, QuoteEvent, Contract, Instalment, Payment, Notification,
              HelpRequest, HelpReply, CustomerLink, Feedback, SurveyAnswer, PublicHit,
              Region, Reallocation, ReallocationMove, Budget, Expense, VisitDay, VisitMonth, StageStay, MoneyDay,
              MoneyMonth, CustomerCount, StageDeals, UnpaidDay, UnpaidMonth, StageStayMonth, StageMonthDeals, DealDay,
              DealMonth, ClosedDay, ClosedMonth, NewCustomerDay, NewCustomerMonth, Due, QuoteCount, RegionCount]

__all__ = ["ClosedDay", "ClosedMonth", "Due", "QuoteCount", "NewCustomerDay", "NewCustomerMonth", "RegionCount", "CustomerCount", "DealDay", "DealMonth", "StageMonthDeals", "StageStayMonth", "MoneyDay", "MoneyMonth", "StageDeals", "StageStay", "UnpaidDay", "UnpaidMonth", "VisitDay",
           "VisitMonth", "EXPENSE_CATEGORIES", "EXPENSE_STATUSES", "Budget", "Expense", "Reallocation", "ReallocationMove",
           "Region",
           "OUTCOMES", "VISIT_KINDS", "VISIT_STATUSES", "Task", "Visit", "VisitComment", "VisitContact", "WeeklyReport",
           "COLLATERAL_KINDS", "LANGUAGES", "CollateralItem", "CollateralTag", "CollateralVersion", "Download",
           "ShareLink", "PERIODS", "Target", "QUOTE_STATUSES", "Contract", "Instalment", "Payment", "Product",
           "Quote", "QuoteCounter", "QuoteEvent", "QuoteLine", "Notification",
           "FEEDBACK_CHANNELS", "FEEDBACK_KINDS", "HELP_STATUSES", "LINK_PURPOSES", "SEVERITIES", "URGENCIES",
           "CustomerLink", "Feedback", "HelpReply", "HelpRequest", "PublicHit", "SurveyAnswer", "ROLES", "SOURCES", "STAGE_KINDS", "STATUSES", "TIERS", "ALL_MODELS", "AuditEvent", "Contact", "Customer",
           "CustomerNote", "Deal", "LoginAttempt", "LossReason", "PoolMove", "Setting", "Stage", "StageChange",
           "StoredFile", "Team", "TierChange", "User",
           # the labels of the codes
           "ALLOCATION_FLAG_LABELS", "AUDIT_ACTION_LABELS", "CHECK_PROBLEM_LABELS", "COLLATERAL_KIND_LABELS",
           "EXPENSE_CATEGORY_LABELS", "EXPENSE_STATUS_LABELS", "FEEDBACK_CHANNEL_LABELS", "FEEDBACK_KIND_LABELS",
           "FEEDBACK_STATE_LABELS", "HELP_QUEUE_LABELS", "HELP_STATUS_LABELS", "LANGUAGE_LABELS", "LINK_PURPOSE_LABELS",
           "OUTCOME_LABELS", "POOL_MOVE_LABELS", "QUOTE_STATUS_LABELS", "ROLE_LABELS", "SATISFACTION_LABELS",
           "SEVERITY_LABELS", "SOURCE_LABELS", "STAGE_KIND_LABELS", "STATUS_LABELS", "TIER_REASON_LABELS",
           "URGENCY_LABELS", "VISIT_KIND_LABELS"]

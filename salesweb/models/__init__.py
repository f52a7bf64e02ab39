"""Every model, in dependency order (the schema test compares them with the migrations)."""
from .people import ROLES, LoginAttempt, Team, User
from .audit import AuditEvent
from .settings import Setting
from .customers import SOURCES, STATUSES, TIERS, Contact, Customer, CustomerNote, PoolMove, TierChange
from .pipeline import STAGE_KINDS, Deal, LossReason, Stage, StageChange
from .files import StoredFile
from .visits import OUTCOMES, VISIT_KINDS, VISIT_STATUSES, Task, Visit, VisitComment, VisitContact, WeeklyReport
from .targets import PERIODS, Target
from .quotes import (QUOTE_STATUSES, Contract, Instalment, Payment, Product, Quote, QuoteCounter, QuoteEvent,
                     QuoteLine)
from .notifications import Notification
from .service import (FEEDBACK_CHANNELS, FEEDBACK_KINDS, HELP_STATUSES, LINK_PURPOSES, SEVERITIES, URGENCIES,
                      CustomerLink, Feedback, HelpReply, HelpRequest, PublicHit, SurveyAnswer)
from .ops import EXPENSE_CATEGORIES, EXPENSE_STATUSES, Budget, Expense, Reallocation, ReallocationMove, Region
from .generation import DataGeneration
from .collateral import (COLLATERAL_KINDS, LANGUAGES, CollateralItem, CollateralTag, CollateralVersion, Download,
                         ShareLink)

ALL_MODELS = [Team, User, LoginAttempt, AuditEvent, Setting, Customer, Contact, CustomerNote, TierChange, PoolMove,
              Stage, LossReason, Deal, StageChange, StoredFile, CollateralItem, CollateralTag, CollateralVersion,
              ShareLink, Download, Visit, VisitContact, VisitComment, Task, WeeklyReport, Target, Product, QuoteCounter,
              Quote, QuoteLine, QuoteEvent, Contract, Instalment, Payment, Notification,
              HelpRequest, HelpReply, CustomerLink, Feedback, SurveyAnswer, PublicHit,
              Region, Reallocation, ReallocationMove, Budget, Expense, DataGeneration]

__all__ = ["DataGeneration", "EXPENSE_CATEGORIES", "EXPENSE_STATUSES", "Budget", "Expense", "Reallocation", "ReallocationMove", "Region",
           "OUTCOMES", "VISIT_KINDS", "VISIT_STATUSES", "Task", "Visit", "VisitComment", "VisitContact", "WeeklyReport",
           "COLLATERAL_KINDS", "LANGUAGES", "CollateralItem", "CollateralTag", "CollateralVersion", "Download",
           "ShareLink", "PERIODS", "Target", "QUOTE_STATUSES", "Contract", "Instalment", "Payment", "Product",
           "Quote", "QuoteCounter", "QuoteEvent", "QuoteLine", "Notification",
           "FEEDBACK_CHANNELS", "FEEDBACK_KINDS", "HELP_STATUSES", "LINK_PURPOSES", "SEVERITIES", "URGENCIES",
           "CustomerLink", "Feedback", "HelpReply", "HelpRequest", "PublicHit", "SurveyAnswer", "ROLES", "SOURCES", "STAGE_KINDS", "STATUSES", "TIERS", "ALL_MODELS", "AuditEvent", "Contact", "Customer",
           "CustomerNote", "Deal", "LoginAttempt", "LossReason", "PoolMove", "Setting", "Stage", "StageChange",
           "StoredFile", "Team", "TierChange", "User"]

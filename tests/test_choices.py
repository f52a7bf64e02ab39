"""Each area's choices sit beside its model: every code a field takes has a label, and every label a code."""
import pytest

from salesweb import models

PAIRS = [("ROLES", "ROLE_LABELS"), ("SOURCES", "SOURCE_LABELS"), ("STATUSES", "STATUS_LABELS"),
         ("STAGE_KINDS", "STAGE_KIND_LABELS"), ("VISIT_KINDS", "VISIT_KIND_LABELS"), ("OUTCOMES", "OUTCOME_LABELS"),
         ("QUOTE_STATUSES", "QUOTE_STATUS_LABELS"), ("URGENCIES", "URGENCY_LABELS"),
         ("HELP_STATUSES", "HELP_STATUS_LABELS"), ("FEEDBACK_KINDS", "FEEDBACK_KIND_LABELS"),
         ("FEEDBACK_CHANNELS", "FEEDBACK_CHANNEL_LABELS"), ("SEVERITIES", "SEVERITY_LABELS"),
         ("LINK_PURPOSES", "LINK_PURPOSE_LABELS"), ("EXPENSE_CATEGORIES", "EXPENSE_CATEGORY_LABELS"),
         ("EXPENSE_STATUSES", "EXPENSE_STATUS_LABELS"), ("COLLATERAL_KINDS", "COLLATERAL_KIND_LABELS"),
         ("LANGUAGES", "LANGUAGE_LABELS")]


@pytest.mark.parametrize("codes, labels", PAIRS)
def test_every_code_has_a_label_and_every_label_a_code(codes, labels):
    assert set(getattr(models, codes)) == set(getattr(models, labels))


def test_every_label_is_exported_from_the_models_package():
    for name in dir(models):
        if name.endswith("_LABELS"):
            assert name in models.__all__, name
    assert {labels for _codes, labels in PAIRS} <= set(models.__all__)

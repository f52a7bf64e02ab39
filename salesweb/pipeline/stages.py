"""The pipeline's configuration, edited by ops: stages (names, order, probability, kind, rotting days) and the
reasons a deal can be lost. Every change runs in one transaction and is audited.

The pipeline always has exactly one won stage, exactly one lost stage and at least one open stage, and the open
stages come first. Positions are kept dense (0, 1, 2, ...) in board order.
"""
from collections import Counter
from dataclasses import dataclass, field

from peewee import JOIN, Case, IntegrityError, OperationalError, fn

from ..core.db import db, is_sqlite, utcnow
from ..core.i18n import _l
from ..models import Deal, LossReason, Stage, StageChange
from ..models.pipeline import STAGE_KINDS
from ..core import audit
from ..core.errors import Invalid
from ..infra import rollups, stale
from .rules import GAP

STAGE_NAME_MAX = 60
REASON_NAME_MAX = 80
ROTTING_DAYS_MAX = 365
DIRECTIONS = ("up", "down")

RACED = _l("Deals moved in or out of this stage meanwhile; nothing changed. Try again.")
KIND_RULES = {
    "won": _l("The pipeline needs exactly one won stage."),
    "lost": _l("The pipeline needs exactly one lost stage."),
    "open": _l("The pipeline needs at least one open stage."),
}


@dataclass
class StageRow:
    """A stage as the ops list shows it: its deal count and what may be done with it."""
    stage: Stage
    deals: int
    can_move_up: bool = False
    can_move_down: bool = False
    can_delete: bool = False
    merge_targets: list = field(default_factory=list)  # stages of the same kind it may be merged into


def overview():
    """Every stage in board order with its number of deals (one grouped query) and the actions it allows."""
    deals = fn.COUNT(Deal.id).alias("deal_count")
    stages = list(Stage.select(Stage, deals).join(Deal, JOIN.LEFT_OUTER, on=(Deal.stage == Stage.id))
                  .group_by(Stage.id).order_by(Stage.position, Stage.id))
    kinds = Counter(s.kind for s in stages)
    rows = []
    for index, stage in enumerate(stages):
        above = stages[index - 1] if index > 0 else None
        below = stages[index + 1] if index + 1 < len(stages) else None
        rows.append(StageRow(
            stage, stage.deal_count,
            can_move_up=above is not None and _may_swap(stage, above),
            can_move_down=below is not None and _may_swap(stage, below),
            can_delete=stage.deal_count == 0 and _kinds_problem(kinds, remove=stage.kind) is None,
            merge_targets=[s for s in stages if s.kind == stage.kind and s.id != stage.id]))
    return rows


def _may_swap(stage, neighbour):
    """Open stages stay before won and lost: an open stage never goes below them, nor they above it."""
    return (stage.kind == "open") == (neighbour.kind == "open")


def _kinds_problem(kinds, remove=None, add=None):
    """The rule a change of kinds would break, or None. kinds: Counter of the stages' kinds now."""
    after = Counter(kinds)
    if remove:
        after[remove] -= 1
    if add:
        after[add] += 1
    for kind in ("won", "lost"):
        if after[kind] != 1:
            return KIND_RULES[kind]
    return KIND_RULES["open"] if after["open"] < 1 else None


def _locked_stages():
    """All stages in board order; on PostgreSQL locked so two ops changes queue (not against deal moves:
    NO KEY UPDATE leaves the deals' foreign-key checks free). SQLite's BEGIN IMMEDIATE locks everything."""
    query = Stage.select().order_by(Stage.position, Stage.id)
    if not is_sqlite():
        query = query.for_update("FOR NO KEY UPDATE")
    return list(query)


def _renumber(ordered):
    """Store positions 0, 1, 2, ... for stages (or loss reasons) in this order; writes only those that moved."""
    for index, record in enumerate(ordered):
        if record.position != index:
            type(record).update(position=index).where(type(record).id == record.id).execute()
            record.position = index


def _find(records, record_id):
    return next((r for r in records if r.id == record_id), None)


def _clean_name(values, key, limit, errors):
    name = (values.get(key) or "").strip()
    if not name:
        errors[key] = _l("This field is required.")
    elif len(name) > limit:
        errors[key] = _l("At most %(n)d characters.", n=limit)
    return name


def _check_stage(values, stage, stages):
    """Cleaned stage values, or Invalid with a message per field. stage: the one edited (None: a new one)."""
    errors = {}
    cleaned = {key: _clean_name(values, key, STAGE_NAME_MAX, errors) for key in ("name_en", "name_zh")}
    others = [s for s in stages if stage is None or s.id != stage.id]
    for key in ("name_en", "name_zh"):
        if key not in errors and any(getattr(s, key).casefold() == cleaned[key].casefold() for s in others):
            errors[key] = _l("Another stage already has this name.")
    probability = values.get("probability")
    if not (isinstance(probability, int) and not isinstance(probability, bool) and 0 <= probability <= 100):
        errors["probability"] = _l("Enter a percentage from 0 to 100.")
    kind = values.get("kind")
    if kind not in STAGE_KINDS:
        errors["kind"] = _l("Choose open, won or lost.")
    else:
        problem = _kinds_problem(Counter(s.kind for s in stages), remove=stage.kind if stage else None, add=kind)
        if problem is not None:
            errors["kind"] = problem
        elif stage is not None and kind != stage.kind and Deal.select().where(Deal.stage == stage.id).exists():
            errors["kind"] = _l("Merge or move this stage's deals before changing its kind.")
    rotting_days = values.get("rotting_days")
    if rotting_days is not None and not (isinstance(rotting_days, int) and not isinstance(rotting_days, bool)
                                         and 1 <= rotting_days <= ROTTING_DAYS_MAX):
        errors["rotting_days"] = _l("Enter a number of days from 1 to 365, or leave it empty.")
    if errors:
        raise Invalid(errors)
    cleaned.update(probability=probability, kind=kind,
                   rotting_days=rotting_days if kind == "open" else None)  # won and lost deals never rot
    return cleaned


def create(values, by):
    """A new stage: an open one goes after the last open stage, before won and lost."""
    with db.atomic():
        stages = _locked_stages()
        cleaned = _check_stage(values, None, stages)
        stage = Stage.create(position=len(stages), **cleaned)
        if cleaned["kind"] == "open":
            last_open = max((i for i, s in enumerate(stages) if s.kind == "open"), default=-1)
            stages.insert(last_open + 1, stage)
        else:
            stages.append(stage)
        _renumber(stages)
        audit.record("create", actor=by, obj=stage, summary=f"{stage.name_en} / {stage.name_zh}")
    return stage


def edit(stage, values, by):
    """Change a stage. Deals in it whose probability their owner did not override follow a new probability."""
    with db.atomic():
        stages = _locked_stages()
        current = _find(stages, stage.id)
        if current is None:
            raise Invalid({None: _l("Unknown stage.")})
        cleaned = _check_stage(values, current, stages)
        changed = {key: (getattr(current, key), value) for key, value in cleaned.items()
                   if getattr(current, key) != value}
        if changed:
            Stage.update(**cleaned).where(Stage.id == current.id).execute()
        if "rotting_days" in changed:  # its open deals go stale at another time
            (Deal.update(stale_at=stale.stale_sql(Deal.stage, Deal.next_step, Deal.step_due_at, Deal.last_activity_at))
             .where(Deal.stage == current.id).execute())
        if "probability" in changed:
            (Deal.update(probability=cleaned["probability"])
             .where((Deal.stage == current.id) & (Deal.probability_overridden == False))  # noqa: E712
             .execute())
            rollups.stages_changed([current.id])  # the weighted total of its deals moved
        for key, value in cleaned.items():
            setattr(current, key, value)
        if changed:
            audit.record("edit", actor=by, obj=current, summary=f"{current.name_en}: " + ", ".join(
                f"{key} {old} → {new}" for key, (old, new) in changed.items()))
    return current


def reorder(stage, direction, by):
    """Swap a stage with its neighbour above ("up") or below ("down")."""
    if direction not in DIRECTIONS:
        raise Invalid({None: _l("Move a stage up or down.")})
    with db.atomic():
        stages = _locked_stages()
        current = _find(stages, stage.id)
        if current is None:
            raise Invalid({None: _l("Unknown stage.")})
        index = stages.index(current)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(stages):
            raise Invalid({None: _l("This stage is already first.") if direction == "up"
                           else _l("This stage is already last.")})
        if not _may_swap(current, stages[other]):
            raise Invalid({None: _l("Open stages come before Won and Lost.")})
        stages[index], stages[other] = stages[other], stages[index]
        _renumber(stages)
        audit.record("edit", actor=by, obj=current, summary=f"{current.name_en}: moved {direction}")
    return current


def delete(stage, by):
    """Delete a stage that has no deals, unless the pipeline needs it (the only won, lost or open stage)."""
    try:
        with db.atomic():
            stages = _locked_stages()
            current = _find(stages, stage.id)
            if current is None:
                raise Invalid({None: _l("Unknown stage.")})
            if Deal.select().where(Deal.stage == current.id).exists():
                raise Invalid({None: _l("This stage has deals: merge it into another stage instead.")})
            passed = (StageChange.select().where((StageChange.to_stage == current.id)
                                                 | (StageChange.from_stage == current.id)).exists())
            if passed:  # deleting it would delete that history with it
                raise Invalid({None: _l("Deals have passed through this stage: merge it into another stage "
                                        "so their history stays whole.")})
            problem = _kinds_problem(Counter(s.kind for s in stages), remove=current.kind)
            if problem is not None:
                raise Invalid({None: problem})
            current.delete_instance()
            rollups.recompute_stays()  # the stays in the merged stage are stays in the one it became
            _renumber([s for s in stages if s.id != current.id])
            audit.record("delete", actor=by, obj=current, summary=f"{current.name_en} / {current.name_zh}")
    except IntegrityError:  # PostgreSQL: a deal was moved into the stage meanwhile
        raise Invalid({None: RACED}) from None
    return current


def merge(stage, into, by, now=None):
    """Move every deal of `stage` to the end of `into`'s column (same kind only), then delete `stage`.

    Set-based: one INSERT ... SELECT writes the history, one UPDATE moves the deals, keeping their order,
    bumping their version (an open board then sees a conflict instead of stale cards) and, unless the owner
    overrode it, giving them the new stage's probability. Returns the number of deals moved."""
    now = now or utcnow()
    try:
        # PostgreSQL: one snapshot for the history and the move, so both see the same deals; a deal moved in
        # or out meanwhile makes the merge fail whole (serialization failure or the delete's foreign key).
        with db.atomic() if is_sqlite() else db.atomic(isolation_level="REPEATABLE READ"):
            stages = _locked_stages()
            current, target = _find(stages, stage.id), _find(stages, getattr(into, "id", into))
            if current is None or target is None:
                raise Invalid({"into": _l("Unknown stage.")})
            if current.id == target.id:
                raise Invalid({"into": _l("Choose another stage to merge into.")})
            if current.kind != target.kind:
                raise Invalid({"into": _l("A stage can only be merged into a stage of the same kind.")})
            in_stage = Deal.stage == current.id
            moved = Deal.select().where(in_stage).count()
            if moved:
                end = Deal.select(fn.MAX(Deal.position)).where(Deal.stage == target.id).scalar() or 0.0
                first = Deal.select(fn.MIN(Deal.position)).where(in_stage).scalar()
                follows = Case(None, [(Deal.probability_overridden == False, target.probability)],  # noqa: E712
                               Deal.probability)
                Deal.update(stage=target.id, position=Deal.position + (end + GAP - first), probability=follows,
                            stale_at=stale.stale_sql(target.id, Deal.next_step, Deal.step_due_at,
                                                     Deal.last_activity_at),  # the rotting days it has there
                            version=Deal.version + 1, updated_at=now, updated_by=by.id).where(in_stage).execute()
            # Merged stages are one stage from now on, in the past too: the history that named the old
            # stage names the one it became, so cycle times and conversion stay whole.
            StageChange.update(to_stage=target.id).where(StageChange.to_stage == current.id).execute()
            StageChange.update(from_stage=target.id).where(StageChange.from_stage == current.id).execute()
            current.delete_instance()
            rollups.recompute_stays()  # the stays in the merged stage are stays in the one it became
            rollups.stages_changed([current.id, target.id])  # its deals count in the one it became
            _renumber([s for s in stages if s.id != current.id])
            audit.record("delete", actor=by, obj=current,
                         summary=f"{current.name_en} merged into {target.name_en}: {moved} deals moved")
    except (IntegrityError, OperationalError):
        if is_sqlite():  # BEGIN IMMEDIATE serialises writers: nothing can race here, so this is a real fault
            raise
        raise Invalid({"into": RACED}) from None
    return moved


# Loss reasons

def reasons():
    """Every loss reason in order, active or not."""
    return list(LossReason.select().order_by(LossReason.position, LossReason.id))


def _locked_reasons():
    query = LossReason.select().order_by(LossReason.position, LossReason.id)
    if not is_sqlite():
        query = query.for_update("FOR NO KEY UPDATE")
    return list(query)


def _check_reason(values, reason, all_reasons):
    errors = {}
    cleaned = {key: _clean_name(values, key, REASON_NAME_MAX, errors) for key in ("name_en", "name_zh")}
    others = [r for r in all_reasons if reason is None or r.id != reason.id]
    for key in ("name_en", "name_zh"):
        if key not in errors and any(getattr(r, key).casefold() == cleaned[key].casefold() for r in others):
            errors[key] = _l("Another reason already has this name.")
    if errors:
        raise Invalid(errors)
    return cleaned


def add_reason(values, by):
    """A new, active loss reason at the end of the list."""
    with db.atomic():
        all_reasons = _locked_reasons()
        cleaned = _check_reason(values, None, all_reasons)
        reason = LossReason.create(position=len(all_reasons), active=True, **cleaned)
        _renumber(all_reasons + [reason])
        audit.record("create", actor=by, obj=reason, summary=f"{reason.name_en} / {reason.name_zh}")
    return reason


def rename_reason(reason, values, by):
    """New names for a reason; deals lost for it show the new names."""
    with db.atomic():
        all_reasons = _locked_reasons()
        current = _find(all_reasons, reason.id)
        if current is None:
            raise Invalid({None: _l("Unknown reason.")})
        cleaned = _check_reason(values, current, all_reasons)
        before = f"{current.name_en} / {current.name_zh}"
        LossReason.update(**cleaned).where(LossReason.id == current.id).execute()
        for key, value in cleaned.items():
            setattr(current, key, value)
        audit.record("edit", actor=by, obj=current, summary=f"{before} → {current.name_en} / {current.name_zh}")
    return current


def set_reason_active(reason, active, by):
    """A deactivated reason is no longer offered when losing a deal; deals already lost for it keep it."""
    with db.atomic():
        all_reasons = _locked_reasons()
        current = _find(all_reasons, reason.id)
        if current is None:
            raise Invalid({None: _l("Unknown reason.")})
        if not active and current.active and not any(r.active for r in all_reasons if r.id != current.id):
            raise Invalid({None: _l("Keep at least one active reason: losing a deal needs one.")})
        if current.active != active:
            LossReason.update(active=active).where(LossReason.id == current.id).execute()
            current.active = active
            audit.record("reactivate" if active else "deactivate", actor=by, obj=current, summary=current.name_en)
    return current


def reorder_reason(reason, direction, by):
    """Swap a loss reason with its neighbour above ("up") or below ("down") in the list deals are lost from."""
    if direction not in DIRECTIONS:
        raise Invalid({None: _l("Move a reason up or down.")})
    with db.atomic():
        all_reasons = _locked_reasons()
        current = _find(all_reasons, reason.id)
        if current is None:
            raise Invalid({None: _l("Unknown reason.")})
        index = all_reasons.index(current)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(all_reasons):
            raise Invalid({None: _l("This reason is already first.") if direction == "up"
                           else _l("This reason is already last.")})
        all_reasons[index], all_reasons[other] = all_reasons[other], all_reasons[index]
        _renumber(all_reasons)
        audit.record("edit", actor=by, obj=current, summary=f"{current.name_en}: moved {direction}")
    return current

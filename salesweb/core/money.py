"""Amounts, percentages and quantities as people type them, read into exact integers; the one rounding rule
(halves away from zero) every computed amount follows; and a total shared out in whole minor units."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .i18n import _l

LARGEST = 10**13  # 100 billion in minor units: beyond that it is a typo
SEPARATORS = (",", "，", " ", "\u00a0", "_")


def _decimal(text):
    cleaned = str(text if text is not None else "").strip()
    for mark in SEPARATORS:
        cleaned = cleaned.replace(mark, "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def rounded(value):
    """A Decimal to the nearest integer, halves away from zero."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(text):
    """An amount typed in major units ("1,100,000", "1 100 000.50", "1，100，000"): minor units, or None when blank.
    Raises ValueError with the message to show."""
    message = _l("Enter an amount between 0 and 100,000,000,000.")
    try:
        amount = _decimal(text)
    except ValueError:
        raise ValueError(_l("Enter an amount such as 1,100,000.")) from None
    if amount is None:
        return None
    if not 0 <= amount <= LARGEST // 100:  # before rounding, which a huge exponent would overflow
        raise ValueError(message)
    minor = rounded(amount * 100)
    if minor > LARGEST:
        raise ValueError(message)
    return minor


def parse_percent(text):
    """A discount typed as "15", "12.5" or "15 %": basis points (1 % = 100), 0 when blank. ValueError outside
    0–100 % or with more than two decimals."""
    try:
        value = _decimal(str(text if text is not None else "").replace("%", ""))
    except ValueError:
        raise ValueError(_l("Enter a percentage from 0 to 100.")) from None
    if value is None:
        return 0
    if not 0 <= value <= 100:
        raise ValueError(_l("Enter a percentage from 0 to 100."))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_l("At most two decimals."))
    return int(value * 100)


def parse_quantity(text):
    """A quantity above zero with at most three decimals, as a Decimal; ValueError otherwise."""
    try:
        value = _decimal(text)
    except ValueError:
        value = None
    if value is None or not 0 < value <= 10**9:
        raise ValueError(_l("Enter a quantity above 0."))
    if value != value.quantize(Decimal("0.001")):
        raise ValueError(_l("At most three decimals."))
    return value.quantize(Decimal("0.001"))


def amount_text(minor):
    """Minor units as an amount to read or retype, as the money filter writes it in English: a whole amount without
    decimals ("1,100,000"), any other with both digits of the minor unit ("368.50", "1,234.05")."""
    units, cents = divmod(abs(int(minor)), 100)
    text = f"{units:,}" + (f".{cents:02d}" if cents else "")
    return "-" + text if minor < 0 else text


def percent_text(basis_points):
    """Basis points as a percentage without needless decimals: 1500 → "15", 1250 → "12.5"."""
    whole, rest = divmod(int(basis_points), 100)
    return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")


def split(total, weights):
    """`total` shared in proportion to `weights` (all equal when they sum to nothing), in whole minor units that
    add up to the total exactly: the remainder goes to the largest fractions, earlier first on a tie."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:total - sum(shares)]:
        shares[i] += 1
    return shares

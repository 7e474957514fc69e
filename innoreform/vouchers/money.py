"""The vouchers' adapter to the books and the trust ledger: which accounts, which postings, how a
payment is split between the province and the enterprise's city. Called only from services,
inside their transaction.

Accounts (all guarded against going below zero except the funding sources' counterparts):
- per budget (province/year, city/year): available (BUDGET), reserved (RESERVED), source (FUNDING_SOURCE)
- per year: voucher expense (EXPENSE, platform side)
- per payee: INSTITUTION_PAYABLE or ENTERPRISE_PAYABLE, key "vouchers"

Postings (reference = the business event, unique in the books, so nothing posts twice; the books
write each posting's trust-ledger entry):
- vouchers:appropriation:<id>      Dr available  / Cr source
- vouchers:issue:<voucher>         Dr reserved   / Cr available      (province and city parts)
- vouchers:payable:<claim>         Dr expense    / Cr payable        (claim approved)
- vouchers:pay:<claim>             Dr payable    / Cr reserved       (province and city parts)
- vouchers:release:<voucher>:<tag> Dr available  / Cr reserved       (expiry, cancellation, void)
"""

from decimal import ROUND_FLOOR, Decimal, localcontext

from innoreform.books import services as books
from innoreform.books.schemas import AccountPurpose
from innoreform.core.actor import Actor

SUBJECT_VOUCHER = "vouchers.voucher"
SUBJECT_CLAIM = "vouchers.claim"
SUBJECT_BUDGET = "vouchers.budget"

KIND_APPROPRIATION = "vouchers.appropriation"
KIND_ISSUE = "vouchers.issue"
KIND_PAYABLE = "vouchers.payable"
KIND_PAY = "vouchers.pay"
KIND_RELEASE = "vouchers.release"
KINDS = (KIND_APPROPRIATION, KIND_ISSUE, KIND_PAYABLE, KIND_PAY, KIND_RELEASE)


def share_of(amount_fen: int, rate: Decimal) -> int:
    """`rate` as a fraction (0.5 = 50%) of an amount, rounded DOWN to the fen: the scheme's rate is
    a ceiling ("at most 50% of the fee"), so half up would give an odd fee one fen above it (a
    333-fen fee would get 167). The city's part of a face value follows the same rule."""
    with localcontext() as ctx:
        ctx.prec = 40  # exact for any amount below core.money.MAX_FEN times a six-place rate
        return int((Decimal(amount_fen) * Decimal(rate)).to_integral_value(rounding=ROUND_FLOOR))


def city_part(consumed_fen: int, *, face_fen: int, city_reserved_fen: int) -> int:
    """The city's part of the first `consumed_fen` of a voucher (floor, cumulative), so that the
    parts of all payments and releases add up to exactly the city's reservation."""
    return consumed_fen * city_reserved_fen // face_fen if face_fen else 0


def split(voucher, amount_fen: int) -> tuple[int, int]:
    """(province, city) parts of the next `amount_fen` consumed from `voucher` (locked by the
    caller): proportional on the cumulative amount, clamped so that neither part ever exceeds
    what remains reserved for it. Advances the voucher's counters (the caller saves)."""
    city_left = voucher.city_reserved_fen - voucher.city_consumed_fen
    province_left = (voucher.face_fen - voucher.city_reserved_fen) - (voucher.consumed_fen - voucher.city_consumed_fen)
    if amount_fen > city_left + province_left:
        raise ValueError("more consumed than reserved")
    target = city_part(voucher.consumed_fen + amount_fen, face_fen=voucher.face_fen,
                       city_reserved_fen=voucher.city_reserved_fen) - voucher.city_consumed_fen
    city = min(max(target, amount_fen - province_left, 0), city_left, amount_fen)
    voucher.consumed_fen += amount_fen
    voucher.city_consumed_fen += city
    return amount_fen - city, city


def unsplit(voucher, province_fen: int, city_fen: int) -> None:
    """Undo an allocation that will never be paid (an approved claim found fraudulent)."""
    voucher.consumed_fen -= province_fen + city_fen
    voucher.city_consumed_fen -= city_fen


# --- accounts ---------------------------------------------------------------------------------------------


def budget_key(level: str, year: int, city: str = "") -> str:
    return f"vouchers:{level}:{city + ':' if city else ''}{year}"


def budget_accounts(*, actor: Actor, level: str, year: int, city: str = ""):
    key = budget_key(level, year, city)
    label = f"{year} {level} {city}".strip()
    return (
        books.account_for(actor=actor, owner=None, purpose=AccountPurpose.BUDGET, key=key,
                          name=f"创新券预算 {label}"),
        books.account_for(actor=actor, owner=None, purpose=AccountPurpose.RESERVED, key=key,
                          name=f"创新券已预留 {label}"),
        books.account_for(actor=actor, owner=None, purpose=AccountPurpose.FUNDING_SOURCE, key=key,
                          name=f"创新券拨款 {label}"),
    )


def expense_account(*, actor: Actor, year: int):
    return books.account_for(actor=actor, owner=None, purpose=AccountPurpose.EXPENSE, key=f"vouchers:{year}",
                             name=f"创新券兑付支出 {year}")


def payable_account(*, actor: Actor, payee, institution: bool):
    purpose = AccountPurpose.INSTITUTION_PAYABLE if institution else AccountPurpose.ENTERPRISE_PAYABLE
    return books.account_for(actor=actor, owner=payee, purpose=purpose, key="vouchers",
                             name=f"创新券应付 {payee.name}"[:200])


# --- postings --------------------------------------------------------------------------------------------


def _lines(*pairs: tuple) -> list[tuple]:
    return [(a, v) for a, v in pairs if v]


def issue_lines(*, province, city, province_fen: int, city_fen: int) -> list[tuple]:
    lines = [(province.reserved_account, province_fen), (province.available_account, -province_fen)]
    if city is not None and city_fen:
        lines += [(city.reserved_account, city_fen), (city.available_account, -city_fen)]
    return _lines(*lines)


def release_lines(*, province, city, province_fen: int, city_fen: int) -> list[tuple]:
    return [(a, -v) for a, v in issue_lines(province=province, city=city, province_fen=province_fen,
                                            city_fen=city_fen)]


def pay_lines(*, payable, province, city, province_fen: int, city_fen: int) -> list[tuple]:
    lines = [(payable, province_fen + city_fen), (province.reserved_account, -province_fen)]
    if city is not None and city_fen:
        lines.append((city.reserved_account, -city_fen))
    return _lines(*lines)


def post(*, actor: Actor, kind: str, reference: str, lines, subject_type: str, subject_id, memo: str = "",
         correlation: str = "", entry_type: str = "books.money_moved", subject_organisation=None):
    lines = [(a, v) for a, v in lines if v]
    if len(lines) < 2:
        return None  # nothing moves (e.g. a zero release), so nothing is logged either
    return books.post_transaction(actor=actor, kind=kind, reference=reference, lines=lines, memo=memo,
                                  subject_type=subject_type, subject_id=subject_id, correlation=correlation,
                                  entry_type=entry_type, subject_organisation=subject_organisation)

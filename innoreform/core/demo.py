"""Demo data: clearly labelled fictional organisations of every kind in several cities and
regions, and one login per role. Idempotent: running it again changes nothing.

Other apps add their own demo data by providing `innoreform/<app>/demo.py` with
`load(*, operator: Actor) -> None`; `innoreform demo` calls them after this module, then each
optional `finish(*, operator: Actor) -> None` once every app has loaded.
"""

from dataclasses import dataclass

from django.db import transaction

from .actor import Actor
from .credit_code import make as make_credit_code
from .models import Membership, Notification, Organisation, OrgKind, Role, User
from .regions import Region

EVIDENCE_KINDS = {OrgKind.COURT, OrgKind.MEDIATION_BODY, OrgKind.NOTARY_OFFICE, OrgKind.COLLEGE, OrgKind.CUSTOMS}
DEMO_PASSWORD = "InnoReform-demo-2026"  # noqa: S105 - published demo credential, labelled as such
DEMO_SUFFIX = "（演示）"


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    name_en: str
    kind: str
    region: str
    jurisdiction: str = ""
    line: str = ""
    district: str = ""


@dataclass(frozen=True)
class DemoUser:
    username: str
    org_key: str
    role: str
    display_name: str
    # Published base32 TOTP secret for demo users who need a second factor (never for real users).
    totp_secret: str = ""


ORGS = [
    DemoOrg("operator", "创新改革平台运营中心", "InnoReform Platform Operations", OrgKind.PLATFORM_OPERATOR,
            Region.GUANGZHOU),
    DemoOrg("dept_science", "广东省科学技术厅", "Guangdong Department of Science and Technology",
            OrgKind.DEPARTMENT, Region.GUANGZHOU, "province", "science"),
    DemoOrg("dept_finance", "广东省财政厅", "Guangdong Department of Finance", OrgKind.DEPARTMENT,
            Region.GUANGZHOU, "province", "finance"),
    DemoOrg("dept_foshan", "佛山市科学技术局", "Foshan Science and Technology Bureau", OrgKind.DEPARTMENT,
            Region.FOSHAN, "city", "science"),
    DemoOrg("dept_gz_finreg", "广州市地方金融管理局", "Guangzhou Local Financial Administration",
            OrgKind.DEPARTMENT, Region.GUANGZHOU, "city", "financial_regulation"),
    DemoOrg("ent_foshan", "佛山智感传感科技有限公司", "Foshan Zhigan Sensing Technology Co., Ltd.",
            OrgKind.ENTERPRISE, Region.FOSHAN, district="南海区"),
    DemoOrg("ent_dongguan", "东莞精测光电有限公司", "Dongguan Jingce Optoelectronics Co., Ltd.",
            OrgKind.ENTERPRISE, Region.DONGGUAN),
    DemoOrg("ent_shantou", "汕头海材新材料科技有限公司", "Shantou Haicai New Materials Co., Ltd.",
            OrgKind.ENTERPRISE, Region.SHANTOU),
    DemoOrg("inst_hk", "香港精准检测实验室", "Hong Kong Precision Testing Laboratory",
            OrgKind.SERVICE_INSTITUTION, Region.HONG_KONG),
    DemoOrg("inst_shanghai", "上海形意工业设计有限公司", "Shanghai Xingyi Industrial Design Co., Ltd.",
            OrgKind.SERVICE_INSTITUTION, Region.YANGTZE_DELTA),
    DemoOrg("inst_shenzhen", "深圳南山检测认证中心", "Shenzhen Nanshan Testing and Certification Centre",
            OrgKind.SERVICE_INSTITUTION, Region.SHENZHEN),
    DemoOrg("bank_gz", "粤科银行广州分行", "Yueke Bank Guangzhou Branch", OrgKind.BANK, Region.GUANGZHOU),
    DemoOrg("guarantor_gz", "广州科技融资担保有限公司", "Guangzhou Sci-Tech Financing Guarantee Co., Ltd.",
            OrgKind.GUARANTOR, Region.GUANGZHOU),
    DemoOrg("insurer_sz", "深圳科创保险有限公司", "Shenzhen Kechuang Insurance Co., Ltd.", OrgKind.INSURER,
            Region.SHENZHEN),
    DemoOrg("investor_sz", "深圳湾创业投资有限公司", "Shenzhen Bay Venture Capital Co., Ltd.", OrgKind.INVESTOR,
            Region.SHENZHEN),
    DemoOrg("court_ip", "广州知识产权法院", "Guangzhou Intellectual Property Court", OrgKind.COURT,
            Region.GUANGZHOU),
    DemoOrg("mediator_gz", "广州知识产权纠纷人民调解委员会", "Guangzhou IP Dispute Mediation Committee",
            OrgKind.MEDIATION_BODY, Region.GUANGZHOU),
    DemoOrg("notary_gz", "广州南方公证处", "Guangzhou Nanfang Notary Office", OrgKind.NOTARY_OFFICE,
            Region.GUANGZHOU),
    DemoOrg("college_fs", "佛山智能制造职业技术学院", "Foshan Vocational College of Intelligent Manufacturing",
            OrgKind.COLLEGE, Region.FOSHAN),
    DemoOrg("customs_gz", "广州海关生物医药监管处", "Guangzhou Customs Biomedical Supervision Division",
            OrgKind.CUSTOMS, Region.GUANGZHOU),
    DemoOrg("biotech_gz", "广州生源细胞生物科技有限公司", "Guangzhou Shengyuan Cell Biotech Co., Ltd.",
            OrgKind.ENTERPRISE, Region.GUANGZHOU, district="黄埔区"),
]

USERS = [
    DemoUser("operator", "operator", Role.ADMINISTRATOR, "平台管理员", "JBSWY3DPEHPK3PXPOPERATOR"),
    DemoUser("dept-science", "dept_science", Role.ADMINISTRATOR, "省科技厅管理员", "JBSWY3DPEHPK3PXPSCIENCEA"),
    DemoUser("dept-reviewer", "dept_science", Role.REVIEWER, "省科技厅审核员", "JBSWY3DPEHPK3PXPREVIEWAA"),
    DemoUser("dept-approver", "dept_science", Role.APPROVER, "省科技厅审批员", "JBSWY3DPEHPK3PXPAPPROVEA"),
    DemoUser("dept-finance", "dept_finance", Role.APPROVER, "省财政厅审批员", "JBSWY3DPEHPK3PXPFINANCEA"),
    DemoUser("dept-foshan", "dept_foshan", Role.REVIEWER, "佛山市科技局审核员", "JBSWY3DPEHPK3PXPFOSHANAA"),
    DemoUser("dept-gz-finreg", "dept_gz_finreg", Role.REVIEWER, "广州金融局审核员", "JBSWY3DPEHPK3PXPFINREGAA"),
    DemoUser("ent-foshan", "ent_foshan", Role.ADMINISTRATOR, "佛山智感 管理员"),
    DemoUser("ent-foshan-member", "ent_foshan", Role.MEMBER, "佛山智感 经办人"),
    DemoUser("ent-dongguan", "ent_dongguan", Role.ADMINISTRATOR, "东莞精测 管理员"),
    DemoUser("ent-shantou", "ent_shantou", Role.ADMINISTRATOR, "汕头海材 管理员"),
    DemoUser("inst-hk", "inst_hk", Role.ADMINISTRATOR, "香港精准检测 管理员"),
    DemoUser("inst-shanghai", "inst_shanghai", Role.ADMINISTRATOR, "上海形意设计 管理员"),
    DemoUser("inst-shenzhen", "inst_shenzhen", Role.ADMINISTRATOR, "深圳南山检测 管理员"),
    DemoUser("bank-gz", "bank_gz", Role.ADMINISTRATOR, "粤科银行 管理员", "JBSWY3DPEHPK3PXPBANKGZAA"),
    DemoUser("bank-gz-officer", "bank_gz", Role.REVIEWER, "粤科银行 客户经理", "JBSWY3DPEHPK3PXPBANKGZBA"),
    DemoUser("guarantor-gz", "guarantor_gz", Role.ADMINISTRATOR, "广州科技担保 管理员"),
    DemoUser("insurer-sz", "insurer_sz", Role.ADMINISTRATOR, "深圳科创保险 管理员"),
    DemoUser("investor-sz", "investor_sz", Role.ADMINISTRATOR, "深圳湾创投 管理员"),
    DemoUser("court-ip", "court_ip", Role.APPROVER, "知识产权法院 法官", "JBSWY3DPEHPK3PXPCOURTIPA"),
    DemoUser("mediator-gz", "mediator_gz", Role.ADMINISTRATOR, "调解委员会 调解员"),
    DemoUser("notary-gz", "notary_gz", Role.APPROVER, "南方公证处 公证员", "JBSWY3DPEHPK3PXPNOTARYAA"),
    DemoUser("college-fs", "college_fs", Role.ADMINISTRATOR, "职业技术学院 管理员"),
    DemoUser("customs-gz", "customs_gz", Role.REVIEWER, "海关 审核员"),
    DemoUser("customs-gz-approver", "customs_gz", Role.APPROVER, "海关 审批员"),
    DemoUser("ent-biotech", "biotech_gz", Role.ADMINISTRATOR, "生源细胞 管理员"),
]


def _credit_code(index: int, org: DemoOrg) -> str | None:
    if org.region in (Region.HONG_KONG, Region.MACAO):
        return None
    division = org.region if org.region.isdigit() else {"YRD": "310000", "JJJ": "110000"}.get(org.region, "440100")
    prefix = "11" if org.kind in (OrgKind.DEPARTMENT, OrgKind.COURT, OrgKind.CUSTOMS) else "91"
    # "D" + index keeps demo codes apart from real ones' organisation bodies.
    return make_credit_code(prefix, division, f"MA{index:06d}")


def load() -> dict[str, Organisation]:
    """Create or refresh the demo organisations and users; returns organisations by key."""
    orgs: dict[str, Organisation] = {}
    with transaction.atomic():
        for index, spec in enumerate(ORGS, start=1):
            name = spec.name + DEMO_SUFFIX
            org = Organisation.objects.filter(name=name, is_demo=True).first()
            if org is None:
                org = Organisation.objects.create(
                    name=name, name_en=spec.name_en + " (demo)", kind=spec.kind, region=spec.region,
                    district=spec.district, credit_code=_credit_code(index, spec), jurisdiction=spec.jurisdiction,
                    line=spec.line, is_demo=True,
                )
            orgs[spec.key] = org
        for spec in USERS:
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User(username=spec.username, display_name=spec.display_name, is_demo=True)
                user.set_password(DEMO_PASSWORD)
                if spec.totp_secret:
                    user.totp_secret, user.totp_confirmed = spec.totp_secret, True
                if spec.username == "operator":
                    user.is_staff = user.is_superuser = True  # back office (Django admin)
                user.save()
            elif user.is_demo and spec.totp_secret and user.totp_secret != spec.totp_secret:
                # Keep demo accounts signable with the secrets the README publishes.
                User.objects.filter(pk=user.pk).update(totp_secret=spec.totp_secret, totp_confirmed=True)
            Membership.objects.get_or_create(user=user, organisation=orgs[spec.org_key],
                                             defaults={"role": spec.role})
            if orgs[spec.org_key].kind in EVIDENCE_KINDS and not user.notifications.exists():
                # Their measures (IP cases, special goods, vocational linkage) are still to come: the
                # evidence journey is what they can do today, so their home starts with it.
                Notification.objects.create(recipient=user, message_id="demo.evidence", url="/ledger/evidence/")
    return orgs


def operator_actor() -> Actor:
    membership = Membership.objects.select_related("user", "organisation").get(user__username="operator")
    return Actor.for_membership(membership)


def demo_org(key: str) -> Organisation | None:
    """The demo organisation of this ORGS key, if the core demo has been loaded."""
    spec = next(s for s in ORGS if s.key == key)
    return Organisation.objects.filter(name=spec.name + DEMO_SUFFIX, is_demo=True).first()


def demo_actor(username: str) -> Actor | None:
    """The demo user's actor (its first membership), if the core demo has been loaded."""
    membership = Membership.objects.select_related("user", "organisation").filter(user__username=username).first()
    return Actor.for_membership(membership) if membership else None


def accounts_table() -> list[str]:
    """The demo accounts as plain-text lines (printed by `innoreform demo` and last by `innoreform serve`
    in demo mode, so they are on screen when the server is up)."""
    orgs = {o.key: o for o in ORGS}
    lines = [f"Every demo account's password: {DEMO_PASSWORD}",
             f"  {'username':<18} {'role':<14} {'organisation':<56} TOTP secret (second factor)"]
    for user in USERS:
        org = orgs[user.org_key]
        lines.append(f"  {user.username:<18} {user.role:<14} {org.name_en:<56} {user.totp_secret}".rstrip())
    return lines

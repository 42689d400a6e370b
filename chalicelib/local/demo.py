"""Demo data for the local stack: a prefecture's departments and staff in each, with roles.

All names are invented. Every demo account has the same password, printed at start.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.accounts import cognito
from chalicelib.core.auth import Role
from chalicelib.directory import service as directory
from chalicelib.directory.service import Department, Staff

DEMO_PASSWORD = "Kumo-Demo-2026"

DEPARTMENTS = (
    Department("somu", "総務部", "General Affairs Department", 10),
    Department("digital", "デジタル戦略局", "Digital Strategy Bureau", 20),
    Department("kikaku", "企画振興部", "Planning and Promotion Department", 30),
    Department("kenko", "健康福祉部", "Health and Welfare Department", 40),
    Department("kankyo", "環境生活部", "Environment and Community Department", 50),
    Department("shoko", "商工労働部", "Commerce, Industry and Labour Department", 60),
    Department("norin", "農林水産部", "Agriculture, Forestry and Fisheries Department", 70),
    Department("doboku", "土木部", "Public Works Department", 80),
    Department("kyoiku", "教育庁", "Board of Education Secretariat", 90),
    Department("kenpoku", "県北広域本部", "Northern Regional Headquarters", 100),
)


@dataclass(frozen=True)
class DemoStaff:
    staff_id: str
    display_name: str
    department_id: str
    role: Role

    @property
    def email(self) -> str:
        return f"{self.staff_id}@pref.example.lg.jp"


STAFF = (
    DemoStaff("admin", "情報 太郎", "digital", Role.SYSTEM_ADMIN),
    DemoStaff("nakamura.s", "中村 咲", "digital", Role.DEPARTMENT_ADMIN),
    DemoStaff("ogata.r", "緒方 亮", "digital", Role.MEMBER),
    DemoStaff("tanaka.h", "田中 ひかり", "somu", Role.DEPARTMENT_ADMIN),
    DemoStaff("yamada.k", "山田 健一", "somu", Role.MEMBER),
    DemoStaff("kondo.m", "近藤 美穂", "somu", Role.MEMBER),
    DemoStaff("matsumoto.y", "松本 由美", "kikaku", Role.MEMBER),
    DemoStaff("inoue.a", "井上 彩", "kenko", Role.DEPARTMENT_ADMIN),
    DemoStaff("kimura.t", "木村 拓也", "kenko", Role.MEMBER),
    DemoStaff("hayashi.m", "林 真理子", "kankyo", Role.MEMBER),
    DemoStaff("shimizu.d", "清水 大輔", "shoko", Role.MEMBER),
    DemoStaff("mori.n", "森 直子", "norin", Role.MEMBER),
    DemoStaff("sakamoto.j", "坂本 純", "doboku", Role.DEPARTMENT_ADMIN),
    DemoStaff("fujita.e", "藤田 恵美", "doboku", Role.MEMBER),
    DemoStaff("ishii.k", "石井 和也", "kyoiku", Role.MEMBER),
    DemoStaff("murakami.h", "村上 遥", "kenpoku", Role.DEPARTMENT_ADMIN),
    DemoStaff("okada.s", "岡田 翔", "kenpoku", Role.MEMBER),
)


def seed(*, only_if_empty: bool = True) -> bool:
    """Write the demo directory and accounts. Returns False when there was data already."""
    if only_if_empty and directory.list_departments():
        return False
    for department in DEPARTMENTS:
        directory.save_department(department)
    for person in STAFF:
        directory.save_staff(
            Staff(person.staff_id, person.display_name, person.email, person.department_id, person.role)
        )
        cognito.upsert_user(person.staff_id, person.email, person.display_name, permanent_password=DEMO_PASSWORD)
    return True


def restore_accounts(password: str = DEMO_PASSWORD) -> int:
    """Give every staff member in the directory a sign-in again after a restart.

    The emulator keeps no users across restarts and passwords can never be exported, so
    locally each restored account gets the demo password. Returns how many were created.
    """
    created = 0
    for person in directory.all_staff():
        if cognito.upsert_user(person.staff_id, person.email, person.display_name):
            cognito.upsert_user(person.staff_id, person.email, person.display_name, permanent_password=password)
            created += 1
    return created


def logins_table() -> str:
    names = {d.department_id: d.name_ja for d in DEPARTMENTS}
    width = max(len(s.staff_id) for s in STAFF)
    lines = [f"  {s.staff_id:<{width}}  {s.role.value:<12}  {names[s.department_id]}  {s.display_name}" for s in STAFF]
    return "\n".join(lines)

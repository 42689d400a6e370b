"""Demo data for the local stack: a prefecture's tree (部局 → 所属 → 係) and staff placed in it.

All names are invented. Every demo account has the same password, printed at start. Each 所属
with people has a 所属長, most a 取りまとめ担当, and some people hold a 兼務.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.accounts import cognito
from chalicelib.core.auth import Post, Role
from chalicelib.directory import service as directory
from chalicelib.directory.service import Department, Placement, Staff
from chalicelib.local.demo_org import UNITS

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


HEAD, COORDINATOR, GENERAL = Post.HEAD, Post.COORDINATOR, Post.GENERAL


@dataclass(frozen=True)
class DemoStaff:
    staff_id: str
    display_name: str
    department_id: str
    role: Role
    unit_id: str | None = None  # the 所属
    post: Post = GENERAL
    section_id: str | None = None  # the 係
    concurrent: tuple[Placement, ...] = ()  # 兼務

    @property
    def email(self) -> str:
        return f"{self.staff_id}@pref.example.lg.jp"

    def staff(self) -> Staff:
        return Staff(
            self.staff_id,
            self.display_name,
            self.email,
            self.department_id,
            self.role,
            unit_id=self.unit_id,
            section_id=self.section_id,
            post=self.post,
            concurrent=self.concurrent,
        )


MEMBER, DEPT_ADMIN, SYSTEM_ADMIN = Role.MEMBER, Role.DEPARTMENT_ADMIN, Role.SYSTEM_ADMIN
STAFF = (
    DemoStaff("admin", "情報 太郎", "digital", SYSTEM_ADMIN, "joho", GENERAL, "joho-kiban"),
    DemoStaff("nakamura.s", "中村 咲", "digital", DEPT_ADMIN, "dx", HEAD, None, (Placement("security", post=HEAD),)),
    DemoStaff("ogata.r", "緒方 亮", "digital", MEMBER, "dx", COORDINATOR),
    DemoStaff("kubo.s", "久保 誠", "digital", MEMBER, "joho", HEAD),
    DemoStaff("endo.m", "遠藤 美紀", "digital", MEMBER, "joho", COORDINATOR, "joho-gyomu"),
    DemoStaff("ohashi.t", "大橋 智子", "somu", MEMBER, "somuka", HEAD),
    DemoStaff("yamada.k", "山田 健一", "somu", MEMBER, "somuka", COORDINATOR, None, (Placement("zaisei"),)),
    DemoStaff("tanaka.h", "田中 ひかり", "somu", DEPT_ADMIN, "jinji", HEAD),
    DemoStaff("kondo.m", "近藤 美穂", "somu", MEMBER, "jinji", COORDINATOR, "jinji-ninyo"),
    DemoStaff("nishida.k", "西田 和夫", "somu", MEMBER, "zaisei", HEAD),
    DemoStaff("harada.y", "原田 由香", "somu", MEMBER, "zaisei", COORDINATOR, "zaisei-yosan"),
    DemoStaff("sugimoto.r", "杉本 亮介", "somu", MEMBER, "homu", HEAD),
    DemoStaff("aoki.h", "青木 浩", "kikaku", MEMBER, "seisaku", HEAD),
    DemoStaff("matsumoto.y", "松本 由美", "kikaku", MEMBER, "seisaku", COORDINATOR),
    DemoStaff("inoue.a", "井上 彩", "kenko", DEPT_ADMIN, "fukushi-seisaku", HEAD),
    DemoStaff("kimura.t", "木村 拓也", "kenko", MEMBER, "fukushi-seisaku", COORDINATOR),
    DemoStaff("noguchi.h", "野口 英樹", "kankyo", MEMBER, "kankyo-seisaku", HEAD),
    DemoStaff("hayashi.m", "林 真理子", "kankyo", MEMBER, "kankyo-seisaku", COORDINATOR),
    DemoStaff("ueda.s", "上田 真一", "shoko", MEMBER, "sangyo", HEAD),
    DemoStaff("shimizu.d", "清水 大輔", "shoko", MEMBER, "sangyo"),
    DemoStaff("hirano.k", "平野 久美子", "norin", MEMBER, "nogyo", HEAD),
    DemoStaff("mori.n", "森 直子", "norin", MEMBER, "nogyo", COORDINATOR),
    DemoStaff("sakamoto.j", "坂本 純", "doboku", DEPT_ADMIN, "doro", HEAD),
    DemoStaff(
        "fujita.e",
        "藤田 恵美",
        "doboku",
        MEMBER,
        "doro",
        COORDINATOR,
        "doro-kanri",
        (Placement("kasen", post=COORDINATOR),),
    ),
    DemoStaff("takeda.k", "武田 健", "doboku", MEMBER, "kasen", HEAD, "kasen-kanri"),
    DemoStaff("fujii.r", "藤井 涼", "doboku", MEMBER, "doro", GENERAL, "doro-kensetsu"),
    DemoStaff("sakai.t", "酒井 哲也", "kyoiku", MEMBER, "gakko", HEAD),
    DemoStaff("ishii.k", "石井 和也", "kyoiku", MEMBER, "gakko"),
    DemoStaff("murakami.h", "村上 遥", "kenpoku", DEPT_ADMIN, "kenpoku-somu", HEAD),
    DemoStaff("okada.s", "岡田 翔", "kenpoku", MEMBER, "kenpoku-somu", COORDINATOR),
)


def seed(*, only_if_empty: bool = True) -> bool:
    """Write the demo directory and accounts. Returns False when there was data already."""
    if only_if_empty and directory.list_departments():
        return False
    for department in DEPARTMENTS:
        directory.save_department(department)
    directory.save_units(list(UNITS))
    for person in STAFF:
        directory.save_staff(person.staff())
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
    names = {d.department_id: d.name_ja for d in DEPARTMENTS} | {u.unit_id: u.name_ja for u in UNITS}
    posts = {HEAD: "所属長", COORDINATOR: "取りまとめ担当", GENERAL: ""}
    width = max(len(s.staff_id) for s in STAFF)
    lines = [
        f"  {s.staff_id:<{width}}  {s.role.value:<12}  {names[s.department_id]} {names[s.unit_id or s.department_id]}"
        f"  {s.display_name}  {posts[s.post]}".rstrip()
        for s in STAFF
    ]
    return "\n".join(lines)

"""The demo prefecture's tree below its 部局: 所属 (課・室・出先機関) and some 係.

Invented, but shaped like a real prefecture's: 総務課 exists in more than one 部局 (as it
does in real ones), so imports and lookups meet the same name twice. The 部局 themselves are
demo.DEPARTMENTS (their ids are older than the tree, and tests rely on them).
"""

from __future__ import annotations

from chalicelib.directory.org import OrgUnit, UnitKind

S, K = UnitKind.SHOZOKU, UnitKind.KAKARI


def _shozoku(parent: str, *units: tuple[str, str, str]) -> list[OrgUnit]:
    return [OrgUnit(uid, ja, en, S, parent, sort_order=10 * (i + 1)) for i, (uid, ja, en) in enumerate(units)]


def _kakari(parent: str, *units: tuple[str, str, str]) -> list[OrgUnit]:
    return [OrgUnit(uid, ja, en, K, parent, sort_order=10 * (i + 1)) for i, (uid, ja, en) in enumerate(units)]


UNITS: tuple[OrgUnit, ...] = (
    *_shozoku(
        "somu",
        ("somuka", "総務課", "General Affairs Division"),
        ("jinji", "人事課", "Personnel Division"),
        ("zaisei", "財政課", "Finance Division"),
        ("homu", "法務文書課", "Legal Affairs and Documents Division"),
    ),
    *_kakari("jinji", ("jinji-ninyo", "任用係", "Appointments Section"), ("jinji-kyuyo", "給与係", "Payroll Section")),
    *_kakari("zaisei", ("zaisei-yosan", "予算係", "Budget Section"), ("zaisei-zaimu", "財務係", "Treasury Section")),
    *_shozoku(
        "digital",
        ("dx", "デジタル推進課", "Digital Transformation Division"),
        ("joho", "情報システム課", "Information Systems Division"),
        ("security", "情報セキュリティ対策室", "Information Security Office"),
    ),
    *_kakari(
        "joho",
        ("joho-kiban", "基盤係", "Infrastructure Section"),
        ("joho-gyomu", "業務システム係", "Business Systems Section"),
    ),
    *_shozoku(
        "kikaku",
        ("seisaku", "政策企画課", "Policy Planning Division"),
        ("koho", "広報課", "Public Relations Division"),
        ("chiiki", "地域振興課", "Regional Development Division"),
        ("kotsu", "交通政策課", "Transport Policy Division"),
    ),
    *_shozoku(
        "kenko",
        ("fukushi-seisaku", "健康福祉政策課", "Health and Welfare Policy Division"),
        ("kenko-zukuri", "健康づくり推進課", "Health Promotion Division"),
        ("koreisha", "高齢者支援課", "Elderly Support Division"),
        ("kodomo", "子ども家庭課", "Children and Families Division"),
    ),
    *_shozoku(
        "kankyo",
        ("kankyo-seisaku", "環境政策課", "Environmental Policy Division"),
        ("junkan", "循環型社会推進課", "Recycling Society Division"),
        ("kenmin", "県民生活課", "Residents' Affairs Division"),
    ),
    *_shozoku(
        "shoko",
        ("sangyo", "産業振興課", "Industrial Promotion Division"),
        ("rodo", "労働雇用課", "Labour and Employment Division"),
        ("kanko", "観光振興課", "Tourism Promotion Division"),
    ),
    *_shozoku(
        "norin",
        ("nogyo", "農業振興課", "Agricultural Promotion Division"),
        ("rinmu", "林務課", "Forestry Division"),
        ("suisan", "水産課", "Fisheries Division"),
    ),
    *_shozoku(
        "doboku",
        ("doboku-kanri", "監理課", "Public Works Administration Division"),
        ("doro", "道路課", "Roads Division"),
        ("kasen", "河川課", "Rivers Division"),
        ("toshi", "都市計画課", "Urban Planning Division"),
        ("kenchiku", "建築住宅課", "Building and Housing Division"),
    ),
    *_kakari(
        "doro",
        ("doro-kanri", "道路管理係", "Road Maintenance Section"),
        ("doro-kensetsu", "道路建設係", "Road Construction Section"),
    ),
    *_kakari("kasen", ("kasen-kanri", "河川管理係", "River Management Section")),
    *_shozoku(
        "kyoiku",
        ("kyoiku-somu", "教育総務課", "Education General Affairs Division"),
        ("gakko", "学校教育課", "School Education Division"),
        ("shogai", "生涯学習課", "Lifelong Learning Division"),
    ),
    # A regional headquarters: its 総務課 and 地域振興課 share names with the head office's, so
    # their 照会番号 prefixes are set apart.
    OrgUnit("kenpoku-somu", "総務課", "General Affairs Division (North)", S, "kenpoku", "県北総務", 10),
    OrgUnit("kenpoku-shinko", "地域振興課", "Regional Development Division (North)", S, "kenpoku", "県北振興", 20),
    OrgUnit("kenpoku-doboku", "県北土木事務所", "Northern Public Works Office", S, "kenpoku", "県北土木", 30),
)

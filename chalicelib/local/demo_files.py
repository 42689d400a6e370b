"""Demo documents for the local stack, so search and files have something to show.

Short texts of our own on the themes a prefecture's staff work with (electronic approval,
inquiries, cloud storage, meetings, trips). They go in through the same service calls as a
browser upload (ticket, object, complete), so they are indexed by the real event path.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import aws
from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.directory import service as directory
from chalicelib.files import folders, upload_complete, upload_start


@dataclass(frozen=True)
class DemoFile:
    staff_id: str  # who uploads it (into their department's space)
    folder: str
    name: str
    content_type: str
    text: str


DEMO_FILES = (
    DemoFile(
        "yamada.k",
        "サンプル文書",
        "電子決裁_運用手順.md",
        "text/markdown",
        "# 電子決裁の運用手順\n\n起案者は文書管理システムで起案し、決裁ルートを設定します。\n"
        "紙の回議は原則として行いません。押印の代わりに電子署名を使います。\n"
        "急ぎの案件は課長に連絡してから回付してください。\n",
    ),
    DemoFile(
        "yamada.k",
        "サンプル文書",
        "照会回答_とりまとめ.csv",
        "text/csv",
        "所属,回答者,回答\n総務課,山田,提出済み\n人事課,近藤,確認中\n財政課,田中,期限までに回答します\n",
    ),
    DemoFile(
        "ogata.r",
        "サンプル文書",
        "クラウドストレージ導入計画.txt",
        "text/plain",
        "クラウドストレージ導入計画\n\n外部の事業者とのファイル共有をメール添付から共有リンクへ移します。\n"
        "大容量の図面や動画も期限付きのリンクで渡せます。パソコンの設定変更は不要です。\n"
        "The pilot starts in the Digital Strategy Bureau.\n",
    ),
    DemoFile(
        "kimura.t",
        "会議資料",
        "定例会議_議事録.html",
        "text/html",
        "<html><body><h1>定例会議 議事録</h1><p>出席者: 8名。議題は健診事業の照会対応について。</p>"
        "<p>次回の打合せは来週火曜日に開催します。</p></body></html>",
    ),
    DemoFile(
        "fujita.e",
        "出張",
        "出張復命書_橋梁点検.txt",
        "text/plain",
        "出張復命書\n\n用務: 県北地域の橋梁点検の立会い\n所感: 点検記録をタブレットで入力し、"
        "クラウドに保存したため、帰庁後の転記が不要になった。\n",
    ),
)


def seed() -> int:
    """Store the demo files (called once, with the demo directory). Returns how many."""
    stored = 0
    s3 = aws.client("s3")
    for demo in DEMO_FILES:
        staff = directory.find_staff(demo.staff_id)
        if staff is None:
            continue
        me: Principal = staff.principal()
        space = f"dept:{staff.department_id}"
        folder = folders.folder_for_path(me, space, [demo.folder])
        data = demo.text.encode()
        ticket = upload_start.start(me, folder, demo.name, len(data), demo.content_type)
        assert ticket.key and ticket.method == "post"  # small files: one object, as a form upload stores it
        s3.put_object(Bucket=settings().files_bucket, Key=ticket.key, Body=data, ContentType=demo.content_type)
        upload_complete.complete(me, ticket.upload_id)
        stored += 1
    return stored

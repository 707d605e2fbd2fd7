"""The floor for the venue list: a bare WSGI app doing the same work with nothing else around it.

One keyset query (the same filters, join and room count as the real list) and a Jinja render of 50 rows;
no Flask, no ORM, no session, no permission check. ``gunicorn bench.floor_app:app``.
"""
from __future__ import annotations

import os
import unicodedata
from urllib.parse import parse_qs

from jinja2 import DictLoader, Environment, select_autoescape
from sqlalchemy import create_engine, text

TEMPLATE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cơ sở</title></head><body>
<table><thead><tr><th>Tên</th><th>Loại</th><th>Trạng thái</th><th>Địa chỉ</th><th>Chủ</th><th>Phòng</th></tr></thead>
<tbody>{% for r in rows %}<tr><td><a href="/venues/{{ r.id }}">{{ r.name }}</a><div>{{ r.ref }}</div></td>
<td>{{ r.kind }}</td><td>{{ r.status }}</td><td>{{ r.house_number or "" }} {{ r.street or "" }}, {{ r.ward }}</td>
<td>{{ r.operator }}</td><td>{{ r.rooms }}</td></tr>{% endfor %}</tbody></table>
{% if next %}<a rel="next" href="?after={{ next }}">Sau</a>{% endif %}</body></html>"""

env = Environment(loader=DictLoader({"list.html": TEMPLATE}), autoescape=select_autoescape(default=True))
template = env.get_template("list.html")
engine = create_engine(os.environ["DATABASE_URL"], pool_size=2)

SQL = """
SELECT v.id, v.ref, v.name, v.name_key, v.kind, v.status, v.house_number, v.street, w.name AS ward,
       o.name AS operator,
       (SELECT count(*) FROM rooms r WHERE r.venue_id = v.id AND r.valid_to IS NULL AND r.active = :active) AS rooms
FROM venues v JOIN operators o ON o.id = v.operator_id JOIN admin_units w ON w.id = v.ward_id
WHERE {where}
ORDER BY v.name_key, v.id
LIMIT 51
"""


def fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", value.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in value if not unicodedata.combining(c)).lower().split())


def app(environ, start_response):
    args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    where, params = ["1 = 1"], {"active": True}
    for i, term in enumerate(fold(args.get("q", "")).split()[:8]):
        where.append(f"v.search_text LIKE :t{i}")
        params[f"t{i}"] = f"%{term}%"
    for name in ("kind", "status"):
        if args.get(name):
            where.append(f"v.{name} = :{name}")
            params[name] = args[name]
    if "|" in args.get("after", ""):
        key, row_id = args["after"].rsplit("|", 1)
        where.append("(v.name_key > :key OR (v.name_key = :key AND v.id > :row_id))")
        params.update(key=key, row_id=int(row_id))
    with engine.connect() as conn:
        rows = conn.execute(text(SQL.format(where=" AND ".join(where))), params).mappings().all()
    more = len(rows) > 50
    rows = rows[:50]
    nxt = f"{rows[-1]['name_key']}|{rows[-1]['id']}" if more else None
    body = template.render(rows=rows, next=nxt).encode()
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    if nxt:
        headers.append(("X-Next", nxt.encode().decode("latin-1")))
    start_response("200 OK", headers)
    return [body]

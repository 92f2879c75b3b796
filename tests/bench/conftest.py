"""A registry at realistic size (100,000 enterprises with their liaisons), written by
set-based SQL in seconds. Benchmarks only: `make bench`, not `make test`."""

import os

import pytest
from django.db import connection

from registry.services import enterprise_pinyin_backfill

ENTERPRISES = int(os.environ.get("BENCH_ENTERPRISES", "100000"))

_SEED_SQL = """
SET LOCAL session_replication_role = replica;  -- no history triggers for the bench's own seed
INSERT INTO registry_gridarea (code, name, created_at)
SELECT 'B' || lpad(g::text, 2, '0'), '基准网格' || g, now() FROM generate_series(1, 20) g;

INSERT INTO registry_enterprise (
    uscc, name, registered_address, operating_address, grid_id, industry, size,
    key_taxpayer, pre_approval, marked_key, registered_phone, annual_report_phone,
    legal_representative, legal_representative_backup_phone, status, beneficial_owner,
    tax_residency, version, created_at, updated_at)
SELECT
    '9131' || lpad(i::text, 14, '0'),
    (ARRAY['上海','杭州','苏州','南京','宁波','无锡','合肥','嘉兴','常州','绍兴'])[1 + i % 10]
      || (ARRAY['华信','联络','腾达','金桥','浦江','东方','远景','恒通','新纪元','星河',
                '瑞丰','博远','中联','天成','汇智','锦程','卓越','安泰','德润','鸿运'])
         [1 + (i / 10) % 20]
      || (ARRAY['科技','贸易','实业','信息技术','生物医药','新材料','物流','咨询'])
         [1 + (i / 200) % 8]
      || '有限公司' || i,
    '上海市浦东新区张江路' || i || '号', '', g.id,
    (ARRAY['制造业','批发和零售业','软件和信息技术服务业','租赁和商务服务业'])[1 + i % 4],
    (ARRAY['large','medium','small','micro'])[1 + i % 4],
    i % 9 = 0, i % 13 = 0, false,
    '021-' || (50000000 + i)::text, '', '法人' || i, '', 'operating', '', '', 1, now(), now()
FROM generate_series(1, %(n)s) i
JOIN registry_gridarea g ON g.code = 'B' || lpad((1 + i % 20)::text, 2, '0');

INSERT INTO registry_liaison (
    enterprise_id, name, position, mobile, landline, email, wechat, id_number,
    started_on, ended_on, version, created_at, updated_at, consent_version)
SELECT e.id,
    (ARRAY['张','王','李','赵','刘','陈','杨','黄','周','吴'])[1 + e.id % 10]
      || (ARRAY['伟','芳','娜','敏','静','磊','洋','勇','艳','杰','军','丽'])[1 + (e.id / 10) % 12],
    '行政专员', '139' || lpad((e.id % 100000000)::text, 8, '0'), '', '', '', '',
    current_date - 100, NULL, 1, now(), now(), ''
FROM registry_enterprise e;
"""


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_enterprise")
        if cursor.fetchone()[0] < ENTERPRISES:
            with connection.cursor() as seed:
                seed.execute("BEGIN")
                seed.execute(_SEED_SQL.replace("%(n)s", str(int(ENTERPRISES))))
                seed.execute("COMMIT")
            # The names' pinyin for the search: PostgreSQL cannot compute it (registry.pinyin).
            enterprise_pinyin_backfill()
            # What autovacuum does soon after a bulk load in production: flush the GIN
            # indexes' pending lists and gather statistics.
            cursor.execute("VACUUM ANALYZE")

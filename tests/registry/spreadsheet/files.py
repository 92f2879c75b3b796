"""Spreadsheets as admins really send them, built in memory for the tests."""

import csv
import io

from openpyxl import Workbook

from tests.factories import valid_uscc

HEADERS = ["统一社会信用代码", "企业名称", "注册地址", "所属网格", "联络员姓名", "联络员手机"]


def a_row(n: int, **overrides) -> list:
    values = {
        "统一社会信用代码": valid_uscc(n),
        "企业名称": f"测试企业{n}有限公司",
        "注册地址": f"上海市浦东新区测试路{n}号",
        "所属网格": "甲网格",
        "联络员姓名": f"联络员{n}",
        "联络员手机": f"139{n:08d}",
    }
    values.update(overrides)
    return list(values.values())


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)

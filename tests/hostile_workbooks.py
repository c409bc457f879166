"""Workbooks that are small on disk and huge once unpacked or opened."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def _rewrite(path: Path, sheet_xml: bytes) -> Path:
    """``path`` with its first worksheet replaced by ``sheet_xml`` (deflated)."""
    with zipfile.ZipFile(path) as original:
        members = {info.filename: original.read(info) for info in original.infolist()}
    members[SHEET] = sheet_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for name, data in members.items():
            rewritten.writestr(name, data)
    return path


def workbook(path: Path, sheet: str, header: list[str]) -> Path:
    book = Workbook()
    book.active.title = sheet
    book.active.append(header)
    book.save(path)
    return path


def unpacking_bomb(path: Path, sheet: str, header: list[str], unpacked_bytes: int) -> Path:
    """A workbook whose sheet repeats one row until it unpacks to ``unpacked_bytes``."""
    workbook(path, sheet, header)
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    rows = row * (unpacked_bytes // len(row) + 1)
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    return _rewrite(path, xml + rows + b"</sheetData></worksheet>")


def declared_dimension(path: Path, sheet: str, header: list[str], dimension: str) -> Path:
    """A one-row workbook whose sheet declares it spans ``dimension`` (A1:XFD1048576)."""
    workbook(path, sheet, header)
    with zipfile.ZipFile(path) as original:
        xml = original.read(SHEET)
    start = xml.index(b"<dimension")
    end = xml.index(b"/>", start) + 2
    return _rewrite(path, xml[:start] + f'<dimension ref="{dimension}"/>'.encode() + xml[end:])

"""Spreadsheet files: writing a workbook with text columns, dropdowns and A4 page setup
(`xlsx_writer`), reading a workbook's cells with how each was stored (`xlsx_reader`),
and telling a workbook from CSV text by its content (`files`).

openpyxl is imported only here, and only when a workbook is written or read.
"""

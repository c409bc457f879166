"""Gathering notices: file importers now, Scrapy spiders and feeds beside them.

Everything that comes in is validated into :class:`store.notices.NoticeRecord`
here, at the boundary, before anything is stored.
"""

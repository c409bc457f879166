"""The crawl process: ``python -m crawler.runner JOB.json`` runs the job's sources in one Scrapy process.

A separate process because Twisted's reactor cannot be restarted inside one;
:func:`crawler.crawl.crawl` writes the job and reads the results file back.
The job is ``{"settings": {...Scrapy settings...}, "sources": [SourceSpec dicts]}``.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from twisted.python.failure import Failure

from crawler.sources import SourceSpec
from crawler.spiders.base import NoticeSpider
from crawler.spiders.registry import SPIDERS


def run_job(job: dict[str, object]) -> None:
    """Crawl every source of ``job`` side by side; one failing spider does not stop the others."""
    settings = ScrapySettings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(job["settings"], priority="cmdline")  # type: ignore[arg-type]
    process = CrawlerProcess(settings)
    for raw in job["sources"]:  # type: ignore[attr-defined]
        spec = SourceSpec(**raw)
        spider_class: type[NoticeSpider] = SPIDERS[spec.kind]
        # A spider that cannot even start is that source's failure, not the whole crawl's.
        deferred = process.crawl(spider_class, source=spec)
        deferred.addErrback(_log_start_failure, spec.slug)
    process.start()


def _log_start_failure(failure: Failure, slug: str) -> None:
    logging.getLogger(__name__).error("source %s could not be crawled: %s", slug, failure.getErrorMessage())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m crawler.runner JOB.json\n")
        return 2
    run_job(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

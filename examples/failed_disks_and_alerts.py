# coding: utf-8
"""What needs a person today: failed physical disks and open critical alerts.

    python examples/failed_disks_and_alerts.py
    python examples/failed_disks_and_alerts.py --check     # exit 2 if anything is found
    python examples/failed_disks_and_alerts.py --language zh-CN

A disk counts as failed when CloudTower marks it unhealthy, sub-healthy,
SMART-failed or in a failed software RAID, or not healthy at all. ``--check``
suits cron and monitoring: exit 0 when all is well, 2 when something needs
attention. Only reads; connects with ``cloudtower.connect()``
(docs/authentication.md), or the embedded simulator when nothing is configured.
"""
from __future__ import print_function

import argparse
import sys

import cloudtower
from cloudtower import AlertApi, DiskApi, DiskHealthStatus, SeverityEnum
from cloudtower.utils import paginate

TYPE_CHECKING = False
if TYPE_CHECKING:  # for mypy; Python 2.7 may have no typing module
    from typing import List, Optional, Sequence  # noqa: F401 (type comments)

    from cloudtower import Alert, ApiClient, Disk  # noqa: F401 (type comments)

FAILED = [DiskHealthStatus.UNHEALTHY, DiskHealthStatus.SUBHEALTHY, DiskHealthStatus.SMART_FAILED,
          DiskHealthStatus.SOFTWARE_RAID_FAILURE]


def failed_disks(client):
    # type: (ApiClient) -> List[Disk]
    return DiskApi(client).get_disks({
        "where": {"OR": [{"health_status_in": FAILED}, {"healthy": False}]},
        "orderBy": "name_ASC",
    })


def critical_alerts(client, language):
    # type: (ApiClient, str) -> List[Alert]
    request = {"where": {"ended": False, "severity": SeverityEnum.CRITICAL}}
    # years of alerts are read 500 at a time
    return list(paginate(AlertApi(client).get_alerts, request, page_size=500,
                         content_language=language))


def main(argv=None):
    # type: (Optional[Sequence[str]]) -> int
    parser = argparse.ArgumentParser(description="Failed disks and open critical alerts.")
    parser.add_argument("--check", action="store_true",
                        help="exit 2 when a failed disk or a critical alert is found")
    parser.add_argument("--language", default="en-US", choices=["en-US", "zh-CN"],
                        help="language of the alert messages")
    args = parser.parse_args(argv)
    with cloudtower.connect() as client:
        disks = failed_disks(client)
        alerts = critical_alerts(client, args.language)

    print("Failed disks: %d" % len(disks))
    for disk in disks:
        print("  %-20s %-12s %-6s %-22s serial %s%s" % (
            disk.host.name if disk.host else "?", disk.path or disk.name, disk.type,
            disk.health_status or ("not healthy" if disk.healthy is False else "?"),
            disk.serial or "?",
            "  (%s)" % disk.failure_information if disk.failure_information else ""))
    print("Open critical alerts: %d" % len(alerts))
    for alert in alerts:
        where = alert.cluster.name if alert.cluster else "-"
        if alert.host:
            where += " / " + (alert.host.name or "?")
        print("  [%s] %s" % (where, " ".join((alert.message or "").split())))
    if args.check and (disks or alerts):
        return 2
    return 0


if __name__ == "__main__":
    from _common import simulator_unless_configured  # the examples' local CloudTower
    with simulator_unless_configured():
        sys.exit(main())

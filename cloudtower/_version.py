# coding: utf-8
"""Version numbers: this SDK's, and the newest CloudTower API it covers.

The SDK serves CloudTower 1.8.0 to 4.9.0 (see docs/versions.md). Its version
starts with the newest CloudTower version it covers and counts our releases
after it, so that it never equals one of the official SDK's 1.x/2.x versions,
which share the distribution name.
"""
__version__ = "4.9.0.1"
# the newest CloudTower version whose API this SDK covers
API_VERSION = "4.9.0"

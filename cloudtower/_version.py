# coding: utf-8
"""Version numbers: this SDK's, and the CloudTower API it was generated for.

The SDK's version starts with the API version it speaks (4.6.0) and counts our
releases after it, so that it never equals one of the official SDK's 2.x
versions, which share the distribution name.
"""
__version__ = "4.6.0.1"
API_VERSION = "4.6.0"

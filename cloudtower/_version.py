# coding: utf-8
"""Version numbers: this SDK's, and the CloudTower API it was generated for."""
__version__ = "2.21.0"
API_VERSION = "4.6.0"

# coding: utf-8
"""What the benchmark modules share: where things are, and what is measured."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, ".work")
WORKER = os.path.join(HERE, "worker.py")
COMPAT = os.path.join(HERE, "official_compat.py")
DOCS = os.path.join(REPO, "docs", "benchmarks.md")
OFFICIAL = "cloudtower-sdk==2.20.0"
IMPORTS = "import cloudtower; from cloudtower import ApiClient, Configuration, VmApi, VmStatus"
SEED = 6
VM_COUNT = 2000
# the simulator's estate that paginate reads (--size large)
PAGINATE_VMS = 10000
PAGE_SIZE = 100

# mypy, for the type-checking row: the version the lint environment pins
MYPY = "mypy==2.4.1"

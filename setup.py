# coding: utf-8
"""Packaging of the CloudTower Python SDK (distribution ``cloudtower-sdk``).

Must run under the setuptools of every supported Python, 2.7 included, so it
uses nothing newer than plain ``setup()``. The version is read from
``cloudtower/_version.py`` as text: building never imports the package (its
dependencies may not be installed yet).
"""
import io
import os
import re
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.abspath(os.path.dirname(__file__))


def read(*parts):
    with io.open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def read_version():
    text = read("cloudtower", "_version.py")
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.M)
    if not match:
        raise RuntimeError("cloudtower/_version.py has no __version__ = \"...\" line")
    return match.group(1)


def read_requirements():
    # requirements.txt is the one list of runtime dependencies (markers included)
    lines = (line.split("#", 1)[0].strip() for line in read("requirements.txt").splitlines())
    return [line for line in lines if line]


class clean_build_py(build_py):
    """build_py that starts from an empty build/lib/cloudtower.

    pip builds in the source tree, and setuptools only adds to build/lib: a
    module that codegen no longer writes would stay there and ship in the next
    wheel or install.
    """

    def run(self):
        stale = os.path.join(self.build_lib, "cloudtower")
        if os.path.isdir(stale):
            shutil.rmtree(stale)
        build_py.run(self)


setup(
    name="cloudtower-sdk",
    cmdclass={"build_py": clean_build_py},
    version=read_version(),
    description="Python SDK for the SmartX CloudTower API",
    long_description=read("README.md"),
    long_description_content_type="text/markdown",
    author="CloudTower SDK maintainers",
    license="Apache-2.0",
    keywords=["CloudTower", "SmartX", "SDK", "OpenAPI"],
    # only the runtime package: codegen/, tests/, docs/ and benchmarks/ stay out of the wheel
    packages=find_packages(include=["cloudtower", "cloudtower.*"]),
    # the type stubs and the PEP 561 marker, in every package that has them
    package_data={"": ["*.pyi", "py.typed"]},
    include_package_data=False,
    zip_safe=False,
    python_requires=">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*",
    install_requires=read_requirements(),
    classifiers=[
        "Development Status :: 5 - Production/Stable",
        "Intended Audience :: Developers",
        "Intended Audience :: System Administrators",
        "License :: OSI Approved :: Apache Software License",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 2",
        "Programming Language :: Python :: 2.7",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.6",
        "Programming Language :: Python :: 3.7",
        "Programming Language :: Python :: 3.8",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: System :: Systems Administration",
        "Typing :: Typed",
    ],
)

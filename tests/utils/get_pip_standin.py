"""Offline stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test bootstraps pip in each sanity virtualenv by running a get-pip script it downloads from an Ansible
CI host, which is unreachable here. It looks for a cached copy first (~/.ansible/test/cache/get_pip_<ver>.py), so
tests/utils/sanity.sh places this file there. It bootstraps pip with ensurepip, drops get-pip's own options and
relaxes the exact pip pin (the registry serves only recent pip releases), then installs the rest with pip.
"""

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    args = ["pip" if arg.startswith("pip==") else arg for arg in args]
    # ensurepip.bootstrap() sets PIP_CONFIG_FILE=/dev/null and drops the PIP_* variables in this process: the install
    # below must see the machine's pip configuration (its index, its CA bundle), as get-pip.py would.
    environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args, env=environment)


if __name__ == "__main__":
    main()

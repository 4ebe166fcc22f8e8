"""Print tests/integration/integration_config.yml from the emulator's environment variables.

ansible-test passes that file to every integration target as extra vars: each variable the emulator exported
(AZURE_*, REQUESTS_CA_BUNDLE, SSL_CERT_FILE, EMULATOR_*) becomes a lower-case var, for example
azure_iothub_connection_string or emulator_url.
"""

import json
import os

PREFIXES = ("AZURE_", "EMULATOR_")
EXTRA = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


def main():
    names = sorted(name for name in os.environ if name.startswith(PREFIXES) or name in EXTRA)
    print("---")
    for name in names:
        # JSON strings are valid YAML scalars and quote anything a connection string may contain.
        print(f"{name.lower()}: {json.dumps(os.environ[name])}")


if __name__ == "__main__":
    main()

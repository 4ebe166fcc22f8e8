"""A throwaway CA and a server certificate for 127.0.0.1 and localhost (trustme); only the CA is written out."""
import os
import ssl

import trustme


def server_context(state_dir, host="127.0.0.1"):
    """An SSL context for the server; writes state_dir/ca.pem for clients (REQUESTS_CA_BUNDLE, SSL_CERT_FILE)."""
    ca = trustme.CA(organization_name="azure_iot.jobs emulator")
    names = ["127.0.0.1", "localhost"] + ([host] if host not in ("127.0.0.1", "localhost") else [])
    cert = ca.issue_cert(*names)
    ca_path = os.path.join(state_dir, "ca.pem")
    ca.cert_pem.write_to_path(ca_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context, ca_path

"""How long a query IoT Hub evaluates: "there is actually a query limit for Azure IoT hub, which is around 8200 Bytes,
i.e. 8200 characters. Any query exceeding this limit will report PreconditionFailed error" (a comment on
Azure/azure-iot-sdk-csharp#1680, 2021-01-18, "Unable to create a twin update job for a lot of devices"; contract.md
1.4 and 1.5). The emulator takes the figure as exact, counts characters, and applies it to the text the client sends:
a job's queryCondition (PUT /jobs/v2/{id}) and the query of POST /devices/query.
"""

MAX_QUERY_LENGTH = 8200


def too_long(text, what="The query"):
    """The PreconditionFailed message for a query past the limit, else None. The real wording is not recorded."""
    if len(text) <= MAX_QUERY_LENGTH:
        return None
    return "%s is %d characters long; the maximum query length is %d characters." % (
        what, len(text), MAX_QUERY_LENGTH)

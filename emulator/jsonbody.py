"""Reading JSON request bodies; each surface passes the error it raises for an unparsable body."""
import json


async def read_json(request, make_error, default=None):
    """The parsed body, `default` when the body is empty, or raise make_error(message)."""
    text = await request.text()
    if not text.strip():
        return default
    try:
        return json.loads(text)
    except ValueError as exc:
        raise make_error("The request body is not valid JSON: %s" % exc) from None

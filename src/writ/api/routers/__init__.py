"""One router per concern; each is thin: parse, call a service, shape the answer."""

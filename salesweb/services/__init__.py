"""The rules of salesweb. Services take plain values, return plain values or models, never read a request."""

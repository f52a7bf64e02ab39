"""Service and collaboration: help requests to support, customer feedback and its deadline, and the links a
customer answers (`bp`, signed in; each view checks role and scope). The customer's own feedback form and NPS
survey need no sign-in (`public`)."""

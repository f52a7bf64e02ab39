"""The front door: / sends each user to their role's home; /favicon.ico; /healthz for monitors."""

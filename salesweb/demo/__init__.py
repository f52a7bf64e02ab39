"""The demo data set (`salesweb demo`)."""

"""The web layer every blueprint shares: page-or-fragment rendering, form helpers, format filters, navigation, row templates and error pages."""

"""The targets sheet, reached from the manager's home. Its page is the dashboards' and not the targets feature's:
what it shows is a figure (metrics.target_sheet, last year's actual beside the targets set), and features read no
figures. The targets feature holds the sheet's form, checks and writes."""

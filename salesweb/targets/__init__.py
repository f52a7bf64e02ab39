"""Targets: what a manager sets their teams and reps to win in a month, quarter or year. The sheet's form
(forms.py) and its checks and writes (rules.py) are here; its page is the dashboards' (dashboards/targets), as what
it shows, last year's actual beside the targets set, is a figure (metrics.target_sheet) and features read no
figures."""
